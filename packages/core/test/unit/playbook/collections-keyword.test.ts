/**
 * The `collections` keyword: a play's list resolves the short module names of its own tasks, a role's
 * meta/main.yml list those of the role's files (the play's does not reach a role), in list order, to a
 * module this provisioner ships under that full name or one of a collection installed on the
 * controller (a collection path made for the test, sys.path not scanned).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
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
function load(files: Record<string, string>): { modules: string[]; diagnostics: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-collkw-pb-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const { playbook, diagnostics } = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
  const modules = (playbook.plays[0]?.tasks ?? []).map((t) => (t as Task).module);
  return { modules, diagnostics: diagnostics.map(formatDiagnostic).map((l) => l.slice(l.indexOf('site.yml') >= 0 ? l.indexOf('site.yml') : l.lastIndexOf('/') + 1)) };
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
    ['- hosts: all\n  collections: 5\n  tasks: []\n', "site.yml:2:16: error: 'collections' in play must be a list of collection names (namespace.collection), got 5"],
    ['- hosts: all\n  collections: [acme]\n  tasks: []\n', "site.yml:2:16: error: 'collections' in play must be a list of collection names (namespace.collection), got [\"acme\"]"],
    ['- hosts: all\n  tasks:\n    - debug: {msg: x}\n      collections: [acme.tools]\n', "site.yml:4:7: error: keyword 'collections' in task is not supported by this provisioner"],
  ])('refused: %j', (text, message) => {
    expect(load({ 'site.yml': text }).diagnostics).toEqual([message]);
  });
});
