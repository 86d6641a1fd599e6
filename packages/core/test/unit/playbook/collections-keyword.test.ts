/**
 * The `collections` keyword: a play's list resolves the short module names of its own tasks, a role's
 * meta/main.yml list those of the role's files (the play's does not reach a role), a block's or a
 * task's its own (the nearest list wins), in list order, to a module this provisioner ships under that
 * full name or one of a collection installed on the controller (a collection path made for the test,
 * sys.path not scanned). Where it was checked against ansible-playbook 2.14: test/provision/collection-modules.test.ts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { walkTasks } from '../../../src/playbook/positions.js';
import { formatDiagnostic, type Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';
import { withCollections } from '../../fixtures/no-collections.js';

const MODULE = 'from ansible.module_utils.basic import AnsibleModule\n';
withCollections({
  'ansible_collections/acme/tools/plugins/modules/widget.py': MODULE,
  'ansible_collections/acme/more/plugins/modules/widget.py': MODULE,
  'ansible_collections/acme/more/plugins/modules/gadget.py': MODULE,
});

/** A playbook (and files beside it) loaded: the module of each task of the first play, and the diagnostics. */
function load(files: Record<string, string>): { modules: string[]; diagnostics: string[]; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-collkw-pb-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const { playbook, diagnostics } = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
  const modules = [...walkTasks(playbook.plays[0]?.tasks ?? []), ...(playbook.plays[0]?.handlers ?? [])].map((t) => (t as Task).module);
  return { file: join(dir, 'site.yml'), modules, diagnostics: diagnostics.map(formatDiagnostic).map((l) => l.slice(l.indexOf('site.yml') >= 0 ? l.indexOf('site.yml') : l.lastIndexOf('/') + 1)) };
}

