/**
 * Roles: roles/<name>/{tasks,handlers,defaults,vars}/main.yml next to the playbook (templates/ and
 * files/ are looked up by the modules through the task's role). A play entry is `- nginx` or
 * `- { role: nginx, some_param: 1, vars: {...}, tags: [...], when: ..., become: yes }`.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Handler, ModuleDefaultsEntry, RoleInfo, RunAsKeywords, SourcePos, TaskItem, Vars } from '../model.js';
import { readVarsFile } from '../inventory/vars-dirs.js';
import { didYouMean } from '../validate/suggest.js';
import { ROLE_ENTRY_KEYWORDS } from './keywords.js';
import { boolValue, collectionNames, collectionsWithoutEffect, conditionList, handlerList, isRunAsKeyword, moduleDefaultsValue, setRunAs, stringList, taskList, varsMapping, type TaskParseContext } from './tasks.js';
import { describeNode, displayPath, entries, isMap, posOf, readYaml, rootOf, toJS, type Node, hasErrors } from './yaml-source.js';

export interface LoadedRole {
  info: RoleInfo;
  tasks: TaskItem[];
  handlers: Handler[];
  /** meta/main.yml `dependencies`, loaded: they run before the role (each with its own dependencies). */
  dependencies: LoadedRole[];
  /** Same name and parameters: Ansible runs such a role once per play unless its meta allows duplicates. */
  key: string;
  allowDuplicates: boolean;
  /** What the role gives the play's variables (Ansible's exported role vars): the entry's vars, then vars/ (which win). */
  exportVars: Vars;
}

/** `<dir>/<base>` as Ansible finds a role's file: as written, then with .yml, .yaml. */
function roleFile(dir: string, base = 'main'): string | undefined {
  for (const name of [base, `${base}.yml`, `${base}.yaml`]) {
    const f = join(dir, name);
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return undefined;
}

const mainFile = (dir: string) => roleFile(dir);

/**
 * A role's dependencies and the play's roles, in Ansible's order: each role's dependencies first
 * (depth first), and a role already run with the same parameters is skipped unless its meta says
 * allow_duplicates. `always` lists roles that run even when seen (import_role, include_role).
 */
export function flattenRoles(roles: readonly LoadedRole[], seen: Set<string>, always: ReadonlySet<LoadedRole> = new Set()): LoadedRole[] {
  const out: LoadedRole[] = [];
  const visit = (role: LoadedRole) => {
    for (const dep of role.dependencies) visit(dep);
    if (seen.has(role.key) && !role.allowDuplicates && !always.has(role)) return;
    seen.add(role.key);
    out.push(role);
  };
  roles.forEach(visit);
  return out;
}

/** Read a role's entry in a play and the role itself. Undefined when it cannot be used (errors reported). */
export function loadRoleEntry(ctx: TaskParseContext, node: Node, baseDir: string): LoadedRole | undefined {
  const at = posOf(ctx.src, node);
  let name: string | undefined;
  let params: Vars = {};
  let roleVars: Vars = {};
  let tags: string[] = [];
  let when: string[] = [];
  let become: boolean | undefined;
  let moduleDefaults: ModuleDefaultsEntry[] | undefined;
  const who: { runAs?: RunAsKeywords } = {};
  let namePos: SourcePos = at;
  const value = toJS(ctx.src, node);
  if (typeof value === 'string') name = value;
  else if (isMap(node)) {
    for (const e of entries(node)) {
      const kpos = posOf(ctx.src, e.keyNode);
      switch (e.key) {
        case 'role':
        case 'name': {
          const v = toJS(ctx.src, e.value);
          if (typeof v === 'string' && v.trim() === '') {
            ctx.diagnostics.push({ severity: 'error', message: `a role name must not be empty`, pos: posOf(ctx.src, e.value) });
            return undefined;
          } else if (typeof v === 'string') {
            name = v;
            namePos = posOf(ctx.src, e.value);
          } else ctx.diagnostics.push({ severity: 'error', message: `'${e.key}' of a role must be its name, got ${describeNode(e.value)}`, pos: posOf(ctx.src, e.value) });
          break;
        }
        case 'vars':
          roleVars = varsMapping(ctx, e.value, 'vars');
          break;
        case 'tags':
          tags = stringList(ctx, e.value, 'tags', 'a tag');
          break;
        case 'when':
          when = conditionList(ctx, e.value, 'when');
          break;
        case 'become':
          become = boolValue(ctx, e.value, 'become');
          break;
        case 'module_defaults':
          moduleDefaults = moduleDefaultsValue(ctx, e.value);
          break;
        case 'collections':
          // A keyword of the entry in Ansible (never a role parameter), and one the role's tasks never see.
          collectionsWithoutEffect(ctx, e, 'a role entry', `the role's tasks resolve short names with its meta/main.yml 'collections' only`);
          break;
        default:
          // remote_user and become_* are keywords on a role entry too, as in Ansible, never parameters.
          if (isRunAsKeyword(e.key)) {
            setRunAs(ctx, who, e.key, e.value);
            break;
          }
          // Anything else is a role parameter (Ansible's role params), a variable of the role's tasks.
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key)) {
            ctx.diagnostics.push({ severity: 'error', message: `invalid role parameter '${e.key}'${didYouMean(e.key, ROLE_ENTRY_KEYWORDS)}`, pos: kpos });
          } else params[e.key] = toJS(ctx.src, e.value);
      }
    }
    if (name === undefined) {
      ctx.diagnostics.push({ severity: 'error', message: `a role entry needs 'role: <name>'`, pos: at });
      return undefined;
    }
  } else {
    ctx.diagnostics.push({ severity: 'error', message: `a role must be a name or a mapping with 'role:', got ${describeNode(node)}`, pos: at });
    return undefined;
  }
  return loadRole(ctx, { name, namePos, baseDir, params, roleVars, tags, when, become, runAs: who.runAs, moduleDefaults });
}

