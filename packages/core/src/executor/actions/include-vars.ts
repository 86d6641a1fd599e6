/**
 * `include_vars`, as ansible-core 2.14's action plugin reads its files: the search path of a file, the
 * root and walk of a directory (with its files_matching, ignore_files, extensions and depth rules),
 * `name` and `hash_behaviour`. The pure parts (where to look, which files, in which order) are
 * exported for table-driven tests; loadIncludedVars reads the files (vault-encrypted ones through the
 * loader's vault keyring) and says why it fails in Ansible's words.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join } from 'node:path';
import type { Diagnostic, Vars } from '../../model.js';
import { formatDiagnostic } from '../../model.js';
import { readVarsFile } from '../../inventory/vars-dirs.js';
import { isPlainObject } from '../../vars/secret.js';

export const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json'];

/** Where the task that includes is: its role (if any), its own file, and the playbook's folder. */
export interface IncludeOrigin {
  roleDir?: string;
  taskFile?: string;
  baseDir: string;
}

export interface IncludeVarsArgs {
  file?: string;
  dir?: string;
  name?: string;
  depth?: number;
  files_matching?: string;
  ignore_files?: string[] | string;
  extensions?: string[];
  ignore_unknown_extensions?: boolean;
  hash_behaviour?: 'replace' | 'merge';
}

/**
 * The candidates for a file, in Ansible's order (Task.get_search_path, then the loader's
 * path_dwim_relative_stack): the role, then the task's own folder, then the playbook's folder; in
 * each, `vars/<file>` first (unless the name already starts with `vars/`), then `<file>`.
 */
export function varsFileCandidates(file: string, origin: IncludeOrigin): string[] {
  if (isAbsolute(file)) return [file];
  const stack: string[] = [];
  if (origin.roleDir) stack.push(origin.roleDir);
  if (origin.taskFile && !stack.includes(dirname(origin.taskFile))) stack.push(dirname(origin.taskFile));
  const withVars = file.split('/')[0] !== 'vars';
  const out: string[] = [];
  for (const dir of [...stack, origin.baseDir]) {
    if (withVars) out.push(join(dir, 'vars', file));
    out.push(join(dir, file));
  }
  // Not deduplicated: Ansible lists (and tries) a folder twice when the task file sits in the playbook folder.
  return out;
}

/**
 * The folder `dir:` names: in a role, `<role>/vars/<dir>` (or `<role>/<dir>` when it starts with
 * `vars/` and exists); elsewhere next to the file the task is written in.
 */
export function varsDirRoot(dir: string, origin: IncludeOrigin): string {
  if (isAbsolute(dir) && !origin.roleDir) return dir;
  if (origin.roleDir) {
    if (dir.split('/')[0] === 'vars') {
      const inRole = join(origin.roleDir, dir);
      return existsSync(inRole) ? inRole : dir;
    }
    return join(origin.roleDir, 'vars', dir);
  }
  return join(origin.taskFile ? dirname(origin.taskFile) : origin.baseDir, dir);
}

/** A folder tree as os.walk lists it: each folder with its files (names only). */
export interface WalkEntry {
  dir: string;
  files: string[];
}

export function walkTree(root: string): WalkEntry[] {
  const out: WalkEntry[] = [];
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const n of names) {
      let st;
      try {
        st = statSync(join(dir, n));
      } catch {
        continue;
      }
      (st.isDirectory() ? dirs : files).push(n);
    }
    out.push({ dir, files });
    for (const d of dirs) visit(join(dir, d));
  };
  visit(root);
  return out;
}

/**
 * The files a `dir:` include reads, in order, from a walk of its root. As in Ansible 2.14: folders in
 * the string order of their paths, files sorted in each; `depth` counts the folders visited in that
 * order (not their nesting: depth 2 is the root and the first folder after it), 0 meaning all;
 * `files_matching` searches the file name, `ignore_files` are patterns anchored at the name's end.
 */
