/**
 * include_tasks / import_tasks from YAML through the real loader and executor: file:, apply:, templated
 * names per host, and both inside handlers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { HostResultEvent, RunEvent } from '../../../src/executor/events.js';
import { formatDiagnostic } from '../../../src/model.js';
import { FakeConnector, inventory, makeTemplater, registry } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-includes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(map: Record<string, string>): void {
  for (const [name, text] of Object.entries(map)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

async function run(playbook: string, hostVars: Record<string, Record<string, unknown>> = {}) {
  const loaded = readPlaybook(join(dir, playbook), { registry: registry() });
  const log: string[] = [];
  const events: RunEvent[] = [];
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  if (errors.length) return { errors, log, lines: [] as string[] };
  await runPlaybook(loaded.playbook, {
    inventory: inventory(['a', 'b'], {}, hostVars),
    registry: registry(log),
    connector: new FakeConnector(),
    templater: makeTemplater(),
    onEvent: (e) => events.push(e),
  });
  const lines = events.filter((e): e is HostResultEvent => e.type === 'host-result').map((e) => `${e.host} ${e.task.name} ${e.status}`);
  return { errors, log, lines };
}

files({
  'tasks/one.yml': '- name: one\n  echo: {msg: "one {{ who | default(\'-\') }}"}\n',
  'tasks/flavour-x.yml': '- name: x\n  echo: {msg: flavour x}\n',
  'tasks/flavour-y.yml': '- name: y\n  echo: {msg: flavour y}\n',
  'tasks/handlers.yml': '- name: imported handler\n  echo: {msg: imported handler}\n',
  'tasks/handler-body.yml': '- name: body\n  echo: {msg: "handler body {{ who }}"}\n',
});

describe('include_tasks and import_tasks', () => {
  it('file:, apply:, a templated name per host, includes and imports in handlers', async () => {
    files({
      'site.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - import_tasks: {file: tasks/one.yml}
    - name: inc
      include_tasks:
        file: tasks/one.yml
        apply: {vars: {who: applied}}
    - include_tasks: "tasks/flavour-{{ flavour }}.yml"
    - name: notify
      cmd: "true"
      notify: [imported handler, run body]
  handlers:
    - import_tasks: tasks/handlers.yml
    - name: run body
      include_tasks: tasks/handler-body.yml
      vars: {who: handler}
`,
    });
    const { errors, log, lines } = await run('site.yml', { a: { flavour: 'x' }, b: { flavour: 'y' } });
    expect(errors).toEqual([]);
    const of = (h: string) => log.filter((l) => l.startsWith(`${h}:`));
    expect(of('a')).toEqual(['a:echo:one -', 'a:echo:one applied', 'a:echo:flavour x', 'a:cmd:true', 'a:echo:imported handler', 'a:echo:handler body handler']);
    expect(of('b')).toEqual(['b:echo:one -', 'b:echo:one applied', 'b:echo:flavour y', 'b:cmd:true', 'b:echo:imported handler', 'b:echo:handler body handler']);
    // The include itself is an ok result per host, as in Ansible; each file's hosts run it together.
    expect(lines.filter((l) => l.includes('include_tasks') || l.includes(' x ') || l.includes(' y '))).toEqual([
      'a include_tasks ok',
      'b include_tasks ok',
      'a x ok',
      'b y ok',
    ]);
  });

  it('loops over include_tasks as Ansible: the file once per item, with the loop variables', async () => {
    files({
      'tasks/item.yml': '- name: item\n  echo: {msg: "{{ item }} {{ idx | default(\'-\') }} {{ extra }}"}\n',
      'tasks/dest.yml': '- name: dest\n  echo: {msg: "dest {{ dest }}"}\n',
      'tasks/per-host.yml': '- name: per-host\n  echo: {msg: "{{ item }}"}\n',
      'loops.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: file=tasks/item.yml
      with_items: [p, [q, r]]
      vars: {extra: "x-{{ item }}"}
    - include_tasks: tasks/dest.yml
      loop: [d1, d2]
      loop_control: {loop_var: dest}
    - include_tasks: tasks/item.yml
      loop: [s, t, u]
      loop_control: {index_var: idx}
      vars: {extra: e}
      when: item != 't'
    - include_tasks: tasks/per-host.yml
      loop: "{{ mine }}"
    - include_tasks: tasks/dest.yml
      loop: []
      loop_control: {loop_var: dest}
`,
    });
    const { errors, log, lines } = await run('loops.yml', { a: { mine: ['shared', 'only-a'] }, b: { mine: ['shared'] } });
    expect(errors).toEqual([]);
    const of = (h: string) => log.filter((l) => l.startsWith(`${h}:`));
    // with_items flattens one level; the include's vars see the item; loop_var renames it; index_var
    // counts every item, the skipped one too; when is evaluated per item.
    expect(of('a')).toEqual([
      'a:echo:p - x-p', 'a:echo:q - x-q', 'a:echo:r - x-r', 'a:echo:dest d1', 'a:echo:dest d2',
      'a:echo:s 0 e', 'a:echo:u 2 e', 'a:echo:shared', 'a:echo:only-a',
    ]);
    expect(of('b')).toEqual([
      'b:echo:p - x-p', 'b:echo:q - x-q', 'b:echo:r - x-r', 'b:echo:dest d1', 'b:echo:dest d2',
      'b:echo:s 0 e', 'b:echo:u 2 e', 'b:echo:shared',
    ]);
    // Hosts run one item's include together; an item only one host has runs for it alone; an empty
    // loop skips the include.
    expect(lines.filter((l) => / (per-host|include_tasks) /.test(l)).slice(-7)).toEqual([
      'a include_tasks ok',
      'b include_tasks ok',
      'a per-host ok',
      'b per-host ok',
      'a per-host ok',
      'a include_tasks skipped',
      'b include_tasks skipped',
    ]);
  });

  it('refuses a loop on import_tasks and arguments other than file= on include_tasks', async () => {
    files({ 'loop-refused.yml': '- hosts: all\n  tasks:\n    - import_tasks: tasks/one.yml\n      loop: [1]\n    - include_tasks: file=tasks/one.yml x=1\n' });
    const { errors } = await run('loop-refused.yml');
    expect(errors.map((e) => e.replace(/^.*loop-refused\.yml:/, ''))).toEqual([
      "4:7: error: 'loop': you cannot use loops on 'import_tasks' statements: use 'include_tasks' instead",
      "5:22: error: 'include_tasks' takes only a file name (or file=NAME), got 'x='",
    ]);
  });

  it('a templated name that cannot be rendered fails that host, naming the include', async () => {
    files({ 'bad.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - include_tasks: "tasks/{{ nope }}.yml"\n' });
    const { lines } = await run('bad.yml');
    expect(lines).toEqual(['a include_tasks failed', 'b include_tasks failed']);
  });

  it('refuses what Ansible refuses, with file:line', async () => {
    files({
      'refused.yml': `
- hosts: all
  tasks:
    - import_tasks: {file: tasks/one.yml, apply: {tags: [x]}}
    - import_tasks: "tasks/{{ x }}.yml"
  handlers:
    - include_tasks: tasks/handler-body.yml
`,
    });
    const { errors } = await run('refused.yml');
    expect(errors.map((e) => e.replace(/^.*refused\.yml:/, ''))).toEqual([
      "4:43: error: 'apply' of 'import_tasks' is not supported (only 'file')",
      '5:21: error: import_tasks reads its file when the playbook is loaded: name the file, or use include_tasks for a templated name',
      "7:7: error: include_tasks in handlers needs a 'name' so tasks can notify it",
    ]);
  });
});

describe("include_tasks named by a lookup in a role's tasks", () => {
  it("first_found's relative paths are searched in the including role's folder, a dependency's too, and its defaults are seen", async () => {
    // setup_test_user's pattern (Ansible's integration targets): `paths: [tasks]` relative to the role
    const pick = `- include_tasks: "{{ lookup('first_found', params) }}"
  vars:
    params:
      files: ["{{ flavour }}.yml", default.yml]
      paths: [tasks]
`;
    files({
      'roles/dep/defaults/main.yml': 'dep_word: from-dep-defaults\n',
      'roles/dep/tasks/main.yml': pick + '- include_tasks: "{{ dep_word }}.yml"\n',
      'roles/dep/tasks/x.yml': '- name: dep x\n  echo: {msg: "dep x {{ role_name }}"}\n',
      'roles/dep/tasks/default.yml': '- name: dep default\n  echo: {msg: "dep default {{ role_name }}"}\n',
      'roles/dep/tasks/from-dep-defaults.yml': '- name: dep defaults\n  echo: {msg: "named by the role default"}\n',
      'roles/top/meta/main.yml': 'dependencies: [dep]\n',
      'roles/top/tasks/main.yml': pick,
      'roles/top/tasks/default.yml': '- name: top default\n  echo: {msg: "top default {{ role_name }}"}\n',
      'first-found-role.yml': '- hosts: all\n  gather_facts: false\n  roles: [top]\n',
    });
    const { errors, log } = await run('first-found-role.yml', { a: { flavour: 'x' }, b: { flavour: 'y' } });
    expect(errors).toEqual([]);
    expect(log.filter((l) => l.startsWith('a:'))).toEqual(['a:echo:dep x dep', 'a:echo:named by the role default', 'a:echo:top default top']);
    expect(log.filter((l) => l.startsWith('b:'))).toEqual(['b:echo:dep default dep', 'b:echo:named by the role default', 'b:echo:top default top']);
  });
});

describe('a task that fails before its module runs', () => {
  it('is registered, with the module\'s own words (arguments refused at run time)', async () => {
    files({
      'reg.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - echo: {msg: "{{ undefined_thing }}"}
      ignore_errors: true
      register: r
    - echo: {msg: "failed={{ r.failed }}"}
`,
    });
    const { errors, log } = await run('reg.yml');
    expect(errors).toEqual([]);
    expect(log.filter((l) => l.startsWith('a:'))).toEqual(['a:echo:failed=True']);
  });
});
