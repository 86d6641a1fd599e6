/** Keywords on plays, blocks and tasks: check_mode, diff and templated booleans (Ansible's inheritance). */
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { HostResultEvent, RunEvent } from '../../../src/executor/events.js';
import type { ExecutorOptions } from '../../../src/executor/types.js';
import type { Playbook } from '../../../src/model.js';
import { z } from 'zod';
import { FakeConnector, block, inventory, makeTemplater, play, playbook, registry, resultLines, task } from './fakes.js';

async function run(pb: Playbook, opts: Partial<ExecutorOptions> & { hosts?: string[]; hostVars?: Record<string, Record<string, unknown>> } = {}) {
  const log: string[] = [];
  const events: RunEvent[] = [];
  const connector = new FakeConnector();
  const reg = registry(log);
  // Counts its calls per host: `ok_on` is the call that succeeds (0: never); `throw_until` calls throw first.
  const calls = new Map<string, number>();
  reg.register({
    name: 'counter',
    description: 'succeeds on a given call',
    args: z.strictObject({ ok_on: z.number(), throw_until: z.number().default(0) }),
    checkMode: 'full',
    async run(args: { ok_on: number; throw_until: number }, ctx) {
      const n = (calls.get(ctx.hostName) ?? 0) + 1;
      calls.set(ctx.hostName, n);
      log.push(`${ctx.hostName}:counter:${n}`);
      if (n <= args.throw_until) throw new Error(`not yet (${n})`);
      return { changed: false, failed: args.ok_on === 0 || n < args.ok_on, call: n };
    },
  });
  const summary = await runPlaybook(pb, {
    inventory: inventory(opts.hosts ?? ['a'], {}, opts.hostVars ?? {}),
    registry: reg,
    connector,
    templater: makeTemplater(),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  const results = events.filter((e): e is HostResultEvent => e.type === 'host-result');
  return { summary, events, results, log, connector, lines: resultLines(events) };
}

const put = (path: string, extra = {}) => task('file_put', { path, content: 'new\n' }, { name: path, ...extra });

describe('check_mode keyword', () => {
  it.each([
    // [where check_mode is written, --check, files written]
    ['task true, no --check', { task: true }, false, ['/other']],
    ['task false, --check', { task: false }, true, ['/f']],
    ['block true, no --check', { block: true }, false, ['/other']],
    ['block true, task false wins', { block: true, task: false }, false, ['/f', '/other']],
    ['play true, no --check', { play: true }, false, []],
    ['play true, block false wins', { play: true, block: false }, false, ['/f']],
    ['templated on the block', { block: '{{ dry }}' }, false, ['/other']],
  ] as const)('%s', async (_label, where, check, written) => {
    const w = where as { task?: boolean | string; block?: boolean | string; play?: boolean | string };
    const inner = put('/f', w.task === undefined ? {} : { checkMode: w.task });
    const items = w.block === undefined ? [inner] : [block({ block: [inner], checkMode: w.block })];
    const pb = playbook(play([...items, put('/other')], { ...(w.play === undefined ? {} : { checkMode: w.play }), vars: { dry: 'yes' } }));
    const { connector, lines } = await run(pb, { check });
    expect(lines).toEqual(['a /f changed', 'a /other changed']);
    expect([...connector.host('a').files.keys()].sort()).toEqual([...written].sort());
  });

  it('a module without check mode is skipped under check_mode: true, runs under false with --check', async () => {
    const pb = playbook(play([task('cmd', 'touch x', { name: 'dry', checkMode: true }), task('cmd', 'touch y', { name: 'real', checkMode: false })]));
    const { lines, log } = await run(pb, { check: true });
    expect(lines).toEqual(['a dry skipped', 'a real changed']);
    expect(log).toEqual(['a:cmd:touch y']);
  });

  it('ansible_check_mode keeps following --check, as in Ansible 2.14', async () => {
    const pb = playbook(play([task('echo', { msg: '{{ ansible_check_mode }}' }, { checkMode: true })]));
    expect((await run(pb)).log).toEqual(['a:echo:false']);
  });
});

describe('diff keyword', () => {
  it('diff: true shows a task diff without --diff; diff: false hides one with --diff', async () => {
    const pb = playbook(play([put('/shown', { diff: true }), put('/plain'), block({ block: [put('/hidden')], diff: false })]));
    const without = await run(pb);
    expect(without.results.map((r) => [r.task.name, r.diff?.length ?? 0])).toEqual([['/shown', 1], ['/plain', 0], ['/hidden', 0]]);
    const withDiff = await run(pb, { diff: true });
    expect(withDiff.results.map((r) => [r.task.name, r.diff?.length ?? 0])).toEqual([['/shown', 1], ['/plain', 1], ['/hidden', 0]]);
  });
});

describe('templated boolean keywords', () => {
  it('ignore_errors from a variable, per host', async () => {
    const pb = playbook(play([task('boom', {}, { name: 'x', ignoreErrors: '{{ tolerate }}' }), task('echo', { msg: 'after' }, { name: 'y' })]));
    const { lines, summary } = await run(pb, { hosts: ['a', 'b'], hostVars: { a: { tolerate: true }, b: { tolerate: 'no' } } });
    expect(lines).toEqual(['a x failed ignored', 'b x failed', 'a y ok']);
    expect(summary.failedHosts).toEqual(['b']);
  });

  it('the nearest ignore_errors wins: a task false inside a block true fails', async () => {
    const pb = playbook(play([block({ block: [task('boom', {}, { name: 'x', ignoreErrors: '{{ no_please }}' })], ignoreErrors: true })], { vars: { no_please: 'no' } }));
    expect((await run(pb)).lines).toEqual(['a x failed']);
  });

  it('no_log from a template censors; one that cannot be rendered censors too', async () => {
    const pb = playbook(
      play([
        task('echo', { msg: 'hunter2-a' }, { name: 'a', noLog: '{{ quiet }}' }),
        task('echo', { msg: 'hunter2-b' }, { name: 'b', noLog: '{{ undefined_var }}', ignoreErrors: true }),
        task('echo', { msg: 'shown' }, { name: 'c', noLog: '{{ not quiet }}' }),
      ], { vars: { quiet: true } }),
    );
    const { events, lines } = await run(pb);
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(lines).toEqual(['a a ok', 'a b failed ignored', 'a c ok']);
    expect(JSON.stringify(events)).toContain('shown');
  });

  it('become from a template; a rendered word that is not a boolean is false (Ansible keyword rule)', async () => {
    const pb = playbook(play([task('whoami', {}, { become: '{{ sudo }}' })]));
    expect((await run(pb, { hosts: ['a', 'b', 'c'], hostVars: { a: { sudo: 'yes' }, b: { sudo: 'maybe' }, c: { sudo: false } } })).log.sort()).toEqual([
      'a:become:true',
      'b:become:false',
      'c:become:false',
    ]);
  });

  it('a template error in a keyword fails the task naming the keyword', async () => {
    const pb = playbook(play([task('echo', { msg: 'x' }, { name: 't', checkMode: '{{ nope }}' })]));
    const { results } = await run(pb);
    expect(results[0].status).toBe('failed');
    expect(results[0].msg).toMatch(/error in "check_mode": .*nope/);
  });
});

describe('until / retries / delay', () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };

  it.each([
    // [retries, delay, ok_on, calls made, registered attempts, failed, waits]
    ['succeeds on the third call', 5, 0, 3, 3, 3, false, [0, 0]],
    ['defaults: 3 retries, 5 s apart; gives up after 4 calls reporting 3', undefined, undefined, 0, 4, 3, true, [5000, 5000, 5000]],
    ['retries 0: one call', 0, 1, 0, 1, 1, true, []],
    ['templated retries and delay', '{{ two }}', '{{ two }}', 0, 3, 2, true, [2000, 2000]],
  ] as const)('%s', async (_label, retries, delay, okOn, calls, attempts, failed, waits) => {
    sleeps.length = 0;
    const t = task('counter', { ok_on: okOn }, { name: 'c', register: 'r', until: ['r is not failed'], ...(retries === undefined ? {} : { retries }), ...(delay === undefined ? {} : { delay }), ignoreErrors: true });
    const pb = playbook(play([t, task('echo', { msg: '{{ r.attempts }} {{ r.failed }} {{ r.call }}' }, { name: 'show' })], { vars: { two: 2 } }));
    const { log } = await run(pb, { sleep });
    expect(log.filter((l) => l.includes('counter')).length).toBe(calls);
    expect(log.at(-1)).toBe(`a:echo:${attempts} ${failed ? "True" : "False"} ${calls}`);
    expect(sleeps).toEqual(waits);
  });

  it('a module error is a failed attempt; attempts is there for failed_when', async () => {
    const t = task('counter', { ok_on: 1, throw_until: 2 }, { name: 'c', register: 'r', until: ['r is succeeded'], delay: 0, failedWhen: ['r.attempts < 3'] });
    const { lines, log } = await run(playbook(play([t, task('echo', { msg: '{{ r.attempts }}' })])), { sleep });
    expect(lines).toEqual(['a c ok', 'a echo ok']);
    expect(log.at(-1)).toBe('a:echo:3');
  });

  it('retries without until do nothing (2.14)', async () => {
    const t = task('counter', { ok_on: 0 }, { name: 'c', retries: 5, delay: 0 });
    const { lines, log } = await run(playbook(play([t])), { sleep });
    expect(lines).toEqual(['a c failed']);
    expect(log).toEqual(['a:counter:1']);
  });

  it('until per loop item', async () => {
    const t = task('counter', { ok_on: 2 }, { name: 'c', register: 'r', loop: ['x', 'y'], until: ['r is succeeded'], delay: 0 });
    const { log } = await run(playbook(play([t, task('echo', { msg: "{{ r.results | map(attribute='attempts') | list }}" })])), { sleep });
    expect(log.filter((l) => l.includes('counter'))).toEqual(['a:counter:1', 'a:counter:2', 'a:counter:3']);
    expect(log.at(-1)).toBe('a:echo:[2,1]');
  });
});