export function selectVarsFiles(walk: readonly WalkEntry[], args: Pick<IncludeVarsArgs, 'depth' | 'files_matching' | 'ignore_files'>): string[] {
  const depth = args.depth ?? 0;
  const matcher = args.files_matching ? pyRegex(args.files_matching) : undefined;
  const ignore = typeof args.ignore_files === 'string' ? args.ignore_files.split(/\s+/).filter(Boolean) : (args.ignore_files ?? []);
  const ignored = (name: string) =>
    ignore.some((p) => {
      try {
        return pyRegex(`${p}$`).test(name);
      } catch {
        throw new Error(`Invalid regular expression: ${p}`);
      }
    });
  const sorted = [...walk].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const out: string[] = [];
  for (const [i, entry] of sorted.entries()) {
    if (depth !== 0 && i + 1 > depth) break;
    for (const name of [...entry.files].sort()) {
      if (matcher && !matcher.test(name)) continue;
      if (ignored(name)) continue;
      out.push(join(entry.dir, name));
    }
  }
  return out;
}

/** A Python `re` pattern as a JS RegExp (the common subset: named groups are written alike). */
function pyRegex(pattern: string): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'));
}

/** Python's splitext: a name without an extension has '' as its extension, valid when '' is listed. */
function hasValidExtension(file: string, extensions: readonly string[]): boolean {
  return extensions.includes(extname(file).slice(1));
}

/** Python's recursive dict merge (combine_vars with merge=True): mappings merge, anything else replaces. */
export function mergeHashes(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const out: Vars = { ...(a as Vars) };
  for (const [k, v] of Object.entries(b as Vars)) out[k] = k in out ? mergeHashes(out[k], v) : v;
  return out;
}

export interface IncludedVars {
  failed: boolean;
  message?: string;
  vars: Vars;
  files: string[];
}

/** Reads one vars file: a mapping (or empty), else Ansible's reason. */
function readOne(file: string): { vars?: Vars; error?: string } {
  const diagnostics: Diagnostic[] = [];
  const vars = readVarsFile(file, diagnostics, 'include_vars file');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const notMap = errors.some((d) => d.message.includes('must hold a mapping'));
    return { error: notMap ? `${file} must be stored as a dictionary/hash` : errors.map(formatDiagnostic).join('; ') };
  }
  return { vars };
}

/** Reads what an include_vars task names; `current` gives the variables hash_behaviour merges into. */
export function loadIncludedVars(args: IncludeVarsArgs, origin: IncludeOrigin, current: Vars = {}): IncludedVars {
  const files: string[] = [];
  let vars: Vars = {};
  const fail = (message: string): IncludedVars => ({ failed: true, message, vars: {}, files });
  if (args.dir !== undefined) {
    const root = varsDirRoot(args.dir, origin);
    if (!existsSync(root)) return fail(`${root} directory does not exist`);
    if (!statSync(root).isDirectory()) return fail(`${root} is not a directory`);
    const extensions = args.extensions ?? DEFAULT_EXTENSIONS;
    let list: string[];
    try {
      list = selectVarsFiles(walkTree(root), args);
    } catch (err) {
      return fail((err as Error).message);
    }
    for (const file of list) {
      const valid = hasValidExtension(file, extensions);
      if (args.ignore_unknown_extensions && !valid) continue;
      if (!valid) return fail(`${file} does not have a valid extension: ${extensions.join(', ')}`);
      const r = readOne(file);
      if (r.error) return fail(r.error);
      files.push(file);
      vars = { ...vars, ...r.vars };
    }
  } else {
    const name = (args.file ?? '').replace(/\n+$/, '');
    // No name at all (a first_found with errors='ignore' that found nothing gives None): Ansible's words.
    if (name === '') return fail('Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option');
    const candidates = varsFileCandidates(name, origin);
    const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (!found) return fail(`Could not find or access '${name}'\nSearched in:\n${candidates.map((c) => `\t${c}`).join('\n')} on the Ansible Controller.`);
    const r = readOne(found);
    if (r.error) return fail(r.error);
    files.push(found);
    vars = { ...r.vars };
  }
  if (args.name) vars = { [args.name]: vars };
  // As in Ansible, the merge is over what the task returns (with `name`, that one variable).
  if (args.hash_behaviour === 'merge') {
    vars = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, mergeHashes(current[k], v)]));
  }
  return { failed: false, vars, files };
}
