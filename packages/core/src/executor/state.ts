/**
 * The executor's explicit state: what is run-wide (RunState), what each host carries through the run
 * (HostState), what a block hands down to the items inside it (Scope), and the view of the play being
 * run that blocks, tasks, handlers and meta work through (PlayRun).
 */
import type pLimit from 'p-limit';
import type { ModuleResult } from '../contract/module.js';
import type { Become } from '../contract/remote.js';
import type { EnvironmentEntry, Flag, ModuleDefaultsEntry, Play, RunAsKeywords, Task, TaskCommon, TaskItem, Vars } from '../model.js';
import type { ConnectionPool, TargetDefaults } from './connections.js';
import type { HostStats, HostStatus, ItemOutcome, RunEvent, TaskRef } from './events.js';
import type { SecretMasker } from './secrets.js';
import type { ExecutorOptions, KeywordDefaults, TagSelection } from './types.js';

/** Keywords a play and its blocks pass down to the items inside them. */
export interface Scope {
  when: string[];
  tags: string[];
  vars: Vars;
  /** Boolean keywords, as written (templates are rendered per host): the nearest value wins. */
  become?: Flag;
  /** remote_user and become_* as written, each the nearest one. */
  runAs?: RunAsKeywords;
  noLog?: Flag;
  ignoreErrors?: Flag;
  checkMode?: Flag;
  diff?: Flag;
  /** environment entries from the play down, the nearest last. */
  environment?: readonly EnvironmentEntry[];
  /** module_defaults from the play down, the nearest last. */
  moduleDefaults?: readonly ModuleDefaultsEntry[];
  anyErrorsFatal?: Flag;
  throttle?: number;
  /** timeout (seconds, or a template): the nearest written. */
  timeout?: number | string;
  runOnce?: Flag;
  /** connection keyword (maybe a template): ssh or local; ansible_connection wins. */
  connection?: string;
  /** delegate_to (maybe a template), and whether the facts it sets go to the delegated host. */
  delegateTo?: string;
  delegateFacts?: Flag;
}

export const ROOT_SCOPE: Scope = { when: [], tags: [], vars: {} };

/**
 * The scope a play gives its tasks and handlers: its own boolean keywords, over the run's configured
 * keyword defaults (ansible.cfg's no_log, any_errors_fatal, task_timeout: Ansible's defaults of those
 * fields, so the nearest written keyword still wins).
 */
export function playScope(play: Play, defaults: KeywordDefaults = {}): Scope {
  return {
    ...ROOT_SCOPE,
    runAs: play.runAs,
    noLog: play.noLog ?? defaults.noLog,
    ignoreErrors: play.ignoreErrors,
    checkMode: play.checkMode,
    diff: play.diff,
    environment: play.environment,
    moduleDefaults: play.moduleDefaults,
    anyErrorsFatal: play.anyErrorsFatal ?? defaults.anyErrorsFatal,
    timeout: play.timeout ?? defaults.timeout,
    connection: play.connection,
  };
}

/** The scope of an item inside `scope`: conditions and tags add up, vars override, the nearest flag wins. */
export function childScope(scope: Scope, item: TaskItem): Scope {
  return {
    when: [...scope.when, ...item.when],
    tags: [...scope.tags, ...item.tags],
    vars: { ...scope.vars, ...(item.kind === 'block' ? item.vars : {}) },
    become: item.become ?? scope.become,
    runAs: item.runAs ? { ...scope.runAs, ...item.runAs } : scope.runAs,
    noLog: item.noLog ?? scope.noLog,
    ignoreErrors: item.ignoreErrors ?? scope.ignoreErrors,
    checkMode: item.checkMode ?? scope.checkMode,
    diff: item.diff ?? scope.diff,
    environment: item.environment ? [...(scope.environment ?? []), ...item.environment] : scope.environment,
    moduleDefaults: item.moduleDefaults ? [...(scope.moduleDefaults ?? []), ...item.moduleDefaults] : scope.moduleDefaults,
    anyErrorsFatal: item.anyErrorsFatal ?? scope.anyErrorsFatal,
    throttle: item.throttle ?? scope.throttle,
    timeout: item.timeout ?? scope.timeout,
    runOnce: item.runOnce ?? scope.runOnce,
    connection: item.connection ?? scope.connection,
    delegateTo: item.delegateTo ?? scope.delegateTo,
    delegateFacts: item.delegateFacts ?? scope.delegateFacts,
  };
}

