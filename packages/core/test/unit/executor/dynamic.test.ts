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
      'per loop item, under a loop variable',
      `- action: "{{ item }} msg=hi"\n  loop: [echo, debug]`,
      { diagnostics: [NAME_WARNING('4:15', '{{ item }}')], lines: ['a ok'], log: ['a:echo:hi', 'a:echo:hi'] },
    ],
    [
      'a false when skips without rendering the name',
      `- action: "{{ undefined_module_var }}"\n  when: false`,
      { diagnostics: [NAME_WARNING('4:15', '{{ undefined_module_var }}')], lines: ['a skipped'], log: [] },
    ],
  ])('%s', async (_label, tasks, expected) => {
    const got = await runText(tasks, { hosts: expected.lines.length === 2 ? ['a', 'b'] : ['a'] });
    expect(got.diagnostics).toEqual(expected.diagnostics);
    expect(got.lines.sort()).toEqual(expected.lines);
    expect(got.log).toEqual(expected.log);
  });

  it.each<[string, string, string]>([
    ['an unknown module', `- action: "{{ 'nosuch' }} a=1"`, `couldn't resolve module/action 'nosuch' (from '{{ 'nosuch' }}'): no module of that name (site.yml:4:15)`],
    ['a module of Ansible this provisioner lacks', `- action: "{{ 'ansible.builtin.apt' }}"`, `couldn't resolve module/action 'ansible.builtin.apt' (from '{{ 'ansible.builtin.apt' }}'): a module of Ansible or of a well-known collection, not provided by this provisioner (site.yml:4:15)`],
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
    const got = await runText(`- action: "{{ 'cmd' }} true"\n- action: "{{ item }} true"\n  loop: [cmd]`, { check: true });
    expect(got.lines).toEqual(['a skipped', 'a skipped']);
    expect(got.msgs[0]).toBe('remote module (cmd) does not support check mode');
    expect(got.log).toEqual([]);
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
