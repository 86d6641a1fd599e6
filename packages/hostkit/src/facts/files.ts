/**
 * File facts: what is at a path (type, mode, owner, size, mtime, link target) and, for regular
 * files, a checksum of the content. One command each; the parsers are pure and fixture-tested.
 */
import { shellQuote, type Fact } from '@haweb/core';

export type FileType = 'file' | 'directory' | 'link' | 'other';

/** The checksums stat can report (Ansible's checksum_algorithm choices). */
export const CHECKSUM_ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface FileInfo {
  type: FileType;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  owner: string;
  group: string;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** For links: where they point. */
  linkTarget?: string;
  /** Hex digest of a regular file's content (sha256, or sha1 for the stat module), when asked for. */
  checksum?: string;
  /** The content of a regular file up to CONTENT_LIMIT bytes, when asked for (saves a round trip). */
  content?: Buffer;
}

/** Files up to this size come back with the content when `content` is asked for. */
export const CONTENT_LIMIT = 256 * 1024;

export interface FileInfoArgs {
  path: string;
  /** Follow a symlink at `path` (stat -L). */
  follow?: boolean;
  /** Also compute a checksum of a regular file. */
  checksum?: ChecksumAlgorithm;
  /** Also return the content of a regular file (if not bigger than CONTENT_LIMIT). */
  content?: boolean;
}

const STAT_FORMAT = '%f %a %U %G %u %g %s %Y';

/** What stat's raw mode (`%f`) says a file is: every kind find reports, from the S_IFMT bits. */
export type EntryKind = 'file' | 'directory' | 'link' | 'char' | 'block' | 'fifo' | 'socket' | 'other';

const KIND_OF_FORMAT: Record<number, EntryKind> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'link',
  0o020000: 'char',
  0o060000: 'block',
  0o010000: 'fifo',
  0o140000: 'socket',
};

export function kindOfRawMode(raw: number): EntryKind {
  return KIND_OF_FORMAT[raw & 0o170000] ?? 'other';
}

/** Python's stat flags of a mode, as Ansible's stat and find report them (wusr ... isgid). */
export function permissionFlags(m: number): Record<'wusr' | 'rusr' | 'xusr' | 'wgrp' | 'rgrp' | 'xgrp' | 'woth' | 'roth' | 'xoth' | 'isuid' | 'isgid', boolean> {
  return {
    wusr: (m & 0o200) !== 0,
    rusr: (m & 0o400) !== 0,
    xusr: (m & 0o100) !== 0,
    wgrp: (m & 0o020) !== 0,
    rgrp: (m & 0o040) !== 0,
    xgrp: (m & 0o010) !== 0,
    woth: (m & 0o002) !== 0,
    roth: (m & 0o004) !== 0,
    xoth: (m & 0o001) !== 0,
    isuid: (m & 0o4000) !== 0,
    isgid: (m & 0o2000) !== 0,
  };
}

/** The three kinds the file modules tell apart; devices, fifos and sockets are 'other'. */
function typeFromRawMode(raw: number): FileType {
  const kind = kindOfRawMode(raw);
  return kind === 'file' || kind === 'directory' || kind === 'link' ? kind : 'other';
}

/** Parse one `stat -c '%f %a %U %G %u %g %s %Y'` line. */
export function parseStatLine(line: string): FileInfo {
  const f = line.trim().split(' ');
  if (f.length !== 8) throw new Error(`unexpected stat output ${JSON.stringify(line)}`);
  return {
    type: typeFromRawMode(parseInt(f[0], 16)),
    mode: parseInt(f[1], 8),
    owner: f[2],
    group: f[3],
    uid: Number(f[4]),
    gid: Number(f[5]),
    size: Number(f[6]),
    mtime: Number(f[7]),
  };
}

