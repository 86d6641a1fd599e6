/**
 * The playbook loader: a YAML list of plays -> the model (model.ts), with every problem collected as a
 * diagnostic naming file:line:col and the offending key. Nothing is rendered here: templates stay raw
 * strings and are rendered per host by the executor.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ModuleRegistry } from '../contract/module.js';
import { ValidationError, type Diagnostic, type Handler, type Play, type Playbook, type SourcePos, type TaskItem, type Vars, type VarsPrompt } from '../model.js';
import { readVarsFile } from '../inventory/vars-dirs.js';
import { isTemplate } from '../templating/engine.js';
import { PLAY_KEYWORDS, UNSUPPORTED_KEYWORDS } from './keywords.js';
import { flattenRoles, loadRole, loadRoleEntry } from './roles.js';
import { boolValue, collectionsValue, conditionList, connectionValue, countValue, environmentValue, FLAG_KEYWORDS, flagValue, handlerList, isRunAsKeyword, moduleDefaultsValue, setRunAs, stringList, taskList, varsMapping, type TaskParseContext } from './tasks.js';
import { describeNode, displayPath, entries, isMap, isSeq, posOf, readYaml, rootOf, toJS, type Node, hasErrors } from './yaml-source.js';
import { didYouMean } from '../validate/suggest.js';
import { findCollectionLibraryModule } from '../library/library-module.js';

export interface LoadPlaybookOptions {
  /**
   * Module registry: lets the loader tell a module key from a misspelt keyword when a task has both,
   * and merge `args:` into free-form modules. Unknown modules are reported by validation, not here.
   */
  registry?: ModuleRegistry;
}

export interface PlaybookLoad {
  playbook: Playbook;
  diagnostics: Diagnostic[];
}

/** Where each play's parts were written, for validation messages. */
export interface PlayPositions {
  hosts: SourcePos;
  /** Each role entry's position, in order. */
  roles: SourcePos[];
}
const playPositions = new WeakMap<Play, PlayPositions>();
export function playPositionsOf(play: Play): PlayPositions {
  return playPositions.get(play) ?? { hosts: play.pos, roles: [] };
}

const IMPORT_PLAYBOOK_KEYWORDS = ['name', 'vars', 'when', 'tags'];

/** Play-level tags apply to every task of the play. */
function addTags(items: TaskItem[], tags: string[]): void {
  for (const item of items) {
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    if (item.kind === 'block') addTags([...item.block, ...item.rescue, ...item.always], tags);
  }
}

