/** One task: its banner, then on each host its conditions, its loop, the module call and the result. */
import pLimit from 'p-limit';
import { UnreachableError } from '../contract/connector.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../contract/module.js';
import type { Remote } from '../contract/remote.js';
import type { SourcePos, Task } from '../model.js';
import { revealSecrets } from '../vars/secret.js';
import { shapeArgs } from './args.js';
import { moduleDefaultsFor, withModuleDefaults } from './module-defaults.js';
import { argsBeforeRendering, schemaKeys } from '../validate/args.js';
import { allConditionsHold } from './conditions.js';
import { renderFlag, taskFlags, unrenderedFlags } from './flags.js';
import { connectionTarget, loginUser } from './connections.js';
import { transportOf } from './delegation.js';
import { withBecome } from './become.js';
import { buildModuleContext } from './context.js';
import { renderEnvironment, withEnvironment } from './environment.js';
import type { HostResultEvent, HostStatus, ItemOutcome, TaskRef } from './events.js';
import { itemLabel, itemResultExtras, loopItems, loopOutcome, loopVars } from './loops.js';
import { lookupSubdir } from './lookups.js';
import { isMeta, runMeta } from './meta.js';
import { bypassesHostLoop, executorAction } from './actions/index.js';
import { realSleep, renderCount, retryPlan, runWithRetries } from './retry.js';
import { deadline, isTimedOut, timeoutResult } from './timeout.js';
import { ASYNC_DIR, ASYNC_STATUS, cleanupJob, DEFAULT_POLL, jobStatus, newJobId, pollIsOver, startedResult, startJob, validJobId } from './async.js';
import type { FactCache } from './types.js';
import { libraryModuleNamed, libraryModuleOf } from '../library/library-module.js';
import { childScope, type HostState, type Outcome, type PlayRun, type Scope, type TaskFlags } from './state.js';
import { tagsSelect } from './tags.js';
import { isTemplated, renderValue } from './vars.js';
import { isDynamicTask, placeText, renderModuleName, resolveTask, TaskResolutionError, type ResolveDeps } from './dynamic.js';
import { isTemplate } from '../templating/engine.js';
import type { Vars } from '../model.js';

/** What a no_log result shows instead of its content. */
export const CENSORED_MSG = 'output hidden: no_log is set for this task';

function posText(pos?: SourcePos): string {
  return pos ? `${pos.file}:${pos.line}` : 'unknown position';
}

/** Runs a task (or a notified handler) on `hosts`, in parallel up to the run's forks. */
export async function runTask(run: PlayRun, task: Task, hosts: string[], scope: Scope, kind: 'task' | 'handler' = 'task'): Promise<void> {
  const taskScope = childScope(scope, task);
  // Handlers are not filtered by tags: a notified handler runs.
  if (kind === 'task' && !tagsSelect(taskScope.tags, run.rt.tags)) return;
  const ref = taskRef(run, task, kind, hosts, taskScope);
  if (isMeta(task.module)) {
    await runMeta(run, task, ref, hosts, taskScope);
    return;
  }
  const module = run.rt.options.registry.get(task.module) ?? libraryModuleOf(task, run.play);
  run.rt.emit({ type: 'task-start', task: ref, hosts });
  // throttle: fewer hosts at once for this task, inside the run's forks.
  const limited = taskScope.throttle ? pLimit(taskScope.throttle) : undefined;
  const throttle = <T>(fn: () => Promise<T>): Promise<T> => (limited ? limited(fn) : fn());
  const once = runsOnce(run, taskScope, task, hosts);
  const targets = once || bypassesHostLoop(module) ? hosts.slice(0, 1) : hosts;
  const ends = await Promise.all(targets.map((h) => throttle(() => run.rt.limit(() => runOnHost(run, task, ref, h, taskScope, module, false)))));
  if (run.strategy === 'free') {
    // Ansible's free strategy: each host runs alone, so these cannot act across hosts (its warnings).
    if (once) run.warnOnce('Using run_once with the free strategy is not currently supported. This task will still be executed for every host in the inventory list.');
    if (ends.some((e) => e.anyErrorsFatal)) run.warnOnce('Using any_errors_fatal with the free strategy is not supported, as tasks are executed independently on each host');
    return;
  }
  if (once && ends.length > 0) shareRunOnceResult(run, task, hosts[0], ends[0]);
  stopOnFailures(run, ends);
}

/** run_once, rendered with the first host's variables (the host that would run it). */
function runsOnce(run: PlayRun, scope: Scope, task: Task, hosts: readonly string[]): boolean {
  if (scope.runOnce === undefined || scope.runOnce === false || hosts.length === 0) return false;
  if (scope.runOnce === true) return true;
  try {
    return renderFlag(run, scope.runOnce, run.hostVars(hosts[0], scope, task).vars, 'run_once') ?? false;
  } catch {
    // A run_once that cannot be rendered: run everywhere, where the error shows per host.
    return false;
  }
}

/**
 * run_once as Ansible applies it (its strategy's get_task_hosts): the first host's result is
 * registered, and the facts it set are set, on every host of the batch that is not unreachable (hosts
 * that failed earlier in the play included); only that host ran, so only its stats and handlers count.
 * Facts a delegated task gave its delegated host (delegate_facts) stay there.
 */
