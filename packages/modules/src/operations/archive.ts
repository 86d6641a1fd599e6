/**
 * unarchive's choices, as pure functions: which archive members to extract (include / exclude, as
 * Ansible's unarchive reads them: include names members and the trees under them, exclude takes
 * shell-style patterns), and which extracted paths need their mode changed.
 */
import { posix } from 'node:path';
import type { ArchiveEntry } from '../facts/archive.js';
import { parseMode, resolveMode } from '@haweb/hostkit';

/** Python's fnmatch: `*` and `?` match any character (`/` included), `[...]` a set. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = '^' + set.slice(1);
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(name);
}

const normal = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');
const within = (path: string, top: string): boolean => path === top || path.startsWith(`${top}/`);

/** The members extracted: all, or those `include` names (with what lies under them), minus `exclude` matches. */
export function selectEntries(entries: readonly ArchiveEntry[], include: readonly string[] = [], exclude: readonly string[] = []): ArchiveEntry[] {
  const inc = include.map(normal);
  return entries.filter((e) => {
    if (inc.length > 0 && !inc.some((i) => within(e.path, i))) return false;
    return !exclude.some((x) => fnmatch(e.path, normal(x)) || fnmatch(e.path, x));
  });
}

/** Host paths of extracted members (not links) whose mode differs from `mode` (octal or symbolic). */
export function pathsWithOtherMode(
  entries: readonly ArchiveEntry[],
  dest: string,
  onHost: Map<string, { type: string; mode: number } | undefined>,
  mode: string | number,
): string[] {
  const spec = parseMode(mode);
  const out: string[] = [];
  for (const e of entries) {
    if (e.type !== 'file' && e.type !== 'directory') continue;
    const path = posix.join(dest, e.path);
    const h = onHost.get(path);
    if (!h) continue;
    if (resolveMode(spec, h.mode, h.type === 'directory') !== h.mode) out.push(path);
  }
  return out;
}
