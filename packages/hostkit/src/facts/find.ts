/**
 * What a directory walk sees, as Ansible's find module walks (os.walk, lstat of every entry): one
 * `find | stat` command per searched path, and pure functions that apply find's filters (patterns,
 * excludes, age, size, file type, depth, hidden) and shape each match as Ansible's statinfo() does.
 * The content filter (`contains`) and checksums need the files themselves: the module asks for them
 * afterwards, for the matches only.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { kindOfRawMode, permissionFlags, type EntryKind } from './files.js';


/** One entry under a searched path: lstat's view of it (never the target of a link). */
export interface WalkEntry {
  path: string;
  /** 1 for the searched directory's own entries, 2 for theirs... */
  depth: number;
  kind: EntryKind;
  /** The whole st_mode (type and permission bits). */
  rawMode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** '' when the id has no name (Ansible's statinfo gives '' too). */
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  atime: number;
  mtime: number;
  ctime: number;
}

export interface WalkArgs {
  path: string;
  /** Descend into subdirectories. */
  recurse: boolean;
  /** Deepest level considered (Ansible's `depth`; 0 or undefined: no limit). */
  depth?: number;
  /** Descend into symlinks to directories (os.walk's followlinks). */
  follow: boolean;
}

export type Walk =
  | { ok: true; entries: WalkEntry[] }
  /** The path is not a directory, or the walk hit an error (Ansible then skips the whole path). */
  | { ok: false; reason: string };

const NOT_A_DIR = 'HAWEB-NOT-A-DIRECTORY';
const STAT_FORMAT = '%f %h %u %g %U %G %s %i %d %.9X %.9Y %.9Z %n\\0';

/**
 * How deep the walk lists entries. os.walk lists every entry of each directory it enters (they all
 * count as examined), and a depth limit stops it from entering deeper, so with `depth: D` the
 * entries at D+1 are listed (and counted) but never considered.
 */
export function walkDepth(args: Pick<WalkArgs, 'recurse' | 'depth'>): number | undefined {
  if (!args.recurse) return 1;
  return args.depth ? args.depth + 1 : undefined;
}

export const directoryWalk: Fact<WalkArgs, Walk> = {
  name: 'find.walk',
  command(args) {
    const p = shellQuote(args.path);
    const max = walkDepth(args);
    const find = ['find', ...(args.follow ? ['-L'] : []), p, '-mindepth', '1', ...(max ? ['-maxdepth', String(max)] : []), '-print0'].join(' ');
    // stat without -L: lstat, as Ansible's find reads every entry (also when it follows links).
    return `[ -d ${p} ] || { echo ${NOT_A_DIR}; exit 0; }; ${find} | xargs -0 -r stat --printf '${STAT_FORMAT}' --`;
  },
  parse(stdout, code, args) {
    if (stdout.startsWith(NOT_A_DIR)) return { ok: false, reason: `'${args.path}' is not a directory` };
    if (code !== 0) return { ok: false, reason: `the walk of '${args.path}' failed (exit ${code})` };
    return { ok: true, entries: parseWalk(stdout, args.path) };
  },
};


/** Parse NUL-terminated `stat --printf` records of the entries under `root`. */
export function parseWalk(stdout: string, root: string): WalkEntry[] {
  const base = root.replace(/\/+$/, '');
  const out: WalkEntry[] = [];
  for (const record of stdout.split('\0')) {
    if (record.trim() === '') continue;
    const f = record.replace(/^\n/, '').split(' ');
    if (f.length < 13) throw new Error(`unexpected stat output ${JSON.stringify(record)}`);
    const path = f.slice(12).join(' ');
    const rawMode = parseInt(f[0], 16);
    const rel = path.slice(base.length).replace(/^\/+/, '');
    out.push({
      path,
      depth: rel.split('/').length,
      kind: kindOfRawMode(rawMode),
      rawMode,
      nlink: Number(f[1]),
      uid: Number(f[2]),
      gid: Number(f[3]),
      owner: f[4] === 'UNKNOWN' ? '' : f[4],
      group: f[5] === 'UNKNOWN' ? '' : f[5],
      size: Number(f[6]),
      inode: Number(f[7]),
      dev: Number(f[8]),
      atime: Number(f[9]),
      mtime: Number(f[10]),
      ctime: Number(f[11]),
    });
  }
  return out;
}

export interface FindFilters {
  patterns: string[];
  excludes: string[];
  useRegex: boolean;
  fileType: 'any' | 'directory' | 'file' | 'link';
  hidden: boolean;
  recurse: boolean;
  depth?: number;
  /** Seconds; negative: at most that old (Ansible's `age` after its units are applied). */
  age?: number;
  ageStamp: 'atime' | 'ctime' | 'mtime';
  /** Bytes; negative: at most that big. */
  size?: number;
}

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Ansible's `age` (e.g. "2d", "-1h", "30") in seconds; undefined when it does not parse. */
export function parseAge(text: string): number | undefined {
  const m = /^(-?\d+)([smhdw])?$/.exec(text.toLowerCase());
  return m ? Number(m[1]) * (AGE_UNITS[m[2] ?? 's'] ?? 1) : undefined;
}

/** Ansible's `size` (e.g. "10k", "-1m", "200") in bytes; undefined when it does not parse. */
export function parseSize(text: string): number | undefined {
  const m = /^(-?\d+)([bkmgt])?$/.exec(text.toLowerCase());
  return m ? Number(m[1]) * (SIZE_UNITS[m[2] ?? 'b'] ?? 1) : undefined;
}

/** Python's fnmatch.fnmatch on POSIX (case-sensitive): `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        // A ']' first in the set is a member (Python's rule); JS needs it escaped.
        let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\').replace(/]/g, '\\]');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        else if (body.startsWith('^')) body = '\\' + body;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`).test(name);
}

/** Python's re.match: the pattern anchored at the start only. */
function reMatch(name: string, pattern: string): boolean {
  return new RegExp(`^(?:${pattern})`).test(name);
}

/** Ansible's pfilter: a basename matches one of the patterns and none of the excludes. */
export function nameMatches(name: string, patterns: string[], excludes: string[], useRegex: boolean): boolean {
  const match = useRegex ? reMatch : fnmatch;
  const pats = patterns.length ? patterns : [useRegex ? '.*' : '*'];
  return pats.some((p) => match(name, p)) && !excludes.some((e) => match(name, e));
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The entries find keeps, in walk order (before the content filter). */
export function selectEntries(entries: readonly WalkEntry[], f: FindFilters, now: number): WalkEntry[] {
  const limit = f.recurse ? f.depth || Infinity : 1;
  const ageOk = (e: WalkEntry): boolean => {
    if (f.age === undefined) return true;
    const elapsed = now - e[f.ageStamp];
    return f.age >= 0 ? elapsed >= f.age : elapsed <= -f.age;
  };
  const sizeOk = (e: WalkEntry): boolean => f.size === undefined || (f.size >= 0 ? e.size >= f.size : e.size <= -f.size);
  return entries.filter((e) => {
    if (e.depth > limit) return false;
    const name = basename(e.path);
    if (name.startsWith('.') && !f.hidden) return false;
    if (!nameMatches(name, f.patterns, f.excludes, f.useRegex) || !ageOk(e)) return false;
    switch (f.fileType) {
      case 'any':
        return e.kind !== 'file' || sizeOk(e);
      case 'file':
        return e.kind === 'file' && sizeOk(e);
      case 'directory':
        return e.kind === 'directory';
      case 'link':
        return e.kind === 'link';
    }
  });
}

/** One match as Ansible's find reports it (its statinfo keys, with the same names and types). */
export function findResultEntry(e: WalkEntry): Record<string, unknown> {
  const m = e.rawMode;
  return {
    path: e.path,
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    isdir: e.kind === 'directory',
    ischr: e.kind === 'char',
    isblk: e.kind === 'block',
    isreg: e.kind === 'file',
    isfifo: e.kind === 'fifo',
    islnk: e.kind === 'link',
    issock: e.kind === 'socket',
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group,
    pw_name: e.owner,
    ...permissionFlags(m),
  };
}

/**
 * Ansible's content filter on one file's text: with `wholeFile`, the pattern anywhere (re.search);
 * otherwise at the start of some line (re.match on each line, the newline kept with the line).
 */
export function contentMatches(text: string, pattern: string, wholeFile: boolean): boolean {
  const py = pythonEndAnchors(pattern);
  if (wholeFile) return new RegExp(py).test(text);
  const anchored = new RegExp(`^(?:${py})`);
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).some((line) => anchored.test(line));
}

/** SHA-1 of regular files (Ansible's find `get_checksum`), path -> hex digest; unreadable files are left out. */
export const sha1Digests: Fact<{ paths: readonly string[] }, Record<string, string>> = {
  name: 'file.sha1-many',
  command({ paths }) {
    return paths.length ? `sha1sum -z -- ${paths.map(shellQuote).join(' ')} 2>/dev/null; exit 0` : 'true';
  },
  parse(stdout) {
    const out: Record<string, string> = {};
    for (const record of stdout.split('\0')) {
      const m = /^([0-9a-f]{40}) [ *](.*)$/s.exec(record);
      if (m) out[m[2]] = m[1];
    }
    return out;
  },
};

/**
 * Python's `$` (without re.M) matches at the end of the text and also just before a newline that ends
 * it; JavaScript's only at the very end. Each `$` outside a character class and not escaped becomes
 * `(?=\n?$)`, so `OK$` finds a file (or a line, kept with its newline) ending in "OK\n" as Ansible's
 * find does; `\Z` is Python's very end.
 */
export function pythonEndAnchors(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += next === 'Z' && !inClass ? '$' : c + next;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // a ']' right after '[' or '[^' is a literal member, not the end of the class
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
    } else out += c === '$' ? '(?=\\n?$)' : c;
  }
  return out;
}
