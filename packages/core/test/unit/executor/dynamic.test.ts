/**
 * Tasks resolved when they run, as Ansible resolves them: a templated module name (`action:`,
 * `local_action:`, string and mapping forms) and arguments given by one template (`mod: "{{ d }}"`,
 * `args: "{{ d }}"`). Validation warns with file:line:col; the run renders per host and item, then
 * checks the module and arguments with the validator (a problem fails that host, naming the place).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import { formatDiagnostic, type Vars } from '../../../src/model.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { validateRun } from '../../../src/validate/validate.js';
import { FakeConnector, inventory, makeTemplater, registry } from './fakes.js';

const HOST_VARS: Record<string, Vars> = { a: { mod: 'file_put', data: { path: '/d', content: 'from a' } }, b: { mod: 'echo', data: 'not a mapping' } };

async function runText(tasks: string, opts: { hosts?: string[]; check?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dyn-'));
  const file = join(dir, 'site.yml');
  writeFileSync(file, `- hosts: all\n  gather_facts: no\n  tasks:\n${tasks.replace(/^/gm, '    ')}\n`);
  const log: string[] = [];
  const reg = registry(log);
  const inv = inventory(opts.hosts ?? ['a'], {}, HOST_VARS);
  const loaded = readPlaybook(file, { registry: reg });
  const diagnostics = [...loaded.diagnostics, ...validateRun({ playbook: loaded.playbook, inventory: inv, registry: reg })].map((d) =>
    formatDiagnostic(d).split(dir + '/').join(''),
  );
  const events: RunEvent[] = [];
  const connector = new FakeConnector();
  if (!diagnostics.some((d) => / error: /.test(d))) {
    await runPlaybook(loaded.playbook, { inventory: inv, registry: reg, connector, templater: makeTemplater(), check: opts.check, onEvent: (e) => events.push(e) });
  }
  const results = events.flatMap((e) => (e.type === 'host-result' ? [e] : []));
  return {
    diagnostics,
    log,
    lines: results.map((e) => `${e.host} ${e.status}${e.delegatedTo ? ` on ${e.delegatedTo}` : ''}`),
    msgs: results.map((e) => String(e.result.msg ?? '').split(dir + '/').join('')),
    files: Object.fromEntries([...connector.hosts].map(([h, f]) => [h, Object.fromEntries(f.files)])),
  };
}

const NAME_WARNING = (at: string, name = '{{ mod }}') => `site.yml:${at}: warning: module name is a template (${name}): validated when the task runs`;

describe('templated module name', () => {
  it.each<[string, string, { diagnostics: string[]; lines: string[]; log: string[] }]>([
    [
      'action: with args:, per host',
      `- action: "{{ mod }}"\n  args: { path: /x, content: hi }\n  ignore_errors: yes`,
      { diagnostics: [NAME_WARNING('4:15')], lines: ['a changed', 'b failed'], log: ['a:file_put:/x'] },
    ],
    [
      'action: free form with key=value words',
      `- action: "{{ mod }} path=/y content=hi"`,
      { diagnostics: [NAME_WARNING('4:15')], lines: ['a changed'], log: ['a:file_put:/y'] },
    ],
    [
      'action: mapping with module:',
      `- action: { module: "{{ mod }}", path: /z }`,
      { diagnostics: [NAME_WARNING('4:25')], lines: ['a changed'], log: ['a:file_put:/z'] },
    ],
    [
      'local_action: delegated to localhost',
      `- local_action: "{{ mod }} path=/l"`,
      { diagnostics: [NAME_WARNING('4:21')], lines: ['a changed on localhost'], log: ['a:file_put:/l'] },
    ],
    [
      'in a loop: the name once for the host, the arguments per item',
      `- action: "{{ 'echo' }}"\n  args: "{{ item }}"\n  loop: [{ msg: x }, { msg: y }]`,
      { diagnostics: [NAME_WARNING('4:15', "{{ 'echo' }}")], lines: ['a ok'], log: ['a:echo:x', 'a:echo:y'] },
    ],
    [
      'a false when skips without looking the module up',
      `- action: "{{ 'nosuch' }}"\n  when: false`,
      { diagnostics: [NAME_WARNING('4:15', "{{ 'nosuch' }}")], lines: ['a skipped'], log: [] },
    ],
  ])('%s', async (_label, tasks, expected) => {
    const got = await runText(tasks, { hosts: expected.lines.length === 2 ? ['a', 'b'] : ['a'] });
    expect(got.diagnostics).toEqual(expected.diagnostics);
    expect(got.lines.sort()).toEqual(expected.lines);
    expect(got.log).toEqual(expected.log);
  });

  it.each<[string, string, string]>([
    ['an unknown module', `- action: "{{ 'nosuch' }} a=1"`, `The module nosuch was not found in configured module paths (the module name '{{ 'nosuch' }}') (site.yml:4:15)`],
    ['a misspelt module', `- action: "{{ 'file_pot' }}"`, `The module file_pot was not found in configured module paths, did you mean 'file_put'? (the module name '{{ 'file_pot' }}') (site.yml:4:15)`],
    ['a module of Ansible this provisioner lacks', `- action: "{{ 'ansible.builtin.apt' }}"`, `The module ansible.builtin.apt was not found in configured module paths: a module of Ansible or of a well-known collection, not provided by this provisioner (the module name '{{ 'ansible.builtin.apt' }}') (site.yml:4:15)`],
    [
      'a name that cannot be rendered, even under a false when (rendered first, as Ansible does)',
      `- action: "{{ undefined_module_var }}"\n  when: false`,
      `error in the module name '{{ undefined_module_var }}' (rendered once per host, before 'when' and without the loop's item, as Ansible renders it): 'undefined_module_var' is undefined (in "{{ undefined_module_var }}") (site.yml:4:15)`,
    ],
    [
      "a name using the loop's item",
      `- action: "{{ item }}"\n  loop: [echo]`,
      `error in the module name '{{ item }}' (rendered once per host, before 'when' and without the loop's item, as Ansible renders it): 'item' is undefined (in "{{ item }}") (site.yml:4:15)`,
    ],
    ['an unknown argument of the rendered module', `- action: "{{ mod }}"\n  args: { path: /x, bogus: 1 }`, `unknown argument 'bogus' for module 'file_put' (site.yml:5:25)`],
    ['a missing required argument', `- action: "{{ mod }} content=x"`, `missing required argument 'path' for module 'file_put' (site.yml:4:15)`],
    ['a name that renders to nothing', `- action: "{{ '' }}"`, `the module name '{{ '' }}' gave the string "", not the name of a module (site.yml:4:15)`],
  ])('%s fails the task on the host, naming file:line:col', async (_label, tasks, msg) => {
    const got = await runText(`${tasks}\n  register: r\n- echo: { msg: "{{ r.msg }}" }\n  ignore_errors: yes`.replace('  register', '  ignore_errors: yes\n  register'));
    expect(got.lines).toEqual(['a failed', 'a ok']);
    expect(got.msgs[0]).toBe(msg);
    // register keeps the failure's message, as the second task shows
    expect(got.msgs[1]).toBe(msg);
  });

  it('check mode: a module without it, resolved, is skipped with Ansible words', async () => {
    const got = await runText(`- action: "{{ 'cmd' }}"\n  args: { cmd: 'true' }\n- action: "{{ 'cmd' }}"\n  args: { cmd: '{{ item }}' }\n  loop: ['true']`, { check: true });
    expect(got.lines).toEqual(['a skipped', 'a skipped']);
    expect(got.msgs[0]).toBe('remote module (cmd) does not support check mode');
    expect(got.log).toEqual([]);
  });
});

describe('words after a templated module name', () => {
  it('free text is refused at validation, as Ansible refuses it ("extra params"), naming file:line:col', async () => {
    const got = await runText(`- action: "{{ mod }} echo hi"`);
    expect(got.diagnostics).toEqual([
      NAME_WARNING('4:15'),
      `site.yml:4:15: error: '{{ mod }}' has free text in its arguments ('echo'): after a templated module name Ansible takes key=value arguments only (free text needs the module named, as in 'command: ...')`,
    ]);
    expect(got.lines).toEqual([]);
  });
});

describe('arguments given by one template', () => {
  it.each<[string, string, { diagnostics: string[]; lines: string[]; files: Record<string, Record<string, string>> }]>([
    [
      'module: "{{ data }}"',
      `- file_put: "{{ data }}"`,
      { diagnostics: [`site.yml:4:17: warning: arguments of 'file_put' are a template ({{ data }}): validated when the task runs`], lines: ['a changed'], files: { a: { '/d': 'from a' } } },
    ],
    [
      'the words written beside the template win over it',
      `- file_put: "{{ data }} content=written"`,
      { diagnostics: [`site.yml:4:17: warning: arguments of 'file_put' are a template ({{ data }}): validated when the task runs`], lines: ['a changed'], files: { a: { '/d': 'written' } } },
    ],
    [
      'args: "{{ data }}" under the module\'s own arguments',
      `- file_put: { content: own }\n  args: "{{ data }}"`,
      { diagnostics: [`site.yml:5:13: warning: arguments of 'file_put' are a template ({{ data }}): validated when the task runs`], lines: ['a changed'], files: { a: { '/d': 'own' } } },
    ],
    [
      'with a templated module name too',
      `- action: "{{ mod }} {{ data }}"`,
      { diagnostics: [NAME_WARNING('4:15', '{{ mod }}')], lines: ['a changed'], files: { a: { '/d': 'from a' } } },
    ],
  ])('%s', async (_label, tasks, expected) => {
    const got = await runText(tasks);
    expect(got.diagnostics).toEqual(expected.diagnostics);
    expect(got.lines).toEqual(expected.lines);
    expect(got.files).toEqual(expected.files);
  });

  it('a template that gives no mapping fails the task on that host', async () => {
    const got = await runText(`- file_put: "{{ data }}"\n  ignore_errors: yes`, { hosts: ['a', 'b'] });
    expect([...got.lines].sort()).toEqual(['a changed', 'b failed']);
    expect(got.msgs[got.lines.indexOf('b failed')]).toBe(`the arguments '{{ data }}' of 'file_put' must give a mapping, got the string "not a mapping" (site.yml:4:17)`);
  });
});