function shareRunOnceResult(run: PlayRun, task: Task, ran: string, end: HostEnd): void {
  for (const h of run.batch) {
    const s = run.rt.state(h);
    if (h === ran || s.unreachable) continue;
    if (task.register) s.hostFacts[task.register] = asRegistered(end.result);
    const facts = end.result.facts;
    if (facts && !end.delegatedFacts && end.status !== 'failed' && end.status !== 'unreachable') {
      setFacts(s, facts, false, end.result.facts_cacheable === true, run.rt.options.factCache);
    }
  }
}

/**
 * any_errors_fatal and max_fail_percentage, checked after each task as Ansible's linear strategy
 * does: a host that failed (or was unreachable) under any_errors_fatal, or more failed hosts in the
 * batch than the play's max_fail_percentage allows, fails every other host of the batch (they are not
 * counted as failed in the recap, but the run fails) and ends the play.
 */
function stopOnFailures(run: PlayRun, ends: HostEnd[]): void {
  const fatal = ends.some((e) => e.anyErrorsFatal && (e.status === 'unreachable' || (e.status === 'failed' && !e.ignored)));
  let tooMany = false;
  const pct = run.play.maxFailPercentage;
  if (pct !== undefined && ends.length > 0) {
    const failed = run.batch.filter((h) => run.rt.state(h).failed && !run.rt.state(h).unreachable).length;
    tooMany = (failed / run.batch.length) * 100 > pct;
  }
  if (!fatal && !tooMany) return;
  for (const h of run.batch) run.rt.state(h).failed = true;
  run.endPlay = true;
  run.rt.emit({
    type: 'warning',
    message: fatal ? 'any_errors_fatal: a host failed, the play stops for every host' : `max_fail_percentage ${pct}% exceeded, the play stops for every host`,
  });
}

/** How a task ended on a host, for the play-wide checks after it. */
interface HostEnd {
  status: HostStatus;
  ignored: boolean;
  anyErrorsFatal: boolean;
  result: ModuleResult;
  /** The facts it set went to the delegated host (delegate_to with delegate_facts). */
  delegatedFacts: boolean;
}

function taskRef(run: PlayRun, task: Task, kind: 'task' | 'handler', hosts: readonly string[], scope: Scope): TaskRef {
  return { name: displayName(run, task, hosts, scope), module: task.module, pos: task.pos, role: task.role?.name, kind };
}

/**
 * The name shown in the TASK banner and in every event of the task. Like Ansible, a name with
 * `{{ }}` is rendered once, with the first host's variables (play, vars_files, role, inventory, block
 * and task vars, -e, magic vars; no loop item). A name that cannot be rendered (an undefined
 * variable, `item`, a bad filter) is shown as written: a name never fails a run.
 */
function displayName(run: PlayRun, task: Task, hosts: readonly string[], scope: Scope): string {
  if (task.name === undefined) return task.moduleAsWritten ?? task.module;
  if (!isTemplated(task.name)) return task.name;
  try {
    const vars = hosts.length > 0 ? run.hostVars(hosts[0], scope, task).vars : { ...run.play.vars, ...run.rt.extraVars };
    return run.rt.options.templater.render(task.name, vars);
  } catch {
    return task.name;
  }
}

/** One task on one host: the outcome, the host's stats and state, notified handlers, the event. */
export async function runOnHost(
  run: PlayRun,
  task: Task,
  ref: TaskRef,
  host: string,
  scope: Scope,
  module: ModuleDefinition | undefined,
  isSetup: boolean,
): Promise<HostEnd> {
  const started = Date.now();
  const s = run.rt.state(host);
  let outcome: Outcome;
  try {
    outcome = await execute(run, task, ref, host, scope, module, isSetup);
  } catch (err) {
    outcome = failure(err, task, ref, host);
  }
  const flags = outcome.flags ?? unrenderedFlags(scope);

  if (outcome.status === 'failed' && flags.ignoreErrors) outcome.ignored = true;
  countOutcome(s, outcome);
  if (outcome.status === 'changed' && task.notify.length > 0) run.notify(host, task.notify, ref);

  // Diffs are shown only where diff mode is on for this task (--diff, or the diff keyword).
  const showDiff = outcome.flags?.diff ?? run.rt.diff;
  const event: HostResultEvent = {
    type: 'host-result',
    task: ref,
    host,
    status: outcome.status,
    ignored: outcome.ignored,
    msg: outcome.msg,
    diff: showDiff ? outcome.result.diff : undefined,
    items: showDiff ? outcome.items : outcome.items?.map(({ diff: _diff, ...item }) => item),
    result: outcome.result,
    durationMs: Date.now() - started,
    ...(outcome.delegatedTo !== undefined ? { delegatedTo: outcome.delegatedTo } : {}),
  };
  run.rt.emit(flags.noLog ? censor(event) : event);
  const delegatedFacts = scope.delegateTo !== undefined && outcome.flags?.delegateFacts === true;
  return { status: outcome.status, ignored: outcome.ignored === true, anyErrorsFatal: flags.anyErrorsFatal, result: outcome.result, delegatedFacts };
}

/** Stats and host state after a task. */
function countOutcome(s: HostState, outcome: Outcome): void {
  switch (outcome.status) {
    case 'unreachable':
      s.unreachable = true;
      s.stats.unreachable++;
      break;
    case 'failed':
      // An ignored failure counts as ok (and changed when it changed) besides ignored, as in Ansible.
      if (outcome.ignored) {
        s.stats.ignored++;
        s.stats.ok++;
        if (outcome.result.changed) s.stats.changed++;
      } else {
        s.failed = true;
        s.failedResult = outcome.result;
        s.stats.failed++;
      }
      break;
    case 'skipped':
      s.stats.skipped++;
      break;
    case 'changed':
      s.stats.changed++;
      s.stats.ok++;
      break;
    case 'ok':
      s.stats.ok++;
      break;
  }
}

