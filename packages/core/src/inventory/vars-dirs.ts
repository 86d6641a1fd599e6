/**
 * group_vars/ and host_vars/: for a group or host NAME, the file `NAME`, `NAME.yml`, `NAME.yaml` or
 * `NAME.json`, or every YAML file inside the directory `NAME/` (sorted by name, later wins).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, Vars } from '../model.js';
import { describeNode, isMap, posOf, readYaml, rootOf, toJS, hasErrors } from '../playbook/yaml-source.js';
import { secretStrings } from '../vars/secret.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Read one vars file (group_vars, host_vars, vars_files, role vars and defaults); a file must hold a
 * mapping (or be empty). A vault-encrypted file is decrypted and its strings are secrets.
 */
export function readVarsFile(file: string, diagnostics: Diagnostic[], what = 'vars file'): Vars {
  const src = readYaml(file, undefined, what);
  diagnostics.push(...src.diagnostics);
  if (hasErrors(src)) return {};
  const root = rootOf(src);
  if (root === null) return {};
  const value = toJS(src, root);
  if (value === null) return {};
  if (!isMap(root)) {
    diagnostics.push({ severity: 'error', message: `${what} must hold a mapping of variables, got ${describeNode(root)}`, pos: posOf(src, root) });
    return {};
  }
  return (src.vaulted ? secretStrings(value) : value) as Vars;
}

/** Variables for `name` found in `<baseDir>/<kind>/`, or undefined when there is none. */
export function varsFromDir(baseDir: string, kind: 'group_vars' | 'host_vars', name: string, diagnostics: Diagnostic[]): Vars | undefined {
  const dir = join(baseDir, kind);
  if (!existsSync(dir)) return undefined;
  let found: Vars | undefined;
  for (const ext of EXTENSIONS) {
    const f = join(dir, name + ext);
    if (isFile(f)) found = { ...found, ...readVarsFile(f, diagnostics, `${kind} file`) };
  }
  const sub = join(dir, name);
  if (isDir(sub)) {
    for (const entry of readdirSync(sub).sort()) {
      if (!/\.(ya?ml|json)$/.test(entry) || entry.startsWith('.')) continue;
      const f = join(sub, entry);
      if (isFile(f)) found = { ...found, ...readVarsFile(f, diagnostics, `${kind} file`) };
    }
  }
  return found;
}

/** Names that group_vars/ or host_vars/ in `baseDir` hold files for (file names without extension, folders). */
export function namesInVarsDir(baseDir: string, kind: 'group_vars' | 'host_vars'): { name: string; path: string }[] {
  const dir = join(baseDir, kind);
  if (!isDir(dir)) return [];
  const out: { name: string; path: string }[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(dir, entry);
    if (isDir(path)) out.push({ name: entry, path });
    else if (isFile(path)) out.push({ name: entry.replace(/\.(ya?ml|json)$/, ''), path });
  }
  return out;
}
