/** Where tasks run: delegate_to, delegate_facts, local connections and the implicit localhost (fake hosts). */
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import { transportOf } from '../../../src/executor/delegation.js';
import { HumanReporter } from '../../../src/report/human.js';
import type { RunEvent } from '../../../src/executor/events.js';
import type { Playbook, Vars } from '../../../src/model.js';
import { FakeConnector, block, inventory, makeTemplater, play, playbook, registry, resultLines, task } from './fakes.js';

async function run(pb: Playbook, hosts: string[] = ['a', 'b'], hostVars: Record<string, Vars> = {}) {
  const log: string[] = [];
  const events: RunEvent[] = [];
  const connector = new FakeConnector();
  const summary = await runPlaybook(pb, {
    inventory: inventory(hosts, { web: hosts }, hostVars),
    registry: registry(log),
    connector,
    templater: makeTemplater(),
    onEvent: (e) => events.push(e),
  });
  /** Which connection ran each command: `target(transport) command`. */
  const ran = [...connector.hosts.entries()].flatMap(([name, h]) => h.commands.map((c) => `${name} ${c}`));
  const transports = Object.fromEntries(connector.targets.map((t) => [t.hostName, `${t.transport} ${t.address}`]));
  return { summary, events, log, connector, ran, transports, lines: resultLines(events) };
}

describe('transportOf', () => {
  it.each([
    [undefined, undefined, 'ssh'],
    [undefined, 'local', 'local'],
    ['local', undefined, 'local'],
    ['ssh', 'local', 'ssh'],
    ['local', 'ssh', 'local'],
    [undefined, 'smart', 'ssh'],
    ['paramiko', undefined, 'ssh'],
    ['', 'local', 'local'],
  ])('ansible_connection %j, keyword %j: %s', (variable, keyword, expected) => {
    expect(transportOf(variable, keyword)).toBe(expected);
  });

  it('refuses a connection plugin it does not have, naming where it came from', () => {
    expect(() => transportOf('docker', undefined)).toThrow(/ansible_connection 'docker' is not supported/);
    expect(() => transportOf(undefined, 'winrm')).toThrow(/^connection 'winrm' is not supported/);
  });
});

describe('delegate_to', () => {
  it('runs on the delegated host with its connection variables; templates use the task host', async () => {
    const pb = playbook(play([task('cmd', 'echo {{ inventory_hostname }} {{ ansible_host }}', { name: 'x', delegateTo: "{{ 'b' if inventory_hostname == 'a' else 'a' }}" })]));
    const { ran, transports, lines } = await run(pb);
    expect(lines).toEqual(['a x changed', 'b x changed']);
    // a's task ran on b (and the other way round), with a's own variables in the command.
    expect(ran.sort()).toEqual(['a sh -c echo b 198.51.100.52', 'b sh -c echo a 198.51.100.51']);
    expect(transports).toEqual({ a: 'ssh 198.51.100.51', b: 'ssh 198.51.100.52' });
  });

  it('to localhost (not in the inventory): the controller, over a local connection', async () => {
    const pb = playbook(play([task('cmd', 'echo {{ inventory_hostname }}', { name: 'x', delegateTo: 'localhost' })]));
    const { ran, transports } = await run(pb);
    expect(ran.sort()).toEqual(['localhost sh -c echo a', 'localhost sh -c echo b']);
    expect(transports).toEqual({ localhost: 'local localhost' });
  });

  it('to a name the inventory does not list: reached by that name, with the `all` group variables', async () => {
    const pb = playbook(play([task('cmd', 'true', { name: 'x', delegateTo: '192.0.2.7' })]));
    const { transports } = await run(pb, ['a']);
    expect(transports).toEqual({ '192.0.2.7': 'ssh 192.0.2.7' });
  });

  it('per loop item, and ansible_delegated_vars shows the delegated host (inventory_hostname stays)', async () => {
    const pb = playbook(
      play([
        task('cmd', '{{ ansible_delegated_vars[item].ansible_host }} {{ ansible_delegated_vars[item].inventory_hostname }}', {
          name: 'x',
          delegateTo: '{{ item }}',
          loop: ['a', 'b'],
        }),
      ], { hosts: 'a' }),
    );
    const { ran } = await run(pb);
    expect(ran.sort()).toEqual(['a sh -c 198.51.100.51 a', 'b sh -c 198.51.100.52 a']);
  });

  it('a delegate_to that renders to nothing fails the task on that host, saying so', async () => {
    const pb = playbook(play([task('cmd', 'true', { name: 'x', delegateTo: '{{ "" }}' })]));
    const { events, lines } = await run(pb, ['a']);
    expect(lines).toEqual(['a x failed']);
    const result = events.find((e) => e.type === 'host-result');
    expect(result && 'msg' in result ? result.msg : '').toMatch(/"delegate_to" must give a host name or address/);
  });
});

