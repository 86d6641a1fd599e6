/** copy's remote_src, follow, local_follow and `mode: preserve` (also template's). */
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyModule, templateModule } from '../../src/index.js';
import { preservedMode } from '../../src/modules/copy.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const localDir = mkdtempSync(join(tmpdir(), 'haweb-copy-opts-'));
writeFileSync(join(localDir, 'run.sh'), '#!/bin/sh\necho hi\n');
chmodSync(join(localDir, 'run.sh'), 0o750);
writeFileSync(join(localDir, 'motd.j2'), 'hello {{ 1 + 1 }}\n');
chmodSync(join(localDir, 'motd.j2'), 0o640);
symlinkSync('run.sh', join(localDir, 'current'));
mkdirSync(join(localDir, 'tree'));
writeFileSync(join(localDir, 'tree', 'a.txt'), 'a\n');
symlinkSync('a.txt', join(localDir, 'tree', 'latest'));

describe('mode: preserve', () => {
  it.each([
    ['preserve', 0o100750, '0750'], ['preserve', 0o104755, '4755'], ['0644', 0o100750, '0644'], [undefined, 0o100750, undefined],
  ] as const)('%s with a source of mode %o gives %s', (mode, source, expected) => expect(preservedMode(mode, source)).toBe(expected));

  it('copy keeps the controller file\'s mode; template the template\'s', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    await runModule(copyModule, { src: 'run.sh', dest: '/opt/run.sh', mode: 'preserve' }, fakeContext(host, { localDir }));
    expect(host.files.get('/opt/run.sh')).toMatchObject({ mode: 0o750 });
    const t = await runModule(templateModule, { src: 'motd.j2', dest: '/opt/motd', mode: 'preserve' }, fakeContext(host, { localDir }));
    expect(t).toMatchObject({ changed: true });
    expect(host.files.get('/opt/motd')).toMatchObject({ mode: 0o640 });
  });

  it("with content keeps the mode of Ansible's temp file of the content: 0600", async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    const r = await runModule(copyModule, { content: 'x', dest: '/opt/x', mode: 'preserve' }, fakeContext(host));
    expect(r).toMatchObject({ changed: true });
    expect(host.files.get('/opt/x')).toMatchObject({ mode: 0o600 });
  });
});

describe('remote_src', () => {
  it('copies a file already on the host, idempotently, preserving its mode on request', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/usr/share/doc/app.conf', 'x=1\n', 0o600);
    host.mkdir('/etc/app');
    const args = { src: '/usr/share/doc/app.conf', dest: '/etc/app/', remote_src: true, mode: 'preserve' };
    const first = await runModule(copyModule, args, fakeContext(host));
    expect(first).toMatchObject({ changed: true, dest: '/etc/app/app.conf' });
    expect(host.text('/etc/app/app.conf')).toBe('x=1\n');
    expect(host.files.get('/etc/app/app.conf')).toMatchObject({ mode: 0o600 });
    expect(await runModule(copyModule, args, fakeContext(host))).toMatchObject({ changed: false });
  });

  it('fails as Ansible words it on a missing source (a folder is copied on the host: copy-remote-tree.test.ts)', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    expect(await runModule(copyModule, { src: '/nope', dest: '/x', remote_src: true }, fakeContext(host))).toMatchObject({ failed: true, msg: 'Source /nope not found' });
  });
});

describe('follow and local_follow', () => {
  it('follow: a symlink at dest is written through to its target', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/etc/app');
    host.put('/etc/app/real.conf', 'old\n');
    host.files.set('/etc/app/app.conf', { type: 'link', target: '/etc/app/real.conf', mode: 0o777, owner: 'root', group: 'root', mtime: 0 });
    host.respond((c, text) => (text === 'readlink -f -- /etc/app/app.conf' ? { code: 0, stdout: '/etc/app/real.conf\n', stderr: '' } : undefined));
    const r = await runModule(copyModule, { content: 'new\n', dest: '/etc/app/app.conf', follow: true }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, dest: '/etc/app/real.conf' });
    expect(host.text('/etc/app/real.conf')).toBe('new\n');
    expect(host.files.get('/etc/app/app.conf')).toMatchObject({ type: 'link' });
  });

  it('without follow (Ansible\'s default) the link itself is replaced by the file', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/etc/app');
    host.put('/etc/app/real.conf', 'old\n');
    host.files.set('/etc/app/app.conf', { type: 'link', target: '/etc/app/real.conf', mode: 0o777, owner: 'root', group: 'root', mtime: 0 });
    await runModule(copyModule, { content: 'new\n', dest: '/etc/app/app.conf' }, fakeContext(host));
    expect(host.files.get('/etc/app/app.conf')).toMatchObject({ type: 'file' });
    expect(host.text('/etc/app/real.conf')).toBe('old\n');
  });

  it('local_follow: no recreates controller symlinks as links (a file and inside a folder)', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    const r = await runModule(copyModule, { src: 'current', dest: '/opt/current', local_follow: false }, fakeContext(host, { localDir }));
    expect(r).toMatchObject({ changed: true });
    expect(host.files.get('/opt/current')).toMatchObject({ type: 'link', target: 'run.sh' });
    await runModule(copyModule, { src: 'tree', dest: '/opt', local_follow: 'no' }, fakeContext(host, { localDir }));
    expect(host.files.get('/opt/tree/latest')).toMatchObject({ type: 'link', target: 'a.txt' });
    expect(host.text('/opt/tree/a.txt')).toBe('a\n');
    expect(await runModule(copyModule, { src: 'current', dest: '/opt/current', local_follow: false }, fakeContext(host, { localDir }))).toMatchObject({ changed: false });
  });
});

