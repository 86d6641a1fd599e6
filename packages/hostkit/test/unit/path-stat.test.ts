/**
 * Ansible's stat view of one path: the command's output parsed (pure), shaped into Ansible's keys,
 * and the real command run by a real `sh` on real files (a file, a link, a missing path).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansibleStat, parseMime, parseStatPath, statPath, type StatPathArgs } from '../../src/facts/path-stat.js';

describe('parseMime', () => {
  it.each([
    ['text/plain; charset=us-ascii', 'text/plain', 'us-ascii'],
    ['inode/symlink; charset=binary', 'inode/symlink', 'binary'],
    ['application/x-empty; charset=binary\n', 'application/x-empty', 'binary'],
    ['garbage', 'unknown', 'unknown'],
    [undefined, 'unknown', 'unknown'],
  ])('%j', (text, mimetype, charset) => {
    expect(parseMime(text)).toEqual({ mimetype, charset });
  });
});

describe('parseStatPath and ansibleStat', () => {
  const base = 'stat:81a4 1 0 0 11 1234 2049 1700000000.250000000 1700000001.500000000 1700000002.000000000 8 4096 0 root root';
  it.each([
    {
      name: 'a regular file, readable: checksum and the permission bits',
      out: `${base}\naccess:rw\nsum:2aae6c35c94fcfb415dbe95f408b9ce91ee846ed  -\nmime:text/plain; charset=us-ascii\n`,
      want: { exists: true, mode: '0644', isreg: true, islnk: false, rusr: true, wusr: true, xusr: false, rgrp: true, wgrp: false, roth: true, size: 11, inode: 1234, dev: 2049, atime: 1700000000.25, mtime: 1700000001.5, blocks: 8, block_size: 4096, device_type: 0, readable: true, writeable: true, executable: false, pw_name: 'root', gr_name: 'root', checksum: '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed', mimetype: 'text/plain', charset: 'us-ascii' },
    },
    {
      name: 'a link (lstat): its target and real path, no checksum',
      out: 'stat:a1ff 1 1000 1000 7 99 2049 1 2 3 0 4096 0 UNKNOWN staff\naccess:rwx\nlink:foo.txt\nreal:/tmp/x/foo.txt\n',
      want: { islnk: true, isreg: false, mode: '0777', lnk_target: 'foo.txt', lnk_source: '/tmp/x/foo.txt', gr_name: 'staff' },
      absent: ['pw_name', 'checksum'],
    },
    {
      name: 'setuid, setgid, a directory',
      out: 'stat:4ded 2 0 0 4096 5 2049 1 2 3 8 4096 0 root root\naccess:rx\n',
      want: { isdir: true, mode: '6755', isuid: true, isgid: true, writeable: false, executable: true },
    },
  ])('$name', ({ out, want, absent = [] }) => {
    const st = ansibleStat('/p', parseStatPath(out), { mime: true });
    expect(st).toMatchObject({ path: '/p', ...want });
    for (const k of absent) expect(st).not.toHaveProperty(k);
  });

  it('a missing path is {exists: false} only, as Ansible', () => {
    expect(ansibleStat('/p', parseStatPath('absent\n'))).toEqual({ exists: false });
  });

  it('every key of Ansible 2.14 stat on Linux (attributes aside)', () => {
    const keys = Object.keys(ansibleStat('/p', parseStatPath(`${base}\naccess:r\nsum:ab  -\nmime:text/plain; charset=us-ascii\n`), { mime: true })).sort();
    expect(keys).toEqual(
      ['atime', 'block_size', 'blocks', 'charset', 'checksum', 'ctime', 'dev', 'device_type', 'executable', 'exists', 'gid', 'gr_name', 'inode', 'isblk', 'ischr', 'isdir', 'isfifo', 'isgid', 'islnk', 'isreg', 'issock', 'isuid', 'mimetype', 'mode', 'mtime', 'nlink', 'path', 'pw_name', 'readable', 'rgrp', 'roth', 'rusr', 'size', 'uid', 'wgrp', 'woth', 'writeable', 'wusr', 'xgrp', 'xoth', 'xusr'].sort(),
    );
  });
});

describe('the stat command under a real sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-path-stat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'foo:bar.txt'), 'hello world');
  symlinkSync('foo:bar.txt', join(dir, 'link'));
  const run = (args: StatPathArgs) => {
    let out = '';
    let code = 0;
    try {
      out = execFileSync('sh', ['-c', statPath.command(args)], { encoding: 'utf8' });
    } catch (e) {
      const err = e as { stdout: string; status: number };
      out = err.stdout;
      code = err.status;
    }
    return ansibleStat(args.path, statPath.parse(out, code, args), { mime: args.mime });
  };

  it('a file with a colon in its name: SHA-1 and MIME type', () => {
    const st = run({ path: join(dir, 'foo:bar.txt'), checksum: 'sha1', mime: true });
    expect(st).toMatchObject({ exists: true, isreg: true, size: 11, checksum: '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed', mimetype: 'text/plain', charset: 'us-ascii' });
  });

  it('a link, without and with follow', () => {
    expect(run({ path: join(dir, 'link'), checksum: 'sha1' })).toMatchObject({ islnk: true, lnk_target: 'foo:bar.txt', lnk_source: join(dir, 'foo:bar.txt') });
    expect(run({ path: join(dir, 'link'), checksum: 'sha1' })).not.toHaveProperty('checksum');
    expect(run({ path: join(dir, 'link'), follow: true, checksum: 'sha1' })).toMatchObject({ islnk: false, isreg: true, checksum: '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed' });
  });

  it('a missing path', () => {
    expect(run({ path: join(dir, 'nope') })).toEqual({ exists: false });
  });
});
