/**
 * What a controller-side tarball contains (read locally with the `tar` package, gzip/bzip2/xz/zstd
 * auto-detected where supported), and the pure check "is it already extracted on the host?".
 */
import { list } from 'tar';
import { posix } from 'node:path';

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
