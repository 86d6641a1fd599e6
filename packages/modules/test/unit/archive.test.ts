import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveFilePaths, compareExtracted, listLocalArchive, parseTarVerboseLine, remoteArchiveEntries } from '../../src/index.js';

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
