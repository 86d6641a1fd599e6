/**
 * The pure parts of running a module an Ansible user ships as Python in `library/` (a role's, the
 * playbook's, or ANSIBLE_LIBRARY's): what kind of module the file is, the arguments file its
 * AnsibleModule reads, which of ansible's module_utils files it needs, and its JSON answer read back
 * as Ansible reads it (junk around the JSON; a module that printed no JSON).
 *
 * Facts from ansible-core (v2.14): AnsibleModule's `_load_params` reads `sys.argv[1]` as a file when
 * it is one (else stdin), a JSON document `{"ANSIBLE_MODULE_ARGS": {...}}` whose `_ansible_*` keys
 * are the options the action sets (`_update_module_args`); old-style modules marked `WANT_JSON` get
 * a file of their bare arguments as JSON, other old-style ones `key=value` words.
 */
import { posix } from 'node:path';

/** How the module reads its arguments. */
export type ModuleStyle = 'new' | 'want_json' | 'old';

/** The module's style from its text, as Ansible's module_common decides it. */
export function moduleStyle(text: string): ModuleStyle {
  if (/from\s+ansible\.module_utils[.\s]|import\s+ansible\.module_utils|from\s+ansible_collections\./.test(text)) return 'new';
  if (text.includes('WANT_JSON')) return 'want_json';
  return 'old';
}

/** The interpreter named by the file's `#!` line (`/usr/bin/env python3` gives `python3`), if any. */
export function shebangInterpreter(text: string): string | undefined {
  const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(text);
  if (!m) return undefined;
  return posix.basename(m[1]) === 'env' && m[2] ? m[2] : m[1];
}

/** Is it Python (a `.py` file, or a `#!` line naming python)? */
export function isPython(file: string, text: string): boolean {
  return file.endsWith('.py') || /python/.test(shebangInterpreter(text) ?? '');
}

/** What the action tells the module besides its arguments (the `_ansible_*` keys). */
export interface InternalOptions {
  check: boolean;
  diff: boolean;
  noLog: boolean;
  verbosity: number;
  moduleName: string;
  /** The task's temporary folder on the host. */
  tmpdir: string;
  /** The remote_tmp setting as written (`~/.ansible/tmp` by default). */
  remoteTmp: string;
  /** The controller's ansible-core version, or undefined. */
  version?: string;
}

/** The `_ansible_*` keys, with Ansible's default values for the settings this provisioner does not have. */
export function internalArgs(o: InternalOptions): Record<string, unknown> {
  return {
    _ansible_check_mode: o.check,
    _ansible_no_log: o.noLog,
    _ansible_debug: false,
    _ansible_diff: o.diff,
    _ansible_verbosity: o.verbosity,
    _ansible_version: o.version ?? '0.0',
    _ansible_module_name: o.moduleName,
    _ansible_syslog_facility: 'LOG_USER',
    _ansible_selinux_special_fs: ['fuse', 'nfs', 'vboxsf', 'ramfs', '9p', 'vfat'],
    _ansible_string_conversion_action: 'warn',
    _ansible_socket: null,
    _ansible_shell_executable: '/bin/sh',
    _ansible_keep_remote_files: false,
    _ansible_tmpdir: o.tmpdir,
    _ansible_remote_tmp: o.remoteTmp,
  };
}

