import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { READ_LIMITS } from './limits.js';

/** How files are read, so tests can supply an in-memory file system. */
export interface ConfigSource {
  /** The file's text; throws with a readable message when it cannot be read. */
  readFile(path: string): string;
  /**
   * Paths matching a glob pattern as keepalived's glob() returns them (GLOB_BRACE | GLOB_MARK):
   * brace alternatives in the order written, each sorted; a directory ends in '/'.
   */
  glob(pattern: string, cwd: string): string[];
}

/** Thrown for a file that keepalived would skip rather than read (a directory, a device, an executable). */
export class NotAConfigFileError extends Error {}

/**
 * Reads a regular, non-executable file of at most `maxFileBytes` (keepalived skips anything else with a
 * message). Reads by size so /dev/zero-like files cannot make it run forever.
 */
export function readConfigFile(path: string, maxBytes: number = READ_LIMITS.maxFileBytes): string {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new NotAConfigFileError(`'${path}' is a directory`);
    if (!st.isFile()) throw new NotAConfigFileError(`'${path}' is not a regular file`);
    if ((st.mode & 0o111) !== 0) throw new NotAConfigFileError(`'${path}' is executable; keepalived reads only non-executable files`);
    if (st.size > maxBytes) throw new Error(`'${path}' is ${st.size} bytes, more than the ${maxBytes} a configuration file may have`);
    const buffer = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buffer, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buffer.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Expands `{a,b}` alternatives as GLOB_BRACE does: nested braces, left to right, an unmatched or
 * comma-less brace kept literally. Throws past `max` alternatives.
 */
export function expandBraces(pattern: string, max: number = READ_LIMITS.maxBraceAlternatives): string[] {
  const open = findBraceGroup(pattern);
  if (!open) return [pattern];
  const { start, end, parts } = open;
  const head = pattern.slice(0, start);
  const tail = pattern.slice(end + 1);
  const out: string[] = [];
  for (const part of parts) {
    for (const expanded of expandBraces(head + part + tail, max)) {
      out.push(expanded);
      if (out.length > max) throw new Error(`brace pattern expands to more than ${max} alternatives`);
    }
  }
  return out;
}

/** The first `{...}` with a top-level comma, its bounds and its alternatives; `{}` and `{x}` are literal. */
function findBraceGroup(pattern: string): { start: number; end: number; parts: string[] } | undefined {
  for (let start = pattern.indexOf('{'); start >= 0; start = pattern.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '\\') { i++; continue; }
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) {
          if (commas.length === 0) break; // `{x}` is literal; look for a later brace
          const bounds = [start, ...commas, i];
          const parts = bounds.slice(1).map((b, k) => pattern.slice(bounds[k] + 1, b));
          return { start, end: i, parts };
        }
      } else if (c === ',' && depth === 1) commas.push(i);
    }
  }
  return undefined;
}

const hasMagic = (segment: string) => /[*?[]/.test(segment);

/** One path segment of a glob as a regular expression (fnmatch without FNM_PERIOD surprises: a leading dot must be written). */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < segment.length) re += escapeRe(segment[++i]);
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * keepalived's include glob on the real file system: braces first, then `* ? [..]` per path segment.
 * A match that is a directory gets a trailing '/', as GLOB_MARK does, so the reader can skip it.
 */
export function globFiles(pattern: string, cwd: string): string[] {
  const budget = { entries: READ_LIMITS.maxGlobEntries };
  const out: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    const absolute = isAbsolute(alternative) ? alternative : join(cwd, alternative);
    const matches = globOne(absolute, budget);
    out.push(...matches.sort());
  }
  return out;
}

function globOne(absolute: string, budget: { entries: number }): string[] {
  const segments = absolute.split('/').filter((s, i) => s !== '' || i === 0);
  let bases = ['/'];
  for (const segment of segments.slice(1)) {
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(segment)) {
        next.push(join(base, segment.replace(/\\(.)/g, '$1')));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      budget.entries -= names.length;
      if (budget.entries < 0) throw new Error(`glob looks at more than ${READ_LIMITS.maxGlobEntries} directory entries`);
      const re = segmentRegExp(segment);
      for (const name of names) if ((!name.startsWith('.') || segment.startsWith('.')) && re.test(name)) next.push(join(base, name));
    }
    bases = next;
  }
  const out: string[] = [];
  for (const path of bases) {
    try {
      out.push(statSync(path).isDirectory() ? `${path.replace(/\/$/, '')}/` : path);
    } catch {
      // A literal path that does not exist matches nothing, as glob() does.
    }
  }
  return out;
}

export const fileSystemSource: ConfigSource = {
  readFile: (path) => readConfigFile(path),
  glob: globFiles,
};
