/** The pure parts of the executor-level modules, table-driven against Ansible 2.14's rules. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIncludedVars, mergeHashes, selectVarsFiles, varsDirRoot, varsFileCandidates, walkTree } from '../../../src/executor/actions/include-vars.js';
import { addHostRequest, splitHostPort } from '../../../src/executor/actions/inventory.js';
import { lookupSubdir } from '../../../src/executor/lookups.js';

describe('include_vars: where a file is looked for', () => {
  it.each([
    // [file, origin, candidates]
    ['a.yml', { baseDir: '/pb', taskFile: '/pb/site.yml' }, ['/pb/vars/a.yml', '/pb/a.yml', '/pb/vars/a.yml', '/pb/a.yml']],
    ['vars/a.yml', { baseDir: '/pb', taskFile: '/pb/site.yml' }, ['/pb/vars/a.yml', '/pb/vars/a.yml']],
    ['a.yml', { baseDir: '/pb', taskFile: '/pb/r/web/tasks/main.yml', roleDir: '/pb/r/web' }, ['/pb/r/web/vars/a.yml', '/pb/r/web/a.yml', '/pb/r/web/tasks/vars/a.yml', '/pb/r/web/tasks/a.yml', '/pb/vars/a.yml', '/pb/a.yml']],
    ['/etc/x.yml', { baseDir: '/pb', roleDir: '/pb/r/web' }, ['/etc/x.yml']],
  ])('%s from %j', (file, origin, expected) => {
    expect(varsFileCandidates(file, origin)).toEqual(expected);
  });

  it.each([
    ['conf', { baseDir: '/pb', taskFile: '/pb/plays/site.yml' }, '/pb/plays/conf'],
    ['conf', { baseDir: '/pb', roleDir: '/r/web', taskFile: '/r/web/tasks/main.yml' }, '/r/web/vars/conf'],
    // `vars/...` in a role: the role's folder when it exists, else the name as written.
    ['vars/nope', { baseDir: '/pb', roleDir: '/r/web' }, 'vars/nope'],
  ])('dir %s from %j', (dir, origin, expected) => {
    expect(varsDirRoot(dir, origin)).toBe(expected);
  });
});

describe('include_vars: which files of a folder, in which order', () => {
  const walk = [
    { dir: '/v/b', files: ['2.yml', '1.yml'] },
    { dir: '/v', files: ['z.yml', '10-a.yml', 'README'] },
    { dir: '/v/a', files: ['x.yml'] },
  ];
  it.each([
    [{}, ['/v/10-a.yml', '/v/README', '/v/z.yml', '/v/a/x.yml', '/v/b/1.yml', '/v/b/2.yml']],
    // depth counts folders in path order, not nesting: 2 is /v then /v/a.
    [{ depth: 1 }, ['/v/10-a.yml', '/v/README', '/v/z.yml']],
    [{ depth: 2 }, ['/v/10-a.yml', '/v/README', '/v/z.yml', '/v/a/x.yml']],
    [{ files_matching: '^[0-9]' }, ['/v/10-a.yml', '/v/b/1.yml', '/v/b/2.yml']],
    [{ ignore_files: ['z.yml', 'README'] }, ['/v/10-a.yml', '/v/a/x.yml', '/v/b/1.yml', '/v/b/2.yml']],
    // ignore_files as a string: split on whitespace; each pattern anchored at the end of the name.
    [{ ignore_files: '.yml' }, ['/v/README']],
  ])('%j', (args, expected) => {
    expect(selectVarsFiles(walk, args)).toEqual(expected);
  });
});

describe('include_vars: reading', () => {
  const root = mkdtempSync(join(tmpdir(), 'haweb-incvars-'));
  mkdirSync(join(root, 'vars/d'), { recursive: true });
  writeFileSync(join(root, 'vars/a.yml'), 'x: 1\nh: {a: 1, n: {p: 1}}\n');
  writeFileSync(join(root, 'vars/list.yml'), '- 1\n- 2\n');
  writeFileSync(join(root, 'vars/empty.yml'), '');
  writeFileSync(join(root, 'vars/d/1.json'), '{"j": true}');
  writeFileSync(join(root, 'vars/d/2.txt'), 't: 1\n');
  const origin = { baseDir: root };

  it('a file, found in vars/, with its path listed', () => {
    expect(loadIncludedVars({ file: 'a.yml' }, origin)).toEqual({ failed: false, vars: { x: 1, h: { a: 1, n: { p: 1 } } }, files: [join(root, 'vars/a.yml')] });
  });
  it('name nests the variables; an empty file gives none', () => {
    expect(loadIncludedVars({ file: 'a.yml', name: 'n' }, origin).vars).toEqual({ n: { x: 1, h: { a: 1, n: { p: 1 } } } });
    expect(loadIncludedVars({ file: 'empty.yml' }, origin).vars).toEqual({});
  });
  it('hash_behaviour merge merges mappings into the current values, recursively', () => {
    const r = loadIncludedVars({ file: 'a.yml', hash_behaviour: 'merge' }, origin, { h: { b: 2, n: { q: 2 } }, x: 'old' });
    expect(r.vars).toEqual({ x: 1, h: { b: 2, a: 1, n: { q: 2, p: 1 } } });
    expect(mergeHashes({ a: [1] }, { a: [2] })).toEqual({ a: [2] });
  });
  it.each([
    [{ file: 'list.yml' }, /list\.yml must be stored as a dictionary\/hash$/],
    [{ file: 'nope.yml' }, /^Could not find or access 'nope.yml'\nSearched in:\n\t.*\/vars\/nope.yml/],
    [{ dir: 'vars/d' }, /2\.txt does not have a valid extension: yaml, yml, json$/],
    [{ dir: 'vars/none' }, /vars\/none directory does not exist$/],
    [{ file: null }, /^Could not find file on the Ansible Controller\.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option$/],
    [{ dir: 'vars/a.yml' }, /is not a directory$/],
  ])('fails as Ansible says: %j', (args, message) => {
    const r = loadIncludedVars(args, origin);
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(message);
  });
  it('ignore_unknown_extensions skips other files', () => {
    expect(loadIncludedVars({ dir: 'vars/d', ignore_unknown_extensions: true }, origin).vars).toEqual({ j: true });
    expect(walkTree(join(root, 'vars')).map((w) => w.dir)).toContain(join(root, 'vars/d'));
  });
  it("'' in extensions takes a file without extension (include_vars' target: webapp/file_without_extension)", () => {
    mkdirSync(join(root, 'vars/noext'));
    writeFileSync(join(root, 'vars/noext/version'), 'v: 2\n');
    writeFileSync(join(root, 'vars/noext/skip.txt'), 't: 1\n');
    expect(loadIncludedVars({ dir: 'vars/noext', extensions: ['', 'yml'], ignore_unknown_extensions: true }, origin).vars).toEqual({ v: 2 });
    expect(loadIncludedVars({ dir: 'vars/noext', ignore_unknown_extensions: true }, origin).vars).toEqual({});
  });
});

describe('add_host and group_by arguments', () => {
  it.each([
    ['web1', { name: 'web1' }],
    ['web1:2222', { name: 'web1', port: 2222 }],
    ['[fe80::1]:22', { name: 'fe80::1', port: 22 }],
    ['fe80::1', { name: 'fe80::1' }],
  ])('%s', (value, expected) => {
    expect(splitHostPort(value)).toEqual(expected);
  });

  it('name, groups (list or comma string, deduplicated), the rest as host variables', () => {
    expect(addHostRequest({ name: 'h:2200', groups: 'a, b,a', x: 1 })).toEqual({ name: 'h', groups: ['a', 'b'], hostVars: { x: 1, ansible_ssh_port: 2200 } });
    // `host` and `group` are read as the name and the groups, and also kept as variables (Ansible's rule).
    expect(addHostRequest({ host: 'h', group: ['g'] })).toEqual({ name: 'h', groups: ['g'], hostVars: { host: 'h', group: ['g'] } });
    expect(addHostRequest({ hostname: 'h', groupname: 'g' }).groups).toEqual(['g']);
  });
});

describe('the folder first_found searches, by action', () => {
  it.each([
    ['include_vars', 'vars'],
    ['ansible.builtin.template', 'templates'],
    ['copy', 'files'],
    ['file', 'files'],
  ])('%s → %s', (action, subdir) => {
    expect(lookupSubdir(action)).toBe(subdir);
  });
});