function failure(err: unknown, task: Task, ref: TaskRef, host: string): Outcome {
  if (err instanceof UnreachableError) {
    return { status: 'unreachable', msg: err.message, result: { changed: false, unreachable: true, msg: err.message } };
  }
  const message = err instanceof Error ? err.message : String(err);
  // A module or arguments known only when the task ran: named where they were written (file:line:col).
  const where = err instanceof TaskResolutionError ? placeText(err.pos) : posText(task.pos);
  const msg = `task "${ref.name}" (${where}) on ${host}: ${message}`;
  // Arguments refused when the task runs: the registered msg is the module's own words, as in Ansible.
  const own = err instanceof ModuleArgumentsError || err instanceof TaskResolutionError;
  return { status: 'failed', msg, result: { changed: false, failed: true, msg: own ? (err instanceof TaskResolutionError ? `${message} (${where})` : message) : msg, exception: message } };
}

/** A module's arguments, rendered, that its spec refuses. */
export class ModuleArgumentsError extends Error {}

/**
 * Why arguments were refused: Ansible's words when required ones are missing ("missing required
 * arguments: a, b"), else each issue with the option it is about.
 */
/** The messages of Ansible's argument spec checks that name several options (module_utils/common/validation.py). */
const ANSIBLE_SPEC_CHECK = /^(one of the following is required|parameters are mutually exclusive|parameters are required together|\S+ is \S+ but (all|any) of the following are missing): /;

export function argumentsMessage(
  module: string,
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  spec?: { written: string; definition: Pick<ModuleDefinition, 'args' | 'aliases' | 'argAliases' | 'optionsCheckedByAction'> },
): string {
  const unknown = issues.every((i) => i.code === 'unrecognized_keys' && i.path.length === 0) ? issues.flatMap((i) => i.keys ?? []) : [];
  if (spec && unknown.length > 0) return unknownOptionsMessage(unknown, spec.written, spec.definition);
  const missing = issues.filter((i) => i.path.length === 1 && i.code === 'invalid_type' && / received undefined$/.test(i.message));
  if (missing.length > 0 && missing.length === issues.length) return `missing required arguments: ${missing.map((i) => String(i.path[0])).sort().join(', ')}`;
  // A check of the whole written in Ansible's words (required_one_of, mutually_exclusive...) is its message.
  if (issues.length === 1 && issues[0].path.length === 0 && ANSIBLE_SPEC_CHECK.test(issues[0].message)) return issues[0].message;
  const text = issues.map((i) => `${i.path.length ? i.path.map(String).join('.') + ': ' : ''}${i.message}`).join('; ');
  return `invalid arguments for module "${module}": ${text}`;
}

/**
 * Ansible's words for options a module does not take: its action plugin's check ("Invalid options for
 * debug: foo", the name as written) or the module's (AnsibleModule: "Unsupported parameters for
 * (ansible.legacy.copy) module: foo. Supported parameters include: a, b, c (alias1, alias2).", every
 * option sorted, then every alias sorted in one parenthesis, as arg_spec.py prints them).
 */
function unknownOptionsMessage(keys: readonly string[], written: string, def: Pick<ModuleDefinition, 'args' | 'aliases' | 'argAliases' | 'optionsCheckedByAction'>): string {
  if (def.optionsCheckedByAction) return `Invalid options for ${written}: ${keys.join(',')}`;
  // A short name runs as ansible.legacy.<name>, unless it is routed to a collection's module.
  const collection = def.aliases?.find((a) => a.split('.').length === 3 && !a.startsWith('ansible.builtin.'));
  const resolved = written.includes('.') ? written : (collection ?? `ansible.legacy.${written}`);
  const options = schemaKeys(def.args).sort();
  const aliases = Object.values(def.argAliases ?? {}).flat().sort();
  const supported = `${options.join(', ')}${aliases.length ? ` (${aliases.join(', ')})` : ''}`;
  return `Unsupported parameters for (${resolved}) module: ${[...keys].sort().join(', ')}. Supported parameters include: ${supported}.`;
}

/** Adds the cause of a broken variable to a template error that mentions it. */
function explain(err: unknown, errors: Map<string, string>): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  for (const [name, cause] of errors) {
    if (e.message.includes(name)) return new Error(`${e.message} (variable "${name}" could not be rendered: ${cause})`);
  }
  return e;
}

async function execute(
  run: PlayRun,
  task: Task,
  ref: TaskRef,
  host: string,
  scope: Scope,
  module: ModuleDefinition | undefined,
  isSetup: boolean,
): Promise<Outcome> {
  const { vars, errors } = run.hostVars(host, scope, task);
  let flags: TaskFlags;
  try {
    flags = taskFlags(run, scope, vars);
  } catch (err) {
    // Ansible evaluates a task's condition before it fails on its other keywords: a task its `when`
    // skips is skipped, whatever its become_user and the like would render to.
    if (task.loop === undefined || task.loop === null) {
      let cond;
      try {
        cond = allConditionsHold(run.rt.options.templater, [...scope.when], vars, warn(run));
      } catch {
        throw err;
      }
      if (!cond.ok) return registered(task, run.rt.state(host), skipped(`conditional result was false: ${cond.failedOn}`));
    }
    throw err;
  }
  const withFlags = (outcome: Outcome): Outcome => ({ ...outcome, flags });
  try {
    return await executeWithFlags(run, task, ref, host, scope, module, isSetup, vars, errors, flags, withFlags);
  } catch (err) {
    // The keywords were rendered: ignore_errors and no_log apply to this failure, and `register`
    // keeps it (a failed task's result is registered, as in Ansible: arguments refused at run time).
    return withFlags(registered(task, run.rt.state(host), failure(err, task, ref, host)));
  }
}