/** Python's repr-free `key=value` quoting (shlex.quote) for old-style modules' arguments file. */
function shlexQuote(s: string): string {
  if (s === '') return "''";
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** The arguments file's text for a module of this style. */
export function argsFile(style: ModuleStyle, args: Record<string, unknown>, internal: Record<string, unknown>): string {
  switch (style) {
    case 'new':
      return JSON.stringify({ ANSIBLE_MODULE_ARGS: { ...args, ...internal } });
    case 'want_json':
      return JSON.stringify({ ...args, ...internal });
    case 'old':
      return Object.entries({ ...args, ...internal })
        .map(([k, v]) => `${k}=${shlexQuote(typeof v === 'string' ? v : JSON.stringify(v))}`)
        .join(' ');
  }
}

/**
 * ansible's `_filter_non_json_lines`: drops lines before the first one starting with `{` (or `[`
 * unless objectsOnly) and after the last one ending with the matching close; trailing junk that is
 * not blank gives a warning. Throws when there is no JSON start or end.
 */
export function filterNonJsonLines(data: string, objectsOnly = false): { json: string; warnings: string[] } {
  const lines = data.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let start = -1;
  let endChar = '}';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l.startsWith('{')) {
      start = i;
      endChar = '}';
      break;
    }
    if (!objectsOnly && l.startsWith('[')) {
      start = i;
      endChar = ']';
      break;
    }
  }
  if (start < 0) throw new Error('No start of json char found');
  const rest = lines.slice(start);
  let offset = -1;
  for (let i = 0; i < rest.length; i++) {
    if (rest[rest.length - 1 - i].trim().endsWith(endChar)) {
      offset = i;
      break;
    }
  }
  if (offset < 0) throw new Error('No end of json char found');
  const warnings: string[] = [];
  const junk = rest.slice(rest.length - offset);
  if (junk.some((l) => l.trim() !== '')) warnings.push(`Module invocation had junk after the JSON data: ${junk.join('\n')}`);
  return { json: rest.slice(0, rest.length - offset).join('\n'), warnings };
}

/** What ran on the host. */
export interface ModuleOutput {
  rc: number;
  stdout: string;
  stderr: string;
}

type Result = Record<string, unknown> & { changed: boolean };

/** Keys Ansible keeps to itself: never part of the registered result. */
function withoutInternal(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('_ansible_')));
}

/** Ansible's result shape from the module's JSON: `failed` a boolean, `changed` always, `*_lines` beside stdout/stderr. */
function shaped(data: Record<string, unknown>): Result {
  const out: Record<string, unknown> = { ...withoutInternal(data) };
  out.changed = Boolean(out.changed ?? false);
  if ('failed' in out) out.failed = Boolean(out.failed);
  if ('rc' in out && !('failed' in out) && Number(out.rc) !== 0) out.failed = true;
  if ('stdout' in out && !('stdout_lines' in out)) out.stdout_lines = String(out.stdout ?? '').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
  if ('stderr' in out && !('stderr_lines' in out)) out.stderr_lines = String(out.stderr ?? '').split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
  return out as Result;
}

/**
 * A module's answer when it ran in the task (Ansible's `_parse_returned_data`): leading junk is
 * dropped silently, trailing junk is a warning shown to the user (`displayWarnings`, not part of the
 * result), no JSON at all is "MODULE FAILURE" with the module's output.
 */
export function parseModuleOutput(out: ModuleOutput): { result: Result; displayWarnings: string[] } {
  try {
    const { json, warnings } = filterNonJsonLines(out.stdout, true);
    const data = JSON.parse(json) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
    return { result: shaped(data as Record<string, unknown>), displayWarnings: warnings };
  } catch {
    const result: Record<string, unknown> = { changed: false, failed: true, module_stdout: out.stdout, module_stderr: out.stderr };
    if (out.stderr.startsWith('Traceback')) result.exception = out.stderr;
    else if (out.stdout.startsWith('Traceback')) result.exception = out.stdout;
    result.msg = 'MODULE FAILURE\nSee stdout/stderr for the exact error';
    result.rc = out.rc;
    return { result: result as Result, displayWarnings: [] };
  }
}

/**
 * A module's answer when it ran as a background job (Ansible's async_wrapper): junk lines before the
 * JSON are dropped, junk after it is added to the result's `warnings`, the module's stderr (when
 * any) is the result's `stderr`; no JSON is a failure carrying the output and stderr.
 */
export function parseJobOutput(out: ModuleOutput, cmd: string): Result {
  try {
    const { json, warnings } = filterNonJsonLines(out.stdout);
    const data = JSON.parse(json) as Record<string, unknown>;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
    if (warnings.length) {
      const own = data.warnings;
      data.warnings = [...(Array.isArray(own) ? own : own === undefined ? [] : [own]), ...warnings];
    }
    if (out.stderr) data.stderr = out.stderr;
    return shaped(data);
  } catch (err) {
    return shaped({ failed: true, cmd, data: out.stdout, stderr: out.stderr, msg: `could not read the module's JSON output: ${(err as Error).message}` });
  }
}