export const fileInfo: Fact<FileInfoArgs, FileInfo | undefined> = {
  name: 'file.info',
  command({ path, follow, checksum, content }) {
    const p = shellQuote(path);
    // coreutils names each tool after its algorithm: md5sum, sha1sum, ... sha512sum.
    const sum = `${checksum ?? 'sha256'}sum`;
    // Only "no such file" means absent: a permission problem must fail, not look like a missing file.
    return [
      `if out=$(LC_ALL=C stat ${follow ? '-L ' : ''}-c '${STAT_FORMAT}' -- ${p} 2>&1); then`,
      `  printf '%s\\n' "$out"`,
      `  if [ -L ${p} ]; then printf 'link:'; readlink -- ${p}; fi`,
      checksum
        ? `  if [ -f ${p} ] && ${follow ? '' : `[ ! -L ${p} ] && `}[ -r ${p} ]; then printf 'sum:'; ${sum} < ${p}; fi`
        : '  :',
      content
        ? `  if [ -f ${p} ] && ${follow ? '' : `[ ! -L ${p} ] && `}[ -r ${p} ] && [ "$(stat -L -c %s -- ${p})" -le ${CONTENT_LIMIT} ]; then echo content:; base64 < ${p}; fi`
        : '  :',
      `else`,
      `  case "$out" in *"No such file or directory"*|*"Not a directory"*) echo absent;; *) printf '%s\\n' "$out"; exit 1;; esac`,
      `fi`,
    ].join('\n');
  },
  parse(stdout, code) {
    if (code !== 0) throw new Error(`stat failed (rc=${code}): ${stdout.trim()}`);
    const lines = stdout.split('\n').filter((l) => l !== '');
    if (lines[0] === 'absent') return undefined;
    const info = parseStatLine(lines[0]);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith('link:')) info.linkTarget = line.slice(5);
      else if (line.startsWith('sum:')) info.checksum = line.slice(4).split(/\s+/)[0];
      else if (line === 'content:') {
        info.content = Buffer.from(lines.slice(i + 1).join(''), 'base64');
        break;
      }
    }
    return info;
  },
};

export interface PathStatArgs {
  paths: string[];
}

/** size and mtime of many paths at once (unarchive's "already extracted?" check). */
export const pathsStat: Fact<PathStatArgs, Map<string, { type: FileType; size: number; mtime: number; mode: number } | undefined>> = {
  name: 'file.paths_stat',
  command({ paths }) {
    // One line per path, in order: either the stat fields or "-".
    return `for p in ${paths.map(shellQuote).join(' ')}; do stat -c '%f %s %Y' -- "$p" 2>/dev/null || echo -; done`;
  },
  parse(stdout, _code, { paths }) {
    const lines = stdout.split('\n');
    const result = new Map<string, { type: FileType; size: number; mtime: number; mode: number } | undefined>();
    paths.forEach((path, i) => {
      const line = (lines[i] ?? '-').trim();
      if (line === '-' || line === '') {
        result.set(path, undefined);
        return;
      }
      const [raw, size, mtime] = line.split(' ');
      result.set(path, { type: typeFromRawMode(parseInt(raw, 16)), size: Number(size), mtime: Number(mtime), mode: parseInt(raw, 16) & 0o7777 });
    });
    return result;
  },
};

/** Does a path exist (for `creates`/`removes`)? */
export const pathExists: Fact<{ path: string }, boolean> = {
  name: 'file.exists',
  command: ({ path }) => `if [ -e ${shellQuote(path)} ] || [ -L ${shellQuote(path)} ]; then echo yes; else echo no; fi`,
  parse: (stdout) => stdout.trim() === 'yes',
};

/** Is the path a directory (after links)? command/shell's chdir. */
export const directoryExists: Fact<{ path: string }, boolean> = {
  name: 'file.isdir',
  command: ({ path }) => `if [ -d ${shellQuote(path)} ]; then echo yes; else echo no; fi`,
  parse: (stdout) => stdout.trim() === 'yes',
};

/**
 * Does a glob pattern (`*`, `?`, `[...]`, as Python's glob.glob reads it) match at least one path?
 * command/shell's creates/removes. The shell expands the pattern (no word splitting, IFS empty); a
 * pattern that matches nothing stays as written and is then tested as a plain path.
 */
export const globMatches: Fact<{ pattern: string }, boolean> = {
  name: 'file.glob',
  command: ({ pattern }) => `found=no; IFS=; for f in ${pattern.replace(/[^*?[\]]+/g, (part) => shellQuote(part))}; do if [ -e "$f" ] || [ -L "$f" ]; then found=yes; break; fi; done; echo $found`,
  parse: (stdout) => stdout.trim() === 'yes',
};
