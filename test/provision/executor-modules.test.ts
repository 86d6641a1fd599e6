/**
 * The executor-level modules (include_vars, add_host, group_by, import_playbook with vars/when, the
 * legacy include), each playbook run by `provision` and by Debian's `ansible-playbook` on the same lab
 * hosts: the recap, per-task statuses and the files left must be the same; each test also says what
 * they are.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/executor-modules.test.ts
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, FIXTURES, labFromName, type Lab } from './ansible-compare.js';

const DIR = '../executor-modules';
const VAULT = ['--vault-password-file', join(FIXTURES, DIR, 'vault-pass.txt')];

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

/** provision's JSON names a role's task without Ansible's `role : ` prefix (the role is a field of its own). */
const withoutRole = (lines: string[]) => lines.map((l) => l.replace(/^withvars : /, ''));

describe('include_vars', () => {
  it('files, folders, names, merge, role vars/, first_found, vault and precedence as Ansible reads them', () => {
    const { ours, ansible } = compare(lab, `${DIR}/include_vars.yml`, VAULT);
    expectSame(ours, ansible, { ansibleTasks: withoutRole });
    const [first, second] = hosts;
    expect(ours.files[first]['results.json']).toEqual({
      common: 'from-common',
      shadowed: 'from-include-vars',
      bundle: { common_value: 'from-common', shadowed: 'from-include-vars', first_found: 'common' },
      dir: ['ten', 'twenty', 'thirty', 'from-sub'],
      dir_files: ['10-first.json', '20-ignored.yml', '30-last.yaml', '40-sub.yml'],
      filtered: { d10: 'ten', d30: 'thirty', shadowed: 'from-include-vars' },
      filtered_files: ['10-first.json', '30-last.yaml'],
      other: { o1: 'one' },
      merged: { a: 1, b: 2, nested: { x: 1, y: 2 } },
      first_found: 'common',
      secret_len: 18,
      missing_failed: true,
      badext_failed: true,
      later: 'from-set-fact',
      role: ['from-role-file', 'from-role-dir'],
      named_facts: 'from-common',
    });
    expect((ours.files[second]['results.json'] as { first_found: string }).first_found).toBe('host-file');
    for (const run of [ours, ansible]) expect(run.output).not.toContain('swordfish-included');
  });
});

describe('add_host and group_by', () => {
  it('hosts and groups made in one play are used by the later plays', () => {
    const { ours, ansible } = compare(lab, `${DIR}/add_host_group_by.yml`);
    expectSame(ours, ansible, { ansibleTasks: withoutRole });
    const [first, second] = hosts;
    const seen = ours.files[first][`groups-${first}.json`] as Record<string, unknown>;
    expect(seen).toMatchObject({ named: [first, second].map((h) => h).sort(), all_proxies: [first, second], added: ['alias-one'], looped: ['loop-a', 'loop-b'] });
    expect(seen.add_result).toEqual({ host_name: 'alias-one', groups: ['added', 'extra'], host_vars: expect.objectContaining({ alias_word: 'from-add-host', ansible_user: 'root' }) });
    // add_host ran once, for the first host: the second host has no registered result.
    expect((ours.files[second][`groups-${second}.json`] as Record<string, unknown>).add_result).toBe('not registered');
    // The added host is the first lab host under another name: its file lands there.
    expect(ours.files[first]['added-alias-one.json']).toEqual({ word: 'from-add-host', groups: ['added', 'extra'] });
    expect(ours.files[first][`named-${first}.txt`]).toBe(`all-proxies,by_name_${first.replace(/-/g, '_')},named,proxies\n`);
    expect(Object.keys(ours.stats).sort()).toEqual(['alias-one', ...hosts].sort());
  });
});

describe('import_playbook and the legacy include', () => {
  it('import_playbook with vars and when; include of a tasks file with a parameter', () => {
    const { ours, ansible } = compare(lab, `${DIR}/import_playbook.yml`);
    expectSame(ours, ansible, { ansibleTasks: withoutRole });
    for (const h of hosts) {
      expect(ours.files[h]).toEqual({ 'legacy.txt': 'from-include-param\n', 'imported.txt': 'from-import-vars\n' });
    }
  });
});

describe('template: includes and imports', () => {
  it('resolve on Ansible\'s template search path and render as its Templar does', () => {
    const { ours, ansible } = compare(lab, `${DIR}/template_includes.yml`);
    expect(ours.tasks).toEqual(withoutRoleTemplates(ansible.tasks));
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.files).toEqual(ansible.files);
    const [first] = hosts;
    // Jinja2 drops each included file's final newline (Ansible's output, byte for byte).
    expect(ours.files[first]['page.txt']).toBe(`# page for ${first}\nserver a on ${first}server b on ${first}server c on ${first}end of page\n`);
    expect(ours.files[first]['role.txt']).toBe(`role template\nrole part a,b,cserver from-role on ${first}\n`);
    expect(ours.files[first]['macros.txt']).toBe('line: first\nline: second\n');
    expect(ours.files[first]['broken.txt']).toBeUndefined();
  });
});

function withoutRoleTemplates(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^withtemplates : /, ''));
}

describe('notify on a block', () => {
  it('tasks without their own notify notify the block\'s handlers', () => {
    const { ours, ansible } = compare(lab, `${DIR}/block_notify.yml`);
    expectSame(ours, ansible, { ansibleTasks: withoutRole });
    for (const h of hosts) expect(ours.files[h]['handlers.txt']).toBe('block\nown\n');
  });
});
