/**
 * The find fact and its pure filters: Python's fnmatch/re.match semantics for names, Ansible's
 * age/size units and signs, its depth rule (entries one level deeper are examined, never matched),
 * hidden names, file types; and the walk command run under a real sh on a tree with hostile names.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  contentMatches,
  pythonEndAnchors,
  directoryWalk,
  findResultEntry,
  fnmatch,
  nameMatches,
  parseAge,
  parseSize,
  parseWalk,
  selectEntries,
  sha1Digests,
  walkDepth,
  type FindFilters,
  type WalkEntry,
} from '../../src/facts/find.js';

describe('fnmatch (Python fnmatch.fnmatch on POSIX; expectations checked with python3)', () => {
  it.each([
    ['a.log', '*.log', true],
    ['a.LOG', '*.log', false],
    ['.x', '*', true],
    ['ab', 'a?', true],
    ['a[1', 'a[1', true],
    ['a1', 'a[0-9]', true],
    ['ab', 'a[!b]', false],
    ['ac', 'a[!b]', true],
    ['a]', 'a[]]', true],
    ['x.tar.gz', '*.gz', true],
    ['a^b', 'a[^]b', true],
    ['a!b', 'a[!]b', false],
    ['a.b', 'a?b', true],
    ['a(b)', 'a(b)', true],
  ])('%s ~ %s -> %s', (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });
});

describe("nameMatches (Ansible's pfilter)", () => {
  it.each([
    ['no patterns: everything (glob)', 'x', [], [], false, true],
    ['no patterns: everything (regex)', 'x', [], [], true, true],
    ['a pattern', 'a.conf', ['*.conf'], [], false, true],
    ['one of several', 'a.ini', ['*.conf', '*.ini'], [], false, true],
    ['excluded', 'a.conf', ['*.conf'], ['a*'], false, false],
    ['exclude alone (patterns default to *)', 'b.conf', [], ['a*'], false, true],
    ['regex is re.match: anchored at the start', 'xa.conf', ['a.*'], [], true, false],
    ['regex is not anchored at the end', 'a.conf.bak', ['a\\.conf'], [], true, true],
    ['regex exclude', 'a.conf', ['.*'], ['a\\.'], true, false],
  ])('%s', (_why, name, patterns, excludes, useRegex, expected) => {
    expect(nameMatches(name, patterns, excludes, useRegex)).toBe(expected);
  });
});

describe('age and size as Ansible reads them', () => {
  it.each([
    ['30', 30], ['2m', 120], ['1h', 3600], ['2d', 172800], ['1w', 604800], ['-3d', -259200], ['1H', 3600], ['1y', undefined], ['x', undefined],
  ])('age %s -> %s', (text, seconds) => expect(parseAge(text)).toBe(seconds));
  it.each([
    ['100', 100], ['10b', 10], ['2k', 2048], ['1m', 1048576], ['1g', 1024 ** 3], ['-1k', -1024], ['1K', 1024], ['1kb', undefined],
  ])('size %s -> %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));
});

const NOW = 1_000_000;
function entry(path: string, kind: WalkEntry['kind'], over: Partial<WalkEntry> = {}): WalkEntry {
  const type = { file: 0o100000, directory: 0o040000, link: 0o120000 }[kind as 'file'] ?? 0o010000;
  return {
    path, depth: path.split('/').length - 3, kind, rawMode: type | 0o644, nlink: 1, uid: 0, gid: 0, owner: 'root', group: 'root',
    size: 100, inode: 1, dev: 1, atime: NOW - 10, mtime: NOW - 10, ctime: NOW - 10, ...over,
  };
}
// Walked from /srv/t: depth = path segments below it.
const TREE: WalkEntry[] = [
  entry('/srv/t/a.conf', 'file'),
  entry('/srv/t/.hidden.conf', 'file'),
  entry('/srv/t/big.conf', 'file', { size: 5000 }),
  entry('/srv/t/old.conf', 'file', { mtime: NOW - 86400 * 3 }),
  entry('/srv/t/sub', 'directory'),
  entry('/srv/t/link.conf', 'link'),
  entry('/srv/t/sub/b.conf', 'file'),
  entry('/srv/t/sub/deeper', 'directory'),
  entry('/srv/t/sub/deeper/c.conf', 'file'),
  entry('/srv/t/.git', 'directory'),
  entry('/srv/t/.git/d.conf', 'file'),
];
const BASE: FindFilters = { patterns: [], excludes: [], useRegex: false, fileType: 'file', hidden: false, recurse: false, ageStamp: 'mtime' };
const names = (es: WalkEntry[]): string[] => es.map((e) => e.path.slice('/srv/t/'.length));

describe("selectEntries (Ansible's find filters on a walk)", () => {
  it.each<[string, Partial<FindFilters>, string[]]>([
    ['files at the top, hidden left out', {}, ['a.conf', 'big.conf', 'old.conf']],
    ['hidden', { hidden: true }, ['a.conf', '.hidden.conf', 'big.conf', 'old.conf']],
    ['recurse: hidden directories are still entered', { recurse: true }, ['a.conf', 'big.conf', 'old.conf', 'sub/b.conf', 'sub/deeper/c.conf', '.git/d.conf']],
    ['depth 2', { recurse: true, depth: 2 }, ['a.conf', 'big.conf', 'old.conf', 'sub/b.conf', '.git/d.conf']],
    ['depth without recurse is the top only', { depth: 3 }, ['a.conf', 'big.conf', 'old.conf']],
    ['directories', { fileType: 'directory', recurse: true }, ['sub', 'sub/deeper']],
    ['links (lstat: a link is a link)', { fileType: 'link' }, ['link.conf']],
    ['any', { fileType: 'any', patterns: ['*.conf'] }, ['a.conf', 'big.conf', 'old.conf', 'link.conf']],
    ['any with size: only regular files are sized', { fileType: 'any', size: 1000 }, ['big.conf', 'sub', 'link.conf']],
    ['size >= 1000', { size: 1000 }, ['big.conf']],
    ['size <= 1000', { size: -1000 }, ['a.conf', 'old.conf']],
    ['age >= 2d', { age: 172800 }, ['old.conf']],
    ['age <= 1h', { age: -3600 }, ['a.conf', 'big.conf']],
    ['age by atime', { age: 172800, ageStamp: 'atime' }, []],
    ['excludes', { patterns: ['*.conf'], excludes: ['b*'] }, ['a.conf', 'old.conf']],
  ])('%s', (_why, over, expected) => {
    expect(names(selectEntries(TREE, { ...BASE, ...over }, NOW))).toEqual(expected);
  });

  it('walks one level deeper than depth (those entries are examined, not matched)', () => {
    expect(walkDepth({ recurse: false })).toBe(1);
    expect(walkDepth({ recurse: false, depth: 4 })).toBe(1);
    expect(walkDepth({ recurse: true })).toBeUndefined();
    expect(walkDepth({ recurse: true, depth: 2 })).toBe(3);
    expect(walkDepth({ recurse: true, depth: 0 })).toBeUndefined();
  });
});

describe('contentMatches (re.match per line, or re.search on the whole file)', () => {
  it.each([
    ['listen 80\n', 'listen', false, true],
    ['  listen 80\n', 'listen', false, false],
    ['  listen 80\n', '.*listen', false, true],
    ['a\nlisten 80\n', 'listen', false, true],
    ['  listen 80\n', 'listen', true, true],
    ['a\nb', 'a\\nb', true, true],
    ['a\nb', 'a\\nb', false, false],
    // Python's $ also matches before the newline ending the text (find's target: read_whole_file)
    ['01/01- OK\n01/03- KO\n01/04- OK\n', 'OK$', true, true],
    ['01/01- OK\n01/03- KO\n01/04- OK\n', 'KO$', true, false],
    ['01/01- OK\n01/03- KO\n', '.*KO$', false, true],
    ['a$b\n', 'a[$]b', false, true],
    ['a$b\n', 'a\\$b', false, true],
    ['ab\n', 'ab\\Z', true, false],
  ])('%j ~ %s (whole file %s) -> %s', (text, pattern, whole, expected) => {
    expect(contentMatches(text, pattern, whole)).toBe(expected);
  });
});

describe('pythonEndAnchors', () => {
  it.each([
    ['OK$', 'OK(?=\\n?$)'],
    ['a\\$', 'a\\$'],
    ['[$]$', '[$](?=\\n?$)'],
    ['[]$]x', '[]$]x'],
    ['x\\Z', 'x$'],
  ])('%s -> %s', (pattern, js) => expect(pythonEndAnchors(pattern)).toBe(js));
});

describe('findResultEntry: statinfo keys', () => {
  it('has Ansible keys, types and mode format', () => {
    const r = findResultEntry(entry('/srv/t/a', 'file', { rawMode: 0o104755 }));
    expect(r).toMatchObject({ path: '/srv/t/a', mode: '4755', isreg: true, isdir: false, islnk: false, isuid: true, isgid: false, xoth: true, woth: false, pw_name: 'root' });
    expect(Object.keys(r).sort()).toEqual(
      ['atime', 'ctime', 'dev', 'gid', 'gr_name', 'inode', 'isblk', 'ischr', 'isdir', 'isfifo', 'isgid', 'islnk', 'isreg', 'issock', 'isuid', 'mode', 'mtime', 'nlink', 'path', 'pw_name', 'rgrp', 'roth', 'rusr', 'size', 'uid', 'wgrp', 'woth', 'wusr', 'xgrp', 'xoth', 'xusr'],
    );
  });
});

describe('the walk command under a real sh', () => {
  const dir = mkdtempSync(join(tmpdir(), "find 'q\" $x-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub dir/deep'), { recursive: true });
  writeFileSync(join(dir, 'a b.conf'), 'x\n');
  writeFileSync(join(dir, "it's\nnew.conf"), 'y\n');
  writeFileSync(join(dir, 'sub dir/deep/z'), 'z\n');
  symlinkSync('sub dir', join(dir, 'ln'));
  const run = (script: string): { out: string; code: number } => {
    try {
      return { out: execFileSync('sh', ['-c', script], { encoding: 'utf8' }), code: 0 };
    } catch (err) {
      const e = err as { stdout: string; status: number };
      return { out: e.stdout, code: e.status };
    }
  };
  const walk = (follow: boolean, recurse = true, depth?: number) => {
    const args = { path: dir, recurse, follow, depth };
    const r = run(directoryWalk.command(args));
    return directoryWalk.parse(r.out, r.code, args);
  };

  it('lists every entry with lstat facts and its depth, names with spaces, quotes and newlines intact', () => {
    const w = walk(false);
    if (!w.ok) throw new Error(w.reason);
    const got = w.entries.map((e) => [e.path.slice(dir.length + 1), e.kind, e.depth]).sort();
    expect(got).toEqual([
      ['a b.conf', 'file', 1], ["it's\nnew.conf", 'file', 1], ['ln', 'link', 1], ['sub dir', 'directory', 1], ['sub dir/deep', 'directory', 2], ['sub dir/deep/z', 'file', 3],
    ].sort());
    expect(w.entries.find((e) => e.path.endsWith('a b.conf'))).toMatchObject({ size: 2, owner: expect.any(String) });
  });

  it('follows links to directories when asked, still reporting the link itself', () => {
    const w = walk(true);
    if (!w.ok) throw new Error(w.reason);
    const got = w.entries.map((e) => [e.path.slice(dir.length + 1), e.kind]).sort();
    expect(got).toContainEqual(['ln', 'link']);
    expect(got).toContainEqual(['ln/deep/z', 'file']);
  });

  it('lists one level below depth, and only the top without recurse', () => {
    const w = walk(false, true, 1);
    const top = walk(false, false);
    if (!w.ok || !top.ok) throw new Error('walk failed');
    expect(Math.max(...w.entries.map((e) => e.depth))).toBe(2);
    expect(Math.max(...top.entries.map((e) => e.depth))).toBe(1);
  });

  it('says when the path is not a directory', () => {
    const args = { path: join(dir, 'a b.conf'), recurse: false, follow: false };
    const r = run(directoryWalk.command(args));
    expect(directoryWalk.parse(r.out, r.code, args)).toEqual({ ok: false, reason: `'${args.path}' is not a directory` });
  });

  it('digests many files at once (sha1sum -z), names with newlines too', () => {
    const paths = [join(dir, 'a b.conf'), join(dir, "it's\nnew.conf"), join(dir, 'missing')];
    const r = run(sha1Digests.command({ paths }));
    expect(sha1Digests.parse(r.out, r.code, { paths })).toEqual({
      [paths[0]]: '6fcf9dfbd479ed82697fee719b9f8c610a11ff2a',
      [paths[1]]: '9063a9f0e032b6239403b719cbbba56ac4e4e45f',
    });
  });

  it('parses records with spaces in the name', () => {
    expect(parseWalk('81a4 1 0 0 root root 2 5 6 1.5 2.5 3.5 /r/a b c\0', '/r')).toEqual([
      { path: '/r/a b c', depth: 1, kind: 'file', rawMode: 0o100644, nlink: 1, uid: 0, gid: 0, owner: 'root', group: 'root', size: 2, inode: 5, dev: 6, atime: 1.5, mtime: 2.5, ctime: 3.5 },
    ]);
  });
});
