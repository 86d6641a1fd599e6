/**
 * Who runs a task: remote_user and the become keywords against the connection variables, with Ansible
 * 2.14's precedence (a variable that is set wins over the keyword), and what reaches the transport.
 */
import { describe, expect, it } from 'vitest';
import { resolveWhoRuns, type BecomeInputs } from '../../../src/executor/become.js';
import { runPlaybook } from '../../../src/executor/index.js';
import type { RunEvent } from '../../../src/executor/events.js';
import { FakeConnector, block, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';
import type { Vars } from '../../../src/model.js';

function inputs(over: Partial<Omit<BecomeInputs, 'read'>> & { vars?: Vars } = {}): BecomeInputs {
  const vars = over.vars ?? {};
  return { keyword: over.keyword, runAs: over.runAs ?? {}, cliPassword: over.cliPassword, configured: over.configured, read: (n) => vars[n] };
}

describe('resolveWhoRuns', () => {
  it.each<[string, Parameters<typeof inputs>[0], ReturnType<typeof resolveWhoRuns>]>([
    ['defaults: no become, root through sudo', {}, { become: false, as: { user: 'root', method: 'sudo' } }],
    ['the keywords', { keyword: true, runAs: { becomeUser: 'www-data', becomeMethod: 'su', becomeFlags: '-m', becomeExe: '/bin/su', remoteUser: 'deploy' } },
      { become: true, as: { user: 'www-data', method: 'su', flags: '-m', exe: '/bin/su' }, remoteUser: 'deploy' }],
    ['ansible_become false wins over become: true', { keyword: true, vars: { ansible_become: false } }, { become: false, as: { user: 'root', method: 'sudo' } }],
    ['ansible_become "yes" without a keyword', { vars: { ansible_become: 'yes' } }, { become: true, as: { user: 'root', method: 'sudo' } }],
    ['ansible_become_user and _method win over the keywords', { keyword: true, runAs: { becomeUser: 'a', becomeMethod: 'sudo' }, vars: { ansible_become_user: 'b', ansible_become_method: 'su' } },
      { become: true, as: { user: 'b', method: 'su' } }],
    ['ansible_become_flags and _exe win', { runAs: { becomeFlags: '-E', becomeExe: 'x' }, vars: { ansible_become_flags: '-H', ansible_become_exe: '/usr/bin/sudo' } },
      { become: false, as: { user: 'root', method: 'sudo', flags: '-H', exe: '/usr/bin/sudo' } }],
    ['ansible_user hides remote_user', { runAs: { remoteUser: 'deploy' }, vars: { ansible_user: 'root' } }, { become: false, as: { user: 'root', method: 'sudo' } }],
    ['ansible_ssh_user too', { runAs: { remoteUser: 'deploy' }, vars: { ansible_ssh_user: 'root' } }, { become: false, as: { user: 'root', method: 'sudo' } }],
    ['ansible_become_password before ansible_become_pass before -K', { cliPassword: 'k', vars: { ansible_become_pass: 'b', ansible_become_password: 'a' } },
      { become: false, as: { user: 'root', method: 'sudo', password: 'a' } }],
    ['ansible_become_pass before -K', { cliPassword: 'k', vars: { ansible_become_pass: 'b' } }, { become: false, as: { user: 'root', method: 'sudo', password: 'b' } }],
    ['-K alone', { cliPassword: 'k' }, { become: false, as: { user: 'root', method: 'sudo', password: 'k' } }],
    ['an empty -K password is no password', { cliPassword: '' }, { become: false, as: { user: 'root', method: 'sudo' } }],
    // Ansible's configured defaults ([privilege_escalation] in ansible.cfg): below keywords and variables.
    ['the configured defaults alone', { configured: { become: true, becomeUser: 'app', becomeMethod: 'su', becomeFlags: '-m', becomeExe: '/bin/su' } },
      { become: true, as: { user: 'app', method: 'su', flags: '-m', exe: '/bin/su' } }],
    ['a become: false keyword wins over the configured become', { keyword: false, configured: { become: true } }, { become: false, as: { user: 'root', method: 'sudo' } }],
    ['keywords win over the configured settings', { runAs: { becomeUser: 'kw', becomeMethod: 'sudo' }, configured: { becomeUser: 'cfg', becomeMethod: 'su' } }, { become: false, as: { user: 'kw', method: 'sudo' } }],
    ['variables win over the configured settings', { vars: { ansible_become: 'no', ansible_become_user: 'var' }, configured: { become: true, becomeUser: 'cfg' } }, { become: false, as: { user: 'var', method: 'sudo' } }],
  ])('%s', (_name, given, expected) => {
    expect(resolveWhoRuns(inputs(given))).toEqual(expected);
  });

  it('refuses a method it does not have, naming it', () => {
    expect(() => resolveWhoRuns(inputs({ vars: { ansible_become_method: 'doas' } }))).toThrow(/become_method 'doas' is not supported.*sudo, su/);
  });
});

describe('remote_user and become in a run', () => {
  async function run(pb: Parameters<typeof runPlaybook>[0], hostVars: Record<string, Vars> = {}, becomePassword?: string) {
    const connector = new FakeConnector();
    const events: RunEvent[] = [];
    const summary = await runPlaybook(pb, {
      inventory: inventory(['a', 'b'], {}, hostVars),
      registry: registry(),
      connector,
      templater: makeTemplater(),
      onEvent: (e) => events.push(e),
      becomePassword,
    });
    return { connector, events, summary };
  }

  it('nearest remote_user wins (task, block, play); one connection per host and login user; ansible_user wins', async () => {
    const { connector } = await run(
      playbook(
        play(
          [
            task('cmd', 'one'),
            task('cmd', 'two', { runAs: { remoteUser: 'app' } }),
            block({ runAs: { remoteUser: '{{ block_user }}' }, block: [task('cmd', 'three'), task('cmd', 'four', { runAs: { remoteUser: 'deploy' } })] }),
          ],
          { runAs: { remoteUser: 'deploy' }, vars: { block_user: 'web' } },
        ),
      ),
      { b: { ansible_user: 'root' } },
    );
    expect(connector.host('a').runAs.map((r) => r.login)).toEqual(['deploy', 'app', 'web', 'deploy']);
    expect(connector.host('b').runAs.map((r) => r.login)).toEqual(['root', 'root', 'root', 'root']);
    // a: deploy, app, web (deploy reused); b: root once.
    expect(connector.targets.map((t) => `${t.hostName}:${t.user}`).sort()).toEqual(['a:app', 'a:deploy', 'a:web', 'b:root']);
  });

  it('the task\'s become settings reach the transport; the password is masked in every event', async () => {
    const { connector, events } = await run(
      playbook(
        play(
          [
            task('cmd', 'echo hunter2-pw', { become: true, runAs: { becomeUser: 'www-data', becomeMethod: 'su' } }),
            task('cmd', 'plain'),
          ],
          { runAs: { becomeFlags: '-m' } },
        ),
      ),
      { a: { ansible_user: 'root', ansible_become_password: 'hunter2-pw' }, b: { ansible_user: 'root' } },
      'from-k',
    );
    expect(connector.host('a').runAs[0]).toEqual({ login: 'root', become: { user: 'www-data', method: 'su', flags: '-m', password: 'hunter2-pw' } });
    expect(connector.host('b').runAs[0]).toEqual({ login: 'root', become: { user: 'www-data', method: 'su', flags: '-m', password: 'from-k' } });
    expect(connector.host('a').runAs[1]).toEqual({ login: 'root' });
    const text = JSON.stringify(events);
    expect(text).not.toContain('hunter2-pw');
    expect(text).not.toContain('from-k');
    expect(text).toContain('********');
  });

  it('a templated become_method that names no method fails the task on that host, saying why', async () => {
    const { events } = await run(playbook(play([task('cmd', 'x', { become: true, runAs: { becomeMethod: '{{ m }}' } })], { vars: { m: 'pbrun' } })));
    const results = events.flatMap((e) => (e.type === 'host-result' ? [e] : []));
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(results[0].msg).toMatch(/become_method 'pbrun' is not supported/);
  });
});
