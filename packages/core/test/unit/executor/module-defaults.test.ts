/**
 * module_defaults: which defaults reach a module (by name, FQCN or alias; the nearest mapping wins
 * whole, as Ansible's dict update over the play-to-task list), how they sit under the task's own
 * arguments, what the loader refuses (action groups, templated keys, non-mappings), and the executor
 * applying play, block and task defaults.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleDefaultsFor, withModuleDefaults } from '../../../src/executor/module-defaults.js';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import type { ModuleDefaultsEntry } from '../../../src/model.js';
import { formatDiagnostic } from '../../../src/model.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { validateRun } from '../../../src/validate/validate.js';
import { testRegistry } from '../../fixtures/registry.js';
import { FakeConnector, block, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';

const md = (defaults: ModuleDefaultsEntry['defaults']): ModuleDefaultsEntry => ({ defaults, keyPos: {} });
// Names as the registry resolves them: short, FQCN, alias.
const resolve = (key: string): string | undefined =>
  ({ file: 'file', 'ansible.builtin.file': 'file', copy: 'copy', 'ansible.builtin.copy': 'copy', debug: 'echo', echo: 'echo' })[key];

describe('moduleDefaultsFor', () => {
  it.each<[string, ModuleDefaultsEntry[], string, unknown]>([
    ['none written', [], 'file', undefined],
    ['by short name', [md({ file: { mode: '0600' } })], 'file', { mode: '0600' }],
    ['by FQCN', [md({ 'ansible.builtin.file': { mode: '0600' } })], 'file', { mode: '0600' }],
    ['by alias', [md({ debug: { msg: 'hi' } })], 'echo', { msg: 'hi' }],
    ['another module only', [md({ copy: { mode: '0600' } })], 'file', undefined],
    ['the nearest mapping wins whole (no merge of arguments)', [md({ file: { mode: '0600', owner: 'a' } }), md({ file: { mode: '0644' } })], 'file', { mode: '0644' }],
    ['a nearer FQCN key replaces a farther short one', [md({ file: { mode: '0600' } }), md({ 'ansible.builtin.file': { owner: 'b' } })], 'file', { owner: 'b' }],
    ['in one mapping, the key written last wins', [md({ 'ansible.builtin.file': { mode: '1' }, file: { mode: '2' } })], 'file', { mode: '2' }],
    ['a nearer mapping without the module keeps the farther one', [md({ file: { mode: '0600' } }), md({ copy: { mode: '0644' } })], 'file', { mode: '0600' }],
    ['a template is kept as written', [md({ file: '{{ file_defaults }}' })], 'file', '{{ file_defaults }}'],
  ])('%s', (_label, entries, module, expected) => {
    expect(moduleDefaultsFor(entries, module, resolve)?.value).toEqual(expected);
  });
});

describe('withModuleDefaults', () => {
  it.each<[string, unknown, unknown, unknown]>([
    ['the task argument wins', { path: '/a', mode: '0644' }, { mode: '0600', owner: 'x' }, { mode: '0644', owner: 'x', path: '/a' }],
    ['defaults fill what the task leaves out', { path: '/a' }, { state: 'touch' }, { state: 'touch', path: '/a' }],
    ['an omitted argument drops its default too', { path: '/a', mode: 'OMIT' }, { mode: '0600' }, { path: '/a' }],
    ['an omitted default is dropped', { path: '/a' }, { mode: 'OMIT' }, { path: '/a' }],
    ['no defaults (a null value)', { path: '/a' }, null, { path: '/a' }],
  ])('%s', (_label, args, defaults, expected) => {
    expect(withModuleDefaults(args, defaults, 'file', 'OMIT')).toEqual(expected);
  });
  it('an argument the templater already dropped as omitted drops its default', () => {
    expect(withModuleDefaults({ path: '/a' }, { mode: '0600', owner: 'x' }, 'file', 'OMIT', ['mode'])).toEqual({ owner: 'x', path: '/a' });
  });
  it('refuses defaults that are no mapping', () => {
    expect(() => withModuleDefaults({}, 'x', 'file', undefined)).toThrow(`module_defaults for 'file' must give a mapping of arguments, got "x"`);
  });
});

function loadText(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'md-'));
  const file = join(dir, 'site.yml');
  writeFileSync(file, text);
  const loaded = readPlaybook(file, { registry: testRegistry() });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).replace(dir + '/', ''));
  return { ...loaded, errors };
}

describe('module_defaults in the loader', () => {
  it('reads play, block and task mappings (and a list of mappings) in order', () => {
    const { playbook: pb, errors } = loadText(`
- hosts: all
  module_defaults:
    command: { chdir: /srv }
  tasks:
    - block:
        - command: ls
          module_defaults:
            - { ansible.builtin.command: { chdir: /tmp } }
            - { debug: "{{ dbg }}" }
      module_defaults: { shell: { chdir: /opt } }
`);
    expect(errors).toEqual([]);
    const p = pb.plays[0];
    expect(p.moduleDefaults?.map((e) => e.defaults)).toEqual([{ command: { chdir: '/srv' } }]);
    const b = p.tasks[0];
    expect(b.kind === 'block' && b.moduleDefaults?.map((e) => e.defaults)).toEqual([{ shell: { chdir: '/opt' } }]);
    const t = b.kind === 'block' ? b.block[0] : undefined;
    expect(t?.moduleDefaults?.map((e) => e.defaults)).toEqual([{ 'ansible.builtin.command': { chdir: '/tmp' } }, { debug: '{{ dbg }}' }]);
  });

  it('refuses action groups, templated keys and values that are no mapping, with file:line:col', () => {
    const { errors } = loadText(`
- hosts: all
  module_defaults:
    group/ns.col.grp: { a: 1 }
    "{{ m }}": { a: 1 }
    command: 3
  tasks: []
`);
    expect(errors).toEqual([
      "site.yml:4:5: error: module_defaults for the action group 'group/ns.col.grp' are not supported by this provisioner (its modules belong to no action group): write the defaults under each module's name",
      "site.yml:5:5: error: a module_defaults key must be a module name, not a template ('{{ m }}'); only the values may be templates",
      "site.yml:6:14: error: module_defaults for 'command' must be a mapping of the module's arguments or a template giving one, got a number",
    ]);
  });

  it('validation: a required argument given by module_defaults is not missing; an unknown module key is named', () => {
    const { playbook: pb, errors } = loadText(`
- hosts: all
  module_defaults:
    copy: { dest: /etc/motd }
    nosuchmodule: { a: 1 }
  tasks:
    - copy: { content: hi }
    - shell: { chdir: /tmp }
      module_defaults: { shell: "{{ shell_defaults }}" }
`);
    expect(errors).toEqual([]);
    const inv = inventory(['a']);
    const found = validateRun({ playbook: pb, inventory: inv, registry: testRegistry() })
      .filter((d) => d.severity === 'error')
      .map((d) => d.message);
    expect(found.filter((m) => /missing required/.test(m))).toEqual([]);
    expect(found).toContain("module_defaults names 'nosuchmodule', which is no module");
  });
});

describe('module_defaults on roles', () => {
  it('a role entry\'s reach its tasks and its dependencies, a dependency entry\'s (in meta) being nearer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mdr-'));
    for (const [f, text] of Object.entries({
      'roles/web/tasks/main.yml': '- command: ls\n',
      'roles/web/meta/main.yml': 'dependencies:\n  - role: base\n    module_defaults: { command: { chdir: /dep } }\n',
      'roles/base/tasks/main.yml': '- command: ls\n',
      'site.yml': '- hosts: all\n  roles:\n    - role: web\n      module_defaults: { command: { chdir: /entry } }\n',
    })) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    const { playbook: pb, diagnostics } = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [base, web] = pb.plays[0].tasks;
    expect(base.vars).toEqual({});
    expect(base.moduleDefaults?.map((e) => e.defaults)).toEqual([{ command: { chdir: '/entry' } }, { command: { chdir: '/dep' } }]);
    expect(web.moduleDefaults?.map((e) => e.defaults)).toEqual([{ command: { chdir: '/entry' } }]);
  });
});

describe('module_defaults in the executor', () => {
  async function run(pb: ReturnType<typeof playbook>) {
    const log: string[] = [];
    const events: RunEvent[] = [];
    const connector = new FakeConnector();
    await runPlaybook(pb, { inventory: inventory(['a']), registry: registry(log), connector, templater: makeTemplater(), onEvent: (e) => events.push(e) });
    return { log, files: connector.host('a').files };
  }

  it('play, block and task defaults reach the module, the nearest whole and the task arguments over them', async () => {
    const pb = playbook(
      play(
        [
          task('file_put', { path: '/p' }, { name: 'play default' }),
          block({
            moduleDefaults: [md({ put: { content: 'block\n' } })],
            block: [
              task('file_put', { path: '/b' }, { name: 'block default (alias key)' }),
              task('file_put', { path: '/t' }, { name: 'task default', moduleDefaults: [md({ file_put: { content: '{{ word }}\n' } })] }),
              task('file_put', { path: '/own', content: 'own\n' }, { name: 'own argument' }),
              task('file_put', { path: '/omit', content: '{{ omit }}' }, { name: 'omitted argument' }),
            ],
          }),
          task('echo', { msg: 'plain' }, { name: 'other module untouched' }),
        ],
        { moduleDefaults: [md({ 'ansible.builtin.file_put': { content: 'play\n' } })], vars: { word: 'task' } },
      ),
    );
    const { files, log } = await run(pb);
    expect(Object.fromEntries(files)).toEqual({ '/p': 'play\n', '/b': 'block\n', '/t': 'task\n', '/own': 'own\n', '/omit': '' });
    expect(log).toContain('a:echo:plain');
  });
});