async function executeWithFlags(
  run: PlayRun,
  task: Task,
  ref: TaskRef,
  host: string,
  scope: Scope,
  maybeModule: ModuleDefinition | undefined,
  isSetup: boolean,
  vars: Vars,
  errors: Map<string, string>,
  flags: TaskFlags,
  withFlags: (outcome: Outcome) => Outcome,
): Promise<Outcome> {
  const { templater } = run.rt.options;
  const s = run.rt.state(host);
  const conditions = [...scope.when];
  const hasLoop = task.loop !== undefined && task.loop !== null;
  // A templated module name is rendered per host first, as Ansible's strategy renders it (before
  // `when`, without a loop's item); the module is looked up once the task is to run.
  const moduleName = isTemplate(task.module) ? renderModuleName(task, (value) => renderValue(templater, value, vars)) : undefined;

  if (!hasLoop) {
    let cond;
    try {
      cond = allConditionsHold(templater, conditions, vars, warn(run));
    } catch (err) {
      throw new Error(`error in "when": ${explain(err, errors).message}`);
    }
    if (!cond.ok) return withFlags(registered(task, s, skipped(`conditional result was false: ${cond.failedOn}`)));
  }
  // A templated module name or arguments: resolved per host (and per item in a loop) from here on.
  const dynamic = isDynamicTask(task, maybeModule);
  // A module this provisioner lacks (allowed only in a dynamically included file) fails once reached.
  if (!maybeModule && !dynamic) throw new Error(`module "${task.module}" is not provided by this provisioner (the task was reached)`);
  if (!hasLoop && dynamic) ({ task, module: maybeModule } = resolveTask(task, maybeModule, resolveDeps(run, flags, vars), moduleName));
  const notInCheckMode = maybeModule && !(hasLoop && dynamic) ? checkModeSkip(flags, maybeModule, task) : undefined;
  if (notInCheckMode) return withFlags(registered(task, s, notInCheckMode));

  let outcome: Outcome;
  // Where facts land: the task's host, or with delegate_facts the delegated host (per item in a loop).
  let factsHost = host;
  if (!hasLoop) {
    const module = maybeModule!;
    const delegation = delegationFor(run, task, scope, host, vars);
    if (delegation && flags.delegateFacts) factsHost = delegation.host;
    const result = await callWithRetries(run, task, ref, host, flags, module, vars, errors, delegation);
    outcome = { status: statusOf(result), msg: result.msg, result, flags, ...(delegation ? { delegatedTo: delegation.host } : {}) };
  } else {
    const items = loopItems(templater, task, vars, (err) => explain(err, errors), {
      baseDir: run.play.baseDir,
      roleDir: task.role?.path,
      renderTemplate: (text) => templater.render(text, vars),
      subdir: lookupSubdir(task.module),
    });
    outcome = withFlags(await runLoop(run, task, ref, host, scope, flags, maybeModule, dynamic ? { name: moduleName } : undefined, items, vars, errors, conditions));
  }

  registered(task, s, outcome);
  const delegatedLoop = hasLoop && scope.delegateTo !== undefined && flags.delegateFacts;
  if (outcome.status !== 'failed' && outcome.status !== 'unreachable' && outcome.result.facts && !delegatedLoop) {
    // A setup task is gathering as gather_facts is: its facts are host facts only (as Ansible's
    // set_host_facts for every module but set_fact), cached, below play vars. Any other module's facts
    // (getent's getent_<database>) are host facts too, in ansible_facts and the cache, as
    // set_host_facts makes them; set_fact and include_vars keep theirs out unless cacheable.
    const persistent = outcome.result.facts_cacheable === true || !(maybeModule !== undefined && CLEAN_FACTS_MODULES.has(maybeModule.name));
    // The play's own gathering marks the facts as gathered (Ansible's gather_facts action does), which
    // the `smart` gathering setting reads in later plays and runs; a setup task does not.
    const facts = isSetup ? { ...outcome.result.facts, _ansible_facts_gathered: true } : outcome.result.facts;
    setFacts(run.rt.state(factsHost), facts, isSetup || maybeModule?.name === 'setup', persistent, run.rt.options.factCache);
  }
  return outcome;
}

/** What resolving a dynamic task needs: the registry, the host's (or item's) variables, module_defaults. */
function resolveDeps(run: PlayRun, flags: TaskFlags, vars: Vars): ResolveDeps {
  const { templater, registry } = run.rt.options;
  return { registry, render: (value) => renderValue(templater, value, vars), moduleDefaults: flags.moduleDefaults };
}

/** A module without check mode, in check mode: skipped with Ansible's own answer (which register users read). */
function checkModeSkip(flags: TaskFlags, module: ModuleDefinition, task: Task): Outcome | undefined {
  if (!flags.check || module.checkMode !== 'none') return undefined;
  const msg = `remote module (${task.module.split('.').pop()}) does not support check mode`;
  return { status: 'skipped', msg, result: { changed: false, failed: false, skipped: true, msg } };
}