describe('the collections keyword', () => {
  it.each([
    { what: 'a short name found in the listed collection', collections: '[acme.tools]', task: 'widget: {a: 1}', module: 'acme.tools.widget' },
    { what: 'the first listed collection that has it', collections: '[acme.more, acme.tools]', task: 'widget: {}', module: 'acme.more.widget' },
    { what: 'a collection without it is passed over', collections: '[acme.tools, acme.more]', task: 'gadget: {}', module: 'acme.more.gadget' },
    { what: 'a module of ansible.builtin the collections lack keeps its name', collections: '[acme.tools]', task: 'debug: {msg: x}', module: 'debug' },
    { what: 'ansible.builtin listed first wins for its own modules', collections: '[ansible.builtin, acme.tools]', task: 'debug: {msg: x}', module: 'debug' },
    { what: 'ansible.builtin listed first, a module it lacks is looked for further', collections: '[ansible.builtin, acme.tools]', task: 'widget: {}', module: 'acme.tools.widget' },
    { what: 'a full name is left as written', collections: '[acme.more]', task: 'acme.tools.widget: {}', module: 'acme.tools.widget' },
    { what: 'one collection as a string', collections: 'acme.tools', task: 'widget: {}', module: 'acme.tools.widget' },
  ])('$what', ({ collections, task, module }) => {
    const r = load({ 'site.yml': `- hosts: all\n  tasks:\n    - ${task}\n  collections: ${collections}\n` });
    expect(r.diagnostics).toEqual([]);
    expect(r.modules).toEqual([module]);
  });

  it("a role's meta/main.yml list resolves the role's tasks; the play's list does not reach the role", () => {
    const r = load({
      'site.yml': '- hosts: all\n  collections: [acme.more]\n  roles: [r1, r2]\n  tasks:\n    - widget: {}\n',
      'roles/r1/meta/main.yml': 'collections: [acme.tools]\n',
      'roles/r1/tasks/main.yml': '- widget: {}\n- gadget: {}\n',
      'roles/r2/tasks/main.yml': '- widget: {}\n',
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.modules).toEqual(['acme.tools.widget', 'gadget', 'widget', 'acme.more.widget']);
  });

  it.each([
    { what: "a task's own list over the play's", play: '[acme.tools]', tasks: '- widget: {}\n  collections: [acme.more]\n- widget: {}\n', modules: ['acme.more.widget', 'acme.tools.widget'] },
    { what: 'a task without a play list', play: '[]', tasks: '- gadget: {}\n  collections: [acme.more]\n- gadget: {}\n', modules: ['acme.more.gadget', 'gadget'] },
    { what: "a task's empty list: the name as written", play: '[acme.tools]', tasks: '- widget: {}\n  collections: []\n', modules: ['widget'] },
    {
      what: "a block's list for everything in it (rescue, always, inner blocks), a task's own over it",
      play: '[acme.tools]',
      tasks: '- block:\n    - widget: {}\n    - widget: {}\n      collections: [acme.tools]\n    - block:\n        - widget: {}\n  rescue:\n    - widget: {}\n  always:\n    - widget: {}\n  collections: [acme.more]\n- widget: {}\n',
      modules: ['acme.more.widget', 'acme.tools.widget', 'acme.more.widget', 'acme.more.widget', 'acme.more.widget', 'acme.tools.widget'],
    },
    { what: "an inner block's list over the outer block's", play: '[]', tasks: '- block:\n    - block:\n        - widget: {}\n      collections: [acme.tools]\n    - widget: {}\n  collections: [acme.more]\n', modules: ['acme.tools.widget', 'acme.more.widget'] },
    { what: "import_tasks: its list reaches the imported tasks", play: '[acme.tools]', tasks: '- import_tasks: inc.yml\n  collections: [acme.more]\n', modules: ['acme.more.widget'] },
    { what: "include_tasks inside a block: the block's list reaches the included tasks", play: '[acme.tools]', tasks: '- block:\n    - include_tasks: inc.yml\n  collections: [acme.more]\n', modules: ['acme.more.widget'] },
  ])('$what', ({ play, tasks, modules }) => {
    const indented = tasks.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
    const r = load({ 'site.yml': `- hosts: all\n  collections: ${play}\n  tasks:\n${indented}`, 'inc.yml': '- widget: {}\n' });
    expect(r.diagnostics).toEqual([]);
    expect(r.modules).toEqual(modules);
  });

  it("a handler's own list", () => {
    const r = load({ 'site.yml': '- hosts: all\n  collections: [acme.tools]\n  tasks: []\n  handlers:\n    - name: h\n      widget: {}\n      collections: [acme.more]\n' });
    expect(r.diagnostics).toEqual([]);
    expect(r.modules).toEqual(['acme.more.widget']);
  });

  it("include_tasks' own list does not reach the included tasks (the play's does), as in Ansible: said so", () => {
    const r = load({ 'site.yml': '- hosts: all\n  collections: [acme.tools]\n  tasks:\n    - include_tasks: inc.yml\n      collections: [acme.more]\n', 'inc.yml': '- widget: {}\n' });
    expect(r.modules).toEqual(['acme.tools.widget']);
    expect(r.diagnostics).toEqual([
      "site.yml:5:7: warning: 'collections' on include_tasks has no effect (as in Ansible): the included tasks resolve short names with the list of the blocks around the include (or the play's)",
    ]);
  });

  it('on a role entry, import_role or include_role: no effect on the role, as in Ansible (and never a role parameter): said so', () => {
    const why = "has no effect (as in Ansible): the role's tasks resolve short names with its meta/main.yml 'collections' only";
    const r = load({
      'site.yml': '- hosts: all\n  roles:\n    - role: r1\n      collections: [acme.more]\n  tasks:\n    - import_role: {name: r1}\n      collections: [acme.more]\n    - block:\n        - import_role: {name: r1}\n      collections: [acme.more]\n',
      'roles/r1/tasks/main.yml': '- widget: {}\n- debug: {msg: "{{ collections | default(\'unset\') }}"}\n',
    });
    expect(r.modules).toEqual(['widget', 'debug', 'widget', 'debug', 'widget', 'debug']);
    expect(r.diagnostics).toEqual([`site.yml:4:7: warning: 'collections' on a role entry ${why}`, `site.yml:7:7: warning: 'collections' on import_role ${why}`]);
    const { playbook } = readPlaybook(join(dirname(r.file), 'site.yml'), { registry: testRegistry() });
    // Role parameters become vars of the role's tasks: `collections` is none of them.
    const roleTask = playbook.plays[0].tasks[0] as Task;
    expect(roleTask.module).toBe('widget');
    expect(Object.keys(roleTask.vars)).not.toContain('collections');
  });

  it.each([
    ['- hosts: all\n  collections: 5\n  tasks: []\n', "site.yml:2:16: error: 'collections' in play must be a list of collection names (namespace.collection), got 5"],
    ['- hosts: all\n  collections: [acme]\n  tasks: []\n', "site.yml:2:16: error: 'collections' in play must be a list of collection names (namespace.collection), got [\"acme\"]"],
    ['- hosts: all\n  tasks:\n    - debug: {msg: x}\n      collections: "{{ colls }}"\n', "site.yml:4:20: error: 'collections' in task must be a list of collection names (namespace.collection), got \"{{ colls }}\""],
    ['- hosts: all\n  tasks:\n    - block: []\n      collections: [acme]\n', "site.yml:4:20: error: 'collections' in block must be a list of collection names (namespace.collection), got [\"acme\"]"],
  ])('refused: %j', (text, message) => {
    expect(load({ 'site.yml': text }).diagnostics).toEqual([message]);
  });
});