export interface RoleRequest {
  name: string;
  namePos: SourcePos;
  baseDir: string;
  params?: Vars;
  roleVars?: Vars;
  tags?: string[];
  when?: string[];
  become?: boolean;
  /** remote_user and become_* of the entry: the role's tasks keep their own where they set one. */
  runAs?: RunAsKeywords;
  /** module_defaults of the entry: before the role's own (blocks, tasks), which win per module. */
  moduleDefaults?: ModuleDefaultsEntry[];
  /** import_role / include_role: files other than main (tasks/<x>, vars/<x>, defaults/<x>, handlers/<x>). */
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
  /** Roles being loaded as dependencies, to stop a cycle. */
  loading?: string[];
  /** The meta file that lists this role as a dependency (for messages). */
  via?: string;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * Where a role lives, in Ansible's order: a path (`../roles/x`, absolute), `roles/<name>` next to the
 * playbook, `<name>` next to the playbook, then each folder of ANSIBLE_ROLES_PATH (colon-separated).
 */
export function roleCandidates(name: string, baseDir: string): string[] {
  if (name.includes('/')) return [isAbsolute(name) ? name : resolve(baseDir, name)];
  const extra = (process.env.ANSIBLE_ROLES_PATH ?? '').split(':').filter(Boolean).map((d) => join(d, name));
  return [join(baseDir, 'roles', name), join(baseDir, name), ...extra];
}

/** Load a role by name and apply the entry's params, vars, tags, when and become to its tasks. */
export function loadRole(ctx: TaskParseContext, req: RoleRequest): LoadedRole | undefined {
  const { namePos, baseDir } = req;
  const params = req.params ?? {};
  const roleVars = req.roleVars ?? {};
  const tags = req.tags ?? [];
  const when = req.when ?? [];
  const become = req.become;
  const candidates = roleCandidates(req.name, baseDir);
  const path = candidates.find(isDir);
  const name = req.name.includes('/') ? basename(req.name) : req.name;
  if (!path) {
    const via = req.via ? `, a dependency listed in ${displayPath(req.via)}` : '';
    ctx.diagnostics.push({ severity: 'error', message: `role '${req.name}' not found (looked in ${candidates.map(displayPath).join(', ')}${via})`, pos: namePos });
    return undefined;
  }
  const chain = [...(req.loading ?? []), path];
  if ((req.loading ?? []).includes(path)) {
    ctx.diagnostics.push({ severity: 'error', message: `role dependency cycle: ${chain.map((p) => basename(p)).join(' -> ')}`, pos: namePos });
    return undefined;
  }
  const fileOf = (kind: string, from: string | undefined): string | undefined => {
    const f = roleFile(join(path, kind), from ?? 'main');
    if (!f && from !== undefined) ctx.diagnostics.push({ severity: 'error', message: `role '${name}' has no ${kind}/${from} (${kind}_from)`, pos: namePos });
    return f;
  };
  const metaFile = mainFile(join(path, 'meta'));
  const meta = metaFile ? readVarsFile(metaFile, ctx.diagnostics, 'role meta file') : {};
  const dependencies: LoadedRole[] = [];
  if (meta.dependencies !== undefined && meta.dependencies !== null && !Array.isArray(meta.dependencies)) {
    ctx.diagnostics.push({ severity: 'error', message: `'dependencies' in ${displayPath(metaFile!)} must be a list of roles`, pos: namePos });
  }
  for (const dep of Array.isArray(meta.dependencies) ? meta.dependencies : []) {
    const depReq = dependencyRequest(ctx, dep, metaFile!, namePos);
    if (!depReq) continue;
    // The dependent role's when, tags and become reach its dependencies, as in Ansible.
    const loaded = loadRole(ctx, {
      ...depReq,
      baseDir,
      when: [...when, ...(depReq.when ?? [])],
      tags: [...tags, ...(depReq.tags ?? [])],
      become: depReq.become ?? become,
      // Ansible's dependency chain: the dependent role's module_defaults reach its dependencies (its own nearer).
      moduleDefaults: req.moduleDefaults || depReq.moduleDefaults ? [...(req.moduleDefaults ?? []), ...(depReq.moduleDefaults ?? [])] : undefined,
      loading: chain,
      via: metaFile,
    });
    if (loaded) dependencies.push(loaded);
  }
  const defaultsFile = fileOf('defaults', req.defaultsFrom);
  const defaults = defaultsFile ? readVarsFile(defaultsFile, ctx.diagnostics, 'role defaults file') : {};
  const varsFile = fileOf('vars', req.varsFrom);
  const ownVars = varsFile ? readVarsFile(varsFile, ctx.diagnostics, 'role vars file') : {};
  const info: RoleInfo = { name, path, defaults };
  const scopeVars = { ...ownVars, ...roleVars, ...params };
  // The role's own `collections` (meta/main.yml) resolve its short module names; the play's do not reach it.
  const collections = meta.collections === undefined ? [] : collectionsOfMeta(ctx, meta.collections, metaFile!, namePos);
  const roleCtx: TaskParseContext = { ...ctx, collections };
  const tasks = readRoleList(roleCtx, info, fileOf('tasks', req.tasksFrom), 'task') as TaskItem[];
  for (const item of tasks) {
    item.vars = { ...scopeVars, ...item.vars };
    item.when = [...when, ...item.when];
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    if (item.become === undefined && become !== undefined) item.become = become;
    if (req.runAs) item.runAs = { ...req.runAs, ...item.runAs };
    if (req.moduleDefaults) item.moduleDefaults = [...req.moduleDefaults, ...(item.moduleDefaults ?? [])];
    if (item.kind === 'block') propagateTags(item.block.concat(item.rescue, item.always), tags);
  }
  const handlers = readRoleList(roleCtx, info, fileOf('handlers', req.handlersFrom), 'handler') as Handler[];
  for (const h of handlers) {
    h.vars = { ...scopeVars, ...h.vars };
    if (req.moduleDefaults) h.moduleDefaults = [...req.moduleDefaults, ...(h.moduleDefaults ?? [])];
  }
  const key = `${path}\0${JSON.stringify(params)}`;
  return {
    info,
    tasks,
    handlers,
    dependencies,
    key,
    allowDuplicates: meta.allow_duplicates === true || meta.allow_duplicates === 'yes',
    exportVars: { ...roleVars, ...ownVars },
  };
}

/** meta/main.yml `collections`: a list of collection names (namespace.collection), else an error naming the file. */
function collectionsOfMeta(ctx: TaskParseContext, value: unknown, metaFile: string, namePos: SourcePos): string[] {
  const list = collectionNames(value);
  if (list) return list;
  ctx.diagnostics.push({ severity: 'error', message: `'collections' in ${displayPath(metaFile)} must be a list of collection names (namespace.collection), got ${JSON.stringify(value)}`, pos: namePos });
  return [];
}

/** One entry of meta/main.yml `dependencies`: a name, or a mapping with role (or name) and parameters. */
function dependencyRequest(ctx: TaskParseContext, dep: unknown, metaFile: string, pos: SourcePos): Omit<RoleRequest, 'baseDir'> | undefined {
  const where = `in the dependencies of ${displayPath(metaFile)}`;
  if (typeof dep === 'string' && dep.trim() !== '') return { name: dep, namePos: pos };
  if (dep === null || typeof dep !== 'object' || Array.isArray(dep)) {
    ctx.diagnostics.push({ severity: 'error', message: `a role ${where} must be a name or a mapping with 'role:', got ${JSON.stringify(dep)}`, pos });
    return undefined;
  }
  const { role, name, vars, tags, when, become, module_defaults: moduleDefaults, ...params } = dep as Record<string, unknown>;
  const roleName = role ?? name;
  if (typeof roleName !== 'string' || roleName.trim() === '') {
    ctx.diagnostics.push({ severity: 'error', message: `a role ${where} needs 'role: <name>', got ${JSON.stringify(dep)}`, pos });
    return undefined;
  }
  const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  // module_defaults on a dependency entry: a keyword, as on a play's role entry, never a parameter.
  const mdList = moduleDefaults === undefined || moduleDefaults === null ? [] : Array.isArray(moduleDefaults) ? moduleDefaults : [moduleDefaults];
  const md: ModuleDefaultsEntry[] = [];
  for (const m of mdList) {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) {
      ctx.diagnostics.push({ severity: 'error', message: `'module_defaults' of a role ${where} must be a mapping of module names to their default arguments`, pos });
      continue;
    }
    const entry: ModuleDefaultsEntry = { defaults: {}, keyPos: {} };
    for (const [k, v] of Object.entries(m as Vars)) {
      if (k.startsWith('group/')) {
        ctx.diagnostics.push({ severity: 'error', message: `module_defaults for the action group '${k}' ${where} are not supported by this provisioner: write the defaults under each module's name`, pos });
      } else if (v !== null && v !== undefined) {
        entry.defaults[k] = v as Vars | string;
        entry.keyPos[k] = pos;
      }
    }
    md.push(entry);
  }
  return {
    name: roleName,
    namePos: pos,
    ...(md.length > 0 ? { moduleDefaults: md } : {}),
    params: params as Vars,
    roleVars: vars && typeof vars === 'object' ? (vars as Vars) : {},
    tags: list(tags),
    when: list(when),
    become: typeof become === 'boolean' ? become : undefined,
  };
}

function propagateTags(items: TaskItem[], tags: string[]): void {
  for (const item of items) {
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    if (item.kind === 'block') propagateTags(item.block.concat(item.rescue, item.always), tags);
  }
}

function readRoleList(ctx: TaskParseContext, role: RoleInfo, file: string | undefined, kind: 'task' | 'handler'): TaskItem[] {
  if (!file) return [];
  const src = readYaml(file, undefined, `role ${kind}s file`);
  ctx.diagnostics.push(...src.diagnostics);
  if (hasErrors(src)) return [];
  const sub: TaskParseContext = { ...ctx, src, role, dir: dirname(file), importing: [file] };
  const root = rootOf(src);
  const shown = `${role.name}/${kind}s/${basename(file)}`;
  return kind === 'task' ? taskList(sub, root, shown, 'task') : handlerList(sub, root, shown);
}