describe('environment', () => {
  it('merges play, block and task entries, the nearest winning, rendered per host and per item', async () => {
    const t = task('cmd', 'env', {
      name: 'c',
      loop: ['one', 'two'],
      environment: ["{{ {'C': 'task-' ~ item} }}", { D: '{{ flag }}', E: 3 }],
    });
    const pb = playbook(
      play([block({ block: [t], environment: [{ B: 'block', C: '{{ inventory_hostname }}' }] })], {
        environment: [{ A: 'play', B: 'play' }],
        vars: { flag: true },
      }),
    );
    const { connector } = await run(pb, { hosts: ['a'] });
    expect(connector.host('a').envs).toEqual([
      { A: 'play', B: 'block', C: 'task-one', D: 'True', E: '3' },
      { A: 'play', B: 'block', C: 'task-two', D: 'True', E: '3' },
    ]);
  });

  it('a template that is not a mapping fails the task naming the keyword', async () => {
    const { results } = await run(playbook(play([task('cmd', 'env', { name: 'c', environment: ['{{ 42 }}'] })])));
    expect(results[0].status).toBe('failed');
    expect(results[0].msg).toContain('"environment" must be a mapping');
  });

  it('tasks without environment run with none', async () => {
    const { connector } = await run(playbook(play([task('cmd', 'env', { name: 'c' })])));
    expect(connector.host('a').envs).toEqual([{}]);
  });
});

