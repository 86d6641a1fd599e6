import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveFilePaths, compareExtracted, listLocalArchive, parseTarVerboseLine, remoteArchiveEntries } from '../../src/index.js';
import { parseZipinfoLine, remoteArchive } from '../../src/facts/archive.js';
import { zipArgv } from '../../src/modules/unarchive.js';

function sampleArchive(): string {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-arch-'));
  const src = join(dir, 'src');
  mkdirSync(join(src, 'pkg-1.0', 'conf dir'), { recursive: true });
  writeFileSync(join(src, 'pkg-1.0', 'README'), 'readme\n');
  writeFileSync(join(src, 'pkg-1.0', 'conf dir', 'a b.conf'), 'x=1\n');
  symlinkSync('README', join(src, 'pkg-1.0', 'README.link'));
  const file = join(dir, 'pkg-1.0.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', src, 'pkg-1.0']);
  return file;
}

describe('archive listings', () => {
  it('the host-side `tar -tv` listing and the controller-side listing agree on files and sizes', async () => {
    const file = sampleArchive();
    const r = spawnSync('sh', ['-c', remoteArchiveEntries.command({ path: file })], { encoding: 'utf8' });
    const remote = remoteArchiveEntries.parse(r.stdout, r.status ?? -1, { path: file });
    const local = await listLocalArchive(file);
    const files = (l: typeof local) => l.filter((e) => e.type === 'file').map((e) => [e.path, e.size]).sort();
    expect(files(remote)).toEqual(files(local));
    expect(files(remote)).toEqual([
      ['pkg-1.0/README', 7],
      ['pkg-1.0/conf dir/a b.conf', 4],
    ]);
    expect(remote.find((e) => e.path === 'pkg-1.0/README.link')?.type).toBe('link');
    expect(remote.find((e) => e.path === 'pkg-1.0/conf dir')?.type).toBe('directory');
  });

  it('a file that is not an archive is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-arch-'));
    writeFileSync(join(dir, 'x.tar'), 'not a tarball');
    const r = spawnSync('sh', ['-c', remoteArchiveEntries.command({ path: join(dir, 'x.tar') })], { encoding: 'utf8' });
    expect(() => remoteArchiveEntries.parse(r.stdout, r.status ?? -1, { path: join(dir, 'x.tar') })).toThrow(/not a readable tar archive/);
  });

  it.each([
    ['-rw-r--r-- root/root        12 2024-01-01 10:00 a/b', { path: 'a/b', type: 'file', size: 12, mtime: 0 }],
    ['drwxr-xr-x root/root         0 2024-01-01 10:00 ./a/', { path: 'a', type: 'directory', size: 0, mtime: 0 }],
    ['lrwxrwxrwx root/root         0 2024-01-01 10:00:59 a/l -> b', { path: 'a/l', type: 'link', size: 0, mtime: 0 }],
    ['garbage', undefined],
  ])('parseTarVerboseLine %s', (line, expected) => {
    expect(parseTarVerboseLine(line)).toEqual(expected);
  });

  it('compareExtracted: same size and mtime means extracted; mtime 0 is not compared', () => {
    const entries = [{ path: 'a', type: 'file' as const, size: 3, mtime: 10 }, { path: 'b', type: 'file' as const, size: 1, mtime: 0 }];
    const host = new Map([
      ['/d/a', { type: 'file', size: 3, mtime: 10 }],
      ['/d/b', { type: 'file', size: 1, mtime: 99 }],
    ]);
    expect(archiveFilePaths(entries, '/d')).toEqual(['/d/a', '/d/b']);
    expect(compareExtracted(entries, '/d', host)).toEqual({ extracted: true, differing: [] });
    host.set('/d/a', { type: 'file', size: 3, mtime: 11 });
    expect(compareExtracted(entries, '/d', host)).toEqual({ extracted: false, differing: ['/d/a'] });
  });
});

