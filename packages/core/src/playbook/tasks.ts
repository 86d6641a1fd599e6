/** Tasks, blocks and handlers: from YAML nodes to the model, with every problem named at its key. */
import type { ModuleRegistry } from '../contract/module.js';
import { formatDiagnostic } from '../model.js';
import type { Block, Diagnostic, EnvironmentEntry, Flag, Handler, ModuleDefaultsEntry, RoleInfo, SourcePos, Task, TaskCommon, TaskItem, Vars } from '../model.js';
import { argsFromString } from '../validate/args.js';
import { closest, didYouMean } from '../validate/suggest.js';
import { isPlainObject } from '../vars/secret.js';
import { BLOCK_KEYWORDS, HANDLER_KEYWORDS, LOOP_CONTROL_KEYS, RUN_AS_KEYWORDS, TASK_KEYWORDS, UNSUPPORTED_KEYWORDS, UNSUPPORTED_LOOP_CONTROL_KEYS } from './keywords.js';
import { setTaskPositions, walkTasks, type TaskPositions } from './positions.js';
import { LOOP_LOOKUPS } from '../executor/lookups.js';
import { parseKv, splitArgs } from './kv-args.js';
import { BECOME_METHODS } from '../executor/become.js';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isTemplate as isTemplateString } from '../templating/engine.js';
import { describeNode, displayPath, entries, isMap, isScalar, isSeq, posAt, posOf, readYaml, rootOf, toJS, type Node, type YamlSource, hasErrors } from './yaml-source.js';

/** import_role / include_role: the role's files other than main. */
export interface RoleFiles {
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
}

export interface TaskParseContext {
  src: YamlSource;
  diagnostics: Diagnostic[];
  registry?: ModuleRegistry;
  role?: RoleInfo;
  /** Absolute folder that `import_tasks` paths are relative to (the playbook's, or the role's tasks/). */
  dir?: string;
  /** Files being imported, to stop import cycles. */
  importing?: string[];
  /**
   * Loads a role for `import_role` / `include_role` and registers its handlers (and, for an import, its
   * defaults and vars) with the play. `dynamic`: read when the include runs, problems into `diagnostics`.
   */
  importRole?: (name: string, namePos: SourcePos, from: RoleFiles, options: RoleImportOptions & { dynamic?: boolean; diagnostics?: Diagnostic[] }) => ImportedRole | undefined;
  /**
   * The `collections` keyword in force (the play's, or a role's meta/main.yml for its own files):
   * searched in order for a short module name, as Ansible resolves the task's action when it loads it.
   */
  collections?: readonly string[];
  /** Whether a collection installed on the controller has this module (full name). */
  collectionHasModule?: (fqcn: string) => boolean;
}

/**
 * A short module name as the `collections` keyword resolves it: the first listed collection that has
 * the module (one this provisioner ships under that full name, or an installed collection's), else the
 * name as written (ansible.builtin and ansible.legacy come after the list, or where the list names them:
 * there a module this provisioner ships under the short name is theirs).
 */
export function resolveByCollections(ctx: Pick<TaskParseContext, 'collections' | 'collectionHasModule' | 'registry'>, name: string): string {
  if (!ctx.collections?.length || name.includes('.')) return name;
  for (const collection of ctx.collections) {
    if (collection === 'ansible.builtin' || collection === 'ansible.legacy') {
      if (ctx.registry?.get(name)) return name;
      continue;
    }
    const fqcn = `${collection}.${name}`;
    if (ctx.registry?.get(fqcn) || ctx.collectionHasModule?.(fqcn)) return fqcn;
  }
  return name;
}

/** A `collections` value as Ansible takes it: one name or a list of names (namespace.collection); undefined when it is not. */
export function collectionNames(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  return Array.isArray(list) && list.every((c) => typeof c === 'string' && /^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(c)) ? (list as string[]) : undefined;
}

/** The `collections` keyword's value: a list of collection names (namespace.collection), or an error. */
export function collectionsValue(ctx: TaskParseContext, node: Node | null, where: string): string[] | undefined {
  const v = toJS(ctx.src, node);
  const list = collectionNames(v);
  if (!list) error(ctx, `'collections' in ${where} must be a list of collection names (namespace.collection), got ${JSON.stringify(v)}`, posOf(ctx.src, node ?? undefined));
  return list;
}

/**
 * A block's or task's own `collections`: the context its short module names resolve in (the nearest
 * list wins, as Ansible's parent lookup: a task's own over its block's, a block's over the enclosing
 * block's or the play's). The entry is validated here; the keyword switches skip it.
 */
function withOwnCollections(ctx: TaskParseContext, node: Node, where: string): TaskParseContext {
  const entry = entries(node as never).find((e) => e.key === 'collections');
  if (!entry) return ctx;
  const list = collectionsValue(ctx, entry.value, where);
  return list === undefined ? ctx : { ...ctx, collections: list };
}

/**
 * `collections` where Ansible accepts it and nothing inherits it: on import_role / include_role and a
 * play's role entry (a role's tasks take only its meta/main.yml list), and on include_tasks (the
 * included tasks take the list of the blocks around the include). Validated, and said to have no
 * effect, since the author meant something by it.
 */
export function collectionsWithoutEffect(ctx: TaskParseContext, e: { key: string; keyNode: unknown; value: Node | null }, where: string, why: string): void {
  if (collectionsValue(ctx, e.value, where) === undefined) return;
  ctx.diagnostics.push({ severity: 'warning', message: `'collections' on ${where} has no effect (as in Ansible): ${why}`, pos: posOf(ctx.src, e.keyNode as Node) });
}

function error(ctx: TaskParseContext, message: string, pos: SourcePos): void {
  ctx.diagnostics.push({ severity: 'error', message, pos });
}

/** Keys Ansible reads as a loop on any task-like item. */
function isLoopKeyword(key: string): boolean {
  return key === 'loop' || key === 'loop_control' || /^with_[a-z0-9_]+$/.test(key);
}

function unknownKeyword(ctx: TaskParseContext, key: string, where: string, allowed: readonly string[], pos: SourcePos): void {
  const action = where.replace(/^ansible\.builtin\./, '');
  if (isLoopKeyword(key) && action === 'import_tasks') {
    // Ansible's own rule (and words): an import is static, it cannot loop.
    error(ctx, `'${key}': you cannot use loops on 'import_tasks' statements: use 'include_tasks' instead`, pos);
  } else if (key.startsWith('with_') && isLoopKeyword(key) && !allowed.includes(key)) {
    const supported = LOOP_LOOKUPS.map((n) => `with_${n}`).join(', ');
    error(ctx, `'${key}': the lookup '${key.slice(5)}' is not supported by this provisioner as a loop (supported: ${supported})`, pos);
  } else if (key === 'action') {
    error(ctx, `the 'action:' form is not supported by this provisioner: write the module as the ${where}'s key ('command: echo hi' for 'action: command echo hi')`, pos);
  } else if (UNSUPPORTED_KEYWORDS.has(key)) error(ctx, `keyword '${key}' in ${where} is not supported by this provisioner`, pos);
  else error(ctx, `unknown keyword '${key}' in ${where}${didYouMean(key, allowed)}`, pos);
}

/** A string or a list of strings (numbers accepted and turned into strings). */
export function stringList(ctx: TaskParseContext, node: Node | null, keyword: string, what = 'a string'): string[] {
  if (node === null) return [];
  const one = (n: Node | null): string | undefined => {
    const v = toJS(ctx.src, n);
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    error(ctx, `'${keyword}' must be ${what} or a list of them, got ${describeNode(n)}`, posOf(ctx.src, n));
    return undefined;
  };
  if (isSeq(node)) return node.items.map((n) => one(n as Node)).filter((s): s is string => s !== undefined);
  const s = one(node);
  return s === undefined ? [] : [s];
}

/** `tags`: a list, or one string with comma-separated tags. */
function tagList(ctx: TaskParseContext, node: Node | null): string[] {
  return stringList(ctx, node, 'tags', 'a tag').flatMap((t) => t.split(',').map((s) => s.trim()).filter(Boolean));
}

/** `when`, `changed_when`, `failed_when`: a string, a boolean or a list of them (all must hold). */
export function conditionList(ctx: TaskParseContext, node: Node | null, keyword: string): string[] {
  if (node === null) return [];
  const one = (n: Node | null): string | undefined => {
    const v = toJS(ctx.src, n);
    if (typeof v === 'string') {
      if (v.trim() === '') {
        error(ctx, `'${keyword}' must not be empty`, posOf(ctx.src, n));
        return undefined;
      }
      return v;
    }
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'number') return String(v);
    error(ctx, `'${keyword}' must be a string, a boolean or a list of them, got ${describeNode(n)}`, posOf(ctx.src, n));
    return undefined;
  };
  if (isSeq(node)) return node.items.map((n) => one(n as Node)).filter((s): s is string => s !== undefined);
  const s = one(node);
  return s === undefined ? [] : [s];
}