/**
 * Facts a task set: gathered ones (ansible_*) among the host's facts; set_fact ones as host variables.
 * Gathered facts and set_fact's `cacheable: true` ones are also the host's cached facts (as Ansible's
 * set_host_facts), written to the fact cache when there is one; the others never are.
 */
export function setFacts(s: HostState, facts: Vars, isSetup: boolean, cacheable = false, cache?: FactCache): void {
  for (const [k, v] of Object.entries(facts)) {
    if (isSetup || cacheable || k.startsWith('ansible_')) s.facts[k] = v;
    if (!isSetup) s.hostFacts[k] = v;
    if (isSetup || cacheable) s.cachedFacts[k] = v;
  }
  if ((isSetup || cacheable) && cache) cache.set(s.name, s.cachedFacts);
}

/** A delegated task: the host it runs on and that host's variables (which choose the connection). */
export interface Delegation {
  /**
   * The delegate_to value as rendered: an inventory host, or a host of its own reached by that name or
   * address with the `all` group's variables (Ansible matches inventory names only, never addresses).
   */
  host: string;
  /** The delegated host's variables for this task; inventory_hostname stays the task's host. */
  vars: Vars;
}

/**
 * delegate_to rendered with the task host's variables (and the loop item), then the delegated host's
 * own variables at this point of the play (Ansible's ansible_delegated_vars).
 */
function delegationFor(run: PlayRun, task: Task, scope: Scope, host: string, vars: Vars, extra?: Vars): Delegation | undefined {
  if (scope.delegateTo === undefined) return undefined;
  let rendered: unknown;
  try {
    rendered = renderValue(run.rt.options.templater, scope.delegateTo, vars);
  } catch (err) {
    throw new Error(`error in "delegate_to": ${(err as Error).message}`);
  }
  if ((typeof rendered !== 'string' && typeof rendered !== 'number') || String(rendered).trim() === '') {
    throw new Error(`"delegate_to" must give a host name or address, got ${JSON.stringify(rendered ?? null)} from '${scope.delegateTo}'`);
  }
  const name = String(rendered).trim();
  const delegated = run.hostVars(name, scope, task, extra).vars;
  return { host: name, vars: { ...delegated, inventory_hostname: vars.inventory_hostname } };
}

/** A condition's warnings (Ansible's `{{ }}` in `when`) reach the run's events. */
function warn(run: PlayRun): (message: string) => void {
  return (message) => run.rt.emit({ type: 'warning', message });
}

/** `register:` keeps every result, skipped ones included (a later `when: r is skipped` needs it). */
function registered(task: Task, s: HostState, outcome: Outcome): Outcome {
  if (task.register) s.hostFacts[task.register] = asRegistered(outcome.result);
  return outcome;
}

/**
 * A result as `register` keeps it: a module whose Ansible counterpart returns its diff in another
 * shape than text pairs (file: a dict of before/after states) gives that shape as `ansibleDiff`; it is
 * registered as `diff`, the pairs staying for display.
 */
export function asRegistered<R extends Record<string, unknown>>(result: R): R {
  // facts_cacheable is set_fact's word to the executor (Ansible's internal _ansible_facts_cacheable,
  // stripped from what is registered).
  if ('facts_cacheable' in result) {
    const { facts_cacheable: _, ...rest } = result as Record<string, unknown>;
    // A loop's items carry it too.
    if (Array.isArray(rest.results)) {
      rest.results = rest.results.map((r: unknown) => (r && typeof r === 'object' && 'facts_cacheable' in r ? (({ facts_cacheable: _c, ...x }) => x)(r as Record<string, unknown>) : r));
    }
    return asRegistered(rest as R);
  }
  if (!('ansibleDiff' in result)) return result;
  const { ansibleDiff, ...rest } = result;
  return { ...rest, diff: ansibleDiff } as unknown as R;
}