describe('serial lists, order, throttle, any_errors_fatal, max_fail_percentage', () => {
  it.each([
    [1, ['a', 'b', 'c', 'd', 'e'], [['a'], ['b'], ['c'], ['d'], ['e']]],
    [[1, 2], ['a', 'b', 'c', 'd', 'e'], [['a'], ['b', 'c'], ['d', 'e']]],
    [[1, '50%'], ['a', 'b', 'c', 'd', 'e'], [['a'], ['b', 'c'], ['d', 'e']]],
    [['40%', 10], ['a', 'b', 'c', 'd', 'e'], [['a', 'b'], ['c', 'd', 'e']]],
  ] as const)('serial %j', async (serial, hosts, batches) => {
    const { serialBatches } = await import('../../../src/executor/runner.js');
    expect(serialBatches(serial as never, [...hosts])).toEqual(batches);
  });

  it.each([
    ['inventory', ['b', 'c', 'a']],
    ['reverse_inventory', ['a', 'c', 'b']],
    ['sorted', ['a', 'b', 'c']],
    ['reverse_sorted', ['c', 'b', 'a']],
  ] as const)('order %s', async (order, expected) => {
    const { orderHosts } = await import('../../../src/executor/runner.js');
    expect(orderHosts(order, ['b', 'c', 'a'])).toEqual(expected);
    const pb = playbook(play([task('echo', { msg: 'x' }, { name: 'e' })], { order }));
    expect((await run(pb, { hosts: ['b', 'c', 'a'], forks: 1 })).log).toEqual(expected.map((h) => `${h}:echo:x`));
  });

  it('shuffle keeps every host once', async () => {
    const { orderHosts } = await import('../../../src/executor/runner.js');
    expect(orderHosts('shuffle', ['a', 'b', 'c', 'd'], () => 0).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('throttle: at most that many hosts at once, below forks', async () => {
    const reg = registry();
    const slow = reg.get('slow') as unknown as { stats: { maxRunning: number } };
    const pb = playbook(play([block({ block: [task('slow', { ms: 20 }, { name: 's' })], throttle: 2 })]));
    await runPlaybook(pb, { inventory: inventory(['a', 'b', 'c', 'd', 'e']), registry: reg, connector: new FakeConnector(), templater: makeTemplater() });
    expect(slow.stats.maxRunning).toBe(2);
  });

  it('any_errors_fatal: one failure stops the play for every host; later plays skip them', async () => {
    const pb = playbook(
      play([task('boom', { when_host: 'b' }, { name: 'x', anyErrorsFatal: '{{ true }}' }), task('echo', { msg: 'after' }, { name: 'y' })]),
      play([task('echo', { msg: 'next play' }, { name: 'z' })]),
    );
    const { lines, summary, log } = await run(pb, { hosts: ['a', 'b', 'c'] });
    expect(lines).toEqual(['a x ok', 'b x failed', 'c x ok']);
    expect(log.filter((l) => l.includes('echo'))).toEqual([]);
    expect(summary.failedHosts.sort()).toEqual(['a', 'b', 'c']);
    expect(summary.stats.a.failed).toBe(0);
  });

  it("the configured defaults (ansible.cfg's any_errors_fatal, no_log, task_timeout): below the keywords", async () => {
    const pb = playbook(play([task('boom', { when_host: 'b' }, { name: 'x' }), task('echo', { msg: 'after' }, { name: 'y' })]));
    const fatal = await run(pb, { hosts: ['a', 'b', 'c'], keywordDefaults: { anyErrorsFatal: true } });
    expect(fatal.lines).toEqual(['a x ok', 'b x failed', 'c x ok']);
    // A task's own any_errors_fatal: false wins over the configured default.
    const own = playbook(play([task('boom', { when_host: 'b' }, { name: 'x', anyErrorsFatal: false }), task('echo', { msg: 'after' }, { name: 'y' })]));
    expect((await run(own, { hosts: ['a', 'b', 'c'], keywordDefaults: { anyErrorsFatal: true } })).lines).toEqual(['a x ok', 'b x failed', 'c x ok', 'a y ok', 'c y ok']);
    const hidden = await run(playbook(play([task('echo', { msg: 'the secret' }, { name: 'x', noLog: undefined })])), { hosts: ['a'], keywordDefaults: { noLog: true } });
    expect(JSON.stringify(hidden.events)).not.toContain('the secret');
  });

  it('max_fail_percentage: more failures than allowed stop the play; fewer do not', async () => {
    const pb = (pct: number) => playbook(play([task('boom', { when_host: 'b' }, { name: 'x' }), task('echo', { msg: 'after' }, { name: 'y' })], { maxFailPercentage: pct }));
    expect((await run(pb(40), { hosts: ['a', 'b', 'c'] })).lines).toEqual(['a x ok', 'b x failed', 'c x ok', 'a y ok', 'c y ok']);
    expect((await run(pb(30), { hosts: ['a', 'b', 'c'] })).lines).toEqual(['a x ok', 'b x failed', 'c x ok']);
  });
});

describe('run_once', () => {
  it('runs on the first live host; its result and facts reach every host of the batch', async () => {
    const pb = playbook(
      play([
        task('boom', { when_host: 'a' }, { name: 'fail a' }),
        task('echo', { msg: '{{ inventory_hostname }}' }, { name: 'once', runOnce: '{{ true }}', register: 'r' }),
        task('set_fact', { picked: '{{ inventory_hostname }}' }, { name: 'fact', runOnce: true }),
        task('echo', { msg: '{{ r.msg }} {{ picked }}' }, { name: 'show' }),
      ]),
    );
    const { lines, log, summary } = await run(pb, { hosts: ['a', 'b', 'c'] });
    expect(lines).toEqual(['a fail a failed', 'b fail a ok', 'c fail a ok', 'b once ok', 'b fact ok', 'b show ok', 'c show ok']);
    expect(log.filter((l) => l.includes(':echo:'))).toEqual(['b:echo:b', 'b:echo:b b', 'c:echo:b b']);
    expect(summary.stats.c.ok).toBe(2);
  });
});