function parsePlay(ctx: TaskParseContext, node: Node, index: number, baseDir: string): Play | undefined {
  const pos = posOf(ctx.src, node);
  if (!isMap(node)) {
    ctx.diagnostics.push({ severity: 'error', message: `a play must be a mapping, got ${describeNode(node)}`, pos });
    return undefined;
  }
  const play: Play = {
    name: '',
    pos,
    hosts: '',
    vars: {},
    varsFiles: [],
    roleDefaults: {},
    preTasks: [],
    tasks: [],
    postTasks: [],
    handlers: [],
    baseDir,
  };
  const positions: PlayPositions = { hosts: pos, roles: [] };
  let hostsSeen = false;
  let tags: string[] = [];
  let ownTasks: TaskItem[] = [];
  let ownHandlers: Handler[] = [];
  const roleTasks: TaskItem[] = [];
  const roleHandlers: Handler[] = [];
  // `collections` resolves the short module names of the play's own tasks, wherever it is written in
  // the play; roles have their own (meta/main.yml), not the play's (Ansible).
  const collectionsEntry = entries(node).find((e) => e.key === 'collections');
  const collections = collectionsEntry ? collectionsValue(ctx, collectionsEntry.value, 'play') : undefined;
  const playCtx: TaskParseContext = { ...ctx, collections };
  // Roles already run in this play (name and parameters): Ansible's rule for dependencies and `roles:`.
  const seenRoles = new Set<string>();
  // import_role / include_role already loaded in this play (role, files, vars): their allow_duplicates rule.
  const includedRoles = new Set<string>();
  playCtx.importRole = (name, namePos, from, options) => {
    const diagnostics = options.diagnostics ?? playCtx.diagnostics;
    const role = loadRole({ ...playCtx, diagnostics }, { name, namePos, baseDir, ...from, roleVars: options.vars });
    if (!role) return undefined;
    // Ansible's role cache key for an include: the role, its *_from files and the include's vars.
    const key = `${role.info.path}\0${JSON.stringify(from)}\0${JSON.stringify(options.vars)}`;
    const seen = includedRoles.has(key);
    includedRoles.add(key);
    // import_role / include_role run the role itself even when it ran (their allow_duplicates is
    // true by default); its dependencies follow the play's rule and run first.
    const all = flattenRoles([role], seenRoles, new Set([role]));
    const handlers = all.flatMap((r) => r.handlers);
    if (!options.dynamic) roleHandlers.push(...handlers);
    const defaults: Vars = Object.assign({}, ...all.map((r) => r.info.defaults));
    const vars: Vars = Object.assign({}, ...all.map((r) => r.exportVars));
    if (!options.include) {
      // An import is the play's from the start: its defaults and vars are everyone's (Ansible).
      Object.assign(play.roleDefaults, defaults);
      play.roleVars = { ...play.roleVars, ...vars };
    }
    // allow_duplicates: false on a role already included with the same files and vars: nothing runs.
    const tasks = seen && !options.allowDuplicates ? [] : all.flatMap((r) => r.tasks);
    return { info: role.info, tasks, handlerCount: handlers.length, ...(options.include && options.public ? { exports: { defaults, vars } } : {}) };
  };
  ctx = playCtx;
  for (const e of entries(node)) {
    const at = posOf(ctx.src, e.keyNode);
    switch (e.key) {
      case 'name': {
        const v = toJS(ctx.src, e.value);
        if (typeof v === 'string') play.name = v;
        else if (v === null) break; // an empty `name:` is no name, as in Ansible
        else ctx.diagnostics.push({ severity: 'error', message: `'name' must be a string, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value) });
        break;
      }
      case 'hosts': {
        hostsSeen = true;
        positions.hosts = posOf(ctx.src, e.value ?? e.keyNode);
        const list = stringList(ctx, e.value, 'hosts', 'a host pattern');
        play.hosts = list.join(',');
        if (play.hosts.trim() === '') ctx.diagnostics.push({ severity: 'error', message: `'hosts' must not be empty`, pos: positions.hosts });
        else if (isTemplate(play.hosts)) {
          ctx.diagnostics.push({ severity: 'error', message: `'hosts' cannot be a template ('${play.hosts}'); name a group and choose hosts at run time with --limit`, pos: positions.hosts });
          play.hosts = '';
        }
        break;
      }
      case 'vars':
        play.vars = varsMapping(ctx, e.value, 'vars');
        break;
      case 'vars_files':
        play.varsFiles = readVarsFiles(ctx, e.value, baseDir);
        break;
      case 'vars_prompt':
        play.varsPrompt = readVarsPrompt(ctx, e.value);
        break;
      case 'gather_facts':
        play.gatherFacts = boolValue(ctx, e.value, 'gather_facts');
        break;
      case 'fact_path':
      case 'gather_subset':
      case 'gather_timeout':
        // Ansible hands them to the play's fact gathering as the setup module's arguments.
        play.gatherArgs = { ...play.gatherArgs, [e.key]: toJS(ctx.src, e.value) };
        break;
      case 'become':
        play.become = boolValue(ctx, e.value, 'become');
        break;
      case 'environment': {
        const env = environmentValue(ctx, e.value);
        if (env) play.environment = env;
        break;
      }
      case 'module_defaults': {
        const md = moduleDefaultsValue(ctx, e.value);
        if (md) play.moduleDefaults = md;
        break;
      }
      case 'check_mode':
      case 'diff':
      case 'ignore_errors':
      case 'no_log': {
        const v = flagValue(ctx, e.value, e.key);
        if (v !== undefined) play[FLAG_KEYWORDS[e.key as 'check_mode' | 'diff' | 'ignore_errors' | 'no_log']] = v;
        break;
      }
      case 'serial': {
        const v = toJS(ctx.src, e.value);
        const one = (x: unknown): number | string | undefined => {
          if ((typeof x === 'number' && Number.isInteger(x) && x > 0) || (typeof x === 'string' && /^\d+%$/.test(x.trim()))) return x as number | string;
          if (typeof x === 'string' && /^\d+$/.test(x.trim()) && Number(x) > 0) return Number(x);
          ctx.diagnostics.push({ severity: 'error', message: `'serial' must be a positive number of hosts, a percentage like "30%" or a list of them, got ${typeof x === 'string' ? `'${x}'` : describeNode(e.value)}`, pos: posOf(ctx.src, e.value) });
          return undefined;
        };
        if (Array.isArray(v) && v.length > 0) {
          const list = v.map(one);
          if (list.every((x) => x !== undefined)) play.serial = list as (number | string)[];
        } else play.serial = one(v);
        break;
      }
      case 'strategy': {
        const v = toJS(ctx.src, e.value);
        const strategies = ['linear', 'free'] as const;
        if (strategies.includes(v as never)) play.strategy = v as Play['strategy'];
        else ctx.diagnostics.push({ severity: 'error', message: `strategy ${typeof v === 'string' ? `'${v}'` : describeNode(e.value)} is not supported by this provisioner (supported: ${strategies.join(', ')})${typeof v === 'string' ? didYouMean(v, strategies) : ''}`, pos: posOf(ctx.src, e.value) });
        break;
      }
      case 'order': {
        const v = toJS(ctx.src, e.value);
        const orders = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;
        if (orders.includes(v as never)) play.order = v as Play['order'];
        else ctx.diagnostics.push({ severity: 'error', message: `'order' must be one of ${orders.join(', ')}, got ${describeNode(e.value)}${typeof v === 'string' ? didYouMean(v, orders) : ''}`, pos: posOf(ctx.src, e.value) });
        break;
      }
      case 'max_fail_percentage': {
        const v = toJS(ctx.src, e.value);
        const n = typeof v === 'string' ? Number(v.trim().replace(/%$/, '')) : v;
        if (typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 100) play.maxFailPercentage = n;
        else ctx.diagnostics.push({ severity: 'error', message: `'max_fail_percentage' must be a number from 0 to 100, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value) });
        break;
      }
      case 'any_errors_fatal': {
        const v = flagValue(ctx, e.value, e.key);
        if (v !== undefined) play.anyErrorsFatal = v;
        break;
      }
      case 'timeout': {
        const v = countValue(ctx, e.value, 'timeout');
        if (v !== undefined) play.timeout = v;
        break;
      }
      case 'connection': {
        const v = connectionValue(ctx, e.value);
        if (v !== undefined) play.connection = v;
        break;
      }
      case 'collections':
        break;
      case 'pre_tasks':
        play.preTasks = taskList(ctx, e.value, 'pre_tasks', 'task');
        break;
      case 'tasks':
        ownTasks = taskList(ctx, e.value, 'tasks', 'task');
        break;
      case 'post_tasks':
        play.postTasks = taskList(ctx, e.value, 'post_tasks', 'task');
        break;
      case 'handlers':
        ownHandlers = handlerList(ctx, e.value, 'handlers');
        break;
      case 'tags':
        tags = stringList(ctx, e.value, 'tags', 'a tag').flatMap((t) => t.split(',').map((s) => s.trim()).filter(Boolean));
        break;
      case 'roles': {
        if (e.value === null) break;
        if (!isSeq(e.value)) {
          ctx.diagnostics.push({ severity: 'error', message: `'roles' must be a list of roles, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value) });
          break;
        }
        for (const r of e.value.items) {
          positions.roles.push(posOf(ctx.src, r as Node));
          const entry = loadRoleEntry(ctx, r as Node, baseDir);
          if (!entry) continue;
          for (const role of flattenRoles([entry], seenRoles)) {
            Object.assign(play.roleDefaults, role.info.defaults);
            play.roleVars = { ...play.roleVars, ...role.exportVars };
            roleTasks.push(...role.tasks);
            roleHandlers.push(...role.handlers);
          }
        }
        break;
      }
      default:
        if (isRunAsKeyword(e.key)) {
          setRunAs(ctx, play, e.key, e.value);
        } else if (e.key === 'include' || e.key === 'ansible.builtin.include') {
          // Ansible 2.14 refuses it too ("'include' is not a valid attribute for a Play").
          ctx.diagnostics.push({ severity: 'error', message: `'include' of a playbook was removed from Ansible (2.14 refuses it as well): write import_playbook`, pos: at });
        } else if (UNSUPPORTED_KEYWORDS.has(e.key)) {
          ctx.diagnostics.push({ severity: 'error', message: `keyword '${e.key}' in play is not supported by this provisioner`, pos: at });
        } else {
          ctx.diagnostics.push({ severity: 'error', message: `unknown keyword '${e.key}' in play${didYouMean(e.key, PLAY_KEYWORDS)}`, pos: at });
        }
    }
  }
  if (!hostsSeen) ctx.diagnostics.push({ severity: 'error', message: `play ${play.name ? `'${play.name}' ` : `#${index + 1} `}has no 'hosts'`, pos });
  if (!play.name) play.name = play.hosts;
  play.tasks = [...roleTasks, ...ownTasks];
  play.handlers = [...ownHandlers, ...roleHandlers];
  addTags([...play.preTasks, ...play.tasks, ...play.postTasks], tags);
  playPositions.set(play, positions);
  return play;
}

const VARS_PROMPT_KEYS = ['name', 'prompt', 'default', 'private', 'confirm', 'unsafe'];
/** Ansible's keys that hash the answer (passlib): not implemented here. */
const VARS_PROMPT_ENCRYPT_KEYS = ['encrypt', 'salt_size', 'salt'];

/** `vars_prompt:` a list of mappings with `name` (one mapping alone is read as a list of one, as Ansible does). */
function readVarsPrompt(ctx: TaskParseContext, node: Node | null): VarsPrompt[] {
  if (node === null || toJS(ctx.src, node) === null) return [];
  const items = isSeq(node) ? (node.items as Node[]) : isMap(node) ? [node] : undefined;
  if (!items) {
    ctx.diagnostics.push({ severity: 'error', message: `'vars_prompt' must be a list of mappings with 'name' (and prompt, default, private, confirm, unsafe), got ${describeNode(node)}`, pos: posOf(ctx.src, node) });
    return [];
  }
  const out: VarsPrompt[] = [];
  for (const item of items) {
    const at = posOf(ctx.src, item);
    if (!isMap(item)) {
      ctx.diagnostics.push({ severity: 'error', message: `a vars_prompt entry must be a mapping with 'name', got ${describeNode(item)}`, pos: at });
      continue;
    }
    const entry: Partial<VarsPrompt> & { pos: SourcePos } = { pos: at, private: true, confirm: false, unsafe: false };
    let ok = true;
    for (const e of entries(item)) {
      const kAt = posOf(ctx.src, e.keyNode);
      const v = toJS(ctx.src, e.value);
      if (VARS_PROMPT_ENCRYPT_KEYS.includes(e.key)) {
        ctx.diagnostics.push({ severity: 'error', message: `'${e.key}' in vars_prompt (hashing the answer with passlib) is not supported by this provisioner: ask for the plain value and hash it with the password_hash filter`, pos: kAt });
        ok = false;
      } else if (e.key === 'name') {
        if (typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) entry.name = v;
        else {
          ctx.diagnostics.push({ severity: 'error', message: `'name' in vars_prompt must be a variable name, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value ?? e.keyNode) });
          ok = false;
        }
      } else if (e.key === 'prompt') {
        if (typeof v === 'string' || typeof v === 'number') entry.prompt = String(v);
        else {
          ctx.diagnostics.push({ severity: 'error', message: `'prompt' in vars_prompt must be a string, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value ?? e.keyNode) });
          ok = false;
        }
      } else if (e.key === 'default') {
        entry.default = v;
      } else if (e.key === 'private' || e.key === 'confirm' || e.key === 'unsafe') {
        const b = boolValue(ctx, e.value, e.key);
        if (b === undefined) ok = false;
        else entry[e.key] = b;
      } else {
        ctx.diagnostics.push({ severity: 'error', message: `unknown key '${e.key}' in vars_prompt${didYouMean(e.key, [...VARS_PROMPT_KEYS, ...VARS_PROMPT_ENCRYPT_KEYS]) || ` (it takes ${VARS_PROMPT_KEYS.join(', ')})`}`, pos: kAt });
        ok = false;
      }
    }
    if (entry.name === undefined) {
      if (ok) ctx.diagnostics.push({ severity: 'error', message: `a vars_prompt entry needs 'name' (the variable it sets)`, pos: at });
      continue;
    }
    if (ok) out.push({ ...entry, prompt: entry.prompt ?? entry.name } as VarsPrompt);
  }
  return out;
}

function readVarsFiles(ctx: TaskParseContext, node: Node | null, baseDir: string): Play['varsFiles'] {
  if (node === null) return [];
  const items = isSeq(node) ? (node.items as Node[]) : [node];
  const out: Play['varsFiles'] = [];
  for (const item of items) {
    const at = posOf(ctx.src, item);
    const v = toJS(ctx.src, item);
    if (typeof v !== 'string' || v.trim() === '') {
      ctx.diagnostics.push({ severity: 'error', message: `'vars_files' must list file names, got ${describeNode(item)}`, pos: at });
      continue;
    }
    if (isTemplate(v)) {
      ctx.diagnostics.push({ severity: 'error', message: `vars_files entry '${v}' is templated; only plain file names are supported`, pos: at });
      continue;
    }
    const file = isAbsolute(v) ? v : resolve(baseDir, v);
    let readable = true;
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      readable = false;
      ctx.diagnostics.push({ severity: 'error', message: `cannot read vars_files entry '${v}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (${displayPath(file)})`, pos: at });
    }
    const vars: Vars = readable ? readVarsFile(file, ctx.diagnostics, 'vars_files entry') : {};
    out.push({ file, vars });
  }
  return out;
}

/** Read a playbook and everything it includes (roles, vars_files, imports), collecting every problem. */
export function readPlaybook(file: string, options: LoadPlaybookOptions = {}): PlaybookLoad {
  const path = resolve(file);
  const diagnostics: Diagnostic[] = [];
  const playbook: Playbook = { file: path, plays: [] };
  playbook.plays = readPlays(path, options, diagnostics, []);
  return { playbook, diagnostics };
}

function readPlays(path: string, options: LoadPlaybookOptions, diagnostics: Diagnostic[], importing: string[], from?: SourcePos): Play[] {
  const baseDir = dirname(path);
  const src = readYaml(path, from, 'playbook');
  diagnostics.push(...src.diagnostics);
  if (hasErrors(src)) return [];
  const ctx: TaskParseContext = {
    src, diagnostics, registry: options.registry, dir: baseDir, importing: [path],
    collectionHasModule: (fqcn) => findCollectionLibraryModule(fqcn, baseDir) !== undefined,
  };
  const root = rootOf(src);
  if (root === null || toJS(src, root) === null) {
    diagnostics.push({ severity: 'error', message: 'the playbook is empty: expected a list of plays', pos: posOf(src, root) });
    return [];
  }
  if (!isSeq(root)) {
    diagnostics.push({ severity: 'error', message: `a playbook must be a list of plays (each starting with '- hosts:'), got ${describeNode(root)}`, pos: posOf(src, root) });
    return [];
  }
  const plays: Play[] = [];
  root.items.forEach((item, i) => {
    const node = item as Node;
    const imported = isMap(node) ? entries(node).find((e) => e.key === 'import_playbook' || e.key === 'ansible.builtin.import_playbook') : undefined;
    if (imported) {
      const at = posOf(src, imported.value ?? imported.keyNode);
      // import_playbook takes vars, when and tags (Ansible 2.14's PlaybookInclude); nothing else.
      const others = entries(node as never).filter((e) => e.key !== imported.key && !IMPORT_PLAYBOOK_KEYWORDS.includes(e.key));
      for (const o of others) diagnostics.push({ severity: 'error', message: `'${o.key}' cannot be used with import_playbook (it takes ${IMPORT_PLAYBOOK_KEYWORDS.map((k) => `'${k}'`).join(', ')})`, pos: posOf(src, o.keyNode) });
      const keyword = (k: string) => entries(node as never).find((e) => e.key === k)?.value ?? null;
      const importVars = entries(node as never).some((e) => e.key === 'vars') ? varsMapping(ctx, keyword('vars'), 'vars') : {};
      const importWhen = entries(node as never).some((e) => e.key === 'when') ? conditionList(ctx, keyword('when'), 'when') : [];
      const importTags = entries(node as never).some((e) => e.key === 'tags') ? stringList(ctx, keyword('tags'), 'tags').flatMap((t) => t.split(',').map((s) => s.trim()).filter(Boolean)) : [];
      const target = toJS(src, imported.value);
      if (typeof target !== 'string' || isTemplate(target)) {
        diagnostics.push({ severity: 'error', message: `'import_playbook' must be a plain file name, got ${describeNode(imported.value)}`, pos: at });
        return;
      }
      const file = isAbsolute(target) ? target : resolve(baseDir, target);
      if ([...importing, path].includes(file)) {
        diagnostics.push({ severity: 'error', message: `import cycle: ${[...importing, path, file].map(displayPath).join(' -> ')}`, pos: at });
        return;
      }
      for (const play of readPlays(file, options, diagnostics, [...importing, path], at)) {
        // As in Ansible: the import's vars over the play's, its tags on every task, its conditions
        // before each task's own (not on fact gathering: see docs/compatibility/keywords.md).
        play.vars = { ...play.vars, ...importVars };
        const items = [...play.preTasks, ...play.tasks, ...play.postTasks];
        addTags(items, importTags);
        if (importWhen.length > 0) for (const item of items) item.when = [...importWhen, ...item.when];
        plays.push(play);
      }
      return;
    }
    const play = parsePlay(ctx, node, i, baseDir);
    if (play) plays.push(play);
  });
  return plays;
}

/** Like readPlaybook, but throws a ValidationError (exit code 2) listing every error. */
export function loadPlaybook(file: string, options: LoadPlaybookOptions = {}): Playbook {
  const { playbook, diagnostics } = readPlaybook(file, options);
  if (diagnostics.some((d) => d.severity === 'error')) throw new ValidationError(diagnostics);
  return playbook;
}