/** yes/no/true/false (YAML booleans, or the same words as strings). */
export function boolValue(ctx: TaskParseContext, node: Node | null, keyword: string): boolean | undefined {
  const v = toJS(ctx.src, node);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['yes', 'true', 'on', '1'].includes(s)) return true;
    if (['no', 'false', 'off', '0'].includes(s)) return false;
    if (isTemplateString(v)) {
      error(ctx, `a templated '${keyword}' is not supported by this provisioner: write yes or no`, posOf(ctx.src, node));
      return undefined;
    }
  }
  error(ctx, `'${keyword}' must be a boolean (yes/no, true/false), got ${describeNode(node)}`, posOf(ctx.src, node));
  return undefined;
}

/**
 * A boolean keyword Ansible templates: yes/no/true/false, or a template (`"{{ debug | bool }}"`) kept
 * as written and rendered per host at run time.
 */
export function flagValue(ctx: TaskParseContext, node: Node | null, keyword: string): Flag | undefined {
  const v = toJS(ctx.src, node);
  if (typeof v === 'string' && isTemplateString(v)) return v;
  if (typeof v === 'string' && v.trim() === '') {
    error(ctx, `'${keyword}' must be a boolean (yes/no, true/false) or a template, got an empty string`, posOf(ctx.src, node));
    return undefined;
  }
  if (typeof v === 'boolean' || typeof v === 'string') {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['yes', 'true', 'on', '1', 'y', 't'].includes(s)) return true;
    if (['no', 'false', 'off', '0', 'n', 'f'].includes(s)) return false;
  }
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  error(ctx, `'${keyword}' must be a boolean (yes/no, true/false) or a template, got ${describeNode(node)}`, posOf(ctx.src, node));
  return undefined;
}

/** The boolean keywords a task, a block and an import carry alike, by their written name. */
export const FLAG_KEYWORDS = {
  become: 'become',
  ignore_errors: 'ignoreErrors',
  no_log: 'noLog',
  check_mode: 'checkMode',
  diff: 'diff',
  any_errors_fatal: 'anyErrorsFatal',
  run_once: 'runOnce',
  delegate_facts: 'delegateFacts',
} as const satisfies Record<string, keyof TaskCommon>;

function setFlag(ctx: TaskParseContext, item: TaskCommon, key: keyof typeof FLAG_KEYWORDS, node: Node | null): void {
  const v = flagValue(ctx, node, key);
  if (v !== undefined) item[FLAG_KEYWORDS[key]] = v;
}

function isFlagKeyword(key: string): key is keyof typeof FLAG_KEYWORDS {
  return Object.hasOwn(FLAG_KEYWORDS, key);
}

/** Connection plugins this provisioner has: `smart` and `paramiko` are Ansible's other names for SSH. */
export const CONNECTION_TYPES = ['ssh', 'smart', 'paramiko', 'local'] as const;

/** `connection:` a connection type we implement, or a template rendered per host. */
export function connectionValue(ctx: TaskParseContext, node: Node | null): string | undefined {
  const v = toJS(ctx.src, node);
  if (typeof v === 'string' && (isTemplateString(v) || CONNECTION_TYPES.includes(v.trim() as never))) return v.trim();
  const shown = typeof v === 'string' ? `'${v}'` : describeNode(node);
  error(ctx, `connection ${shown} is not supported by this provisioner (supported: ssh, local)${typeof v === 'string' ? didYouMean(v, CONNECTION_TYPES) : ''}`, posOf(ctx.src, node));
  return undefined;
}

/** `delegate_to:` a host name, an address or a template (rendered with the task's own host's variables). */
function delegateValue(ctx: TaskParseContext, node: Node | null): string | undefined {
  const v = toJS(ctx.src, node);
  if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return String(v).trim();
  error(ctx, `'delegate_to' must be a host name, an address or a template, got ${typeof v === 'string' ? 'an empty string' : describeNode(node)}`, posOf(ctx.src, node));
  return undefined;
}

/**
 * `local_action:` Ansible's shorthand for the module with `delegate_to: localhost`: either one string,
 * the module name then its arguments (`copy src=a dest=b`), or a mapping with `module:` and the arguments.
 */
function localAction(ctx: TaskParseContext, node: Node | null, positions: TaskPositions, keyword = 'local_action'): { module: string; args: Vars | string } | undefined {
  const at = posOf(ctx.src, node);
  if (isMap(node)) {
    const moduleEntry = entries(node).find((e) => e.key === 'module');
    const name = moduleEntry ? toJS(ctx.src, moduleEntry.value) : undefined;
    if (typeof name !== 'string' || name.trim() === '') {
      error(ctx, `'${keyword}' as a mapping needs 'module:' naming the module`, moduleEntry ? posOf(ctx.src, moduleEntry.value) : at);
      return undefined;
    }
    positions.module = posOf(ctx.src, moduleEntry!.value);
    const args: Vars = {};
    for (const e of entries(node)) {
      if (e.key === 'module') continue;
      positions.argKeys[e.key] = posOf(ctx.src, e.keyNode);
      positions.argValues[e.key] = posOf(ctx.src, e.value ?? e.keyNode);
      args[e.key] = toJS(ctx.src, e.value);
    }
    return { module: name.trim(), args };
  }
  const v = toJS(ctx.src, node);
  if (typeof v === 'string' && v.trim() !== '') {
    // The first word is the module's name; a template stays one word (`"{{ pkg_mgr }} name=x"`).
    const text = v.trim();
    let name: string;
    try {
      name = splitArgs(text)[0]?.trim() || text;
    } catch (e) {
      error(ctx, `'${keyword}': ${(e as Error).message}`, at);
      return undefined;
    }
    const rest = text.startsWith(name) ? text.slice(name.length) : text.replace(/^\S+/, '');
    positions.module = at;
    if (node) kvPositions(ctx, node, positions);
    return { module: name, args: rest.trim() === '' ? {} : rest.trim() };
  }
  error(ctx, `'${keyword}' must be a module with its arguments ('copy src=a dest=b') or a mapping with 'module:', got ${typeof v === 'string' ? 'an empty string' : describeNode(node)}`, at);
  return undefined;
}

/**
 * remote_user, become_user, become_method, become_flags, become_exe: a string (a user name may be
 * written as a number) or a template rendered per host. A literal become_method must be one we have.
 */
export function setRunAs(ctx: TaskParseContext, item: { runAs?: TaskCommon['runAs'] }, key: keyof typeof RUN_AS_KEYWORDS, node: Node | null): void {
  const v = toJS(ctx.src, node);
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || (text.trim() === '' && key !== 'become_flags')) {
    const got = typeof text === 'string' ? 'an empty string' : describeNode(node);
    error(ctx, `'${key}' must be a ${key === 'become_flags' ? 'string' : 'non-empty string'} or a template, got ${got}`, posOf(ctx.src, node));
    return;
  }
  if (key === 'become_method' && !isTemplateString(text) && !(BECOME_METHODS as readonly string[]).includes(text)) {
    error(ctx, `become_method '${text}' is not supported by this provisioner (supported: ${BECOME_METHODS.join(', ')})`, posOf(ctx.src, node));
    return;
  }
  item.runAs = { ...item.runAs, [RUN_AS_KEYWORDS[key]]: text };
}

export function isRunAsKeyword(key: string): key is keyof typeof RUN_AS_KEYWORDS {
  return Object.hasOwn(RUN_AS_KEYWORDS, key);
}

/** throttle: a whole number of hosts (0 means no limit, as in Ansible). */
function throttleValue(ctx: TaskParseContext, node: Node | null): number | undefined {
  const v = toJS(ctx.src, node);
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  error(ctx, `'throttle' must be a whole number of hosts, got ${describeNode(node)}`, posOf(ctx.src, node));
  return undefined;
}

/** A whole number, or a template giving one at run time (`retries: "{{ tries }}"`). */
export function countValue(ctx: TaskParseContext, node: Node | null, keyword: string): number | string | undefined {
  const v = toJS(ctx.src, node);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  if (typeof v === 'string' && isTemplateString(v)) return v;
  error(ctx, `'${keyword}' must be a whole number or a template, got ${describeNode(node)}`, posOf(ctx.src, node));
  return undefined;
}

