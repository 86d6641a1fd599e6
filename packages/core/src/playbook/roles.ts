/**
 * Roles: roles/<name>/{tasks,handlers,defaults,vars}/main.yml next to the playbook (templates/ and
 * files/ are looked up by the modules through the task's role). A play entry is `- nginx` or
 * `- { role: nginx, some_param: 1, vars: {...}, tags: [...], when: ..., become: yes }`.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Handler, RoleInfo, RunAsKeywords, SourcePos, TaskItem, Vars } from '../model.js';
import { readVarsFile } from '../inventory/vars-dirs.js';
import { didYouMean } from '../validate/suggest.js';
import { ROLE_ENTRY_KEYWORDS } from './keywords.js';
import { boolValue, conditionList, handlerList, isRunAsKeyword, setRunAs, stringList, taskList, varsMapping, type TaskParseContext } from './tasks.js';
import { describeNode, displayPath, entries, isMap, posOf, readYaml, rootOf, toJS, type Node, hasErrors } from './yaml-source.js';

export interface LoadedRole {
  info: RoleInfo;
  tasks: TaskItem[];
  handlers: Handler[];
}

function mainFile(dir: string): string | undefined {
  for (const name of ['main.yml', 'main.yaml', 'main']) {
    const f = join(dir, name);
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return undefined;
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
  return loadRole(ctx, { name, namePos, baseDir, params, roleVars, tags, when, become, runAs: who.runAs });
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
    ctx.diagnostics.push({ severity: 'error', message: `role '${req.name}' not found (looked in ${candidates.map(displayPath).join(', ')})`, pos: namePos });
    return undefined;
  }
  const metaFile = mainFile(join(path, 'meta'));
  if (metaFile) {
    const meta = readVarsFile(metaFile, ctx.diagnostics, 'role meta file');
    if (Array.isArray(meta.dependencies) && meta.dependencies.length > 0) {
      ctx.diagnostics.push({ severity: 'error', message: `role '${name}' has dependencies in meta/main.yml, which are not supported: list those roles in the play before it`, pos: namePos });
    }
  }
  const defaultsFile = mainFile(join(path, 'defaults'));
  const defaults = defaultsFile ? readVarsFile(defaultsFile, ctx.diagnostics, 'role defaults file') : {};
  const varsFile = mainFile(join(path, 'vars'));
  const ownVars = varsFile ? readVarsFile(varsFile, ctx.diagnostics, 'role vars file') : {};
  const info: RoleInfo = { name, path, defaults };
  const scopeVars = { ...ownVars, ...roleVars, ...params };
  const tasks = readRoleList(ctx, info, join(path, 'tasks'), 'task') as TaskItem[];
  for (const item of tasks) {
    item.vars = { ...scopeVars, ...item.vars };
    item.when = [...when, ...item.when];
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    if (item.become === undefined && become !== undefined) item.become = become;
    if (req.runAs) item.runAs = { ...req.runAs, ...item.runAs };
    if (item.kind === 'block') propagateTags(item.block.concat(item.rescue, item.always), tags);
  }
  const handlers = readRoleList(ctx, info, join(path, 'handlers'), 'handler') as Handler[];
  for (const h of handlers) h.vars = { ...scopeVars, ...h.vars };
  return { info, tasks, handlers };
}

function propagateTags(items: TaskItem[], tags: string[]): void {
  for (const item of items) {
    for (const t of tags) if (!item.tags.includes(t)) item.tags.push(t);
    if (item.kind === 'block') propagateTags(item.block.concat(item.rescue, item.always), tags);
  }
}

function readRoleList(ctx: TaskParseContext, role: RoleInfo, dir: string, kind: 'task' | 'handler'): TaskItem[] {
  const file = mainFile(dir);
  if (!file) return [];
  const src = readYaml(file, undefined, `role ${kind}s file`);
  ctx.diagnostics.push(...src.diagnostics);
  if (hasErrors(src)) return [];
  const sub: TaskParseContext = { ...ctx, src, role, dir, importing: [file] };
  const root = rootOf(src);
  return kind === 'task' ? taskList(sub, root, `${role.name}/tasks/main.yml`, 'task') : handlerList(sub, root, `${role.name}/handlers/main.yml`);
}