async function runLoop(
  run: PlayRun,
  task: Task,
  ref: TaskRef,
  host: string,
  scope: Scope,
  flags: TaskFlags,
  staticModule: ModuleDefinition | undefined,
  /** A task resolved per item (its templated name rendered once for the host, before the loop). */
  dynamic: { name?: string } | undefined,
  items: unknown[],
  vars: Vars,
  errors: Map<string, string>,
  conditions: string[],
): Promise<Outcome> {
  const written = task;
  const outcomes: ItemOutcome[] = [];
  const results: Record<string, unknown>[] = [];
  const pause = task.loopControl?.pause ?? 0;
  const carried: Vars = {};
  for (const [index, item] of items.entries()) {
    // loop_control pause: seconds between two items, as Ansible waits before each one after the first.
    if (pause > 0 && index > 0) await (run.rt.options.sleep ?? realSleep)(pause * 1000);
    const extra = loopVars(task, item, index, items);
    // Task vars may use the item (`vars: { path: "/etc/{{ item }}" }`): resolve them again per item.
    const computed = Object.keys(task.vars).length > 0 ? run.hostVars(host, scope, task, extra).vars : vars;
    const itemVars = { ...computed, ...carried, ...extra };
    let result: ModuleResult;
    let delegatedTo: string | undefined;
    const cond = allConditionsHold(run.rt.options.templater, conditions, itemVars, warn(run));
    if (!cond.ok) result = { changed: false, skipped: true, msg: `conditional result was false: ${cond.failedOn}` };
    else {
      try {
        // A templated module name or arguments may use the item: resolved for each item.
        const { task, module } = dynamic ? resolveTask(written, staticModule, resolveDeps(run, flags, itemVars), dynamic.name) : { task: written, module: staticModule! };
        const notInCheckMode = dynamic ? checkModeSkip(flags, module, task) : undefined;
        if (notInCheckMode) throw new SkipItem(notInCheckMode.result);
        // delegate_to may use the item: each item may run on another host.
        const delegation = delegationFor(run, task, scope, host, itemVars, extra);
        delegatedTo = delegation?.host;
        result = await callWithRetries(run, task, ref, host, flags, module, itemVars, errors, delegation);
        // As Ansible's task executor updates the loop's variables after each item that ran to its end
        // (not one stopped by timeout): the registered result and the facts set_fact / include_vars set
        // are seen by the next items, above task vars (`dig_list: "{{ dig_list + [item] }}"` grows).
        if (!isTimedOut(result)) {
          if (task.register) carried[task.register] = asRegistered(result);
          if (result.facts && CLEAN_FACTS_MODULES.has(module.name)) Object.assign(carried, result.facts);
        }
        if (delegation && flags.delegateFacts && result.facts && !result.failed) setFacts(run.rt.state(delegation.host), result.facts, false);
      } catch (err) {
        if (err instanceof UnreachableError) throw err;
        result = err instanceof SkipItem ? err.result : failure(err, task, ref, host).result;
      }
    }
    // A stopped item's result is Ansible's three keys without `changed` (its loop adds that to the task's only).
    const { changed: _changed, ...kept } = result;
    const full = { ...(isTimedOut(result) ? kept : result), item, ansible_loop_var: task.loopVar, ...itemResultExtras(task, extra) };
    results.push(asRegistered(full));
    outcomes.push({ label: itemLabel(item), status: statusOf(result), msg: result.msg, diff: result.diff, result: full, ...(delegatedTo !== undefined ? { delegatedTo } : {}) });
  }
  return loopOutcome(outcomes, results, items.length);
}

/** An item not run (its module, resolved for it, has no check mode): its result is this. */
class SkipItem extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result.msg));
  }
}

/** Ansible's _ACTION_WITH_CLEAN_FACTS: their facts are variables as they are. */
const CLEAN_FACTS_MODULES = new Set(['set_fact', 'include_vars']);

/** The module call, or with `until` the attempts until it holds (a module error is a failed attempt). */
async function callWithRetries(
  run: PlayRun,
  task: Task,
  ref: TaskRef,
  host: string,
  flags: TaskFlags,
  module: ModuleDefinition,
  vars: Vars,
  errors: Map<string, string>,
  delegation?: Delegation,
): Promise<ModuleResult> {
  const plan = retryPlan(run, task, vars);
  if (!plan) return callModule(run, task, host, flags, module, vars, errors, ref, undefined, delegation);
  const attempt = async (n: number): Promise<ModuleResult> => {
    try {
      return await callModule(run, task, host, flags, module, vars, errors, ref, n, delegation);
    } catch (err) {
      if (err instanceof UnreachableError) throw err;
      return { ...failure(err, task, ref, host).result, attempts: n };
    }
  };
  return runWithRetries(run, task, plan, vars, attempt, (left) => {
    if (!flags.noLog) run.rt.emit({ type: 'progress', task: ref, host, message: `FAILED - RETRYING (${left} retries left)` });
  });
}

