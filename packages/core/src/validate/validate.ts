/**
 * Validation of a whole run before any host is touched. Every problem is collected (the CLI prints
 * them all and exits with code 2): unknown modules, bad or missing arguments, template syntax, host
 * patterns that match nothing, missing controller files, notify of unknown handlers, plus what the
 * loaders found (unknown keywords, undefined roles, unreadable vars_files, inventory syntax).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isVaultText, VAULT_HEADER } from '../vault/format.js';
import { decryptIfVaulted, VaultError } from '../vault/keyring.js';
import { isAbsolute, join, resolve } from 'node:path';
import type { ModuleRegistry } from '../contract/module.js';
import type { Diagnostic, Inventory, ModuleDefaultsEntry, Play, Playbook, SourcePos, Task, TaskItem, Vars } from '../model.js';
import { moduleDefaultsFor } from '../executor/module-defaults.js';
import { readInventory } from '../inventory/load.js';
import { resolvePattern } from '../inventory/patterns.js';
import { readPlaybook, playPositionsOf } from '../playbook/load.js';
import { FLAG_KEYWORDS } from '../playbook/tasks.js';
import { taskPositions, walkTasks } from '../playbook/positions.js';
import { displayPath } from '../playbook/yaml-source.js';
import { isTemplate, templateSyntaxError } from '../templating/engine.js';
import { isPlainObject } from '../vars/secret.js';
import { KNOWN_FQCN_FILTERS, KNOWN_FQCN_MODULES, ROUTED_SHORT_MODULES } from './known-modules.js';
import { argsObject, argsTemplateOf, validateArgs, wordsOfTemplatedName } from './args.js';
import { META_ACTIONS, isMeta, isMetaAction } from '../executor/meta.js';
import { changesInventoryModule } from '../executor/actions/index.js';
import { didYouMean } from './suggest.js';
import { findCollectionLibraryModule, findLibraryModule, needsAnsibleCore, playRoles } from '../library/library-module.js';
import { controllerAnsible } from '../library/controller-ansible.js';

export interface ValidateRunInput {
  playbook: Playbook;
  inventory: Inventory;
  registry: ModuleRegistry;
  /** --limit pattern. */
  limit?: string;
  /** --tags (warned about when no task carries them). */
  tags?: string[];
  skipTags?: string[];
}

const SPECIAL_TAGS = new Set(['all', 'always', 'never', 'tagged', 'untagged']);

function allNames(registry: ModuleRegistry): string[] {
  const r = registry as ModuleRegistry & { allNames?: () => string[] };
  return r.allNames ? r.allNames() : registry.names();
}

/** A module ansible-core or a well-known collection provides (known-modules.ts, generated from ansible-doc). */
export function knownElsewhere(module: string): boolean {
  const name = module.replace(/^ansible\.legacy\./, 'ansible.builtin.');
  // `ansible.builtin.zypper` and `ansible.legacy.zypper` are routed by ansible-core like the short name.
  const short = name.replace(/^ansible\.builtin\./, '');
  return KNOWN_FQCN_MODULES.has(name) || KNOWN_FQCN_MODULES.has(`ansible.builtin.${name}`) || ROUTED_SHORT_MODULES.has(short) || NEWER_CORE_MODULES.has(`ansible.builtin.${short}`);
}

/**
 * Modules of ansible-core releases newer than the one the known-modules list is generated from
 * (Debian's 2.14): known to Ansible users' roles, so a warning where they are reached only through a
 * dynamic include (geerlingguy.docker's setup-Debian.yml), an error where they are read statically.
 */
const NEWER_CORE_MODULES: ReadonlySet<string> = new Set([
  'ansible.builtin.deb822_repository', // ansible-core 2.15
  'ansible.builtin.mount_facts', // ansible-core 2.18
  'ansible.builtin.dnf5', // ansible-core 2.15
]);

/** Controller path lookup, in the order the executor uses: role files/ or templates/, the role, the playbook's folder. */
function localCandidates(path: string, kind: 'files' | 'templates', play: Play, task: Task): string[] {
  if (isAbsolute(path)) return [path];
  return [
    ...(task.role ? [join(task.role.path, kind, path), join(task.role.path, path)] : []),
    join(play.baseDir, kind, path),
    resolve(play.baseDir, path),
  ];
}

