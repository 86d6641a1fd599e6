/**
 * Ansible's SELinux file arguments in the modules that take them: ignored on a host without SELinux
 * (as Ansible), set with chcon on one that has it, reported but not applied in check mode.
 */
import { describe, expect, it } from 'vitest';
import { schemaKeys } from '@haweb/core';
import { builtinModules } from '../../src/plugin.js';
import { copyModule, fileModule, lineinfileModule } from '../../src/index.js';
import { resultPath } from '../../src/util/file-common.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const M = '@@haweb-se@@';

function host(selinux: boolean) {
  const h = new FakeHost('fake-host', REAL_FOLDERS);
  h.put('/etc/my.cnf', 'x\n', 0o644);
  if (selinux) h.on(/sys\/fs\/selinux\/enforce/, { stdout: `${M}enabled\n${M}mls=1\n${M}current=system_u:object_r:etc_t:s0\n${M}default=system_u:object_r:mysqld_etc_t:s0\n` });
  return h;
}
const chcons = (h: FakeHost) => h.commands.filter((c) => c.startsWith('chcon'));

describe('seuser/serole/setype/selevel', () => {
  it('are declared by every module that takes Ansible\'s file arguments', () => {
    for (const name of ['file', 'copy', 'template', 'lineinfile', 'blockinfile', 'replace', 'assemble', 'get_url', 'unarchive', 'ini_file', 'uri']) {
      const m = builtinModules.find((d) => d.name === name);
      expect([name, ...['seuser', 'serole', 'setype', 'selevel', 'unsafe_writes'].filter((k) => !schemaKeys(m!.args).includes(k))]).toEqual([name]);
    }
  });

  it('a host without SELinux: ignored, as Ansible does', async () => {
    const h = host(false);
    const r = await runModule(fileModule, { path: '/etc/my.cnf', setype: 'mysqld_etc_t', seuser: '_default' }, fakeContext(h));
    expect(r).toMatchObject({ changed: false });
    expect(r).not.toHaveProperty('secontext');
    expect(chcons(h)).toEqual([]);
  });

  it('an SELinux host: the context set once, then unchanged', async () => {
    const h = host(true);
    const r = await runModule(fileModule, { path: '/etc/my.cnf', setype: 'mysqld_db_t' }, fakeContext(h));
    expect(r).toMatchObject({ changed: true, secontext: 'system_u:object_r:mysqld_db_t:s0' });
    expect(chcons(h)).toEqual(['chcon -- system_u:object_r:mysqld_db_t:s0 /etc/my.cnf']);
    const again = await runModule(fileModule, { path: '/etc/my.cnf', setype: 'etc_t' }, fakeContext(h));
    expect(again).toMatchObject({ changed: false, secontext: 'system_u:object_r:etc_t:s0' });
  });

  it('check mode reports the change without chcon', async () => {
    const h = host(true);
    const r = await runModule(lineinfileModule, { path: '/etc/my.cnf', line: 'x', setype: '_default' }, fakeContext(h, { check: true }));
    expect(r).toMatchObject({ changed: true });
    expect(chcons(h)).toEqual([]);
  });

  it('copy: the written file gets it (not followed: chcon -h)', async () => {
    const h = host(true);
    const r = await runModule(copyModule, { content: 'y\n', dest: '/etc/my.cnf', setype: 'mysqld_etc_t' }, fakeContext(h));
    expect(r).toMatchObject({ changed: true });
    expect(chcons(h)).toEqual(['chcon -h -- system_u:object_r:mysqld_etc_t:s0 /etc/my.cnf']);
  });

  it('unsafe_writes is accepted', async () => {
    const h = host(false);
    expect(await runModule(copyModule, { content: 'x\n', dest: '/etc/my.cnf', unsafe_writes: true }, fakeContext(h))).toMatchObject({ changed: false });
  });

  it.each([
    [{ path: '/a' }, {}, '/a'],
    [{ dest: '/d/' }, { dest: '/d/f' }, '/d/f'],
    [{ path: '/a' }, { path: '/b' }, '/b'],
    [{}, {}, undefined],
  ])('resultPath(%j, %j) = %s', (args, res, want) => expect(resultPath(args, { changed: false, ...res })).toBe(want));
});

describe('file\'s registered diff', () => {
  it('gets before/after secontext, as set_context_if_different adds them', async () => {
    const h = host(true);
    const r = await runModule(fileModule, { path: '/etc/my.cnf', setype: 'mysqld_db_t', mode: '0600' }, fakeContext(h, { diff: true }));
    expect(r.ansibleDiff).toMatchObject({
      before: { secontext: ['system_u', 'object_r', 'etc_t', 's0'] },
      after: { secontext: ['system_u', 'object_r', 'mysqld_db_t', 's0'] },
    });
    expect(r).not.toHaveProperty('secontextBefore');
  });
});

describe('~ in path options (Ansible\'s type: path, expanded as the user the module runs as)', () => {
  it('pathOptions finds the remotePath options through aliases and optional wrappers', async () => {
    const { pathOptions } = await import('../../src/util/schema.js');
    expect(pathOptions(fileModule.args)).toContain('path');
    expect(pathOptions(copyModule.args)).toContain('dest');
    expect(pathOptions(copyModule.args)).not.toContain('content');
  });

  it('file: ~/x is the home of the user the module runs as', async () => {
    const h = new FakeHost('fake-host', REAL_FOLDERS);
    h.mkdir('/home');
    h.mkdir('/home/u');
    h.on(/printf %s "\$HOME"/, { stdout: '/home/u' });
    const r = await runModule(fileModule, { path: '~/x', state: 'touch' }, fakeContext(h));
    expect(r).toMatchObject({ changed: true, dest: '/home/u/x' });
    expect(h.files.has('/home/u/x')).toBe(true);
  });
});