/** Per-host state for the whole run. */
export interface HostState {
  name: string;
  inventoryVars: Vars;
  /** Gathered facts (ansible_* keys). */
  facts: Vars;
  /** set_fact and registered results: above play vars, below -e. They outlive the play, as in Ansible. */
  hostFacts: Vars;
  /**
   * The host's facts as Ansible's fact cache holds them: what a fact cache gave at the start, gathered
   * facts and set_fact's `cacheable: true` ones (written back to the cache when there is one).
   */
  cachedFacts: Vars;
  /** include_vars: above task vars, below set_fact (Ansible's vars cache). They outlive the play. */
  includedVars: Vars;
  failed: boolean;
  /** The result of the task that last failed this host (not ignored): `ansible_failed_result` in rescue. */
  failedResult?: Vars;
  unreachable: boolean;
  /** meta: end_host / end_play: no more tasks in this play. */
  ended: boolean;
  stats: HostStats;
}

/** A task's boolean keywords on one host, rendered with its variables. */
export interface TaskFlags {
  check: boolean;
  diff: boolean;
  noLog: boolean;
  ignoreErrors: boolean;
  become: boolean;
  /** Who the task's commands run as when `become` is on (and for file ownership, who writes). */
  becomeAs: Become;
  /** The login user the remote_user keyword asks for (ansible_user, when set, still wins). */
  remoteUser?: string;
  anyErrorsFatal: boolean;
  /** delegate_facts: facts set by a delegated task land on the delegated host. */
  delegateFacts: boolean;
  /** The connection keyword as written (rendered per call, like environment). */
  connection?: string;
  /** The environment entries that apply (rendered per call: they may use the loop item). */
  environment?: readonly EnvironmentEntry[];
  /** module_defaults that apply, the nearest last (rendered per call, for the module that runs). */
  moduleDefaults?: readonly ModuleDefaultsEntry[];
  /** timeout as written (rendered per call: it may use the loop item). */
  timeout?: number | string;
}

/** What one task did on one host (before it becomes an event). */
export interface Outcome {
  status: HostStatus;
  msg?: string;
  result: ModuleResult;
  items?: ItemOutcome[];
  ignored?: boolean;
  /** Absent when the task failed before its keywords could be rendered. */
  flags?: TaskFlags;
  /** The host the module ran on, when delegated. */
  delegatedTo?: string;
}

/** What every play of a run shares: options, secrets, connections, the fork limit, host states. */
export interface RunState {
  readonly options: ExecutorOptions;
  readonly masker: SecretMasker;
  readonly pool: ConnectionPool;
  readonly limit: ReturnType<typeof pLimit>;
  readonly tags: TagSelection;
  readonly check: boolean;
  readonly diff: boolean;
  readonly extraVars: Vars;
  readonly targetDefaults: TargetDefaults;
  emit(event: RunEvent): void;
  /**
   * Jobs of `async` tasks whose module is driven from the controller (not one host command): the
   * run waits for them before it closes its connections.
   */
  readonly controllerJobs: Set<Promise<void>>;
  state(host: string): HostState;
  /** Neither failed, unreachable nor ended in this play. */
  active(host: string): boolean;
}

/** The play (or serial batch) being run, as blocks, tasks, handlers and meta see it. */
export interface PlayRun {
  readonly rt: RunState;
  readonly play: Play;
  readonly batch: readonly string[];
  /** meta: end_play / end_batch was reached: no host runs anything more in this batch. */
  endPlay: boolean;
  /** linear: a task runs on every host before the next; free: each host runs the play by itself. */
  readonly strategy: 'linear' | 'free';
  /** A warning shown once per play (or batch). */
  warnOnce(message: string): void;
  /** The hosts among `hosts` that still run tasks. */
  live(hosts: readonly string[]): string[];
  /**
   * A host's variables for a task, lowest precedence first. `task` may be a block (an include_tasks):
   * its role gives role_path and the role's defaults, as for the role's tasks.
   */
  hostVars(host: string, scope: Scope, task?: Pick<TaskCommon, 'role' | 'vars'>, extra?: Vars): { vars: Vars; errors: Map<string, string> };
  runItems(items: readonly TaskItem[], hosts: readonly string[], scope: Scope): Promise<void>;
  notify(host: string, names: readonly string[], ref: TaskRef): void;
  flushHandlers(hosts: readonly string[]): Promise<void>;
  /** include_role public: its defaults and vars become the play's for the tasks that follow. */
  exportRole?(exports: { defaults: Vars; vars: Vars }): void;
  /** add_host / group_by changed the inventory: what the play derived from it is read again. */
  inventoryChanged?(): void;
}