/** `environment:` a mapping, a template giving one, or a list of those (Ansible accepts all three). */
export function environmentValue(ctx: TaskParseContext, node: Node | null): EnvironmentEntry[] | undefined {
  const v = toJS(ctx.src, node);
  if (v === null || v === undefined) return undefined;
  const entries = Array.isArray(v) ? v : [v];
  const out: EnvironmentEntry[] = [];
  for (const entry of entries) {
    if (isPlainObject(entry)) out.push(entry);
    else if (typeof entry === 'string' && isTemplateString(entry)) out.push(entry);
    else {
      error(ctx, `'environment' must be a mapping of variable names to values, or a template giving one, got ${describeNode(node)}`, posOf(ctx.src, node));
      return undefined;
    }
  }
  return out;
}

/**
 * `module_defaults:` a mapping of module names to default arguments, or a list of such mappings (as
 * Ansible accepts). Keys are static names (short, FQCN, alias); each value is a mapping or a template
 * giving one. Action groups (`group/...`) are refused: modules here belong to no action group.
 */
export function moduleDefaultsValue(ctx: TaskParseContext, node: Node | null): ModuleDefaultsEntry[] | undefined {
  if (node === null || toJS(ctx.src, node) === null) return undefined;
  const maps = isSeq(node) ? (node.items as Node[]) : [node];
  const out: ModuleDefaultsEntry[] = [];
  for (const m of maps) {
    if (!isMap(m)) {
      error(ctx, `'module_defaults' must be a mapping of module names to their default arguments, or a list of such mappings, got ${describeNode(m)}`, posOf(ctx.src, m));
      return undefined;
    }
    const entry: ModuleDefaultsEntry = { defaults: {}, keyPos: {} };
    for (const e of entries(m)) {
      const at = posOf(ctx.src, e.keyNode);
      if (e.key.startsWith('group/')) {
        error(ctx, `module_defaults for the action group '${e.key}' are not supported by this provisioner (its modules belong to no action group): write the defaults under each module's name`, at);
        continue;
      }
      if (isTemplateString(e.key)) {
        error(ctx, `a module_defaults key must be a module name, not a template ('${e.key}'); only the values may be templates`, at);
        continue;
      }
      const v = toJS(ctx.src, e.value);
      if (v === null) continue;
      if (!isPlainObject(v) && !(typeof v === 'string' && isTemplateString(v))) {
        error(ctx, `module_defaults for '${e.key}' must be a mapping of the module's arguments or a template giving one, got ${describeNode(e.value)}`, posOf(ctx.src, e.value ?? e.keyNode));
        continue;
      }
      entry.defaults[e.key] = v as Vars | string;
      entry.keyPos[e.key] = at;
    }
    out.push(entry);
  }
  return out;
}

export function varsMapping(ctx: TaskParseContext, node: Node | null, keyword: string): Vars {
  if (node === null) return {};
  const v = toJS(ctx.src, node);
  if (v === null) return {};
  if (!isMap(node) || !isPlainObject(v)) {
    error(ctx, `'${keyword}' must be a mapping of variables, got ${describeNode(node)}`, posOf(ctx.src, node));
    return {};
  }
  for (const e of entries(node)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key)) {
      error(ctx, `invalid variable name '${e.key}' in '${keyword}' (use letters, digits and _; not starting with a digit)`, posOf(ctx.src, e.keyNode));
    }
  }
  return v;
}

/** A list of tasks (or handlers) under `keyword`. */
export function taskList(ctx: TaskParseContext, node: Node | null, keyword: string, kind: 'task' | 'handler'): TaskItem[] {
  if (node === null) return [];
  if (!isSeq(node)) {
    if (toJS(ctx.src, node) === null) return [];
    error(ctx, `'${keyword}' must be a list of ${kind}s, got ${describeNode(node)}`, posOf(ctx.src, node));
    return [];
  }
  const out: TaskItem[] = [];
  for (const item of node.items) {
    const parsed = parseTaskItem(ctx, item as Node, kind);
    if (parsed) out.push(parsed);
  }
  return out;
}

export function handlerList(ctx: TaskParseContext, node: Node | null, keyword: string): Handler[] {
  const items = taskList(ctx, node, keyword, 'handler');
  const out: Handler[] = [];
  for (const item of items) {
    if (item.kind === 'task') out.push(item as Handler);
    else if (handlerImports.has(item)) out.push(...importedHandlers(item));
    else error(ctx, `handlers cannot be blocks`, item.pos);
  }
  return out;
}

/** The handlers of an `import_tasks` in a handlers list, each carrying the import's keywords. */
function importedHandlers(imp: Block): Handler[] {
  const out: Handler[] = [];
  for (const item of imp.block) {
    if (item.kind === 'block' && handlerImports.has(item)) {
      out.push(...importedHandlers({ ...item, when: [...imp.when, ...item.when], vars: { ...imp.vars, ...item.vars }, moduleDefaults: [...(imp.moduleDefaults ?? []), ...(item.moduleDefaults ?? [])] }));
      continue;
    }
    if (item.kind !== 'task') continue;
    const h = item as Handler;
    h.when = [...imp.when, ...h.when];
    h.vars = { ...imp.vars, ...h.vars };
    for (const key of Object.values(FLAG_KEYWORDS)) if (h[key] === undefined && imp[key] !== undefined) h[key] = imp[key];
    if (imp.environment) h.environment = [...imp.environment, ...(h.environment ?? [])];
    if (imp.moduleDefaults) h.moduleDefaults = [...imp.moduleDefaults, ...(h.moduleDefaults ?? [])];
    out.push(h);
  }
  return out;
}

function parseTaskItem(ctx: TaskParseContext, node: Node, kind: 'task' | 'handler'): TaskItem | undefined {
  const pos = posOf(ctx.src, node);
  if (!isMap(node)) {
    error(ctx, `a ${kind} must be a mapping, got ${describeNode(node)}`, pos);
    return undefined;
  }
  const keys = entries(node);
  if (kind === 'task' && keys.some((e) => e.key === 'block')) return parseBlock(ctx, node, pos);
  if (keys.some((e) => IMPORT_KEYS.includes(e.key) || LEGACY_INCLUDE_KEYS.includes(e.key))) return parseImport(ctx, node, pos, kind);
  if (kind === 'task' && keys.some((e) => ROLE_IMPORT_KEYS.includes(e.key))) return parseRoleImport(ctx, node, pos);
  return parseTask(ctx, node, pos, kind);
}