describe('force: no', () => {
  it('leaves an existing dest entirely alone, mode included (Ansible\'s copy action returns before any change)', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/etc/motd', 'old\n', 0o600);
    const r = await runModule(copyModule, { content: 'new\n', dest: '/etc/motd', mode: '0644', force: false }, fakeContext(host));
    expect(r).toMatchObject({ changed: false });
    expect(host.files.get('/etc/motd')).toMatchObject({ mode: 0o600 });
    expect(host.text('/etc/motd')).toBe('old\n');
    expect(await runModule(copyModule, { content: 'new\n', dest: '/etc/new', mode: '0644', force: false }, fakeContext(host))).toMatchObject({ changed: true });
  });
});

describe('checksum', () => {
  it('copies when the content has the given SHA-1; fails before touching dest otherwise', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    const sha1 = 'f572d396fae9206628714fb2ce00f72e94f2258f'; // of "hello\n"
    expect(await runModule(copyModule, { content: 'hello\n', dest: '/opt/a', checksum: sha1 }, fakeContext(host))).toMatchObject({ changed: true });
    const bad = await runModule(copyModule, { content: 'hullo\n', dest: '/opt/b', checksum: sha1 }, fakeContext(host));
    expect(bad).toMatchObject({ failed: true, msg: expect.stringMatching(/not the expected checksum f572d396/) });
    expect(host.files.has('/opt/b')).toBe(false);
    expect(await runModule(copyModule, { content: 'x', dest: '/opt/c', checksum: 'abc' }, fakeContext(host))).toMatchObject({ failed: true });
  });
});

describe('template follow', () => {
  it('renders through a symlink at dest into its target', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/etc/app');
    host.put('/etc/app/real.conf', 'old\n');
    host.files.set('/etc/app/motd', { type: 'link', target: '/etc/app/real.conf', mode: 0o777, owner: 'root', group: 'root', mtime: 0 });
    host.respond((c, text) => (text === 'readlink -f -- /etc/app/motd' ? { code: 0, stdout: '/etc/app/real.conf\n', stderr: '' } : undefined));
    const r = await runModule(templateModule, { src: 'motd.j2', dest: '/etc/app/motd', follow: true }, fakeContext(host, { localDir }));
    expect(r).toMatchObject({ changed: true, dest: '/etc/app/real.conf' });
    expect(host.text('/etc/app/real.conf')).toBe('hello 2\n');
    expect(host.files.get('/etc/app/motd')).toMatchObject({ type: 'link' });
  });
});

describe('copy: remote src paths expanded as Ansible (~ and $HOME)', () => {
  it.each([
    ['$HOME/.ssh/authorized_keys', '/root/.ssh/authorized_keys'],
    ['${HOME}/x', '/root/x'],
    ['~/x', '/root/x'],
    ['~', '/root'],
    ['/etc/~x', '/etc/~x'],
    ['$HOMEX/y', '$HOMEX/y'],
  ])('%s -> %s', async (path, want) => {
    const { expandHome } = await import('../../src/modules/copy.js');
    expect(expandHome(path, '/root')).toBe(want);
  });
});

describe('copy: a folder holding a vaulted file, with no vault password', () => {
  it('fails naming the first vaulted file in os.walk order (a folder\'s own files before its subfolders)', async () => {
    const { mkdirSync: mk, writeFileSync: wr } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'haweb-copy-vault-'));
    const vaulted = '$ANSIBLE_VAULT;1.1;AES256\n6162636465666768\n';
    mk(join(dir, 'vault/folder'), { recursive: true });
    wr(join(dir, 'vault/folder/nested-vault-file'), vaulted);
    wr(join(dir, 'vault/readme.txt'), 'plain\n');
    wr(join(dir, 'vault/vault-file'), vaulted);
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const r = await runModule(copyModule, { src: join(dir, 'vault'), dest: '/srv/copy' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true, msg: `A vault password or secret must be specified to decrypt ${join(dir, 'vault/vault-file')}` });
  });
});
