/** unarchive's include / exclude / mode / list_files: the pure choices, then the module's commands. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import { unarchiveModule } from '../../src/index.js';
import type { ArchiveEntry } from '../../src/facts/archive.js';
import { fnmatch, pathsWithOtherMode, selectEntries } from '../../src/operations/archive.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const E = (path: string, type: ArchiveEntry['type'] = 'file'): ArchiveEntry => ({ path, type, size: 1, mtime: 0 });
const ENTRIES = [E('app', 'directory'), E('app/README'), E('app/conf', 'directory'), E('app/conf/a.conf'), E('app/bin/run.sh'), E('app/link', 'link')];

describe('fnmatch (Python\'s rules)', () => {
  it.each([
    ['a.conf', '*.conf', true], ['app/conf/a.conf', '*.conf', true], ['a.confx', '*.conf', false], ['ab', 'a?', true],
    ['ab', 'a[bc]', true], ['ad', 'a[!bc]', true], ['ab', 'a[!bc]', false], ['a.b', 'a.b', true], ['axb', 'a.b', false],
  ])('%s ~ %s: %s', (name, pattern, ok) => expect(fnmatch(name, pattern)).toBe(ok));
});

describe('selectEntries', () => {
  it.each([
    [[], [], ENTRIES.map((e) => e.path)],
    [['app/conf'], [], ['app/conf', 'app/conf/a.conf']],
    [['app/README', './app/bin/run.sh'], [], ['app/README', 'app/bin/run.sh']],
    [[], ['*.conf'], ['app', 'app/README', 'app/conf', 'app/bin/run.sh', 'app/link']],
    [[], ['app/bin*'], ['app', 'app/README', 'app/conf', 'app/conf/a.conf', 'app/link']],
  ])('include %j exclude %j', (include, exclude, paths) => {
    expect(selectEntries(ENTRIES, include, exclude).map((e) => e.path)).toEqual(paths);
  });
});

describe('pathsWithOtherMode', () => {
  const onHost = new Map([
    ['/opt/app', { type: 'directory', mode: 0o755 }],
    ['/opt/app/README', { type: 'file', mode: 0o644 }],
    ['/opt/app/conf', { type: 'directory', mode: 0o700 }],
    ['/opt/app/conf/a.conf', { type: 'file', mode: 0o600 }],
    ['/opt/app/bin/run.sh', { type: 'file', mode: 0o755 }],
  ]);
  it.each([
    ['0755', ['/opt/app/README', '/opt/app/conf', '/opt/app/conf/a.conf']],
    ['u+rwX,g+rX,o+rX', ['/opt/app/conf', '/opt/app/conf/a.conf']],
    ['a-w', ['/opt/app', '/opt/app/README', '/opt/app/conf', '/opt/app/conf/a.conf', '/opt/app/bin/run.sh']],
  ])('mode %s', (mode, paths) => expect(pathsWithOtherMode(ENTRIES, '/opt', onHost, mode)).toEqual(paths));
});

describe('unarchive with the options', () => {
  const local = mkdtempSync(join(tmpdir(), 'haweb-tar-opts-'));
  mkdirSync(join(local, 'src', 'app-1.0', 'conf'), { recursive: true });
  writeFileSync(join(local, 'src', 'app-1.0', 'README'), 'readme\n');
  writeFileSync(join(local, 'src', 'app-1.0', 'conf', 'app.conf'), 'x=1\n');
  const tarball = join(local, 'app-1.0.tar.gz');

  it('lists the members, extracts only what include names, then sets mode on each extracted member', async () => {
    await create({ gzip: true, file: tarball, cwd: join(local, 'src'), portable: true }, ['app-1.0']);
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    host.respond((c, text) => (/^tar -x /.test(text) ? { code: 0, stdout: '', stderr: '' } : undefined));
    const r = await runModule(unarchiveModule, { src: tarball, dest: '/opt', include: ['app-1.0/conf'], mode: 'u=rwX,go=rX', list_files: true, creates: '/opt/app-1.0/conf/app.conf' }, fakeContext(host, { localDir: local }));
    expect(r).toMatchObject({ changed: true, files: ['app-1.0/conf/', 'app-1.0/conf/app.conf'] });
    const tar = host.ran().find((c) => c.startsWith('tar -x'))!;
    expect(tar).toMatch(/ -C \/opt app-1\.0\/conf && chmod u=rwX,go=rX -- \/opt\/app-1\.0\/conf \/opt\/app-1\.0\/conf\/app\.conf$/);
  });

  it('passes exclude patterns to tar and refuses include with exclude', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    host.respond((c, text) => (/^tar -x /.test(text) ? { code: 0, stdout: '', stderr: '' } : undefined));
    await runModule(unarchiveModule, { src: tarball, dest: '/opt', exclude: '*.conf', creates: '/nothing' }, fakeContext(host, { localDir: local }));
    expect(host.ran().find((c) => c.startsWith('tar -x'))).toMatch(/ -C \/opt '--exclude=\*\.conf'$/);
    expect(unarchiveModule.args.safeParse({ src: 'a.tgz', dest: '/opt', include: ['a'], exclude: ['b'] }).success).toBe(false);
  });
});

describe('unarchive: copy (deprecated) and a src URL', () => {
  it.each([
    [{ copy: false }, { remote_src: true }],
    [{ copy: 'yes' }, { remote_src: false }],
    [{ remote_src: true }, { remote_src: true }],
  ])('%j gives %j (copy is the inverse of remote_src)', (given, expected) => {
    const parsed = unarchiveModule.args.parse({ src: 'a.tgz', dest: '/opt', ...given });
    expect(parsed).toMatchObject(expected);
    expect(parsed).not.toHaveProperty('copy');
  });

  it('refuses copy with remote_src, in Ansible\'s words', () => {
    const r = unarchiveModule.args.safeParse({ src: 'a.tgz', dest: '/opt', copy: false, remote_src: true });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("parameters are mutually exclusive: ('copy', 'remote_src')");
  });

  it('downloads a URL on the host first, extracts that file, then removes it', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    host.respond((_c, text) => {
      if (text.includes('curl ')) return { code: 0, stdout: '/tmp/tmp.dl\n', stderr: '' };
      if (text.includes('unzip -Z')) return { code: 0, stdout: '#tar\n-rw-r--r-- root/root 5 2024-01-01 10:00 app/README\n', stderr: '' };
      if (/^tar -x /.test(text)) return { code: 0, stdout: '', stderr: '' };
      return undefined;
    });
    const r = await runModule(unarchiveModule, { src: 'http://repo.example/app.tar.gz', dest: '/opt', remote_src: true, validate_certs: false }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, src: 'http://repo.example/app.tar.gz' });
    const ran = host.ran();
    expect(ran.find((c) => c.includes('curl '))).toContain("curl -sS -L --fail -k -A ansible-httpget -o \"$t\" -- http://repo.example/app.tar.gz");
    expect(ran.find((c) => c.startsWith('tar -x'))).toMatch(/^tar -x -f \/tmp\/tmp\.dl -C \/opt/);
    expect(ran[ran.length - 1]).toBe('rm -f -- /tmp/tmp.dl');
  });

  it('a failed download fails the task, naming the URL', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    host.respond((_c, text) => (text.includes('curl ') ? { code: 22, stdout: '', stderr: 'curl: (22) The requested URL returned error: 404' } : undefined));
    const r = await runModule(unarchiveModule, { src: 'http://repo.example/none.tgz', dest: '/opt', remote_src: true }, fakeContext(host));
    expect(r).toMatchObject({ failed: true, msg: 'Failure downloading http://repo.example/none.tgz, curl: (22) The requested URL returned error: 404' });
  });
});

describe('unarchive creates', () => {
  it('an existing creates path skips the task, as Ansible\'s action plugin reports it', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt/app');
    const r = await runModule(unarchiveModule, { src: 'http://repo.example/app.tgz', dest: '/opt', remote_src: true, creates: '/opt/app' }, fakeContext(host));
    expect(r).toEqual(expect.objectContaining({ changed: false, skipped: true, msg: 'skipped, since /opt/app exists' }));
    expect(host.ran().some((c) => c.includes('curl'))).toBe(false);
  });
});