function checkTemplatesIn(value: unknown, report: (reason: string) => void): void {
  if (typeof value === 'string') {
    const reason = templateSyntaxError(value);
    if (reason) report(notShippedFilter(reason) ?? reason);
  } else if (Array.isArray(value)) value.forEach((v) => checkTemplatesIn(v, report));
  else if (isPlainObject(value)) Object.values(value).forEach((v) => checkTemplatesIn(v, report));
}

function checkTask(
  task: Task,
  play: Play,
  handlerNames: Set<string>,
  registry: ModuleRegistry,
  out: Diagnostic[],
  moduleDefaults?: readonly ModuleDefaultsEntry[],
  mayNotRun?: string,
): void {
  const pos = taskPositions(task);
  const err = (message: string, at: SourcePos) => out.push({ severity: 'error', message, pos: at, task: task.name });
  // A filter of a well-known collection is looked up when its template is evaluated: `when` and the
  // loop whenever the task is reached (Ansible evaluates the loop before `when`), the arguments only if
  // the task runs. Where that may not happen it is a warning, and the task fails if it gets there.
  const whenReached = (message: string, at: SourcePos) => {
    if (task.includedDynamically && NOT_SHIPPED_FILTER.test(message)) warn(message, at, 'the task is in a file read by include_tasks: it fails if it is reached');
    else err(message, at);
  };
  const whenRun = (message: string, at: SourcePos) => {
    const why = mayNotRun ?? (task.includedDynamically ? 'the task is in a file read by include_tasks' : undefined);
    if (why && NOT_SHIPPED_FILTER.test(message)) warn(message, at, `${why}: it fails if it runs`);
    else err(message, at);
  };
  const warn = (message: string, at: SourcePos, why: string) => out.push({ severity: 'warning', message: `${message} (${why})`, pos: at, task: task.name });
  // Conditions and loops are expressions: check their syntax.
  const conditions: [string, string[] | undefined][] = [['when', task.when], ['changed_when', task.changedWhen], ['failed_when', task.failedWhen], ['until', task.until]];
  for (const [kw, list] of conditions) {
    for (const c of list ?? []) {
      // One `{{ expression }}` (its dict literals may end in `}}`), not text mixing markup and code.
      const inner = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(c)?.[1];
      const whole = inner !== undefined && !inner.includes('{{');
      if (!whole && /\{\{|\{%/.test(c)) {
        err(`'${kw}' is already an expression: write it without {{ }} (e.g. ${JSON.stringify(c.replace(/\{\{\s*|\s*\}\}/g, ''))})`, pos.keywords[kw] ?? task.pos);
        continue;
      }
      const bare = c.trim().replace(/^\{\{([\s\S]*)\}\}$/, '$1');
      const syntax = templateSyntaxError(`{{ (${bare}) }}`);
      const reason = syntax && (notShippedFilter(syntax) ?? syntax);
      if (reason) (kw === 'when' ? whenReached : whenRun)(`bad expression in '${kw}': ${reason} (in ${JSON.stringify(c)})`, pos.keywords[kw] ?? task.pos);
    }
  }
  if (task.loop !== undefined) checkTemplatesIn(task.loop, (r) => whenReached(`bad template in 'loop': ${r}`, pos.keywords.loop ?? pos.keywords.with_items ?? task.pos));
  if (task.name) checkTemplatesIn(task.name, (r) => err(`bad template in 'name': ${r}`, pos.keywords.name ?? task.pos));
  for (const kw of ['retries', 'delay', 'async', 'poll'] as const) {
    const v = task[kw];
    if (typeof v === 'string') checkTemplatesIn(v, (r) => err(`bad template in '${kw}': ${r}`, pos.keywords[kw] ?? task.pos));
  }
  for (const [kw, key] of Object.entries(FLAG_KEYWORDS)) {
    const v = task[key];
    if (typeof v === 'string') checkTemplatesIn(v, (r) => err(`bad template in '${kw}': ${r}`, pos.keywords[kw] ?? task.pos));
  }
  for (const [k, v] of Object.entries(task.vars)) checkTemplatesIn(v, (r) => err(`bad template in variable '${k}': ${r}`, pos.keywords.vars ?? task.pos));
  if (typeof task.args === 'string') checkTemplatesIn(task.args, (r) => whenRun(`bad template in the arguments of '${task.module}': ${r}`, pos.args));
  else for (const [k, v] of Object.entries(task.args)) checkTemplatesIn(v, (r) => whenRun(`bad template in argument '${k}' of '${task.module}': ${r}`, pos.argValues[k] ?? pos.args));

  if (task.deferredArgs !== undefined) checkTemplatesIn(task.deferredArgs, (r) => whenRun(`bad template in 'args': ${r}`, pos.keywords.args ?? pos.args));

  notifyChecks(task, handlerNames, err);

  // A templated module name is known per host once rendered: the executor looks the module up and
  // checks its arguments then, with this validator (executor/dynamic.ts).
  if (isTemplate(task.module)) {
    const reason = templateSyntaxError(task.module);
    if (reason) whenRun(`bad template in the module name: ${reason}`, pos.module);
    else out.push({ severity: 'warning', message: `module name is a template (${task.module}): validated when the task runs`, pos: pos.module, task: task.name });
    // Ansible reads the words after the name before it knows the module: free text is refused then.
    const words = typeof task.args === 'string' ? wordsOfTemplatedName(task.args) : undefined;
    if (words?.error) err(`'${task.module}' ${words.error}`, pos.args);
    return;
  }
  const def = registry.get(task.module);
  if (!def) {
    if (isMeta(task.module)) {
      const action = typeof task.args === 'string' ? task.args.trim() : String((task.args as Vars).action ?? '');
      if (!isMetaAction(action)) err(`unknown meta action '${action}'${didYouMean(action, META_ACTIONS)}`, pos.args);
      return;
    }
    // A module file the user ships (library/): its arguments are the module's own to check on the host.
    const lib = findLibraryModule(task.module, task.role, play.baseDir, playRoles(play));
    if (lib) {
      const ansible = needsAnsibleCore(lib.file) ? controllerAnsible() : undefined;
      if (ansible && !ansible.found) {
        err(`module '${task.module}' (${displayPath(lib.file)}, ${lib.where}): a Python module from library/ needs ansible-core on the controller (${ansible.why})`, pos.module);
      }
      return;
    }
    // A module of a collection installed on the controller runs like a library module, unless the
    // collection gives it an action plugin (controller-side Python this provisioner does not run).
    const coll = findCollectionLibraryModule(task.module, play.baseDir);
    if (coll?.collection?.actionPlugin) {
      const message = `module '${task.module}' (${displayPath(coll.file)}) has an action plugin in its collection (${displayPath(coll.collection.actionPlugin)}): Ansible runs it through that controller-side Python code, which this provisioner does not run`;
      if (task.includedDynamically) out.push({ severity: 'warning', message: `${message}: this task (in a file read by include_tasks) fails if it is reached`, pos: pos.module, task: task.name });
      else if (mayNotRun && mayNotRun !== LOOP_MAY_BE_EMPTY) out.push({ severity: 'warning', message: `${message} (${mayNotRun}: it fails if it runs)`, pos: pos.module, task: task.name });
      else err(message, pos.module);
      return;
    }
    if (coll) return;
    if (knownElsewhere(task.module)) {
      const message = `module '${task.module}' is provided by Ansible or a well-known collection, not by this provisioner`;
      // Known to Ansible, so a task that does not run never needs it: a warning where the task may not
      // run (a loop aside: the executor needs the module to count the loop's items), failing if reached.
      if (task.includedDynamically) out.push({ severity: 'warning', message: `${message}: this task (in a file read by include_tasks) fails if it is reached`, pos: pos.module, task: task.name });
      else if (mayNotRun && mayNotRun !== LOOP_MAY_BE_EMPTY) out.push({ severity: 'warning', message: `${message} (${mayNotRun}: it fails if it runs)`, pos: pos.module, task: task.name });
      else err(message, pos.module);
      return;
    }
    const plugin = pythonPluginOf(task, play);
    if (plugin) {
      const message = `module '${task.module}' is Python code shipped with the ${plugin.where} (${plugin.file}): this provisioner runs its own modules only, not Ansible's Python modules or plugins`;
      // Ansible finds it (a module Ansible has, as above): in a file read by include_tasks, it fails only
      // if reached (the get_url target's Kerberos tasks, read only when Kerberos is set up).
      if (task.includedDynamically) out.push({ severity: 'warning', message: `${message}: this task (in a file read by include_tasks) fails if it is reached`, pos: pos.module, task: task.name });
      else err(message, pos.module);
      return;
    }
    err(`unknown module '${task.module}'${didYouMean(task.module, allNames(registry))}`, pos.module);
    return;
  }
  // Arguments given by one template (`add_host: "{{ host_data }}"`, `args: "{{ opts }}"`): a mapping
  // known per host, checked when the task runs.
  const argsTemplate = argsTemplateOf(task, def);
  if (argsTemplate !== undefined) {
    out.push({ severity: 'warning', message: `arguments of '${task.module}' are a template (${argsTemplate}): validated when the task runs`, pos: typeof task.deferredArgs === 'string' ? (pos.keywords.args ?? pos.args) : pos.args, task: task.name });
    return;
  }
  const defaults = moduleDefaultsFor(moduleDefaults, def.name, (key) => registry.get(key)?.name);
  const argDiagnostics = deferredToRunTime(expectedFailure(task, validateArgs(task, def, defaults?.value)), mayNotRun);
  out.push(...argDiagnostics);
  if (argDiagnostics.length || !def.localFiles) return;
  const { args } = argsObject(task, def);
  if (!args) return;
  let files: { path: string; kind: 'files' | 'templates' }[];
  try {
    files = def.localFiles(args);
  } catch {
    return;
  }
  for (const f of files) {
    if (typeof f.path !== 'string' || isTemplate(f.path)) continue;
    const argName = Object.keys(args).find((k) => args[k] === f.path);
    const at = (argName && pos.argValues[argName]) || pos.args;
    const candidates = localCandidates(f.path, f.kind, play, task);
    const found = candidates.find((c) => existsSync(c));
    if (!found) {
      err(`module '${task.module}': ${f.kind === 'templates' ? 'template' : 'file'} '${f.path}' not found (looked in ${candidates.map(displayPath).join(', ')})`, at);
    } else {
      // A vault-encrypted source must open with the given passwords now, before any host is touched.
      let text: string | undefined;
      try {
        if (f.kind === 'templates' || fileStartsAsVault(found)) text = decryptIfVaulted(readFileSync(found), displayPath(found)).content.toString('utf8');
      } catch (e) {
        if (e instanceof VaultError) err(e.message, at);
        text = undefined;
      }
      const reason = text === undefined || f.kind !== 'templates' ? undefined : templateSyntaxError(text);
      if (reason) err(`template ${displayPath(found)}: ${reason}`, at);
    }
  }
}

/** Does a (possibly large, possibly a folder) controller file begin with the vault header? Reads only that much. */
function fileStartsAsVault(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(VAULT_HEADER.length);
      const n = readSync(fd, head, 0, head.length, 0);
      return isVaultText(head.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function notifyChecks(task: Task, handlerNames: Set<string>, err: (m: string, at: SourcePos) => void): void {
  const pos = taskPositions(task);
  task.notify.forEach((n, i) => {
    if (isTemplate(n) || handlerNames.has(n)) return;
    err(`notify '${n}' matches no handler of this play${didYouMean(n, handlerNames)}`, pos.notify[i] ?? task.pos);
  });
}

/**
 * The module_defaults that reach each task (play, role entry, blocks, task: the nearest last), and a
 * check of every key written: it must name a module, as Ansible refuses one it cannot resolve.
 */
function moduleDefaultsOfTasks(play: Play, registry: ModuleRegistry, out: Diagnostic[]): Map<Task, readonly ModuleDefaultsEntry[]> {
  const found = new Map<Task, readonly ModuleDefaultsEntry[]>();
  const checked = new Set<ModuleDefaultsEntry>();
  const check = (entries: readonly ModuleDefaultsEntry[] | undefined) => {
    for (const entry of entries ?? []) {
      if (checked.has(entry)) continue;
      checked.add(entry);
      for (const key of Object.keys(entry.defaults)) {
        if (registry.get(key) || knownElsewhere(key)) continue;
        out.push({ severity: 'error', message: `module_defaults names '${key}', which is no module${didYouMean(key, allNames(registry))}`, pos: entry.keyPos[key] });
      }
    }
  };
  const walk = (items: readonly TaskItem[], inherited: readonly ModuleDefaultsEntry[]) => {
    for (const item of items) {
      check(item.moduleDefaults);
      const here = item.moduleDefaults ? [...inherited, ...item.moduleDefaults] : inherited;
      if (item.kind === 'task') {
        found.set(item, here);
        const body = (item as { body?: TaskItem[] }).body;
        if (body) walk(body, here);
        continue;
      }
      if (item.include?.preloaded) walk(item.include.preloaded, here);
      walk([...item.block, ...item.rescue, ...item.always], here);
    }
  };
  check(play.moduleDefaults);
  walk([...allItems(play), ...play.handlers], play.moduleDefaults ?? []);
  return found;
}

function allItems(play: Play): TaskItem[] {
  return [...play.preTasks, ...play.tasks, ...play.postTasks];
}

/** A play with an add_host or group_by task: the plays after it may name hosts and groups it makes. */
function changesInventory(play: Play, registry: ModuleRegistry): boolean {
  return [...walkTasks(allItems(play))].some((t) => changesInventoryModule(registry.get(t.module)));
}

function checkPlay(play: Play, input: ValidateRunInput, out: Diagnostic[], limitOk: boolean, dynamicInventory = false): void {
  const { inventory, registry } = input;
  const pp = playPositionsOf(play);
  const handlerNames = new Set<string>();
  for (const h of play.handlers) {
    if (h.name) handlerNames.add(h.name);
    h.listen.forEach((l) => handlerNames.add(l));
  }
  // Host pattern
  if (play.hosts.trim() !== '') {
    const r = resolvePattern(inventory, play.hosts);
    const names = [...inventory.groups.keys(), ...inventory.hosts.keys()];
    for (const bad of r.invalid) out.push({ severity: 'error', message: `bad host pattern '${play.hosts}': ${bad.reason}`, pos: pp.hosts });
    for (const term of r.unmatched) {
      const bare = term.replace(/^[!&]/, '');
      const whole = term === play.hosts ? '' : ` (in '${play.hosts}')`;
      // After add_host/group_by the name may exist by then: Ansible only warns when a pattern matches nothing.
      if (dynamicInventory) {
        out.push({ severity: 'warning', message: `host pattern '${bare}'${whole} matches no host or group of the inventory (an earlier play may add it with add_host or group_by)`, pos: pp.hosts });
      } else out.push({ severity: 'error', message: `host pattern '${bare}'${whole} matches no host or group${didYouMean(bare, names)}`, pos: pp.hosts });
    }
    if (r.unmatched.length === 0 && r.invalid.length === 0 && r.hosts.length === 0 && !dynamicInventory) {
      out.push({ severity: 'error', message: `host pattern '${play.hosts}' matches no hosts`, pos: pp.hosts });
    }
    if (input.limit && limitOk && r.hosts.length) {
      const allowed = new Set(resolvePattern(inventory, input.limit).hosts);
      if (!r.hosts.some((h) => allowed.has(h))) {
        out.push({ severity: 'warning', message: `play '${play.name}' has no hosts left after --limit '${input.limit}': it will be skipped`, pos: pp.hosts });
      }
    }
  }
  // Templates in variables: a syntax error is found now rather than on the first host that uses it.
  for (const [k, v] of Object.entries(play.vars)) checkTemplatesIn(v, (r) => out.push({ severity: 'error', message: `bad template in play variable '${k}': ${r}`, pos: play.pos }));
  for (const f of play.varsFiles) {
    for (const [k, v] of Object.entries(f.vars)) checkTemplatesIn(v, (r) => out.push({ severity: 'error', message: `bad template in variable '${k}' of ${displayPath(f.file)}: ${r}`, pos: play.pos }));
  }
  for (const [k, v] of Object.entries(play.roleDefaults)) checkTemplatesIn(v, (r) => out.push({ severity: 'error', message: `bad template in role default '${k}': ${r}`, pos: play.pos }));
  const handlerTasks = play.handlers.flatMap((h) => (h.body ? [...walkTasks(h.body)] : [h]));
  const defaultsOf = moduleDefaultsOfTasks(play, registry, out);
  const conditional = conditionalTasks(allItems(play));
  for (const task of [...walkTasks(allItems(play)), ...handlerTasks]) {
    const found: Diagnostic[] = [];
    checkTask(task, play, handlerNames, registry, found, defaultsOf.get(task), conditional.get(task));
    // One task's problems in the order they are written.
    found.sort((a, b) => (a.pos && b.pos ? a.pos.line - b.pos.line || a.pos.col - b.pos.col : 0));
    out.push(...found);
  }
}

/** Every diagnostic of a run, errors and warnings, in playbook order. */
export function validateRun(input: ValidateRunInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  let limitOk = true;
  if (input.limit !== undefined) {
    const r = resolvePattern(input.inventory, input.limit);
    limitOk = r.unmatched.length === 0 && r.invalid.length === 0 && r.hosts.length > 0;
    for (const bad of r.invalid) out.push({ severity: 'error', message: `bad --limit pattern '${input.limit}': ${bad.reason}` });
    for (const term of r.unmatched) out.push({ severity: 'error', message: `--limit: '${term.replace(/^[!&]/, '')}' matches no host or group` });
    if (!r.unmatched.length && !r.invalid.length && r.hosts.length === 0) out.push({ severity: 'error', message: `--limit '${input.limit}' matches no hosts` });
  }
  for (const g of input.inventory.groups.values()) {
    for (const [k, v] of Object.entries(g.vars)) checkTemplatesIn(v, (r) => out.push({ severity: 'error', message: `bad template in variable '${k}' of inventory group '${g.name}': ${r}`, pos: g.pos }));
  }
  for (const h of input.inventory.hosts.values()) {
    for (const [k, v] of Object.entries(h.vars)) checkTemplatesIn(v, (r) => out.push({ severity: 'error', message: `bad template in variable '${k}' of inventory host '${h.name}': ${r}`, pos: h.pos }));
  }
  let dynamicInventory = false;
  for (const play of input.playbook.plays) {
    checkPlay(play, input, out, limitOk, dynamicInventory);
    dynamicInventory ||= changesInventory(play, input.registry);
  }
  if (input.tags?.length) {
    const used = new Set<string>();
    for (const play of input.playbook.plays) for (const t of walkTasks(allItems(play))) t.tags.forEach((x) => used.add(x));
    for (const tag of input.tags) {
      if (!SPECIAL_TAGS.has(tag) && !used.has(tag)) {
        out.push({ severity: 'warning', message: `--tags '${tag}' matches no task${didYouMean(tag, used)}` });
      }
    }
  }
  return out;
}

export interface PrepareRunInput {
  /** Playbook file. */
  playbook: string;
  /** Inventory sources (-i); files, directories or `h1,h2,`. */
  inventory: string | string[];
  registry: ModuleRegistry;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}

export interface PreparedRun {
  playbook: Playbook;
  inventory: Inventory;
  /** Loader and validation diagnostics together; the run may start only if none is an error. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

/** Load the inventory and the playbook and validate the run: what `provision check` and `run` do first. */
export function prepareRun(input: PrepareRunInput): PreparedRun {
  const pb = readPlaybook(input.playbook, { registry: input.registry });
  const inv = readInventory(input.inventory, { playbookDir: resolve(pb.playbook.file, '..') });
  const diagnostics = [...inv.diagnostics, ...pb.diagnostics];
  // Semantic checks only make sense on what loaded; they still run so every problem shows at once.
  diagnostics.push(
    ...validateRun({ playbook: pb.playbook, inventory: inv.inventory, registry: input.registry, limit: input.limit, tags: input.tags, skipTags: input.skipTags }),
  );
  return { playbook: pb.playbook, inventory: inv.inventory, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
}

/**
 * A module a role or playbook ships as Python (Ansible looks in `library/` for modules and in
 * `action_plugins/` for action plugins, beside the role's tasks or the playbook): named so the refusal
 * says what the task is, rather than "unknown module".
 */
function pythonPluginOf(task: Task, play: Play): { where: string; file: string } | undefined {
  const name = task.module.split('.').pop()!;
  const places: { dir: string; where: string }[] = [];
  if (task.role) places.push({ dir: task.role.path, where: `role '${task.role.name}'` });
  // Ansible also looks in the plugins of every other role the play loads (a role's dependencies).
  for (const r of playRoles(play)) {
    if (!places.some((p) => p.dir === r.path)) places.push({ dir: r.path, where: `role '${r.name}'` });
  }
  places.push({ dir: play.baseDir, where: 'playbook' });
  for (const { dir, where } of places) {
    for (const sub of ['action_plugins']) {
      const file = join(dir, sub, `${name}.py`);
      if (existsSync(file)) return { where, file: displayPath(file) };
    }
  }
  return undefined;
}

/**
 * The tasks that may not run, each with why: its own `when`, a `when` on an enclosing block, import or
 * role (roles and imports give theirs to each task, so those are the task's own too), an include
 * with a `when`, or a loop whose items may be none (see loopMayBeEmpty). Ansible checks a module's arguments only when the task runs, so their errors there
 * are warnings at validation, and the task fails with the same message if it is reached.
 */
export function conditionalTasks(items: readonly TaskItem[]): Map<Task, string> {
  const found = new Map<Task, string>();
  const walk = (list: readonly TaskItem[], inherited: string | undefined) => {
    for (const item of list) {
      if (item.kind === 'task') {
        const why = item.when.length ? "the task runs only if its 'when' holds" : (inherited ?? (loopMayBeEmpty(item) ? LOOP_MAY_BE_EMPTY : undefined));
        if (why) found.set(item, why);
        continue;
      }
      const why = item.when.length ? (item.include ? `the task is in a file read by ${item.include.action ?? 'include_tasks'} under a 'when'` : "the task is under a 'when' of an enclosing block, import or role") : inherited;
      if (item.include?.preloaded) walk(item.include.preloaded, why);
      walk([...item.block, ...item.rescue, ...item.always], why);
    }
  };
  walk(items, undefined);
  return found;
}

/**
 * A loop whose items come from a template (or a lookup) may give none: Ansible then skips the task
 * without ever checking its arguments (geerlingguy.mysql's mysql_user over `mysql_users`, empty by
 * default). A literal list of items runs the task.
 */
const LOOP_MAY_BE_EMPTY = 'the task runs once per item of its loop, which may have none';
function loopMayBeEmpty(task: Task): boolean {
  if (task.loop === undefined || task.loop === null) return false;
  if (Array.isArray(task.loop)) return task.loop.length === 0 || (task.loopWith !== undefined && task.loop.some((t) => typeof t === 'string' && /\{\{|\{%/.test(t)));
  return true;
}

/** Argument errors of a task that may not run: warnings, the task failing with the message if it runs. */
function deferredToRunTime(diagnostics: Diagnostic[], mayNotRun: string | undefined): Diagnostic[] {
  if (!mayNotRun) return diagnostics;
  return diagnostics.map((d) => (d.severity === 'error' ? { ...d, severity: 'warning', message: `${d.message} (${mayNotRun}: it fails if it runs)` } : d));
}

const NOT_SHIPPED_FILTER = /filter '[^']+' is provided by a well-known collection/;

/** "no filter named 'ansible.utils.ipaddr'": said as a filter this provisioner lacks, not a typo. */
function notShippedFilter(reason: string): string | undefined {
  const name = /^no filter named '([^']+)'/.exec(reason)?.[1];
  if (!name || !KNOWN_FQCN_FILTERS.has(name)) return undefined;
  return `filter '${name}' is provided by a well-known collection, not by this provisioner`;
}

/**
 * Arguments a task with `ignore_errors: true` gets wrong are what its author expects to fail (tests of
 * a module's own error, as Ansible's integration targets write them): the errors become warnings, and
 * the task fails when it runs, with the same message, as Ansible's does.
 */
function expectedFailure(task: Task, diagnostics: Diagnostic[]): Diagnostic[] {
  if (!(task.ignoreErrors === true || (typeof task.ignoreErrors === 'string' && /^(yes|true|on|1)$/i.test(task.ignoreErrors.trim())))) return diagnostics;
  return diagnostics.map((d) => (d.severity === 'error' ? { ...d, severity: 'warning', message: `${d.message} (the task has ignore_errors: it fails when it runs)` } : d));
}
