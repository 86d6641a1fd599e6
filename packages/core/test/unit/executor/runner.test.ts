import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import { exitCodeOf, type RunEvent } from '../../../src/executor/events.js';
import type { ExecutorOptions } from '../../../src/executor/types.js';
import { SecretString } from '../../../src/vars/secret.js';
import type { Playbook } from '../../../src/model.js';
import { FakeConnector, block, handler, inventory, makeTemplater, play, playbook, registry, resultLines, task } from './fakes.js';

async function run(pb: Playbook, opts: Partial<ExecutorOptions> & { hosts?: string[]; unreachable?: string[] } = {}) {
  const log: string[] = [];
  const events: RunEvent[] = [];
  const connector = new FakeConnector();
  for (const h of opts.unreachable ?? []) connector.unreachable.add(h);
  const summary = await runPlaybook(pb, {
    inventory: opts.inventory ?? inventory(opts.hosts ?? ['a', 'b']),
    registry: opts.registry ?? registry(log),
    connector,
    templater: makeTemplater(),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { summary, events, log, connector, lines: resultLines(events) };
}

describe('linear strategy', () => {
  it('runs each task on every host before the next task', async () => {
    const { log, summary } = await run(
      playbook(play([task('file_put', { path: '/one', content: 'x' }), task('file_put', { path: '/two', content: 'y' })])),
    );
    const order = log.map((l) => l.split(':')[2]);
    expect(order).toEqual(['/one', '/one', '/two', '/two']);
    expect(summary.stats.a).toMatchObject({ ok: 2, changed: 2, failed: 0 });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('opens one connection per host, reuses it, closes it at the end', async () => {
    const { connector } = await run(
      playbook(
        play([task('file_put', { path: '/one' }), task('cmd', 'true')]),
        play([task('file_put', { path: '/two' })]),
      ),
    );
    expect(connector.connects.sort()).toEqual(['a', 'b']);
    expect(connector.host('a').closed).toBe(1);
    expect(connector.targets.find((t) => t.hostName === 'a')?.address).toBe('198.51.100.51');
  });

  it('a failing host drops out while the others go on', async () => {
    const { lines, summary, log } = await run(
      playbook(play([task('boom', { when_host: 'a' }, { name: 'explode' }), task('echo', { msg: 'after' }, { name: 'after' })])),
    );
    expect(lines).toContain('a explode failed');
    expect(lines).toContain('b after ok');
    expect(lines.some((l) => l.startsWith('a after'))).toBe(false);
    expect(log).not.toContain('a:echo:after');
    expect(summary.failedHosts).toEqual(['a']);
    expect(exitCodeOf(summary)).toBe(2);
  });

  it('a module exception becomes a failed result naming host, task and file:line', async () => {
    const t = task('boom', {}, { name: 'explode' });
    const { events } = await run(playbook(play([t])), { hosts: ['a'] });
    const r = events.find((e) => e.type === 'host-result');
    expect(r?.type === 'host-result' && r.msg).toBe(`task "explode" (site.yml:${t.pos.line}) on a: exploded on a`);
  });

  it('an unreachable host is reported as unreachable, exit code 4', async () => {
    const { lines, summary } = await run(playbook(play([task('file_put', { path: '/x' }, { name: 'put' }), task('echo', { msg: 'later' }, { name: 'later' })])), {
      unreachable: ['b'],
    });
    expect(lines.slice(0, 2).sort()).toEqual(['a put changed', 'b put unreachable']);
    expect(lines.slice(2)).toEqual(['a later ok']);
    expect(summary.stats.b.unreachable).toBe(1);
    expect(summary.unreachableHosts).toEqual(['b']);
    expect(exitCodeOf(summary)).toBe(4);
  });

  it('limits parallel hosts to forks', async () => {
    const hosts = Array.from({ length: 10 }, (_, i) => `h${i}`);
    const reg = registry();
    await run(playbook(play([task('slow', { ms: 15 })])), { hosts, forks: 3, registry: reg });
    const slow = reg.get('slow') as unknown as { stats: { maxRunning: number } };
    expect(slow.stats.maxRunning).toBe(3);
  });

  it('serial runs the play in batches', async () => {
    const { log, events } = await run(playbook(play([task('echo', { msg: 'x' }), task('echo', { msg: 'y' })], { serial: 2 })), {
      hosts: ['a', 'b', 'c'],
    });
    expect(log).toEqual(['a:echo:x', 'b:echo:x', 'a:echo:y', 'b:echo:y', 'c:echo:x', 'c:echo:y']);
    expect(events.filter((e) => e.type === 'play-start').length).toBe(2);
  });

  it('--limit restricts the hosts', async () => {
    const { log } = await run(playbook(play([task('echo', { msg: 'x' })])), { hosts: ['a', 'b', 'c'], limit: 'all:!b' });
    expect(log).toEqual(['a:echo:x', 'c:echo:x']);
  });
});

describe('conditions, loops, register', () => {
  it('when skips with the reason', async () => {
    const { events, summary } = await run(
      playbook(play([task('echo', { msg: 'x' }, { name: 'only a', when: ["inventory_hostname == 'a'"] })])),
    );
    const b = events.find((e) => e.type === 'host-result' && e.host === 'b');
    expect(b).toMatchObject({ status: 'skipped', msg: "conditional result was false: inventory_hostname == 'a'" });
    expect(summary.stats.b.skipped).toBe(1);
    expect(summary.stats.a.ok).toBe(1);
  });

  it('loops with item, registers the results list, evaluates when per item', async () => {
    const { log, lines } = await run(
      playbook(
        play(
          [
            task('echo', { msg: '{{ item }}' }, { loop: ['x', 'y', 'z'], when: ["item != 'y'"], register: 'out' }),
            task('echo', { msg: '{{ out.results | length }} {{ out.results[1].skipped }} {{ out.results[2].item }}' }, { name: 'show' }),
            task('echo', { msg: '{{ item.n }}' }, { loop: '{{ things }}', loopVar: 'thing', name: 'custom' }),
          ],
          { vars: { things: [{ n: 1 }] } },
        ),
      ),
      { hosts: ['a'], },
    ).catch((e) => {
      throw e;
    });
    expect(log.slice(0, 3)).toEqual(['a:echo:x', 'a:echo:z', 'a:echo:3 True z']);
    expect(lines).toContain('a custom failed');
  });

  it('loop_var renames the item', async () => {
    const { log } = await run(
      playbook(play([task('echo', { msg: '{{ thing.n }}' }, { loop: '{{ things }}', loopVar: 'thing' })], { vars: { things: [{ n: 1 }, { n: 2 }] } })),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:echo:1', 'a:echo:2']);
  });

  it('register, set_fact and precedence: -e beats set_fact beats play vars beats inventory', async () => {
    const inv = inventory(['a'], {}, { a: { v1: 'inv', v2: 'inv', v3: 'inv', v4: 'inv' } });
    const { log } = await run(
      playbook(
        play(
          [
            task('set_fact', { v3: 'fact', v4: 'fact' }),
            task('echo', { msg: '{{ v1 }} {{ v2 }} {{ v3 }} {{ v4 }} {{ derived }}' }),
          ],
          { vars: { v2: 'play', v3: 'play', v4: 'play', derived: '{{ v2 }}-{{ v1 }}' }, roleDefaults: { v1: 'default', v0: 'x' } },
        ),
      ),
      { inventory: inv, extraVars: { v4: 'extra' } },
    );
    expect(log).toEqual(['a:echo:inv play fact extra play-inv']);
  });

  it('changed_when and failed_when override the module', async () => {
    const { lines } = await run(
      playbook(
        play([
          task('cmd', 'true', { name: 'never changed', register: 'r', changedWhen: ['false'] }),
          task('cmd', 'true', { name: 'fails on stdout', register: 'r', failedWhen: ["'ran' in r.stdout"] }),
        ]),
      ),
      { hosts: ['a'] },
    );
    expect(lines).toEqual(['a never changed ok', 'a fails on stdout failed']);
  });

  it('ignore_errors keeps the host going and counts ignored (and ok, as ansible-playbook 2.14 does)', async () => {
    const { lines, summary } = await run(
      playbook(play([task('boom', {}, { name: 'x', ignoreErrors: true }), task('echo', { msg: 'on' }, { name: 'y' })])),
      { hosts: ['a'] },
    );
    expect(lines).toEqual(['a x failed ignored', 'a y ok']);
    expect(summary.stats.a).toMatchObject({ ignored: 1, failed: 0, ok: 2 });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it('an undefined variable fails the task naming task and position', async () => {
    const t = task('echo', { msg: '{{ nope }}' }, { name: 'undef' });
    const { events } = await run(playbook(play([t])), { hosts: ['a'] });
    const r = events.find((e) => e.type === 'host-result');
    expect(r).toMatchObject({ status: 'failed' });
    expect(r?.type === 'host-result' && r.msg).toMatch(new RegExp(`task "undef" \\(site.yml:${t.pos.line}\\) on a: .*nope`));
  });
});

describe('handlers', () => {
  const handlers = [handler('restart', 'echo', { msg: 'restarted' }), handler('reload', 'echo', { msg: 'reloaded' }, { listen: ['web changed'] })];

  it('run once at the end, only when notified by a change, in definition order', async () => {
    const { log } = await run(
      playbook(
        play(
          [
            task('file_put', { path: '/a', content: '1' }, { notify: ['web changed'] }),
            task('file_put', { path: '/b', content: '1' }, { notify: ['restart'] }),
            task('file_put', { path: '/b', content: '1' }, { notify: ['restart'] }),
            task('echo', { msg: 'unchanged' }, { notify: ['restart'] }),
          ],
          { handlers },
        ),
      ),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:file_put:/a', 'a:file_put:/b', 'a:file_put:/b', 'a:echo:unchanged', 'a:echo:restarted', 'a:echo:reloaded']);
  });

  it('are not run when nothing changed', async () => {
    const { log } = await run(playbook(play([task('echo', { msg: 'x' }, { notify: ['restart'] })], { handlers })), { hosts: ['a'] });
    expect(log).toEqual(['a:echo:x']);
  });

  it('meta: flush_handlers runs them early, only for notifying hosts', async () => {
    const { log } = await run(
      playbook(
        play(
          [
            task('file_put', { path: '/a' }, { notify: ['restart'], when: ["inventory_hostname == 'a'"] }),
            task('meta', { action: 'flush_handlers' }),
            task('echo', { msg: 'after flush' }),
          ],
          { handlers },
        ),
      ),
    );
    expect(log).toEqual(['a:file_put:/a', 'a:echo:restarted', 'a:echo:after flush', 'b:echo:after flush']);
  });

  it('a host that fails after notifying does not run the handler', async () => {
    const { log } = await run(
      playbook(play([task('file_put', { path: '/a' }, { notify: ['restart'] }), task('boom', { when_host: 'a' })], { handlers })),
    );
    expect(log.filter((l) => l.includes('restarted'))).toEqual(['b:echo:restarted']);
  });
});

describe('blocks', () => {
  it('rescue runs for failed hosts, always for all; rescued hosts count as rescued', async () => {
    const { log, summary } = await run(
      playbook(
        play([
          block({
            block: [task('boom', { when_host: 'a' }), task('echo', { msg: 'in block' })],
            rescue: [task('echo', { msg: 'rescue' })],
            always: [task('echo', { msg: 'always' })],
          }),
          task('echo', { msg: 'after' }),
        ]),
      ),
    );
    expect(log).toEqual(['a:boom', 'b:boom', 'b:echo:in block', 'a:echo:rescue', 'a:echo:always', 'b:echo:always', 'a:echo:after', 'b:echo:after']);
    expect(summary.stats.a).toMatchObject({ rescued: 1, failed: 0 });
    expect(exitCodeOf(summary)).toBe(0);
  });

  it("rescue sees the failed task's result as ansible_failed_result", async () => {
    const { log } = await run(
      playbook(
        play([
          block({
            block: [task('echo', { msg: 'Destination /x does not exist !', fail: true })],
            rescue: [task('echo', { msg: "{{ 'does not exist' in ansible_failed_result.msg }}" })],
          }),
        ]),
      ),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:echo:Destination /x does not exist !', 'a:echo:true']);
  });

  it("a task its when skips is skipped, even when its other keywords cannot render (Ansible's order)", async () => {
    const { log, summary } = await run(
      playbook(
        play([
          task('echo', { msg: 'skipped' }, { when: ['false'], runAs: { becomeUser: '{{ nothing.stat.pw_name }}' } }),
          task('echo', { msg: 'after' }),
        ]),
      ),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:echo:after']);
    expect(summary.stats.a).toMatchObject({ skipped: 1, failed: 0 });
  });

  it('always runs after an unrescued failure, then the host is failed', async () => {
    const { log, summary } = await run(
      playbook(play([block({ block: [task('boom')], always: [task('echo', { msg: 'always' })] }), task('echo', { msg: 'after' })])),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:boom', 'a:echo:always']);
    expect(summary.failedHosts).toEqual(['a']);
  });

  it('block when and tags apply to the items inside', async () => {
    const { log } = await run(
      playbook(
        play([
          block({ when: ["inventory_hostname == 'b'"], block: [task('echo', { msg: 'in' })] }),
          block({ tags: ['web'], block: [task('echo', { msg: 'tagged' })] }),
        ]),
      ),
      { tags: { skip: ['web'] } },
    );
    expect(log).toEqual(['b:echo:in']);
  });
});

describe('tags, check mode, no_log, facts', () => {
  it('selects by --tags and --skip-tags with always and never', async () => {
    const pb = playbook(
      play([
        task('echo', { msg: 'web' }, { tags: ['web'] }),
        task('echo', { msg: 'db' }, { tags: ['db'] }),
        task('echo', { msg: 'always' }, { tags: ['always'] }),
        task('echo', { msg: 'never' }, { tags: ['never', 'debug'] }),
        task('echo', { msg: 'untagged' }),
      ]),
    );
    expect((await run(pb, { hosts: ['a'] })).log).toEqual(['a:echo:web', 'a:echo:db', 'a:echo:always', 'a:echo:untagged']);
    expect((await run(pb, { hosts: ['a'], tags: { only: ['web'] } })).log).toEqual(['a:echo:web', 'a:echo:always']);
    expect((await run(pb, { hosts: ['a'], tags: { only: ['debug'] } })).log).toEqual(['a:echo:always', 'a:echo:never']);
    expect((await run(pb, { hosts: ['a'], tags: { skip: ['web', 'always'] } })).log).toEqual(['a:echo:db', 'a:echo:untagged']);
  });

  it('check mode: modules honour ctx.check; checkMode none modules are skipped', async () => {
    const { lines, connector, log, events } = await run(
      playbook(play([task('file_put', { path: '/f', content: 'new' }, { name: 'put' }), task('cmd', 'rm -rf /tmp/x', { name: 'cmd' })])),
      { hosts: ['a'], check: true },
    );
    expect(lines).toEqual(['a put changed', 'a cmd skipped']);
    // Ansible's words for a module without check mode support (register users read them).
    const skip = events.find((e) => e.type === 'host-result' && e.status === 'skipped');
    expect(skip?.type === 'host-result' && skip.msg).toBe('remote module (cmd) does not support check mode');
    expect(connector.host('a').files.size).toBe(0);
    expect(log).not.toContain('a:cmd:rm -rf /tmp/x');
  });

  it('diff mode passes diffs through', async () => {
    const { events } = await run(playbook(play([task('file_put', { path: '/f', content: 'new\n' })])), { hosts: ['a'], diff: true });
    const r = events.find((e) => e.type === 'host-result');
    expect(r?.type === 'host-result' && r.diff).toEqual([{ before: '', after: 'new\n', beforeHeader: '/f', afterHeader: '/f' }]);
  });

  it('no_log censors the result but register keeps it', async () => {
    const { events, log } = await run(
      playbook(
        play([
          task('echo', { msg: 'hunter2-password' }, { noLog: true, register: 'r', name: 'hidden' }),
          task('echo', { msg: '{{ r.msg | length }}' }, { name: 'len' }),
        ]),
      ),
      { hosts: ['a'] },
    );
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(log).toContain('a:echo:16');
  });

  it('masks markSecret values, loader secrets and -e secrets in every event, log and diff', async () => {
    const inv = inventory(['a'], {}, { a: { db_password: new SecretString('s3cr3t-inv') } });
    const { events } = await run(
      playbook(
        play([
          task('secret_echo', { value: 'marked-by-module' }),
          task('echo', { msg: 'pw {{ db_password }} and {{ api_key }}' }),
          task('boom', {}, { name: 'fails with {{ db_password }}' }),
        ]),
      ),
      { inventory: inv, extraVars: { api_key: new SecretString('key-from-e') }, diff: true },
    );
    const text = JSON.stringify(events);
    for (const secret of ['marked-by-module', 's3cr3t-inv', 'key-from-e']) expect(text).not.toContain(secret);
    expect(text).toContain('pw ******** and ********');
    expect(events.some((e) => e.type === 'log' && e.message === 'log has ********')).toBe(true);
  });

  it('gather_facts runs setup and merges facts into host vars', async () => {
    const { log } = await run(
      playbook(play([task('echo', { msg: '{{ ansible_os_family }} {{ ansible_facts.hostname }}' })], { gatherFacts: true })),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:setup', 'a:echo:Debian a']);
  });

  it.each([
    // gather_facts as written in three plays, the `gathering` setting: which plays ran setup on the host.
    ['implicit', [undefined, true, false], [1, 2]],
    ['explicit', [undefined, true, false], [2]],
    ['smart', [undefined, true, false], [1]],
    ['smart', [false, undefined, true], [2]],
  ] as const)('gathering %s, gather_facts %j: setup runs in plays %j', async (gathering, written, gathers) => {
    const plays = written.map((g, i) => play([task('echo', { msg: `play ${i + 1}` })], { gatherFacts: g }));
    const { log } = await run(playbook(...plays), { hosts: ['a'], gathering });
    const ran: number[] = [];
    let current = 0;
    for (const line of log) {
      const m = /^a:echo:play (\d)$/.exec(line);
      if (m) current = Number(m[1]);
      else if (line === 'a:setup') ran.push(current + 1);
    }
    expect(ran).toEqual(gathers);
  });

  it('invalid arguments fail the task with the zod message', async () => {
    const { events } = await run(playbook(play([task('file_put', { pth: '/x' }, { name: 'typo' })])), { hosts: ['a'] });
    const r = events.find((e) => e.type === 'host-result');
    expect(r?.type === 'host-result' && r.msg).toMatch(/invalid arguments for module "file_put": .*path/);
  });

  it('resolves aliases and FQCN names', async () => {
    const { log } = await run(playbook(play([task('ansible.builtin.debug', { msg: 'fq' }), task('put', { path: '/p' })])), { hosts: ['a'] });
    expect(log).toEqual(['a:echo:fq', 'a:file_put:/p']);
  });
});

describe('recap', () => {
  it('lists only hosts a play ran on, even when hostvars reads the others', async () => {
    const { summary } = await run(playbook(play([task('echo', { msg: "{{ hostvars['b'].ansible_host }}" })], { hosts: 'a' })));
    expect(Object.keys(summary.stats)).toEqual(['a']);
  });
});

describe('register of skipped tasks', () => {
  it('registers the skipped result so later conditions can test it', async () => {
    const { log } = await run(
      playbook(
        play([
          task('echo', { msg: 'x' }, { register: 'r', when: ['false'] }),
          task('echo', { msg: 'skipped={{ r.skipped }} changed={{ r.changed }}' }),
        ]),
      ),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:echo:skipped=True changed=False']);
  });
});

describe('serial and meta', () => {
  it('serial as a percentage', async () => {
    const { events } = await run(playbook(play([task('echo', { msg: 'x' })], { serial: '50%' })), { hosts: ['a', 'b', 'c', 'd'] });
    const starts = events.filter((e) => e.type === 'play-start');
    expect(starts.map((e) => (e.type === 'play-start' ? e.hosts : []))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('meta: end_host stops only the hosts whose condition holds', async () => {
    const { log, summary } = await run(
      playbook(
        play([
          task('meta', { action: 'end_host' }, { when: ["inventory_hostname == 'a'"] }),
          task('echo', { msg: 'after' }),
        ]),
      ),
    );
    expect(log).toEqual(['b:echo:after']);
    expect(exitCodeOf(summary)).toBe(0);
  });
});

describe('across plays', () => {
  it('a host that failed stays out of later plays; a play left without hosts says why', async () => {
    const { events, log } = await run(playbook(play([task('boom')]), play([task('echo', { msg: 'second play' })], { name: 'second' })), {
      hosts: ['a'],
    });
    expect(log).toEqual(['a:boom']);
    expect(events.find((e) => e.type === 'no-hosts')).toMatchObject({ play: 'second', reason: 'no hosts left (they failed or were unreachable earlier)' });
  });
});

describe('task vars in loops', () => {
  it('task vars can use the loop item', async () => {
    const { log } = await run(
      playbook(play([task('echo', { msg: '{{ path }}' }, { loop: ['a.conf', 'b.conf'], vars: { path: '/etc/{{ item }}' } })])),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:echo:/etc/a.conf', 'a:echo:/etc/b.conf']);
  });
});

describe('become', () => {
  // Ansible 2.14: a connection variable that is set (ansible_become) wins over every become keyword
  // (PlayContext.set_task_and_variable_override; checked with ansible-playbook: `become: true` on a task
  // runs as the login user where ansible_become is false).
  it('task and block become win over the play; ansible_become, where set, wins over them all', async () => {
    const inv = inventory(['a', 'b'], {}, { b: { ansible_become: true } });
    const { log } = await run(
      playbook(
        play([task('whoami'), task('whoami', {}, { become: true }), block({ become: true, block: [task('whoami', {}, { become: false })] })]),
      ),
      { inventory: inv },
    );
    expect(log).toEqual(['a:become:false', 'b:become:true', 'a:become:true', 'b:become:true', 'a:become:false', 'b:become:true']);
    const played = await run(playbook(play([task('whoami')], { become: true })), { hosts: ['a'] });
    expect(played.log).toEqual(['a:become:true']);
  });
});

describe('task names with {{ }} (rendered once for the TASK banner, as Ansible does)', () => {
  const startNames = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'task-start' ? [e.task.name] : []));

  it.each<[string, string]>([
    ['plain name', 'plain name'],
    ['port {{ port }}', 'port 8080'],
    // play vars that are templates themselves are resolved first
    ['listen on {{ listen }}', 'listen on 198.51.100.50:8080'],
    ['from vars_files: {{ vip }}', 'from vars_files: 198.51.100.50'],
    ['role default {{ worker_processes }}', 'role default 2'],
    ['inventory {{ vrrp_priority }}', 'inventory 150'], // the first host's variables, as Ansible's banner
    ['first host {{ inventory_hostname }} of {{ ansible_play_hosts | length }}', 'first host a of 2'],
    ['task var {{ svc }}', 'task var nginx'],
    ['-e {{ release }}', '-e 2.0'],
    ['{% if port > 80 %}high{% else %}low{% endif %} port', 'high port'],
    // what cannot be rendered is shown as written, and the task still runs
    ['each {{ item }}', 'each {{ item }}'],
    ['undefined {{ nope }}', 'undefined {{ nope }}'],
    ['bad filter {{ port | nosuchfilter }}', 'bad filter {{ port | nosuchfilter }}'],
    ['syntax {{ port ( }}', 'syntax {{ port ( }}'],
  ])('%s', async (name, shown) => {
    const inv = inventory(['a', 'b'], {}, { a: { vrrp_priority: 150 }, b: { vrrp_priority: 100 } });
    const { events, summary } = await run(
      playbook(
        play([task('echo', { msg: 'x' }, { name, loop: ['i1'], vars: { svc: 'nginx' } })], {
          vars: { port: 8080, listen: '{{ vip }}:{{ port }}' },
          varsFiles: [{ file: 'vars/main.yml', vars: { vip: '198.51.100.50' } }],
          roleDefaults: { worker_processes: 2 },
        }),
      ),
      { inventory: inv, extraVars: { release: '2.0' } },
    );
    expect(startNames(events)).toEqual([shown]);
    expect(events.filter((e) => e.type === 'host-result').every((e) => e.type === 'host-result' && e.task.name === shown)).toBe(true);
    expect(summary.failedHosts).toEqual([]);
  });

  it('handler banners are rendered too', async () => {
    const { events } = await run(
      playbook(
        play([task('file_put', { path: '/x', content: 'y' }, { notify: ['restart {{ svc }}'] })], {
          vars: { svc: 'nginx' },
          handlers: [handler('restart {{ svc }}', 'echo', { msg: 'restarted' })],
        }),
      ),
      { hosts: ['a'] },
    );
    expect(startNames(events)).toEqual(['file_put', 'restart nginx']);
  });

  it('an error in a task with a templated name names the rendered task and file:line', async () => {
    const t = task('echo', { msg: '{{ nope }}' }, { name: 'configure {{ svc }}' });
    const { events } = await run(playbook(play([t], { vars: { svc: 'nginx' } })), { hosts: ['a'] });
    const r = events.find((e) => e.type === 'host-result');
    expect(r?.type === 'host-result' && r.msg).toMatch(new RegExp(`^task "configure nginx" \\(site.yml:${t.pos.line}\\) on a: .*'nope' is undefined`));
  });

  it('a secret rendered into a name is masked', async () => {
    const inv = inventory(['a'], {}, { a: { db_password: new SecretString('s3cr3t-inv') } });
    const { events } = await run(playbook(play([task('echo', { msg: 'x' }, { name: 'login with {{ db_password }}' })])), { inventory: inv });
    expect(startNames(events)).toEqual(['login with ********']);
    expect(JSON.stringify(events)).not.toContain('s3cr3t-inv');
  });
});

describe('Jinja2 syntax through the executor', () => {
  it('nested dict literals in when and args, loop filters in args', async () => {
    const { log, summary } = await run(
      playbook(
        play(
          [
            task('echo', { msg: "{% for h in ansible_play_hosts if h != inventory_hostname %}{{ h }}{% endfor %}" }, { when: ["{{ conf == {'http': {'gzip': 'on'}} }}"] }),
            task('echo', { msg: "{{ conf | combine({'http': {'gzip': 'off'}}, recursive=True) | to_json }}" }, { when: ["conf.http.gzip == {'x': {'y': 'on'}}.x.y"] }),
          ],
          { vars: { conf: "{{ {'http': {'gzip': 'on'}} }}" } },
        ),
      ),
    );
    expect(log).toEqual(['a:echo:b', 'b:echo:a', 'a:echo:{"http": {"gzip": "off"}}', 'b:echo:{"http": {"gzip": "off"}}']);
    expect(summary.failedHosts).toEqual([]);
  });
});

describe('arguments written as one string', () => {
  it('are split before templating, so a value holding spaces or `=` stays one argument', async () => {
    const { log, connector } = await run(
      playbook(play([task('file_put', 'path=/x content={{ text }}', { vars: { text: 'a=1 b "c"' } })])),
      { hosts: ['a'] },
    );
    expect(log).toEqual(['a:file_put:/x']);
    expect(connector.host('a').files.get('/x')).toBe('a=1 b "c"');
  });

  it('of a key=value module with a word that is no argument: the task fails, the word named', async () => {
    const { lines, log } = await run(playbook(play([task('file_put', 'path=/x stray', { name: 'stray' })])), { hosts: ['a'] });
    expect(lines).toEqual(['a stray failed']);
    expect(log).toEqual([]);
  });
});

describe('a module this provisioner does not ship (validation only warned: behind include_tasks)', () => {
  it('is skipped when its condition is false, fails naming the module when reached', async () => {
    const { lines, events } = await run(
      playbook(play([
        task('user', { name: 'www' }, { name: 'freebsd only', when: ["'a' == 'b'"], includedDynamically: true }),
        task('user', { name: 'www' }, { name: 'reached', includedDynamically: true }),
      ])),
      { hosts: ['a'] },
    );
    expect(lines).toEqual(['a freebsd only skipped', 'a reached failed']);
    const failed = events.find((e) => e.type === 'host-result' && e.status === 'failed') as { msg?: string } | undefined;
    expect(failed?.msg).toMatch(/module "user" is not provided by this provisioner/);
  });
});
