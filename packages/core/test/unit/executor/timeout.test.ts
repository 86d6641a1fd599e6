/**
 * The `timeout` keyword, as ansible-playbook 2.14 runs it (checked on a lab host): a module call not
 * done after N seconds fails with "The <module as written> action failed to execute in the expected
 * time frame (N) and was terminated" and a result of changed/failed/msg only; per loop item and per
 * attempt; no retry by `until`, no changed_when / failed_when; 0 means none; the nearest of task,
 * block and play wins. The call is also stopped on the host: no step starts after the deadline.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import type { Remote } from '../../../src/contract/remote.js';
import { deadline, TaskTimeoutError, timeoutMessage } from '../../../src/executor/timeout.js';
import type { Playbook } from '../../../src/model.js';
import { FakeConnector, block, inventory, makeTemplater, play, playbook, registry, resultLines, task } from './fakes.js';

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function run(pb: Playbook, check = false) {
  const log: string[] = [];
  const events: RunEvent[] = [];
  const connector = new FakeConnector();
  const reg = registry(log);
  // Waits `ms` between two commands on the host: a module of several steps driven from the controller.
  reg.register({
    name: 'slowsteps',
    aliases: ['ansible.builtin.slowsteps'],
    description: 'two commands, a wait between them',
    args: z.strictObject({ ms: z.number() }),
    checkMode: 'full',
    async run(args: { ms: number }, ctx) {
      await ctx.remote.run({ argv: ['first'] });
      await realWait(args.ms);
      await ctx.remote.run({ argv: ['second'] });
      log.push(`${ctx.hostName}:slowsteps:${args.ms}`);
      return { changed: true };
    },
  });
  const summary = await runPlaybook(pb, { inventory: inventory(['a']), registry: reg, connector, templater: makeTemplater(), onEvent: (e) => events.push(e), check, sleep: async () => {} });
  return { summary, events, log, connector, lines: resultLines(events) };
}

const show = task('echo', { msg: '{{ r | to_json }}' }, { name: 'show' });
const MSG = (action: string, n: number) => timeoutMessage(action, n);

describe('timeout keyword', () => {
  it("stops the call at the deadline with Ansible's message and result; ignore_errors; no later step on the host", async () => {
    const t = task('slowsteps', { ms: 1500 }, { name: 'slow', timeout: 1, register: 'r', ignoreErrors: true });
    const started = Date.now();
    const { lines, log, connector } = await run(playbook(play([t, show])));
    expect(Date.now() - started).toBeLessThan(1400);
    expect(lines).toEqual(['a slow failed ignored', 'a show ok']);
    expect(JSON.parse(log.at(-1)!.replace(/^a:echo:/, ''))).toEqual({ changed: false, failed: true, msg: MSG('slowsteps', 1) });
    await realWait(700);
    expect(connector.host('a').commands).toEqual(['first']);
  });

  it('the module as written names it; a templated timeout; in check mode too', async () => {
    const t = task('ansible.builtin.slowsteps', { ms: 1500 }, { name: 'slow', timeout: '{{ n }}', register: 'r', ignoreErrors: true });
    const { log } = await run(playbook(play([t, show], { vars: { n: 1 } })), true);
    expect(log.at(-1)).toContain(MSG('ansible.builtin.slowsteps', 1));
  });

  it('a call done in time is untouched; timeout 0 means none', async () => {
    const { lines } = await run(playbook(play([task('slowsteps', { ms: 10 }, { name: 'quick', timeout: 5 }), task('slowsteps', { ms: 10 }, { name: 'zero', timeout: 0 })])));
    expect(lines).toEqual(['a quick changed', 'a zero changed']);
  });

  it('per loop item: the stopped item fails, the others run; the item result has no changed', async () => {
    const t = task('slowsteps', { ms: '{{ item }}' as unknown as number }, { name: 'loop', timeout: 1, loop: [10, 1500, 20], register: 'r', ignoreErrors: true });
    const { lines, log } = await run(playbook(play([t, task('echo', { msg: "{{ r.results[1] | to_json }} {{ r.msg }} {{ r.changed }}" }, { name: 'show' })])));
    expect(lines).toEqual(['a loop failed ignored', 'a show ok']);
    expect(log.filter((l) => l.includes(':slowsteps:'))).toEqual(['a:slowsteps:10', 'a:slowsteps:20']);
    const shown = log.at(-1)!.replace(/^a:echo:/, '');
    const end = shown.lastIndexOf('}') + 1;
    expect(JSON.parse(shown.slice(0, end))).toEqual({ failed: true, msg: MSG('slowsteps', 1), item: 1500, ansible_loop_var: 'item' });
    expect(shown.slice(end)).toBe(' One or more items failed True');
  });

  it('until does not retry a stopped call; failed_when and changed_when are not applied', async () => {
    const t = task('slowsteps', { ms: 1500 }, { name: 'u', timeout: 1, register: 'r', until: ['r is succeeded'], retries: 3, delay: 0, failedWhen: ['false'], changedWhen: ['true'], ignoreErrors: true });
    const { lines, log, connector } = await run(playbook(play([t, show])));
    expect(lines).toEqual(['a u failed ignored', 'a show ok']);
    expect(JSON.parse(log.at(-1)!.replace(/^a:echo:/, ''))).toEqual({ changed: false, failed: true, msg: MSG('slowsteps', 1) });
    expect(connector.host('a').commands).toEqual(['first']);
  });

  it('the nearest of task, block and play wins', async () => {
    const pb = playbook(
      play(
        [
          block({ block: [task('slowsteps', { ms: 1500 }, { name: 'in block', ignoreErrors: true }), task('slowsteps', { ms: 1500 }, { name: 'own 0', timeout: 0 })], timeout: 1 }),
          task('slowsteps', { ms: 1500 }, { name: 'play', ignoreErrors: true }),
        ],
        { timeout: 1 },
      ),
    );
    const { lines } = await run(pb);
    expect(lines).toEqual(['a in block failed ignored', 'a own 0 changed', 'a play failed ignored']);
  });
});

describe('deadline', () => {
  const inner = (seen: unknown[]): Remote => ({
    hostName: 'h',
    run: async (_c, o) => (seen.push(o?.timeoutMs), { code: 0, stdout: '', stderr: '' }),
    writeFile: async () => {},
    putFile: async () => {},
    readFile: async () => undefined,
  });

  it('gives each command at most the time left, and refuses any step after the deadline', async () => {
    let now = 1000;
    const d = deadline(10, () => now);
    const seen: unknown[] = [];
    const remote = d.remote(inner(seen));
    await remote.run({ argv: ['a'] });
    now += 4000;
    await remote.run({ argv: ['b'] }, { timeoutMs: 60_000 });
    await remote.run({ argv: ['c'] }, { timeoutMs: 1000 });
    expect(seen).toEqual([10_000, 6000, 1000]);
    now += 6000;
    expect(() => remote.run({ argv: ['d'] })).toThrow(TaskTimeoutError);
    expect(() => remote.readFile('/x')).toThrow(TaskTimeoutError);
  });
});
