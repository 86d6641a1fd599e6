/**
 * What a controller-side tarball contains (read locally with the `tar` package, gzip/bzip2/xz/zstd
 * auto-detected where supported), and the pure check "is it already extracted on the host?".
 */
import { list } from 'tar';
import { posix } from 'node:path';
import { shellQuote, type Fact } from '@haweb/core';

export interface ArchiveEntry {
  /** Path inside the archive, without a leading "./" or trailing "/". */
  path: string;
  type: 'file' | 'directory' | 'link' | 'other';
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
}

export async function listLocalArchive(file: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await list({
    file,
    onReadEntry: (entry) => {
      const path = entry.path.replace(/^\.\//, '').replace(/\/$/, '');
      if (path === '' || path === '.') return;
      const type = entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile'
        ? 'file'
        : entry.type === 'Directory'
          ? 'directory'
          : entry.type === 'SymbolicLink' || entry.type === 'Link'
            ? 'link'
            : 'other';
      entries.push({ path, type, size: entry.size ?? 0, mtime: entry.mtime ? Math.floor(entry.mtime.getTime() / 1000) : 0 });
    },
  });
  return entries;
}

/** Host paths whose state tells whether the archive is extracted: its regular files. */
export function archiveFilePaths(entries: readonly ArchiveEntry[], dest: string): string[] {
  return entries.filter((e) => e.type === 'file').map((e) => posix.join(dest, e.path));
}

export interface ExtractCheck {
  extracted: boolean;
  /** Paths missing or different on the host (first few, for the message). */
  differing: string[];
}

/** Extracted = every regular file exists with the archive's size and mtime (tar restores mtimes). */
export function compareExtracted(
  entries: readonly ArchiveEntry[],
  dest: string,
  onHost: Map<string, { type: string; size: number; mtime: number } | undefined>,
): ExtractCheck {
  const differing: string[] = [];
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const p = posix.join(dest, e.path);
    const h = onHost.get(p);
    if (!h || h.type !== 'file' || h.size !== e.size || (e.mtime !== 0 && h.mtime !== e.mtime)) differing.push(p);
  }
  return { extracted: differing.length === 0, differing };
}

/** One `tar -tv` line (GNU tar): "-rw-r--r-- root/root  12 2024-01-01 10:00 dir/file". */
export function parseTarVerboseLine(line: string): ArchiveEntry | undefined {
  const m = /^(\S)\S*\s+\S+\s+(\d+)\s+\d{4}-\d\d-\d\d\s+\d\d:\d\d(?::\d\d)?\s+(.*)$/.exec(line);
  if (!m) return undefined;
  const [, kind, size, rest] = m;
  const type = kind === '-' ? 'file' : kind === 'd' ? 'directory' : kind === 'l' || kind === 'h' ? 'link' : 'other';
  let name = rest;
  if (kind === 'l') name = rest.replace(/ -> .*$/, '');
  if (kind === 'h') name = rest.replace(/ link to .*$/, '');
  const path = name.replace(/^\.\//, '').replace(/\/$/, '');
  if (path === '' || path === '.') return undefined;
  // mtime 0: the listing's local-time stamp is not compared (size only).
  return { path, type, size: Number(size), mtime: 0 };
}

/** The entries of an archive that is already on the host (unarchive with remote_src). */
export const remoteArchiveEntries: Fact<{ path: string }, ArchiveEntry[]> = {
  name: 'archive.remote_entries',
  command: ({ path }) => `LC_ALL=C tar -tv -f ${shellQuote(path)} 2>&1`,
  parse(stdout, code, { path }) {
    if (code !== 0) throw new Error(`${path} is not a readable tar archive: ${stdout.trim().split('\n').slice(-2).join(' | ')}`);
    return stdout
      .split('\n')
      .map(parseTarVerboseLine)
      .filter((e): e is ArchiveEntry => e !== undefined);
  },
};

/**
 * One `zipinfo -T` (`unzip -Z -T`) member line: "-rw-r--r--  3.0 unx  12 tx defN 20170511.153000 dir/file".
 * A member made on a FAT file system shows DOS attributes instead ("-rw-a--  2.3 fat ..."; `zip -k`).
 */
export function parseZipinfoLine(line: string): ArchiveEntry | undefined {
  const m = /^([-dl])[-a-zA-Z]{6,9}\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\d{8}\.\d{6}\s(.*)$/.exec(line);
  if (!m) return undefined;
  const [, kind, size, name] = m;
  const type = kind === '-' ? 'file' : kind === 'd' ? 'directory' : kind === 'l' ? 'link' : 'other';
  const path = name.replace(/^\.\//, '').replace(/\/$/, '');
  if (path === '' || path === '.') return undefined;
  return { path, type, size: Number(size), mtime: 0 };
}

/** An archive on the host: a zip (read with unzip's zipinfo) or a tar (GNU tar detects the compression). */
export interface RemoteArchive {
  format: 'zip' | 'tar';
  entries: ArchiveEntry[];
}

/**
 * The format and members of an archive already on the host (unarchive with remote_src), tried in
 * Ansible's order: zip first (when unzip is there), then tar, listed as Ansible lists it (with the
 * task's extra_opts, tar named by its full path, as Ansible runs the binary it found). Neither:
 * Ansible's "Failed to find handler" message with each handler's reason ("Unable to find required
 * 'unzip' ...", `Command "/usr/bin/tar" could not handle archive: Unable to list files in the archive: ...`).
 */
export const remoteArchive: Fact<{ path: string; extraOpts?: readonly string[] }, RemoteArchive> = {
  name: 'archive.remote',
  command: ({ path, extraOpts = [] }) => {
    const p = shellQuote(path);
    const opts = extraOpts.map(shellQuote).join(' ');
    return [
      `if command -v unzip >/dev/null 2>&1 && out=$(LC_ALL=C unzip -Z -T ${p} 2>/dev/null); then echo '#zip'; printf '%s\\n' "$out";`,
      `elif tar=$(command -v tar) && out=$(LC_ALL=C "$tar" -tv ${opts}${opts ? ' ' : ''}-f ${p} 2>&1); then echo '#tar'; printf '%s\\n' "$out";`,
      `else echo '#none'; command -v unzip >/dev/null 2>&1 || echo '#no-unzip'; echo "#tar=$tar"; printf '%s\\n' "$out"; fi`,
    ].join(' ');
  },
  parse(stdout, _code, { path }) {
    const lines = stdout.split('\n');
    const head = lines.shift();
    if (head === '#zip') return { format: 'zip', entries: lines.map(parseZipinfoLine).filter((e): e is ArchiveEntry => e !== undefined) };
    if (head === '#tar') return { format: 'tar', entries: lines.map(parseTarVerboseLine).filter((e): e is ArchiveEntry => e !== undefined) };
    const noUnzip = lines[0] === '#no-unzip';
    if (noUnzip) lines.shift();
    const tar = lines[0]?.startsWith('#tar=') ? lines.shift()!.slice(5) : '';
    const reasons = [
      noUnzip ? "Unable to find required 'unzip' or 'zipinfo' binary in the path." : `Command "unzip" could not handle archive: File is not a zip file`,
      tar ? `Command "${tar}" could not handle archive: Unable to list files in the archive: ${lines.join('\n').trim()}` : "Unable to find required 'tar' binary in the path",
    ];
    throw new Error(`Failed to find handler for "${path}". Make sure the required command to extract the file is installed.\n${reasons.join('\n')}`);
  },
};