const ROLE_FROM_KEYS: Record<string, keyof RoleFiles> = { tasks_from: 'tasksFrom', vars_from: 'varsFrom', defaults_from: 'defaultsFrom', handlers_from: 'handlersFrom' };
const ROLE_IMPORT_KEYS = ['import_role', 'include_role', 'ansible.builtin.import_role', 'ansible.builtin.include_role'];
const ROLE_IMPORT_KEYWORDS = [...ROLE_IMPORT_KEYS, 'collections', 'module_defaults', 'name', 'when', 'tags', 'vars', 'become', 'ignore_errors', 'no_log', 'check_mode', 'diff', 'environment', 'any_errors_fatal', 'throttle', 'run_once', 'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'timeout'];

/** How an import_role / include_role asks for its role (besides the name and the *_from files). */
export interface RoleImportOptions {
  /** include_role (else import_role). */
  include: boolean;
  /** include_role `public: yes`: its defaults and vars reach the tasks after it. */
  public: boolean;
  /** `allow_duplicates` (default true): false skips a role already included with the same files and vars. */
  allowDuplicates: boolean;
  /** The include's `vars:` (Ansible makes them role vars: part of the key and of what is exported). */
  vars: Vars;
}

/** What the play gives back for an import_role / include_role. */
export interface ImportedRole {
  info: RoleInfo;
  tasks: TaskItem[];
  /** include_role `public: yes`: the defaults and vars the play sees once the include runs. */
  exports?: { defaults: Vars; vars: Vars };
  /** Handlers of the role (a role loaded when the include runs cannot add them to the play). */
  handlerCount: number;
}

/**
 * `import_role: {name: web}` and `include_role`: the role's tasks as a block; its handlers join the
 * play's. A plain name is read when the playbook is loaded (import_role's defaults and vars are the
 * play's from the start, as Ansible's; include_role's only with `public: yes`, once it runs); a
 * templated include_role name is rendered per host when the include runs (DynamicInclude).
 */
function parseRoleImport(ctx: TaskParseContext, node: Node, pos: SourcePos): Block | undefined {
  const block: Block = { kind: 'block', pos, when: [], tags: [], vars: {}, block: [], rescue: [], always: [] };
  let roleName: string | undefined;
  let namePos = pos;
  let action = 'import_role';
  const from: RoleFiles = {};
  const options = { public: false, allowDuplicates: true };
  for (const e of entries(node as never)) {
    const at = posOf(ctx.src, e.keyNode);
    if (ROLE_IMPORT_KEYS.includes(e.key)) {
      action = e.key.replace(/^ansible\.builtin\./, '');
      if (!isMap(e.value)) {
        error(ctx, `'${e.key}' must be a mapping with 'name: <role>', got ${describeNode(e.value)}`, posOf(ctx.src, e.value ?? e.keyNode));
        continue;
      }
      for (const r of entries(e.value)) {
        const v = toJS(ctx.src, r.value);
        const fromKey = ROLE_FROM_KEYS[r.key];
        const include = action === 'include_role';
        if ((r.key === 'name' || r.key === 'role') && typeof v === 'string' && v.trim() !== '' && (include || !isTemplateString(v))) {
          roleName = v;
          namePos = posOf(ctx.src, r.value);
        } else if (r.key === 'name' || r.key === 'role') {
          const why = typeof v === 'string' && isTemplateString(v) ? ' (import_role reads its role when the playbook is loaded: use include_role for a templated name)' : '';
          error(ctx, `'${r.key}' of '${e.key}' must be a role name, got ${describeNode(r.value)}${why}`, posOf(ctx.src, r.value));
        } else if (fromKey && typeof v === 'string' && v.trim() !== '' && !isTemplateString(v)) from[fromKey] = v;
        else if (fromKey) error(ctx, `'${r.key}' of '${e.key}' must be a file name of the role (not a template), got ${describeNode(r.value)}`, posOf(ctx.src, r.value));
        else if (r.key === 'allow_duplicates') {
          const b = boolValue(ctx, r.value, 'allow_duplicates');
          if (b !== undefined) options.allowDuplicates = b;
        } else if (r.key === 'public' && !include) {
          // Ansible's own refusal: an import is always public (its vars and defaults are the play's).
          error(ctx, `Invalid options for ${action}: public (an imported role's vars and defaults are always the play's)`, posOf(ctx.src, r.keyNode));
        } else if (r.key === 'public') {
          const b = boolValue(ctx, r.value, 'public');
          if (b !== undefined) options.public = b;
        } else error(ctx, `'${r.key}' of '${e.key}' is not supported (supported: name, ${Object.keys(ROLE_FROM_KEYS).join(', ')}, allow_duplicates${include ? ', public' : ''})`, posOf(ctx.src, r.keyNode));
      }
      continue;
    }
    if (e.key === 'collections') {
      collectionsWithoutEffect(ctx, e, action, `the role's tasks resolve short names with its meta/main.yml 'collections' only`);
      continue;
    }
    if (!importBlockKeyword(ctx, block, e)) unknownKeyword(ctx, e.key, action, ROLE_IMPORT_KEYWORDS, at);
  }
  if (roleName === undefined) return undefined;
  if (!ctx.importRole) {
    error(ctx, `${action} is only supported in a play's task lists`, namePos);
    return undefined;
  }
  const request: RoleImportOptions = { include: action === 'include_role', public: options.public, allowDuplicates: options.allowDuplicates, vars: block.vars };
  if (isTemplateString(roleName)) return dynamicRoleInclude(ctx, block, roleName, namePos, from, request);
  const role = ctx.importRole(roleName, namePos, from, request);
  if (!role) return undefined;
  block.name ??= `role ${role.info.name}`;
  block.role = role.info;
  block.block = role.tasks;
  if (role.exports) block.exports = role.exports;
  inheritIntoChildren(block);
  return block;
}

/**
 * include_role with a templated name: rendered per host when the include runs, the role read then
 * (once per name). Its handlers cannot join the play's by then: such a role is refused when it has any.
 */
function dynamicRoleInclude(ctx: TaskParseContext, block: Block, name: string, namePos: SourcePos, from: RoleFiles, request: RoleImportOptions): Block {
  const importRole = ctx.importRole!;
  block.name ??= 'include_role';
  block.include = {
    file: name,
    action: 'include_role',
    load: (rendered) => {
      const diagnostics: Diagnostic[] = [];
      const role = importRole(rendered, namePos, from, { ...request, dynamic: true, diagnostics });
      const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
      if (role && role.handlerCount > 0) {
        errors.push(`role '${rendered}' has handlers, which a role included by a templated name cannot add to the play here: name the role, or move its handlers to the play`);
      }
      if (!role || errors.length > 0) return { items: [], errors: errors.length > 0 ? errors : [`role '${rendered}' could not be loaded`] };
      const body: Block = { kind: 'block', pos: block.pos, name: `role ${role.info.name}`, when: [], tags: [], vars: {}, block: role.tasks, rescue: [], always: [], role: role.info };
      if (role.exports) body.exports = role.exports;
      return { items: [body], errors: [] };
    },
  };
  return block;
}

/**
 * The keywords an import (import_role, import_tasks) carries onto the block it becomes: name, when,
 * tags, vars, become. Returns false for any other key, which the caller reports.
 */
function importBlockKeyword(ctx: TaskParseContext, block: Block, e: { key: string; value: Node | null }): boolean {
  switch (e.key) {
    case 'name': {
      const v = toJS(ctx.src, e.value);
      if (typeof v === 'string') block.name = v;
      return true;
    }
    case 'when':
      block.when = conditionList(ctx, e.value, 'when');
      return true;
    case 'tags':
      block.tags = tagList(ctx, e.value);
      return true;
    case 'vars':
      block.vars = varsMapping(ctx, e.value, 'vars');
      return true;
    case 'environment': {
      const env = environmentValue(ctx, e.value);
      if (env) block.environment = env;
      return true;
    }
    case 'throttle': {
      const n = throttleValue(ctx, e.value);
      if (n !== undefined) block.throttle = n;
      return true;
    }
    case 'timeout': {
      const v = countValue(ctx, e.value, 'timeout');
      if (v !== undefined) block.timeout = v;
      return true;
    }
    case 'connection': {
      const c = connectionValue(ctx, e.value);
      if (c !== undefined) block.connection = c;
      return true;
    }
    case 'delegate_to': {
      const d = delegateValue(ctx, e.value);
      if (d !== undefined) block.delegateTo = d;
      return true;
    }
    case 'module_defaults': {
      const md = moduleDefaultsValue(ctx, e.value);
      if (md) block.moduleDefaults = md;
      return true;
    }
    default:
      if (isRunAsKeyword(e.key)) {
        setRunAs(ctx, block, e.key, e.value);
        return true;
      }
      if (!isFlagKeyword(e.key)) return false;
      setFlag(ctx, block, e.key, e.value);
      return true;
  }
}

const IMPORT_KEYS = ['import_tasks', 'include_tasks', 'ansible.builtin.import_tasks', 'ansible.builtin.include_tasks'];
const IMPORT_KEYWORDS = [...IMPORT_KEYS, 'collections', 'module_defaults', 'name', 'when', 'tags', 'vars', 'become', 'ignore_errors', 'no_log', 'check_mode', 'diff', 'environment', 'any_errors_fatal', 'throttle', 'run_once', 'connection', 'delegate_to', 'delegate_facts', 'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'timeout'];

/** The legacy `include` (deprecated in 2.14, removed in 2.16): read as import_tasks or include_tasks. */
const LEGACY_INCLUDE_KEYS = ['include', 'ansible.builtin.include', 'ansible.legacy.include'];

/**
 * A legacy `include: file.yml a=1 b=2` (or a mapping with `file`/`_raw_params`): its file, and its
 * other arguments, which Ansible gives the included tasks as variables (include params).
 */
function legacyIncludeTarget(ctx: TaskParseContext, key: string, node: Node | null): { file?: string; params: Vars; pos: SourcePos } {
  const pos = posOf(ctx.src, node);
  const v = toJS(ctx.src, node);
  let args: Vars;
  if (typeof v === 'string') {
    try {
      args = parseKv(v);
    } catch (e) {
      error(ctx, `'${key}': cannot read the arguments: ${(e as Error).message}`, pos);
      return { params: {}, pos };
    }
  } else if (isPlainObject(v)) args = { ...v };
  else {
    error(ctx, `'${key}' must be a file name, got ${describeNode(node)}`, pos);
    return { params: {}, pos };
  }
  const { _raw_params: raw, file, ...params } = args;
  const name = raw ?? file;
  if (typeof name !== 'string' || name.trim() === '') {
    error(ctx, `'${key}' needs a file name`, pos);
    return { params, pos };
  }
  return { file: name, params, pos };
}

/** Handlers that came from `import_tasks` in a handlers list: handlerList flattens them. */
const handlerImports = new WeakSet<Block>();

/** What an import or include names: its file, and for include_tasks the `apply:` keywords. */
function importTarget(ctx: TaskParseContext, key: string, node: Node | null): { file?: string; apply?: Block; pos: SourcePos } {
  const pos = posOf(ctx.src, node);
  const include = key.endsWith('include_tasks');
  const fileOf = (n: Node | null, where: string): string | undefined => {
    const v = toJS(ctx.src, n);
    if (typeof v === 'string' && v.trim() !== '') return v;
    error(ctx, `${where} must be a file name, got ${describeNode(n)}`, posOf(ctx.src, n));
    return undefined;
  };
  if (!isMap(node)) {
    const file = fileOf(node, `'${key}'`);
    // `include_tasks: file=x.yml` (k=v, as Ansible's parse_kv reads it): only `file` (or a bare name).
    if (file !== undefined && /(^|\s)file=/.test(file)) {
      const kv = parseKv(file);
      const other = Object.keys(kv).filter((k) => k !== 'file');
      if (other.length > 0) {
        error(ctx, `'${key}' takes only a file name (or file=NAME), got ${other.map((k) => (k === '_raw_params' ? `'${kv[k]}'` : `'${k}='`)).join(', ')}`, pos);
        return { pos };
      }
      return { file: kv.file, pos };
    }
    return { file, pos };
  }
  const out: { file?: string; apply?: Block; pos: SourcePos } = { pos };
  for (const e of entries(node)) {
    if (e.key === 'file' || e.key === '_raw_params') {
      out.file = fileOf(e.value, `'file' of '${key}'`);
      out.pos = posOf(ctx.src, e.value ?? e.keyNode);
    } else if (e.key === 'apply' && include) {
      if (!isMap(e.value)) {
        error(ctx, `'apply' must be a mapping of keywords, got ${describeNode(e.value)}`, posOf(ctx.src, e.value ?? e.keyNode));
        continue;
      }
      const apply: Block = { kind: 'block', pos: posOf(ctx.src, e.value), when: [], tags: [], vars: {}, block: [], rescue: [], always: [] };
      for (const a of entries(e.value)) {
        if (a.key === 'name' || !importBlockKeyword(ctx, apply, a)) unknownKeyword(ctx, a.key, `'apply' of '${key}'`, APPLY_KEYWORDS, posOf(ctx.src, a.keyNode));
      }
      out.apply = apply;
    } else {
      const allowed = include ? ['file', 'apply'] : ['file'];
      error(ctx, `'${e.key}' of '${key}' is not supported (only ${allowed.map((k) => `'${k}'`).join(' and ')})${didYouMean(e.key, allowed)}`, posOf(ctx.src, e.keyNode));
    }
  }
  if (out.file === undefined) error(ctx, `'${key}' needs a 'file'`, pos);
  return out;
}

const APPLY_KEYWORDS = ['when', 'tags', 'vars', 'become', 'ignore_errors', 'no_log', 'check_mode', 'diff', 'environment', 'any_errors_fatal', 'throttle', 'run_once', 'connection', 'delegate_to', 'delegate_facts', 'remote_user', 'become_user', 'become_method', 'become_flags', 'become_exe', 'timeout'];

/** Reads a tasks file for an import or include: its items, or undefined after reporting why not. */
function readTaskFile(ctx: TaskParseContext, file: string, filePos: SourcePos, kind: 'task' | 'handler'): TaskItem[] | undefined {
  let path = isAbsolute(file) ? file : resolve(ctx.dir ?? process.cwd(), file);
  // In a role, Ansible (path_dwim_relative) also looks in the role's tasks/ and the role's own folder:
  // a handler's `include_tasks: tasks/restart.yml` is the role's tasks/restart.yml.
  if (!isAbsolute(file) && !existsSync(path) && ctx.role) {
    path = [join(ctx.role.path, 'tasks', file), join(ctx.role.path, file)].find((p) => existsSync(p)) ?? path;
  }
  const importing = ctx.importing ?? [];
  if (importing.includes(path)) {
    error(ctx, `import cycle: ${[...importing, path].map(displayPath).join(' -> ')}`, filePos);
    return undefined;
  }
  if (!existsSync(path)) {
    error(ctx, `cannot import tasks from '${file}': no file ${displayPath(path)}`, filePos);
    return undefined;
  }
  const src = readYaml(path, filePos, 'tasks file');
  ctx.diagnostics.push(...src.diagnostics);
  if (hasErrors(src)) return undefined;
  const sub: TaskParseContext = { ...ctx, src, dir: dirname(path), importing: [...importing, path] };
  return taskList(sub, rootOf(src), file, kind);
}

/**
 * On include_tasks, Ansible applies delegate_to, delegate_facts and connection to the include itself,
 * not to the tasks it includes: rather than run them somewhere the author did not mean, say where
 * they belong.
 */
function refuseIncludeDelegation(ctx: TaskParseContext, node: Node, key: string): void {
  for (const e of entries(node as never)) {
    if (e.key === 'delegate_to' || e.key === 'delegate_facts' || e.key === 'connection') {
      error(ctx, `'${e.key}' on '${key}' applies only to the include itself in Ansible, not to the included tasks: put it under 'apply:' or on the tasks`, posOf(ctx.src, e.keyNode));
    }
  }
}

/**
 * `import_tasks` and `include_tasks`, with the file as a string or as `file:` (include_tasks also takes
 * `apply:`, keywords for every included task). import_tasks is read at load time and inlined as a
 * block carrying the import's keywords (when, tags, vars, become, ...). include_tasks runs when its
 * turn comes, per host (DynamicInclude): a templated name may name a different file on each host; a
 * plain one is also read at load time, so validation checks it. Paths are relative to the current
 * file's folder, or the role's tasks/ folder. In a handlers list, import_tasks adds the
 * file's handlers; include_tasks becomes one handler, notified by its name, that runs the file.
 */
function parseImport(ctx: TaskParseContext, node: Node, pos: SourcePos, kind: 'task' | 'handler'): TaskItem | undefined {
  const block: Block = {
    kind: 'block', pos, when: [], tags: [], vars: {}, block: [], rescue: [], always: [],
    ...(ctx.role ? { role: ctx.role } : {}),
  };
  let target: ReturnType<typeof importTarget> | undefined;
  let key = 'import_tasks';
  let legacy: ReturnType<typeof legacyIncludeTarget> | undefined;
  const loopKeys = ['loop', 'with_items', ...LOOP_LOOKUPS.map((n) => `with_${n}`)];
  // Loop keywords are read once the action is known (they may come before it): include_tasks loops.
  const loopEntries: { e: ReturnType<typeof entries>[number]; at: SourcePos }[] = [];
  let collectionsEntry: ReturnType<typeof entries>[number] | undefined;
  for (const e of entries(node as never)) {
    const at = posOf(ctx.src, e.keyNode);
    if (e.key === 'collections') {
      collectionsEntry = e;
      continue;
    }
    if (loopKeys.includes(e.key) || e.key === 'loop_control') {
      loopEntries.push({ e, at });
      continue;
    }
    if (LEGACY_INCLUDE_KEYS.includes(e.key)) {
      if (target !== undefined) error(ctx, `a task imports one file`, at);
      else {
        legacy = legacyIncludeTarget(ctx, e.key, e.value);
        // Ansible 2.14: static (import_tasks) unless the name is templated or the include loops.
        const looped = entries(node as never).some((k) => loopKeys.includes(k.key));
        key = legacy.file !== undefined && !isTemplateString(legacy.file) && !looped ? 'import_tasks' : 'include_tasks';
        target = { file: legacy.file, pos: legacy.pos };
        ctx.diagnostics.push({
          severity: 'warning',
          message: `'include' is deprecated in Ansible 2.14 and removed in 2.16: read here as ${key}; write ${key} (or ${key === 'import_tasks' ? 'include_tasks' : 'import_tasks'})`,
          pos: at,
        });
      }
      continue;
    }
    if (IMPORT_KEYS.includes(e.key)) {
      if (target !== undefined) error(ctx, `a task imports one file`, at);
      else {
        key = e.key;
        target = importTarget(ctx, e.key, e.value);
      }
      continue;
    }
    if (!importBlockKeyword(ctx, block, e)) unknownKeyword(ctx, e.key, key.replace(/^ansible\.builtin\./, ''), IMPORT_KEYWORDS, at);
  }
  const include = key.endsWith('include_tasks');
  const loop: LoopSpec = { loopVar: 'item' };
  for (const { e, at } of loopEntries) {
    if (include) loopKeyword(ctx, loop, e, at);
    else unknownKeyword(ctx, e.key, key.replace(/^ansible\.builtin\./, ''), IMPORT_KEYWORDS, at);
  }
  if (target?.file === undefined) return undefined;
  // An import's `collections` reach the tasks it inlines; an include's do not (Ansible looks past a
  // dynamic include to the blocks around it).
  if (collectionsEntry && include) {
    collectionsWithoutEffect(ctx, collectionsEntry, key.replace(/^ansible\.builtin\./, ''), 'the included tasks resolve short names with the list of the blocks around the include (or the play\'s)');
  } else if (collectionsEntry) ctx = withOwnCollections(ctx, node, key.replace(/^ansible\.builtin\./, ''));
  // The legacy include's own arguments are variables of what it includes, above its `vars`.
  if (legacy) block.vars = { ...block.vars, ...legacy.params };
  const file = target.file;
  if (include) refuseIncludeDelegation(ctx, node, key);
  const handlerName = block.name;
  // An unnamed include shows as its action, as in Ansible; an import is only a block.
  block.name ??= include ? key : `import ${file}`;
  if (include) {
    const loadCtx: TaskParseContext = { ...ctx };
    const preloaded = isTemplateString(file) ? undefined : readTaskFile(ctx, file, target.pos, 'task');
    if (!isTemplateString(file) && !preloaded) return undefined;
    // Ansible reads an included file only when the include is reached: a module it lacks there is a
    // warning at validation and a failure only if its task runs.
    if (preloaded) for (const t of walkTasks(preloaded)) t.includedDynamically = true;
    block.include = {
      file,
      preloaded,
      apply: target.apply,
      ...(loop.loop !== undefined ? { loop } : {}),
      load: (name) => {
        if (preloaded && name === file) return { items: preloaded, errors: [] };
        const diagnostics: Diagnostic[] = [];
        const items = readTaskFile({ ...loadCtx, diagnostics }, name, target!.pos, 'task');
        const errors = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
        return { items: items && errors.length === 0 ? items : [], errors };
      },
    };
  } else if (isTemplateString(file)) {
    error(ctx, `import_tasks reads its file when the playbook is loaded: name the file, or use include_tasks for a templated name`, target.pos);
    return undefined;
  } else {
    const items = readTaskFile(ctx, file, target.pos, kind);
    if (!items) return undefined;
    block.block = items;
    inheritIntoChildren(block);
  }
  if (kind === 'task') return block;
  if (!include) {
    handlerImports.add(block);
    return block;
  }
  if (handlerName === undefined) {
    error(ctx, `include_tasks in handlers needs a 'name' so tasks can notify it`, pos);
    return undefined;
  }
  const handler: Handler = {
    kind: 'task', pos, name: handlerName, module: key, args: {}, when: [], tags: [], vars: {}, loopVar: 'item', notify: [], listen: [],
    body: [{ ...block, name: handlerName }],
  };
  return handler;
}

function parseBlock(ctx: TaskParseContext, node: Node, pos: SourcePos): Block | undefined {
  let notify: string[] = [];
  const block: Block = {
    kind: 'block',
    pos,
    when: [],
    tags: [],
    vars: {},
    block: [],
    rescue: [],
    always: [],
    ...(ctx.role ? { role: ctx.role } : {}),
  };
  // The block's own list resolves the short module names of everything inside it, wherever it is written.
  const inner = withOwnCollections(ctx, node, 'block');
  for (const e of entries(node as never)) {
    const at = posOf(ctx.src, e.keyNode);
    switch (e.key) {
      case 'collections':
        break;
      case 'name': {
        const v = toJS(ctx.src, e.value);
        if (typeof v === 'string') block.name = v;
        // `name:` left empty is null in YAML: Ansible takes it as no name (systemd's target has one)
        else if (v === null) break;
        else error(ctx, `'name' must be a string, got ${describeNode(e.value)}`, posOf(ctx.src, e.value));
        break;
      }
      case 'block':
      case 'rescue':
      case 'always':
        block[e.key] = taskList(inner, e.value, e.key, 'task');
        break;
      case 'when':
        block.when = conditionList(ctx, e.value, 'when');
        break;
      case 'tags':
        block.tags = tagList(ctx, e.value);
        break;
      case 'vars':
        block.vars = varsMapping(ctx, e.value, 'vars');
        break;
      case 'environment': {
        const env = environmentValue(ctx, e.value);
        if (env) block.environment = env;
        break;
      }
      case 'throttle': {
        const n = throttleValue(ctx, e.value);
        if (n !== undefined) block.throttle = n;
        break;
      }
      case 'timeout': {
        const v = countValue(ctx, e.value, 'timeout');
        if (v !== undefined) block.timeout = v;
        break;
      }
      case 'notify':
        notify = stringList(ctx, e.value, 'notify', 'a handler name');
        break;
      default:
        // Flags, connection and delegate_to read as on an import.
        if (!importBlockKeyword(ctx, block, e)) unknownKeyword(ctx, e.key, 'block', BLOCK_KEYWORDS, at);
    }
  }
  inheritIntoChildren(block);
  if (notify.length > 0) notifyFromBlock(block, notify);
  return block;
}

/**
 * `notify` on a block (Ansible 2.14's Block.notify): a task inside that notifies nothing of its own
 * notifies the block's handlers (the nearest block's, as inner blocks apply theirs first).
 */
function notifyFromBlock(block: Block, notify: readonly string[]): void {
  for (const child of [...block.block, ...block.rescue, ...block.always]) {
    if (child.kind === 'block') notifyFromBlock(child, notify);
    else if (child.notify.length === 0) child.notify = [...notify];
  }
}

/**
 * Tags, become and no_log of a block apply to everything inside that does not set its own (Ansible's
 * inheritance: the nearest value wins); the executor's scope does the same for every keyword.
 */
function inheritIntoChildren(block: Block): void {
  for (const child of [...block.block, ...block.rescue, ...block.always]) {
    for (const t of block.tags) if (!child.tags.includes(t)) child.tags.push(t);
    child.become ??= block.become;
    child.noLog ??= block.noLog;
    if (child.kind === 'block') inheritIntoChildren(child);
  }
}

/** Pick the module key among the keys that are not keywords; report the others. */
function chooseModule(ctx: TaskParseContext, candidates: { key: string; pos: SourcePos }[], allowed: readonly string[], where: string): string | undefined {
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0].key;
  const known = ctx.registry ? candidates.filter((c) => c.key === 'meta' || ctx.registry!.get(c.key)) : [];
  let module: string | undefined;
  if (known.length === 1) module = known[0].key;
  else if (known.length === 0) {
    // Without a registry match, a key close to a keyword is a misspelt keyword, not the module.
    const notTypos = candidates.filter((c) => !closest(c.key, allowed));
    if (notTypos.length === 1) module = notTypos[0].key;
  }
  if (!module) {
    const names = (known.length > 1 ? known : candidates).map((c) => `'${c.key}'`).join(', ');
    error(ctx, `${where} has more than one module: ${names} (a ${where} runs exactly one module)`, candidates[1].pos);
    return candidates[0].key;
  }
  for (const c of candidates) if (c.key !== module) unknownKeyword(ctx, c.key, where, allowed, c.pos);
  return module;
}

function parseTask(outer: TaskParseContext, node: Node, pos: SourcePos, kind: 'task' | 'handler'): Task | undefined {
  const ctx = withOwnCollections(outer, node, kind);
  const allowed: readonly string[] = [...(kind === 'handler' ? HANDLER_KEYWORDS : TASK_KEYWORDS), ...LOOP_LOOKUPS.filter((n) => n !== 'items').map((n) => `with_${n}`)];
  const keys = entries(node as never);
  // An Ansible keyword we do not implement (delegate_to, until...) is named as such, never taken for a
  // second module; `include`/`include_vars` are actions in Ansible, so they stay module candidates.
  // Loop keywords (with_<lookup>) and the `action:` form are keywords too, never a module.
  const unsupportedKeyword = (key: string): boolean =>
    !allowed.includes(key) &&
    (UNSUPPORTED_KEYWORDS.has(key) || isLoopKeyword(key) || key === 'action') &&
    key !== 'include' &&
    !ctx.registry?.get(key);
  const candidates = keys.filter((e) => !allowed.includes(e.key) && e.key !== 'block' && !unsupportedKeyword(e.key));
  // `action:` names the module as local_action does (without delegating): parsed as that module's task.
  const actionEntry = ctx.registry?.get('action') ? undefined : keys.find((e) => e.key === 'action');
  for (const e of keys) {
    if (e === actionEntry) continue;
    if (e.key === 'block' || (kind === 'task' && e.key === 'listen') || unsupportedKeyword(e.key)) {
      unknownKeyword(ctx, e.key, kind, allowed, posOf(ctx.src, e.keyNode));
    }
  }
  const localEntry = keys.find((e) => e.key === 'local_action');
  if (localEntry) return parseLocalAction(ctx, node, pos, kind, localEntry, candidates);
  if (actionEntry) return parseLocalAction(ctx, node, pos, kind, actionEntry, candidates, 'action');
  const moduleName = chooseModule(ctx, candidates.map((c) => ({ key: c.key, pos: posOf(ctx.src, c.keyNode) })), allowed, kind);
  return parseTaskWithModule(ctx, pos, kind, keys, moduleName, allowed);
}

/**
 * `local_action:` names the module itself: it is the task's only module, and delegates to localhost.
 * `action:` (keyword 'action') is the same form without the delegation: `action: slurp src=/x`, or a
 * mapping with `module:`; its module name may be a template, rendered per host when the task runs.
 */
function parseLocalAction(
  ctx: TaskParseContext,
  node: Node,
  pos: SourcePos,
  kind: 'task' | 'handler',
  localEntry: ReturnType<typeof entries>[number],
  otherModules: ReturnType<typeof entries>,
  keyword: 'local_action' | 'action' = 'local_action',
): Task | undefined {
  const at = posOf(ctx.src, localEntry.keyNode);
  for (const c of otherModules) error(ctx, `${kind} has both '${keyword}' and the module '${c.key}' (a ${kind} runs exactly one module)`, posOf(ctx.src, c.keyNode));
  const keys = entries(node as never);
  if (keyword === 'action') {
    const positions: TaskPositions = { module: at, args: posOf(ctx.src, localEntry.value ?? localEntry.keyNode), argKeys: {}, argValues: {}, notify: [], keywords: {} };
    // A templated module name (`action: "{{ ansible_facts.pkg_mgr }}"`) is kept as written: the
    // executor renders it per host when the task runs (validation warns that it cannot check it).
    const action = localAction(ctx, localEntry.value, positions, 'action');
    if (!action || otherModules.length > 0) return undefined;
    const allowedHere: readonly string[] = [...(kind === 'handler' ? HANDLER_KEYWORDS : TASK_KEYWORDS), ...LOOP_LOOKUPS.filter((n) => n !== 'items').map((n) => `with_${n}`)];
    return parseTaskWithModule(ctx, pos, kind, keys.filter((e) => e.key !== 'action'), action.module, allowedHere, { args: action.args, positions });
  }
  const delegate = keys.find((e) => e.key === 'delegate_to');
  // Ansible lets local_action win silently; we run it as Ansible does, and say so.
  if (delegate) {
    ctx.diagnostics.push({ severity: 'warning', message: `'delegate_to' is ignored beside 'local_action', which runs on localhost (as in Ansible)`, pos: posOf(ctx.src, delegate.keyNode) });
  }
  const positions: TaskPositions = { module: at, args: posOf(ctx.src, localEntry.value ?? localEntry.keyNode), argKeys: {}, argValues: {}, notify: [], keywords: {} };
  const action = localAction(ctx, localEntry.value, positions);
  if (!action || otherModules.length > 0) return undefined;
  const allowed: readonly string[] = [...(kind === 'handler' ? HANDLER_KEYWORDS : TASK_KEYWORDS), ...LOOP_LOOKUPS.filter((n) => n !== 'items').map((n) => `with_${n}`)];
  const rest = keys.filter((e) => e.key !== 'local_action' && e.key !== 'delegate_to');
  const task = parseTaskWithModule(ctx, pos, kind, rest, action.module, allowed, { args: action.args, positions });
  if (task) task.delegateTo = 'localhost';
  return task;
}

/** What a loop keyword sets: on a task, and on include_tasks (which loops the same way). */
type LoopSpec = Pick<Task, 'loop' | 'loopWith' | 'loopVar' | 'loopControl'>;

/**
 * `loop`, `with_items`, `with_<lookup>` and `loop_control` on a task or an include_tasks. Returns false
 * for any other key.
 */
function loopKeyword(ctx: TaskParseContext, task: LoopSpec, e: { key: string; value: Node | null }, at: SourcePos): boolean {
  if (e.key === 'loop' || e.key === 'with_items') {
    if (task.loop !== undefined) error(ctx, `a task takes one of 'loop' or 'with_items', not both`, at);
    const v = toJS(ctx.src, e.value);
    if (!Array.isArray(v) && typeof v !== 'string') {
      error(ctx, `'${e.key}' must be a list or a template that gives one, got ${describeNode(e.value)}`, posOf(ctx.src, e.value));
      return true;
    }
    if (typeof v === 'string' && !isTemplateString(v) && e.key === 'with_items' && /^[A-Za-z_][\w.[\]'"]*$/.test(v.trim())) {
      // A bare variable name, as Ansible 1.x templated it. Ansible 2 loops over the one string instead.
      error(ctx, `'with_items' is the bare name "${v.trim()}": Ansible 2 loops over that one string, not over the variable (bare variables in loops were dropped in Ansible 2.0); write "{{ ${v.trim()} }}", or ["${v.trim()}"] if the string is meant`, posOf(ctx.src, e.value));
      return true;
    }
    if (typeof v === 'string' && !isTemplateString(v)) {
      error(ctx, `'${e.key}' must be a list or a template that gives one, like "{{ ${v.trim() || 'items'} }}"`, posOf(ctx.src, e.value));
      return true;
    }
    // with_items flattens one level (Ansible's behaviour); loop does not. Templated items that give
    // lists (`- "{{ paths | flatten }}"`) are flattened too once rendered: the `items` lookup runs then.
    task.loop = e.key === 'with_items' && Array.isArray(v) ? v.flatMap((x) => (Array.isArray(x) ? x : [x])) : v;
    if (e.key === 'with_items') task.loopWith = 'items';
    return true;
  }
  if (e.key === 'loop_control') {
    if (!isMap(e.value)) {
      error(ctx, `'loop_control' must be a mapping, got ${describeNode(e.value)}`, posOf(ctx.src, e.value));
      return true;
    }
    for (const lc of entries(e.value)) {
      const lcv = toJS(ctx.src, lc.value);
      const lcAt = posOf(ctx.src, lc.value ?? lc.keyNode);
      if (lc.key === 'loop_var' || lc.key === 'index_var') {
        if (typeof lcv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(lcv)) error(ctx, `'${lc.key}' must be a variable name, got ${describeNode(lc.value)}`, lcAt);
        else if (lc.key === 'loop_var') task.loopVar = lcv;
        else task.loopControl = { ...task.loopControl, indexVar: lcv };
      } else if (lc.key === 'extended' || lc.key === 'extended_allitems') {
        const b = boolValue(ctx, lc.value, lc.key);
        if (b !== undefined) task.loopControl = { ...task.loopControl, [lc.key === 'extended' ? 'extended' : 'extendedAllItems']: b };
      } else if (lc.key === 'pause') {
        const n = typeof lcv === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(lcv) ? Number(lcv) : lcv;
        if (typeof n === 'number' && Number.isFinite(n) && n >= 0) task.loopControl = { ...task.loopControl, pause: n };
        else error(ctx, `'pause' in loop_control must be a number of seconds, got ${describeNode(lc.value)}`, lcAt);
      } else if (UNSUPPORTED_LOOP_CONTROL_KEYS.includes(lc.key as never)) {
        error(ctx, `'${lc.key}' in loop_control is not supported by this provisioner (supported: ${LOOP_CONTROL_KEYS.join(', ')})`, posOf(ctx.src, lc.keyNode));
      } else if (!LOOP_CONTROL_KEYS.includes(lc.key as never)) {
        error(ctx, `unknown key '${lc.key}' in loop_control${didYouMean(lc.key, LOOP_CONTROL_KEYS) || ` (supported: ${LOOP_CONTROL_KEYS.join(', ')})`}`, posOf(ctx.src, lc.keyNode));
      }
    }
    return true;
  }
  if (e.key.startsWith('with_') && LOOP_LOOKUPS.includes(e.key.slice(5))) {
    if (task.loop !== undefined) error(ctx, `a task takes one loop ('loop' or one 'with_*'), not several`, at);
    task.loop = toJS(ctx.src, e.value);
    task.loopWith = e.key.slice(5);
    return true;
  }
  return false;
}

function parseTaskWithModule(
  ctx: TaskParseContext,
  pos: SourcePos,
  kind: 'task' | 'handler',
  keys: ReturnType<typeof entries>,
  moduleName: string | undefined,
  allowed: readonly string[],
  given?: { args: Vars | string; positions: TaskPositions },
): Task | undefined {
  const unsupportedKeyword = (key: string): boolean =>
    !allowed.includes(key) && UNSUPPORTED_KEYWORDS.has(key) && key !== 'include' && key !== 'include_vars' && !ctx.registry?.get(key);
  const nameEntry = keys.find((e) => e.key === 'name');
  const nameValue = nameEntry ? toJS(ctx.src, nameEntry.value) : undefined;
  if (!moduleName) {
    // An unsupported keyword alone (`async: ...`): it was named; "no module" would only add noise.
    if (keys.some((e) => unsupportedKeyword(e.key) || e.key === 'action')) return undefined;
    const label = typeof nameValue === 'string' ? ` '${nameValue}'` : '';
    error(ctx, `no module in ${kind}${label}: expected one module key (like 'command:' or 'copy:') besides its keywords`, pos);
    return undefined;
  }
  const moduleEntry = given ? undefined : keys.find((e) => e.key === moduleName)!;
  const positions: TaskPositions = given?.positions ?? {
    module: posOf(ctx.src, moduleEntry!.keyNode),
    args: posOf(ctx.src, moduleEntry!.value ?? moduleEntry!.keyNode),
    argKeys: {},
    argValues: {},
    notify: [],
    keywords: {},
  };
  const written = moduleName;
  moduleName = resolveByCollections(ctx, moduleName);
  const task: Handler = {
    kind: 'task',
    pos,
    module: moduleName,
    ...(moduleName !== written ? { moduleAsWritten: written } : {}),
    args: {},
    when: [],
    tags: [],
    vars: {},
    loopVar: 'item',
    notify: [],
    listen: [],
    ...(ctx.role ? { role: ctx.role } : {}),
  };
  task.args = given ? given.args : moduleArgs(ctx, moduleEntry!.value, moduleName, positions);
  let argsKeyword: { value: Node | null; pos: SourcePos } | undefined;
  for (const e of keys) {
    if (e.key === written || e.key === 'block') continue;
    const at = posOf(ctx.src, e.keyNode);
    positions.keywords[e.key] = posOf(ctx.src, e.value ?? e.keyNode);
    switch (e.key) {
      case 'name':
        if (typeof nameValue === 'string') task.name = nameValue;
        // `name:` left empty is null in YAML: Ansible takes it as no name (systemd's target has one)
        else if (nameValue === null) break;
        else error(ctx, `'name' must be a string, got ${describeNode(e.value)}`, posOf(ctx.src, e.value));
        break;
      case 'when':
        task.when = conditionList(ctx, e.value, 'when');
        break;
      case 'changed_when':
        task.changedWhen = conditionList(ctx, e.value, 'changed_when');
        break;
      case 'failed_when':
        task.failedWhen = conditionList(ctx, e.value, 'failed_when');
        break;
      case 'until':
        task.until = conditionList(ctx, e.value, 'until');
        break;
      case 'environment': {
        const env = environmentValue(ctx, e.value);
        if (env) task.environment = env;
        break;
      }
      case 'retries':
      case 'delay':
      case 'async':
      case 'poll': {
        const v = countValue(ctx, e.value, e.key);
        if (v !== undefined) task[e.key] = v;
        break;
      }
      case 'loop':
      case 'with_items':
      case 'loop_control':
        loopKeyword(ctx, task, e, at);
        break;
      case 'register': {
        const v = toJS(ctx.src, e.value);
        if (typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) task.register = v;
        else error(ctx, `'register' must be a variable name, got ${typeof v === 'string' ? `'${v}'` : describeNode(e.value)}`, posOf(ctx.src, e.value));
        break;
      }
      case 'notify':
        task.notify = stringList(ctx, e.value, 'notify', 'a handler name');
        positions.notify = isSeq(e.value) ? e.value.items.map((n) => posOf(ctx.src, n as Node)) : [posOf(ctx.src, e.value)];
        break;
      case 'listen':
        task.listen = stringList(ctx, e.value, 'listen', 'a topic');
        break;
      case 'ignore_errors':
      case 'no_log':
      case 'become':
      case 'check_mode':
      case 'diff':
      case 'any_errors_fatal':
      case 'run_once':
      case 'delegate_facts':
        setFlag(ctx, task, e.key, e.value);
        break;
      case 'connection': {
        const c = connectionValue(ctx, e.value);
        if (c !== undefined) task.connection = c;
        break;
      }
      case 'delegate_to': {
        const d = delegateValue(ctx, e.value);
        if (d !== undefined) task.delegateTo = d;
        break;
      }
      case 'throttle': {
        const n = throttleValue(ctx, e.value);
        if (n !== undefined) task.throttle = n;
        break;
      }
      case 'timeout': {
        const v = countValue(ctx, e.value, 'timeout');
        if (v !== undefined) task.timeout = v;
        break;
      }
      case 'tags':
        task.tags = tagList(ctx, e.value);
        break;
      case 'vars':
        task.vars = varsMapping(ctx, e.value, 'vars');
        break;
      case 'module_defaults': {
        const md = moduleDefaultsValue(ctx, e.value);
        if (md) task.moduleDefaults = md;
        break;
      }
      case 'args':
        argsKeyword = { value: e.value, pos: at };
        break;
      default:
        if (isRunAsKeyword(e.key)) {
          setRunAs(ctx, task, e.key, e.value);
          break;
        }
        if (e.key.startsWith('with_') && LOOP_LOOKUPS.includes(e.key.slice(5))) loopKeyword(ctx, task, e, at);
        // other candidates than the module were already reported
        break;
    }
  }
  if (argsKeyword) mergeArgsKeyword(ctx, task, argsKeyword, positions);
  if (kind === 'handler' && task.name === undefined && task.listen.length === 0) {
    error(ctx, `a handler needs a 'name' (or 'listen') so tasks can notify it`, pos);
  }
  const result = kind === 'handler' ? task : stripListen(task);
  setTaskPositions(result, positions);
  return result;
}

function stripListen(task: Handler): Task {
  const { listen: _listen, ...rest } = task;
  return rest;
}

function moduleArgs(ctx: TaskParseContext, node: Node | null, module: string, positions: TaskPositions): Vars | string {
  if (node === null) return {};
  if (isMap(node)) {
    for (const e of entries(node)) {
      positions.argKeys[e.key] = posOf(ctx.src, e.keyNode);
      positions.argValues[e.key] = posOf(ctx.src, e.value ?? e.keyNode);
    }
    return toJS(ctx.src, node) as Vars;
  }
  const v = toJS(ctx.src, node);
  if (v === null) return {};
  if (isScalar(node) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
    kvPositions(ctx, node, positions);
    return String(v);
  }
  error(ctx, `arguments of '${module}' must be a mapping or a string, got ${describeNode(node)}`, posOf(ctx.src, node));
  return {};
}

/** key=value arguments in a one-line scalar: point each key at its place in the line. */
function kvPositions(ctx: TaskParseContext, node: Node, positions: TaskPositions): void {
  const range = isScalar(node) ? node.range : undefined;
  const raw = range ? ctx.src.text.slice(range[0], range[1]) : '';
  if (raw.includes('\n')) return;
  for (const m of raw.matchAll(/(?:^|\s|["'])([A-Za-z_][A-Za-z0-9_]*)=/g)) {
    const at = (m.index ?? 0) + m[0].length - m[1].length - 1;
    positions.argKeys[m[1]] ??= posAt(ctx.src, node, at);
    positions.argValues[m[1]] ??= posAt(ctx.src, node, at + m[1].length + 1);
  }
}

/** `args:` adds to the module's arguments; with a free-form string it needs the module's free-form key. */
function mergeArgsKeyword(ctx: TaskParseContext, task: Task, kw: { value: Node | null; pos: SourcePos }, positions: TaskPositions): void {
  if (kw.value === null) return;
  if (!isMap(kw.value)) {
    const v = toJS(ctx.src, kw.value);
    // A template giving the mapping (Ansible's variable params): rendered when the task runs.
    if (typeof v === 'string' && isTemplateString(v)) task.deferredArgs = v;
    else error(ctx, `'args' must be a mapping, got ${describeNode(kw.value)}`, posOf(ctx.src, kw.value));
    return;
  }
  for (const e of entries(kw.value)) {
    positions.argKeys[e.key] ??= posOf(ctx.src, e.keyNode);
    positions.argValues[e.key] ??= posOf(ctx.src, e.value ?? e.keyNode);
  }
  const extra = toJS(ctx.src, kw.value) as Vars;
  if (typeof task.args === 'string') {
    // As in Ansible: the string is read as the module reads it, and its arguments win over `args:`.
    // A templated module name (or a template among the words) is read once rendered, when the task runs.
    if (isTemplateString(task.module)) {
      task.deferredArgs = extra;
      return;
    }
    const def = ctx.registry?.get(task.module);
    if (!def) {
      error(ctx, `'args' cannot be combined with the string form of '${task.module}' (write its arguments as a mapping)`, kw.pos);
      return;
    }
    const fromText = argsFromString(task.args, def, task.module);
    if (fromText.error || !fromText.args) {
      error(ctx, `module '${task.module}' ${fromText.error ?? 'has bad arguments'}`, positions.args);
      return;
    }
    if (fromText.variableParams !== undefined) task.deferredArgs = extra;
    else task.args = { ...extra, ...fromText.args };
  } else {
    task.args = { ...extra, ...task.args };
  }
}
