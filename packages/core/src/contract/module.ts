import type { z } from 'zod';
import type { Fact } from './fact.js';
import type { Command, Remote } from './remote.js';

/** One before/after pair, rendered as a unified diff by the reporter. */
export interface FileDiff {
  before: string;
  after: string;
  beforeHeader?: string;
  afterHeader?: string;
  /**
   * A diff the module prepared as text (Ansible's `diff.prepared`: git's `git diff`), shown as it is
   * in place of a diff of before and after (both empty then).
   */
  prepared?: string;
}

/** Ansible's result contract. Extra keys are kept and can be `register`ed. */
export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  diff?: FileDiff[];
  /** The diff in Ansible's own shape when it is not text pairs (file: a dict of before/after states): registered as `diff`. */
  ansibleDiff?: unknown;
  /** Facts to merge into the host's variables (setup, set_fact). */
  facts?: Record<string, unknown>;
  /** set_fact's `cacheable: true`: the facts are also the host's cached facts (kept by a fact cache). */
  facts_cacheable?: boolean;
  [key: string]: unknown;
}

export interface ModuleContext {
  /** Inventory name of the host the task runs for. */
  readonly hostName: string;
  /** The host's variables at this point of the play (read-only view). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Gathered facts (ansible_* keys), empty when gather_facts is off. */
  readonly facts: Readonly<Record<string, unknown>>;
  /** --check: report what would change, change nothing. */
  readonly check: boolean;
  /** --diff: fill ModuleResult.diff. */
  readonly diff: boolean;
  /** The task's no_log (what a module told `_ansible_no_log` hides from its own logs). */
  readonly noLog?: boolean;
  /** The run's verbosity (-v count; 0 without, or when the caller does not say). */
  readonly verbosity?: number;
  /** Task-level become. */
  readonly become: boolean;
  /** The managed host. Undefined for modules that run on the controller only. */
  readonly remote: Remote;
  /** Run a fact on the host and parse it. */
  fact<A, T>(fact: Fact<A, T>, args: A): Promise<T>;
  /** Resolve a controller path the way Ansible does: role files/ or templates/, then the playbook's folder. */
  resolveLocal(path: string, kind: 'files' | 'templates'): string;
  /** Render a Jinja2 template string with the host's variables (plus extra ones). */
  render(template: string, extraVars?: Record<string, unknown>): string;
  /**
   * Render the text of the template file at `path` (the template module): `{% include %}`,
   * `{% import %}` and `{% extends %}` find their files on Ansible's template search path.
   */
  renderTemplateFile?(text: string, path: string, extraVars?: Record<string, unknown>): string;
  /** Evaluate a bare Jinja2 expression (as in `when:` or assert's `that:`) to a value. */
  evaluate(expression: string, extraVars?: Record<string, unknown>): unknown;
  /** Values that must never appear in output (no_log, secrets): the reporter masks them. */
  markSecret(value: string): void;
  /** Live progress for long steps (a compile): shown on the task's line. */
  progress(message: string): void;
  /** Debug-level log (shown with -v). */
  log(message: string): void;
}

/**
 * A module: one file each, with its argument spec (a zod schema), documentation and run function.
 * The engine validates arguments against `args` before any host is touched.
 */
export interface ModuleDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  /** Other names the module answers to (e.g. `ansible.builtin.copy`, `yum` for `package`). */
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Argument spec. Unknown keys must be rejected (use z.strictObject). */
  readonly args: Schema;
  /** A module given a bare string (e.g. `command: ls -l`) receives it under this key. */
  readonly freeFormKey?: string;
  /** 'controller' modules (debug, set_fact, assert, fail) never touch the host. */
  readonly runsOn?: 'host' | 'controller';
  /** 'full': the module honours ctx.check. 'none': in check mode the task is skipped. */
  readonly checkMode: 'full' | 'none';
  /**
   * Controller files the task reads (copy/template/unarchive `src`), so validation can report a missing
   * one before any host is touched. Receives the task's arguments as written (values may still be
   * templates: return nothing for those); `kind` says where relative paths are looked up (a role's
   * files/ or templates/, then the playbook's folder).
   */
  readonly localFiles?: (args: Record<string, unknown>) => { path: string; kind: 'files' | 'templates' }[];
  run(args: z.output<Schema>, ctx: ModuleContext): Promise<ModuleResult>;
  /**
   * `async:` a module whose work is one command on the host (command, shell) can leave it running in
   * the background there; the executor owns the job (a detached wrapper and its files on the host).
   * Modules without it are refused with `async` at validation: their work is several steps driven
   * from the controller, which cannot outlive the connection.
   */
  readonly background?: BackgroundSpec<z.output<Schema>>;
  /**
   * Ansible's action for this module refuses `async` when the task runs (script's): the task is not
   * refused at validation; it fails when it runs with Ansible's words, "async is not supported for
   * this task.".
   */
  readonly noAsync?: boolean;
  /**
   * Ansible's action plugin for this module checks the option names itself (its _VALID_ARGS: debug,
   * assert, fail, group_by, reboot): an unknown option found when the task runs fails it with "Invalid
   * options for <name as written>: <names>", not with the module's "Unsupported parameters".
   */
  readonly optionsCheckedByAction?: boolean;
  /** The aliases the argument spec declares (option -> alias names), for Ansible's "Supported parameters include" list. */
  readonly argAliases?: Readonly<Record<string, readonly string[]>>;
}

/** What the command of a backgrounded task did, as the job's wrapper recorded it on the host. */
export interface BackgroundOutcome {
  rc: number;
  stdout: string;
  stderr: string;
  /** When the command started and ended, on the host's clock (ISO 8601). */
  start: string;
  end: string;
}

export interface BackgroundSpec<Args> {
  /**
   * The command to start, or a result when nothing has to run (creates/removes already hold):
   * that result is the job's result. Runs on the controller before the job starts.
   */
  prepare(args: Args, ctx: ModuleContext): Promise<{ command: Command; cwd?: string; stdin?: string } | { result: ModuleResult }>;
  /** The module's result from what the command did (a pure function: it may run in a later task). */
  finish(args: Args, outcome: BackgroundOutcome): ModuleResult;
}

/** Where plug-in packages register modules. The engine knows modules only through this. */
export interface ModuleRegistry {
  register(module: ModuleDefinition): void;
  get(name: string): ModuleDefinition | undefined;
  names(): string[];
}

/** What a plug-in package (modules, nginx, keepalived, vrrp) exports. */
export type ModulePlugin = (registry: ModuleRegistry) => void;

/** Helper that keeps a module's argument types when defining it. */
export function defineModule<S extends z.ZodType>(module: ModuleDefinition<S>): ModuleDefinition<S> {
  return module;
}