describe('delegate_facts', () => {
  it('true: facts land on the delegated host; false: on the task host; register stays on the task host', async () => {
    const pb = playbook(
      play([
        task('set_fact', { given_by: '{{ inventory_hostname }}' }, { name: 'give', delegateTo: "{{ 'b' if inventory_hostname == 'a' else 'a' }}", delegateFacts: true }),
        task('set_fact', { kept: '{{ inventory_hostname }}' }, { name: 'keep', delegateTo: 'b', delegateFacts: false, register: 'r' }),
        // run_once shares facts with the batch, but delegated facts stay on the delegated host.
        task('set_fact', { there: 'yes' }, { name: 'give b', delegateTo: 'b', delegateFacts: '{{ true }}', runOnce: true }),
        task('echo', { msg: '{{ given_by }} {{ kept }} {{ r.changed }} {{ there | default("none") }}' }, { name: 'show' }),
      ]),
    );
    const { log } = await run(pb);
    expect(log.filter((l) => l.includes(':echo:'))).toEqual(['a:echo:b a False none', 'b:echo:a b False yes']);
  });
});

describe('connection', () => {
  it('local on the play, ssh on a task wins; ansible_connection wins over the keyword', async () => {
    const pb = playbook(
      play(
        [
          task('cmd', 'one', { name: 'play local' }),
          task('cmd', 'two', { name: 'task ssh', connection: 'ssh' }),
          block({ block: [task('cmd', 'three', { name: 'in block' })], connection: '{{ "ssh" }}' }),
        ],
        { connection: 'local' },
      ),
    );
    const { connector } = await run(pb, ['a', 'b'], { b: { ansible_connection: 'local' } });
    const byTarget = connector.targets.map((t) => `${t.hostName} ${t.transport}`).sort();
    // a: local for the play, ssh for the task and the block; b: local everywhere (its variable wins).
    expect(byTarget).toEqual(['a local', 'a ssh', 'b local']);
    expect(connector.host('b').commands).toEqual(['sh -c one', 'sh -c two', 'sh -c three']);
  });
});

describe('implicit localhost', () => {
  it('a play on localhost runs on the controller with the `all` group variables; `all` does not match it', async () => {
    const inv = inventory(['a']);
    inv.groups.get('all')!.vars = { site: 'lab' };
    const events: RunEvent[] = [];
    const log: string[] = [];
    const connector = new FakeConnector();
    const summary = await runPlaybook(
      playbook(
        play([task('cmd', 'echo {{ site }} {{ group_names | length }}', { name: 'on localhost' })], { hosts: 'localhost' }),
        play([task('echo', { msg: '{{ ansible_play_hosts_all }}' }, { name: 'on all' })], { hosts: 'all' }),
      ),
      { inventory: inv, registry: registry(log), connector, templater: makeTemplater(), onEvent: (e) => events.push(e) },
    );
    expect(resultLines(events)).toEqual(['localhost on localhost changed', 'a on all ok']);
    expect(connector.targets.map((t) => `${t.hostName} ${t.transport}`)).toEqual(['localhost local']);
    expect(connector.host('localhost').commands).toEqual(['sh -c echo lab 0']);
    expect(Object.keys(summary.stats).sort()).toEqual(['a', 'localhost']);
  });
});

describe('run_once', () => {
  it('with delegate_to: the first host runs it on the delegated host; every host of the batch gets the result', async () => {
    const pb = playbook(
      play([
        task('cmd', 'echo {{ inventory_hostname }}', { name: 'once', delegateTo: 'localhost', runOnce: true, register: 'r' }),
        task('echo', { msg: '{{ r.stdout }}' }, { name: 'show' }),
      ]),
    );
    const { ran, lines, log } = await run(pb, ['a', 'b', 'c']);
    expect(ran).toEqual(['localhost sh -c echo a']);
    expect(lines).toEqual(['a once changed', 'a show ok', 'b show ok', 'c show ok']);
    expect(log.filter((l) => l.includes(':echo:'))).toEqual(['a:echo:ran sh -c echo a', 'b:echo:ran sh -c echo a', 'c:echo:ran sh -c echo a']);
  });

  it('registers on hosts of the batch that failed earlier too (Ansible registers on every host not unreachable)', async () => {
    const pb = playbook(
      play([
        task('boom', { when_host: 'a' }, { name: 'fail a' }),
        task('echo', { msg: 'x' }, { name: 'once', runOnce: true, register: 'r' }),
        task('echo', { msg: "{{ hostvars.a.r.msg | default('none') }}" }, { name: 'look at a' }),
      ]),
    );
    const { log } = await run(pb, ['a', 'b']);
    expect(log.filter((l) => l.includes(':echo:'))).toEqual(['b:echo:x', 'b:echo:x']);
  });
});

describe('reporting', () => {
  it('shows `[host -> delegated]` as ansible-playbook does, per loop item too', async () => {
    let text = '';
    const reporter = new HumanReporter({ out: { isTTY: false, write: (t: string) => ((text += t), true) } as never, width: 40 });
    const pb = playbook(
      play([
        task('cmd', 'true', { name: 'one', delegateTo: 'localhost' }),
        task('cmd', 'true', { name: 'two', delegateTo: '{{ item }}', loop: ['b'] }),
        task('cmd', 'true', { name: 'three' }),
      ], { hosts: 'a' }),
    );
    await runPlaybook(pb, { inventory: inventory(['a', 'b']), registry: registry(), connector: new FakeConnector(), templater: makeTemplater(), onEvent: (e) => reporter.handle(e) });
    reporter.close();
    expect(text).toContain('changed: [a -> localhost]');
    expect(text).toContain('changed: [a -> b] => (item=b)');
    expect(text).toContain('changed: [a]\n');
  });
});