describe('archives on the host: zip or tar (unarchive with remote_src)', () => {
  const run = (path: string, extraOpts?: string[]) => {
    const r = spawnSync('sh', ['-c', remoteArchive.command({ path, extraOpts })], { encoding: 'utf8' });
    return () => remoteArchive.parse(r.stdout, r.status ?? -1, { path, extraOpts });
  };

  it("lists a tarball with the task's extra_opts: tar's refusal, by tar's full path, is Ansible's message", () => {
    const file = sampleArchive();
    // Ansible's test_invalid_options searches the message for this
    expect(run(file, ['--invalid-éxtra-optら'])).toThrow(/Unable to list files in the archive: \/.*\/(tar|gtar): unrecognized option '--invalid-éxtra-optら'/);
    expect(run(file, ['--no-same-owner'])()).toMatchObject({ format: 'tar' });
  });

  it('a zip is read with zipinfo, members as the archive names them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-zip-'));
    mkdirSync(join(dir, 'created', 'sub dir'), { recursive: true });
    writeFileSync(join(dir, 'foo.txt'), 'foo\n');
    writeFileSync(join(dir, 'created', 'sub dir', 'a b.txt'), 'x\n');
    symlinkSync('foo.txt', join(dir, 'link'));
    execFileSync('zip', ['-q', '-y', '-r', join(dir, 't.zip'), 'foo.txt', 'link', 'created'], { cwd: dir });
    expect(run(join(dir, 't.zip'))()).toEqual({
      format: 'zip',
      entries: [
        { path: 'foo.txt', type: 'file', size: 4, mtime: 0 },
        { path: 'link', type: 'link', size: 7, mtime: 0 },
        { path: 'created', type: 'directory', size: 0, mtime: 0 },
        { path: 'created/sub dir', type: 'directory', size: 0, mtime: 0 },
        { path: 'created/sub dir/a b.txt', type: 'file', size: 2, mtime: 0 },
      ],
    });
  });

  it('a tarball is read with tar; anything else is Ansible\'s "Failed to find handler"', () => {
    const file = sampleArchive();
    expect(run(file)()).toMatchObject({ format: 'tar' });
    const dir = mkdtempSync(join(tmpdir(), 'haweb-zip-'));
    writeFileSync(join(dir, 'x.zip'), 'not an archive');
    expect(run(join(dir, 'x.zip'))).toThrow(/^Failed to find handler for ".*x\.zip"\. Make sure the required command to extract the file is installed\./);
  });

  it.each([
    ['-rw-r--r--  3.0 unx       12 tx defN 20170511.153000 foo-unarchive.txt', { path: 'foo-unarchive.txt', type: 'file', size: 12, mtime: 0 }],
    ['drwxr-xr-x  3.0 unx        0 bx stor 20261205.181829 created/sub/', { path: 'created/sub', type: 'directory', size: 0, mtime: 0 }],
    ['-rw-r--r--  3.0 unx        2 tx stor 20261205.181829 a name with  spaces', { path: 'a name with  spaces', type: 'file', size: 2, mtime: 0 }],
    ['-rw-a--     2.3 fat       12 tx stor 20170511.153000 FOO-UNAR.TXT', { path: 'FOO-UNAR.TXT', type: 'file', size: 12, mtime: 0 }],
    ['Archive:  t.zip', undefined],
    ['5 files, 12 bytes uncompressed, 12 bytes compressed:  0.0%', undefined],
  ])('parseZipinfoLine %s', (line, expected) => expect(parseZipinfoLine(line)).toEqual(expected));

  it('unzip command line as Ansible builds it', () => {
    expect(zipArgv('/t/a.zip', '/d', [], ['FOO.TXT'], [])).toEqual(['unzip', '-o', '/t/a.zip', 'FOO.TXT', '-d', '/d']);
    expect(zipArgv('/t/a.zip', '/d', ['-L'], [], ['exclude/*', 'x'])).toEqual(['unzip', '-o', '-L', '/t/a.zip', '-x', 'exclude/*', 'x', '-d', '/d']);
  });
});