async function callModule(
  run: PlayRun,
  task: Task,
  host: string,
  flags: TaskFlags,
  module: ModuleDefinition,
  vars: Vars,
  errors: Map<string, string>,
  ref: TaskRef,
  attempt?: number,
  delegation?: Delegation,
): Promise<ModuleResult> {
  const { rt, play } = run;
  const { templater } = rt.options;
  // A delegated task templates with its own host's variables, which also see the delegated host's.
  if (delegation) vars = { ...vars, ansible_delegated_vars: { [delegation.host]: delegation.vars } };
  let rendered: unknown;
  const raw = argsBeforeRendering(task, module);
  try {
    rendered = renderValue(templater, raw, vars);
  } catch (err) {
    throw explain(err, errors);
  }
  const omit = templater.omit ?? (vars.omit as string | undefined);
  // module_defaults: under the task's own arguments; an omitted argument drops its default too.
  const defaults = moduleDefaultsFor(flags.moduleDefaults, module.name, (key) => rt.options.registry.get(key)?.name);
  let renderedDefaults: unknown;
  if (defaults) {
    try {
      renderedDefaults = renderValue(templater, defaults.value, vars);
    } catch (err) {
      throw new Error(`error in "module_defaults" for '${defaults.key}': ${(err as Error).message}`);
    }
  }
  const shaped = shapeArgs(rendered, module, defaults ? undefined : omit);
  const omitted = defaults && rendered && typeof rendered === 'object' ? Object.keys(raw).filter((k) => !Object.hasOwn(rendered as object, k)) : [];
  const args = revealSecrets(defaults ? withModuleDefaults(shaped, renderedDefaults, defaults.key, omit, omitted) : shaped);
  const parsed = module.args.safeParse(args);
  if (!parsed.success) throw new ModuleArgumentsError(argumentsMessage(module.name, parsed.error.issues, { written: task.module, definition: module }));
  const { noLog } = flags;
  // timeout: the call from here on (Ansible's alarm is set once the arguments are ready); pause keeps its own time.
  const seconds = module.name === 'pause' ? undefined : renderCount(run, flags.timeout, vars, 'timeout');
  const limit = seconds !== undefined && seconds > 0 ? deadline(seconds) : undefined;
  const remote = withBecome(
    withEnvironment(taskRemote(run, host, vars, delegation, flags.connection, flags.remoteUser), renderEnvironment(templater, flags.environment, vars)),
    flags.becomeAs,
  );
  const ctx = buildModuleContext({
    hostName: host,
    vars,
    facts: rt.state(host).facts,
    check: flags.check,
    diff: flags.diff,
    verbosity: rt.options.verbosity,
    noLog: flags.noLog,
    // ansible_become when set; else the nearest `become` keyword (task, block, play).
    become: flags.become,
    remote: limit ? limit.remote(remote) : remote,
    templater,
    masker: rt.masker,
    role: task.role,
    baseDir: play.baseDir,
    taskFile: task.pos?.file,
    onProgress: (message) => {
      if (!noLog) rt.emit({ type: 'progress', task: ref, host, message });
    },
    onLog: (message) => {
      if (!noLog) rt.emit({ type: 'log', task: ref, host, message });
    },
  });
  const action = executorAction(module);
  const work = action ? Promise.resolve(action(parsed.data, { run, task, host, vars })) : runModule(run, task, module, parsed.data, ctx, vars);
  const ran = limit ? await limit.race(work) : await work;
  // Stopped: Ansible's result as is, without changed_when / failed_when or `attempts`.
  if (ran === undefined) return timeoutResult(task.module, seconds!);
  // A result that ran always says whether it failed, as Ansible's do (`r.failed` is defined).
  const result = ran.failed === undefined ? { ...ran, failed: false } : ran;
  // `attempts` is there before changed_when/failed_when, as in Ansible.
  return applyResultConditions(run, task, attempt === undefined ? result : { ...result, attempts: attempt }, vars);
}

/**
 * The Remote a task's module works through: the task's host, or the delegated one; over SSH, or on
 * the controller when the connection is local. Connection variables come from the host that is
 * reached (Ansible's rule for delegation), the connection keyword from the task.
 */
function taskRemote(run: PlayRun, host: string, vars: Vars, delegation: Delegation | undefined, connection: string | undefined, remoteUser: string | undefined): Remote {
  const { rt } = run;
  const cvars = delegation ? delegation.vars : vars;
  const target = delegation ? delegation.host : host;
  let keyword: unknown;
  try {
    keyword = connection === undefined ? undefined : renderValue(rt.options.templater, connection, vars);
  } catch (err) {
    throw new Error(`error in "connection": ${(err as Error).message}`);
  }
  const transport = transportOf(cvars.ansible_connection, keyword);
  // The configured remote_user (ansible.cfg, ANSIBLE_REMOTE_USER) comes below the keyword, as in Ansible.
  const user = remoteUser ?? rt.targetDefaults.remoteUser;
  // one connection per (transport, host, login user): a task with another remote_user logs in again
  const key = transport === 'local' ? `local:${target}` : `ssh:${target}\u0000${loginUser(cvars, user)}`;
  return rt.pool.lazyRemote(target, () => connectionTarget(target, cvars, rt.targetDefaults, transport, user), key);
}

/** The module's own run, or the executor's background job (`async`), or async_status on a job. */
async function runModule(run: PlayRun, task: Task, module: ModuleDefinition, args: unknown, ctx: ModuleContext, vars: Vars): Promise<ModuleResult> {
  if (module.name === ASYNC_STATUS) return asyncStatus(run, args as { jid: string; mode?: string }, ctx);
  const limit = renderCount(run, task.async, vars, 'async') ?? 0;
  if (limit <= 0) return module.run(args, ctx);
  // Ansible's action refuses it when the task runs (its words), before check mode is looked at.
  if (module.noAsync) return { changed: false, failed: true, msg: 'async is not supported for this task.' };
  const poll = renderCount(run, task.poll, vars, 'poll') ?? DEFAULT_POLL;
  return runInBackground(run, module, args, ctx, limit, Math.max(0, poll));
}

/** A module the run knows: the registry's, or a library module it found for a task (async_status finishes their jobs). */
function moduleLookup(run: PlayRun): (name: string) => ModuleDefinition | undefined {
  const { registry } = run.rt.options;
  return (name) => registry.get(name) ?? libraryModuleNamed(name);
}

/** The job folder: the variable ansible_async_dir (Ansible's async_dir setting), or ~/.ansible_async. */
function asyncDirOf(ctx: ModuleContext): string {
  const v = ctx.vars.ansible_async_dir;
  return v === undefined || v === null || v === '' ? ASYNC_DIR : ctx.render(String(v));
}

/**
 * `async: N`: the module's command started as a job on the host. `poll: 0` returns at once with the
 * job id; `poll: P` asks for the job's status every P seconds, for at most N seconds in all (Ansible's
 * loop), then fails as Ansible does, or returns the module's result and removes the job's files.
 */
