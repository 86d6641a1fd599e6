/**
 * apt's one-line sources (/etc/apt/sources.list and sources.list.d/*.list) as Ansible's
 * apt_repository reads and writes them: every line parsed into (valid, enabled, source, comment), a
 * repository added by enabling the lines that already name it or appending it to a file named after
 * its host and path, removed by dropping every enabled line that names it, and each file written back
 * in the normalised form Ansible's dump() gives (`# ` before a disabled line, single spaces, ` # `
 * before a comment). Pure functions; the module reads the files and writes what changes.
 */
import type { Fact } from '@haweb/core';

export const SOURCES_LIST = '/etc/apt/sources.list';
export const SOURCES_PARTS = '/etc/apt/sources.list.d';
const VALID_SOURCE_TYPES = ['deb', 'deb-src'];

export interface SourceLine {
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

/** One line as Ansible's SourcesList._parse reads it. */
export function parseSourceLine(raw: string): SourceLine {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) {
    enabled = false;
    line = line.slice(1);
  }
  const hash = line.indexOf('#');
  if (hash > 0) {
    comment = line.slice(hash + 1).trim();
    line = line.slice(0, hash);
  }
  let source = line.trim();
  let valid = false;
  if (source) {
    const chunks = source.split(/\s+/);
    if (VALID_SOURCE_TYPES.includes(chunks[0])) {
      valid = true;
      source = chunks.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** The repository line as Ansible accepts it (valid and enabled), or an error naming it. */
export function parseRepoArgument(repo: string): { source: string } | { error: string } {
  const line = parseSourceLine(repo);
  if (!line.valid || !line.enabled) {
    let shown = repo.trim();
    if (shown.startsWith('#')) shown = shown.slice(1);
    const hash = shown.indexOf('#');
    return { error: `Invalid repository string: ${hash > 0 ? shown.slice(0, hash) : shown}` };
  }
  return { source: line.source };
}

export type SourcesFiles = Map<string, SourceLine[]>;

/** The files' text (path -> content) as parsed lines. */
export function parseSourcesFiles(files: ReadonlyMap<string, string>): SourcesFiles {
  const out: SourcesFiles = new Map();
  for (const [path, text] of files) {
    const lines = text.split('\n');
    // Python iterates lines: a final newline does not make an empty last line.
    if (lines[lines.length - 1] === '') lines.pop();
    out.set(path, lines.map(parseSourceLine));
  }
  return out;
}

function renderLine(l: SourceLine): string {
  return `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`;
}

/** Ansible's dump(): each file that still has lines, as it would be written. */
export function dumpSources(files: SourcesFiles): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, lines] of files) if (lines.length) out.set(path, lines.map(renderLine).join(''));
  return out;
}

/** The file a new repository goes to: `filename`.list, else its host and path joined with `_` (Ansible's _suggest_filename). */
export function suggestSourcesFilename(source: string, filename?: string): string {
  if (filename !== undefined) return `${filename}.list`;
  let line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p !== '' && !VALID_SOURCE_TYPES.includes(p));
  let first = parts[0] ?? '';
  if (first.includes('@')) first = first.slice(first.indexOf('@') + 1);
  line = first.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_');
  return `${line}.list`;
}

/** A relative file name lands in sources.list.d (Ansible's _expand_path). */
export function expandSourcesPath(file: string): string {
  return file.includes('/') ? file : `${SOURCES_PARTS}/${file}`;
}

function clone(files: SourcesFiles): SourcesFiles {
  return new Map([...files].map(([p, lines]) => [p, lines.map((l) => ({ ...l }))]));
}

/** Adds (or re-enables) a repository; returns the new lines and the files a line was appended to. */
export function addSource(files: SourcesFiles, source: string, file: string): { files: SourcesFiles; appendedTo?: string } {
  const next = clone(files);
  let found = false;
  for (const lines of next.values()) {
    for (const l of lines) {
      if (l.valid && l.source === source) {
        l.enabled = true;
        found = true;
      }
    }
  }
  if (found) return { files: next };
  const path = expandSourcesPath(file);
  const lines = next.get(path) ?? [];
  lines.push({ valid: true, enabled: true, source, comment: '' });
  next.set(path, lines);
  return { files: next, appendedTo: path };
}

/** Removes every enabled line naming the repository (disabled ones stay). */
export function removeSource(files: SourcesFiles, source: string): SourcesFiles {
  const next = clone(files);
  for (const [path, lines] of next) next.set(path, lines.filter((l) => !(l.valid && l.enabled && l.source === source)));
  return next;
}

export interface SourcesChange {
  path: string;
  /** undefined: remove the file. */
  content?: string;
  before?: string;
}

/**
 * What to write: each file whose dump differs from what is on disk (a file left with no line is
 * removed), when the dump as a whole changed; nothing otherwise.
 */
export function planSourcesChanges(onDisk: ReadonlyMap<string, string>, before: SourcesFiles, after: SourcesFiles): { changed: boolean; writes: SourcesChange[] } {
  const a = dumpSources(before);
  const b = dumpSources(after);
  const same = a.size === b.size && [...a].every(([p, t]) => b.get(p) === t);
  if (same) return { changed: false, writes: [] };
  const writes: SourcesChange[] = [];
  for (const path of new Set([...onDisk.keys(), ...b.keys()])) {
    const content = b.get(path);
    const disk = onDisk.get(path);
    if (content === undefined) {
      // Ansible's save() deletes a file left with no line at all (comments and blank lines count as lines).
      if (disk !== undefined) writes.push({ path, before: disk });
      continue;
    }
    if (content !== disk) writes.push({ path, content, before: disk });
  }
  return { changed: true, writes };
}

/** The script that prints every sources file (sources.list, then sources.list.d/*.list) for parseSourcesDump. */
export const SOURCES_DUMP_SCRIPT = [
  `for f in ${SOURCES_LIST} ${SOURCES_PARTS}/*.list; do`,
  '  [ -f "$f" ] || continue',
  '  printf "@@file %s\\n" "$f"',
  '  base64 -w0 < "$f"; echo',
  'done',
].join('\n');

/** Pure parser of SOURCES_DUMP_SCRIPT's output: path -> text. */
export function parseSourcesDump(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@file (.+)$/.exec(lines[i]);
    if (m) out.set(m[1], Buffer.from(lines[i + 1] ?? '', 'base64').toString('utf8'));
  }
  return out;
}

/** The fact: every one-line sources file, path -> text. */
export const aptSourcesFiles: Fact<Record<string, never>, Map<string, string>> = {
  name: 'apt.sources',
  command: () => SOURCES_DUMP_SCRIPT,
  parse: (stdout) => parseSourcesDump(stdout),
};