/**
 * The ansible.module_utils modules a Python text imports, as dotted names under `ansible.module_utils`
 * (`basic`, `common.text.converters`, ...). `from ansible.module_utils.x import y` may name a module
 * `x.y` or a name in `x`: both are returned, the caller keeps what exists.
 */
export function moduleUtilsImports(text: string): string[] {
  const found = new Set<string>();
  const add = (dotted: string) => {
    const parts = dotted.split('.').filter(Boolean);
    if (parts.length) found.add(parts.join('.'));
  };
  const code = text.replace(/\\\n/g, ' ');
  for (const m of code.matchAll(/^[ \t]*from[ \t]+ansible\.module_utils((?:\.\w+)*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#]*))/gm)) {
    const base = m[1].slice(1);
    for (const name of (m[2] ?? m[3]).replace(/#[^\n]*/g, '').split(',')) {
      const n = name.trim().split(/\s+/)[0];
      if (!/^\w+$/.test(n)) continue;
      add(base ? `${base}.${n}` : n);
    }
    if (base) add(base);
  }
  for (const m of code.matchAll(/^[ \t]*import[ \t]+([^\n#]+)/gm)) {
    for (const part of m[1].split(',')) {
      const mod = /^ansible\.module_utils\.([\w.]+)/.exec(part.trim());
      if (mod) add(mod[1]);
    }
  }
  return [...found].sort();
}

/**
 * Relative imports inside a module_utils file at `self` (dotted, without `ansible.module_utils.`):
 * `from . import x`, `from .a import b`, `from ..c import d`, as dotted names under module_utils.
 */
export function relativeImports(text: string, self: string, isPackage: boolean): string[] {
  const pkg = self.split('.').filter(Boolean);
  if (!isPackage) pkg.pop();
  const out = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*from[ \t]+(\.+)([\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#]*))/gm)) {
    const up = m[1].length - 1;
    if (up > pkg.length) continue;
    const base = [...pkg.slice(0, pkg.length - up), ...m[2].split('.').filter(Boolean)];
    if (base.length) out.add(base.join('.'));
    for (const name of (m[3] ?? m[4]).replace(/#[^\n]*/g, '').split(',')) {
      const n = name.trim().split(/\s+/)[0];
      if (/^\w+$/.test(n)) out.add([...base, n].join('.'));
    }
  }
  return [...out];
}

/**
 * The module_utils files a module needs (relative paths under module_utils/, sorted): what it
 * imports, what those import (absolute or relative), and every package's `__init__.py` on the way.
 * `read(relPath)` returns a file's text or undefined when there is no such file (pure otherwise).
 */
export function selectModuleUtils(moduleText: string, read: (relPath: string) => string | undefined): string[] {
  const files = new Map<string, string>();
  const queue = [...moduleUtilsImports(moduleText)];
  const seen = new Set<string>();
  const addFile = (rel: string): string | undefined => {
    if (files.has(rel)) return files.get(rel);
    const text = read(rel);
    if (text !== undefined) files.set(rel, text);
    return text;
  };
  addFile('__init__.py');
  while (queue.length) {
    const dotted = queue.shift()!;
    if (seen.has(dotted)) continue;
    seen.add(dotted);
    const parts = dotted.split('.');
    // the packages on the way
    for (let i = 1; i < parts.length; i++) addFile(`${parts.slice(0, i).join('/')}/__init__.py`);
    const asModule = `${parts.join('/')}.py`;
    const asPackage = `${parts.join('/')}/__init__.py`;
    let text = addFile(asModule);
    let isPackage = false;
    if (text === undefined) {
      text = addFile(asPackage);
      isPackage = text !== undefined;
    }
    if (text === undefined) continue;
    queue.push(...moduleUtilsImports(text), ...relativeImports(text, dotted, isPackage));
  }
  // __init__ files of packages found along the way
  for (const rel of [...files.keys()]) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) addFile(`${parts.slice(0, i).join('/')}/__init__.py`);
  }
  return [...files.keys()].sort();
}