async function runInBackground(run: PlayRun, module: ModuleDefinition, args: unknown, ctx: ModuleContext, limit: number, poll: number): Promise<ModuleResult> {
  // Ansible's words: a job left running cannot honour check mode.
  if (ctx.check) return { changed: false, failed: true, msg: 'check mode and async cannot be used on same task.' };
  const jid = newJobId();
  const asyncDir = asyncDirOf(ctx);
  let dir: string;
  if (module.background) {
    const prepared = await module.background.prepare(args as never, ctx);
    if ('stdin' in prepared && prepared.stdin !== undefined) throw new Error('stdin cannot be given to a task run with async');
    const job = 'result' in prepared ? prepared : { command: prepared.command, cwd: prepared.cwd };
    dir = await startJob(ctx.remote, ctx.become, jid, limit, { module: module.name, args }, job, asyncDir);
  } else {
    dir = await startJob(ctx.remote, ctx.become, jid, limit, { module: module.name, args }, { controller: true }, asyncDir);
    driveFromController(run, module, args, ctx, limit, `${dir}/${jid}`);
  }
  if (poll === 0) return startedResult(jid, dir);
  const sleep = run.rt.options.sleep ?? realSleep;
  const lookup = moduleLookup(run);
  let status: ModuleResult | undefined;
  for (let left = limit; left > 0; left -= poll) {
    await sleep(poll * 1000);
    status = await jobStatus(ctx.remote, ctx.become, jid, lookup, asyncDir);
    if (pollIsOver(status)) break;
    ctx.progress(`ASYNC POLL on ${ctx.hostName}: jid=${jid} started=1 finished=0`);
  }
  if (!status || Number(status.finished ?? 0) !== 1) {
    return { changed: false, failed: true, msg: `async task did not complete within the requested time - ${limit}s`, async_result: status };
  }
  await cleanupJob(ctx.remote, ctx.become, jid, asyncDir);
  return status;
}

/**
 * A module of several steps run as a job of the run: its result (or its failure, or "Timeout
 * exceeded" past `async` seconds, as Ansible's watchdog words it) written into the job's status
 * file on the host when it ends, where async_status and the poll loop read it.
 */
function driveFromController(run: PlayRun, module: ModuleDefinition, args: unknown, ctx: ModuleContext, limit: number, statusFile: string): void {
  const job = (async () => {
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<ModuleResult>((resolve) => {
      timer = setTimeout(() => resolve({ changed: false, failed: true, msg: 'Timeout exceeded' }), limit * 1000);
    });
    let result: ModuleResult;
    try {
      result = await Promise.race([module.run(args, ctx), overdue]);
    } catch (err) {
      result = { changed: false, failed: true, msg: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
    // Stored as Ansible's module would have returned it: a diff in Ansible's own shape only (file's dict).
    const { diff: _diff, ansibleDiff, facts: _facts, ...stored } = result;
    const record = { ...stored, ...(ansibleDiff !== undefined ? { diff: ansibleDiff } : {}), failed: result.failed ?? false };
    await ctx.remote.writeFile(statusFile, JSON.stringify(record) + '\n', { mode: '0600', become: ctx.become });
  })();
  const tracked = job.catch((err: Error) => ctx.log(`async job could not record its result: ${err.message}`)).finally(() => run.rt.controllerJobs.delete(tracked));
  run.rt.controllerJobs.add(tracked);
}

/** async_status: a job's status (mode=status) or its files removed (mode=cleanup). */
function asyncStatus(run: PlayRun, args: { jid: string; mode?: string }, ctx: ModuleContext): Promise<ModuleResult> {
  if (!validJobId(args.jid)) throw new Error(`async_status: "${args.jid}" is not a job id`);
  if (args.mode === 'cleanup') return cleanupJob(ctx.remote, ctx.become, args.jid, asyncDirOf(ctx));
  return jobStatus(ctx.remote, ctx.become, args.jid, moduleLookup(run), asyncDirOf(ctx));
}

/** changed_when and failed_when, evaluated with the registered name bound to this result. */
function applyResultConditions(run: PlayRun, task: Task, result: ModuleResult, vars: Vars): ModuleResult {
  if (!task.changedWhen && !task.failedWhen) return result;
  const { templater } = run.rt.options;
  const withResult = task.register ? { ...vars, [task.register]: result } : vars;
  const out = { ...result };
  try {
    if (task.changedWhen) out.changed = allConditionsHold(templater, task.changedWhen, withResult).ok;
    if (task.failedWhen) {
      out.failed = allConditionsHold(templater, task.failedWhen, withResult).ok;
      if (out.failed && !out.msg) out.msg = `failed_when matched: ${task.failedWhen.join(' and ')}`;
    }
  } catch (err) {
    return { ...out, failed: true, msg: `error in changed_when/failed_when: ${(err as Error).message}` };
  }
  return out;
}

function skipped(reason: string): Outcome {
  return { status: 'skipped', msg: reason, result: { changed: false, skipped: true, skip_reason: reason, msg: reason } };
}

function statusOf(result: ModuleResult): HostStatus {
  if (result.unreachable) return 'unreachable';
  if (result.failed) return 'failed';
  if (result.skipped) return 'skipped';
  return result.changed ? 'changed' : 'ok';
}

/** no_log: the event keeps its status, the content is replaced. */
function censor(event: HostResultEvent): HostResultEvent {
  const censoredResult = { changed: event.result.changed, failed: event.result.failed, censored: CENSORED_MSG };
  return {
    ...event,
    msg: CENSORED_MSG,
    diff: undefined,
    result: censoredResult,
    items: event.items?.map((i) => ({ label: '(censored)', status: i.status, msg: CENSORED_MSG, result: { censored: CENSORED_MSG } })),
  };
}
