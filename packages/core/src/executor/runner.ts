import pLimit from 'p-limit';
import { UnreachableError } from '../contract/connector.js';
import type { ModuleDefinition, ModuleResult } from '../contract/module.js';
import type { Block, Handler, Play, Playbook, RoleInfo, SourcePos, Task, TaskItem, Vars } from '../model.js';
import { ConnectionPool, connectionTarget, type TargetDefaults } from './connections.js';
import { buildModuleContext } from './context.js';
import {
  emptyStats,
  type HostResultEvent,
  type HostStats,
  type HostStatus,
  type ItemOutcome,
  type RunEvent,
  type RunSummary,
  type TaskRef,
} from './events.js';
import { resolvePattern } from '../inventory/patterns.js';
import { groupNames, groupsMap, inventoryVars as loaderInventoryVars } from '../vars/precedence.js';
import { SecretMasker } from './secrets.js';
import { collectSecrets, revealSecrets } from '../vars/secret.js';
import { tagsSelect } from './tags.js';
import type { ExecutorOptions, TagSelection } from './types.js';
import { isTemplated, renderValue, resolveVars, type VarLayer } from './vars.js';
import { argsBeforeRendering } from '../validate/args.js';

/** What a no_log result shows instead of its content. */
export const CENSORED_MSG = 'output hidden: no_log is set for this task';

/** Keywords a block passes down to the items inside it. */
interface Scope {
  when: string[];
  tags: string[];
  vars: Vars;
  become?: boolean;
  noLog: boolean;
  ignoreErrors: boolean;
}

const ROOT_SCOPE: Scope = { when: [], tags: [], vars: {}, noLog: false, ignoreErrors: false };

/** Per-host state for the whole run. */
interface HostState {
  name: string;
  inventoryVars: Vars;
  /** Gathered facts (ansible_* keys). */
  facts: Vars;
  /** set_fact and registered results: above play vars, below -e. They outlive the play, as in Ansible. */
  hostFacts: Vars;
  failed: boolean;
  unreachable: boolean;
  /** meta: end_host / end_play: no more tasks in this play. */
  ended: boolean;
  stats: HostStats;
}

/** What one task did on one host (before it becomes an event). */
interface Outcome {
  status: HostStatus;
  msg?: string;
  result: ModuleResult;
  items?: ItemOutcome[];
  ignored?: boolean;
}

function posText(pos?: SourcePos): string {
  return pos ? `${pos.file}:${pos.line}` : 'unknown position';
}

function isMeta(module: string): boolean {
  return module === 'meta' || module === 'ansible.builtin.meta' || module === 'ansible.legacy.meta';
}

function metaAction(task: Task): string {
  if (typeof task.args === 'string') return task.args.trim();
  const a = task.args as Vars;
  return String(a.action ?? a.free_form ?? a._raw_params ?? Object.keys(a)[0] ?? '').trim();
}

function truthy(value: unknown): boolean {
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    return !(v === '' || v === 'false' || v === 'no' || v === '0' || v === 'none' || v === 'off');
  }
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function conditionText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Cuts `{{ }}` around a condition: Ansible accepts `when: "{{ x }}"` with a warning; we accept it. */
function bareExpression(condition: unknown): string {
  const text = conditionText(condition).trim();
  const m = /^\{\{([\s\S]*)\}\}$/.exec(text);
  return m ? m[1] : text;
}

function itemLabel(item: unknown): string {
  if (typeof item === 'string') return item;
  try {
    return JSON.stringify(item);
  } catch {
    return String(item);
  }
}

/**
 * Runs a playbook with Ansible's linear strategy: every task runs on all of a play's hosts (in
 * parallel up to `forks`) before the next one starts.
 */
export class PlaybookRunner {
  private readonly masker = new SecretMasker();
  private readonly pool: ConnectionPool;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly hosts = new Map<string, HostState>();
  /** Hosts some play ran on: only they appear in the recap (hostvars may touch every inventory host). */
  private readonly played = new Set<string>();
  private readonly tags: TagSelection;
  private readonly check: boolean;
  private readonly diff: boolean;
  private readonly extraVars: Vars;
  private readonly targetDefaults: TargetDefaults;

  constructor(private readonly options: ExecutorOptions) {
    this.pool = new ConnectionPool(options.connector);
    this.limit = pLimit(Math.max(1, options.forks ?? 20));
    this.tags = { only: options.tags?.only ?? [], skip: options.tags?.skip ?? [] };
    this.check = options.check ?? false;
    this.diff = options.diff ?? false;
    this.extraVars = options.extraVars ?? {};
    for (const s of options.secrets ?? []) this.masker.add(s);
    for (const s of collectSecrets(options.extraVars ?? {})) this.masker.add(s);
    this.targetDefaults = {
      hostKeyPolicy: options.hostKeyPolicy ?? 'strict',
      knownHostsFile: options.knownHostsFile,
      defaultKnownHostsFile: options.defaultKnownHostsFile,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    };
  }

  /** The masker that every event goes through (reporters may use it for their own text too). */
  get secrets(): SecretMasker {
    return this.masker;
  }

  private emit(event: RunEvent): void {
    this.options.onEvent?.(this.masker.maskDeep(event));
  }

  private matchHosts(pattern: string): string[] {
    return this.options.matchHosts
      ? this.options.matchHosts(this.options.inventory, pattern)
      : resolvePattern(this.options.inventory, pattern).hosts;
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      const inventoryVars = (this.options.inventoryVars ?? loaderInventoryVars)(this.options.inventory, host);
      // Values the loader marked `!secret` are masked from the start.
      for (const secret of collectSecrets(inventoryVars)) this.masker.add(secret);
      s = {
        name: host,
        inventoryVars,
        facts: {},
        hostFacts: {},
        failed: false,
        unreachable: false,
        ended: false,
        stats: emptyStats(),
      };
      this.hosts.set(host, s);
    }
    return s;
  }

  private active(host: string): boolean {
    const s = this.state(host);
    return !s.failed && !s.unreachable && !s.ended;
  }

  async run(playbook: Playbook): Promise<RunSummary> {
    const started = Date.now();
    this.emit({ type: 'run-start', playbook: playbook.file, check: this.check, diff: this.diff });
    try {
      for (const play of playbook.plays) await this.runPlay(play);
    } finally {
      await this.pool.closeAll();
    }
    const stats: Record<string, HostStats> = {};
    const played = [...this.hosts.values()].filter((s) => this.played.has(s.name));
    for (const s of played) stats[s.name] = s.stats;
    const summary: RunSummary = {
      stats,
      failedHosts: played.filter((s) => s.failed && !s.unreachable).map((s) => s.name),
      unreachableHosts: played.filter((s) => s.unreachable).map((s) => s.name),
      durationMs: Date.now() - started,
    };
    this.emit({ type: 'recap', stats });
    this.emit({ type: 'run-end', summary });
    return summary;
  }

  private playHosts(play: Play): string[] {
    let hosts = this.matchHosts(play.hosts);
    if (this.options.limit) {
      const allowed = new Set(this.matchHosts(this.options.limit));
      hosts = hosts.filter((h) => allowed.has(h));
    }
    for (const h of hosts) {
      this.state(h);
      this.played.add(h);
    }
    // Hosts that failed or were unreachable in an earlier play stay out, as in Ansible.
    return hosts.filter((h) => !this.state(h).failed && !this.state(h).unreachable);
  }

  private batches(play: Play, hosts: string[]): string[][] {
    if (play.serial === undefined || play.serial === null) return [hosts];
    let size: number;
    if (typeof play.serial === 'string' && play.serial.trim().endsWith('%')) {
      size = Math.floor((hosts.length * parseFloat(play.serial)) / 100);
    } else size = Number(play.serial);
    if (!Number.isFinite(size) || size <= 0) size = size === 0 ? hosts.length : 1;
    size = Math.max(1, Math.min(hosts.length, Math.floor(size)));
    const out: string[][] = [];
    for (let i = 0; i < hosts.length; i += size) out.push(hosts.slice(i, i + size));
    return out;
  }

  private async runPlay(play: Play): Promise<void> {
    for (const source of [play.vars, play.roleDefaults, ...play.varsFiles.map((f) => f.vars)]) {
      for (const secret of collectSecrets(source)) this.masker.add(secret);
    }
    const hosts = this.playHosts(play);
    const name = play.name || play.hosts;
    if (hosts.length === 0) {
      const matched = [...this.played].some((h) => this.matchHosts(play.hosts).includes(h));
      this.emit({ type: 'play-start', play: name, pos: play.pos, hosts: [] });
      this.emit({
        type: 'no-hosts',
        play: name,
        reason: matched ? 'no hosts left (they failed or were unreachable earlier)' : `no hosts matched "${play.hosts}"`,
      });
      this.emit({ type: 'play-end', play: name });
      return;
    }
    const batches = this.batches(play, hosts);
    for (const [index, batch] of batches.entries()) {
      this.emit({
        type: 'play-start',
        play: name,
        pos: play.pos,
        hosts: batch,
        batch: batches.length > 1 ? { index: index + 1, count: batches.length } : undefined,
      });
      await new PlayExecution(this, play, batch).run();
      for (const h of batch) this.state(h).ended = false;
      this.emit({ type: 'play-end', play: name });
      if (!batch.some((h) => this.active(h)) && index < batches.length - 1) {
        // Ansible stops a serial play when a whole batch failed.
        this.emit({ type: 'warning', message: `play "${name}": every host of batch ${index + 1} failed; stopping` });
        break;
      }
    }
  }

  // The pieces PlayExecution needs, kept on the runner because they are run-wide.
  /** @internal */ get internals() {
    return {
      options: this.options,
      masker: this.masker,
      pool: this.pool,
      limit: this.limit,
      tags: this.tags,
      check: this.check,
      diff: this.diff,
      extraVars: this.extraVars,
      targetDefaults: this.targetDefaults,
      emit: (e: RunEvent) => this.emit(e),
      state: (h: string) => this.state(h),
      active: (h: string) => this.active(h),
      allHosts: () => [...this.hosts.keys()],
    };
  }
}

/** One play (or one serial batch of it) being run. */
class PlayExecution {
  private readonly rt: PlaybookRunner['internals'];
  /** handler name → hosts that notified it since the last flush. */
  private readonly notified = new Map<Handler, Set<string>>();
  private endPlay = false;
  private groups: Record<string, string[]> | undefined;

  constructor(
    runner: PlaybookRunner,
    private readonly play: Play,
    private readonly batch: string[],
  ) {
    this.rt = runner.internals;
  }

  private live(hosts: readonly string[]): string[] {
    return this.endPlay ? [] : hosts.filter((h) => this.rt.active(h));
  }

  async run(): Promise<void> {
    if (this.play.gatherFacts) await this.gatherFacts();
    for (const section of [this.play.preTasks, this.play.tasks, this.play.postTasks]) {
      if (section.length === 0) continue;
      await this.runItems(section, this.batch, ROOT_SCOPE);
      await this.flushHandlers(this.batch);
    }
  }

  // ---- variables -------------------------------------------------------------------------------

  private magicVars(host: string, extra: Vars = {}): Vars {
    const inventory = this.rt.options.inventory;
    this.groups ??= groupsMap(inventory);
    const groups = this.groups;
    const s = this.rt.state(host);
    const playHosts = this.batch.filter((h) => this.rt.active(h));
    // Built on first read of each host: most tasks never look at other hosts' variables.
    const hostvars: Record<string, Vars> = {};
    for (const name of inventory.hosts.keys()) {
      let cached: Vars | undefined;
      Object.defineProperty(hostvars, name, {
        enumerable: true,
        get: () => {
          if (!cached) {
            const hs = this.rt.state(name);
            cached = { ...hs.inventoryVars, ...hs.facts, ...hs.hostFacts, inventory_hostname: name };
          }
          return cached;
        },
      });
    }
    return {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      group_names: groupNames(inventory, host),
      groups,
      hostvars,
      play_hosts: playHosts,
      ansible_play_hosts: playHosts,
      ansible_play_batch: playHosts,
      ansible_play_hosts_all: this.batch,
      ansible_check_mode: this.rt.check,
      ansible_diff_mode: this.rt.diff,
      ansible_run_tags: this.rt.tags.only.length ? this.rt.tags.only : ['all'],
      ansible_skip_tags: this.rt.tags.skip,
      playbook_dir: this.play.baseDir,
      ansible_facts: Object.fromEntries(
        Object.entries(s.facts).map(([k, v]) => [k.startsWith('ansible_') ? k.slice(8) : k, v]),
      ),
      ...extra,
    };
  }

  /** A host's variables for a task, lowest precedence first (see docs: role defaults < ... < -e). */
  private hostVars(host: string, scope: Scope, task?: Task, extra: Vars = {}): { vars: Vars; errors: Map<string, string> } {
    const s = this.rt.state(host);
    const role = task?.role;
    const layers: VarLayer[] = [
      { vars: this.play.roleDefaults, templated: true },
      ...(role ? [{ vars: role.defaults, templated: true }] : []),
      { vars: s.inventoryVars, templated: true },
      { vars: this.play.vars, templated: true },
      ...this.play.varsFiles.map((f) => ({ vars: f.vars, templated: true })),
      { vars: scope.vars, templated: true },
      { vars: task?.vars ?? {}, templated: true },
      { vars: s.facts, templated: false },
      { vars: s.hostFacts, templated: false },
      { vars: this.rt.extraVars, templated: true },
      { vars: this.magicVars(host, role ? { role_path: role.path, role_name: role.name } : {}), templated: false },
      { vars: extra, templated: false },
    ];
    return resolveVars(this.rt.options.templater, layers);
  }

  // ---- task lists and blocks -------------------------------------------------------------------

  private childScope(scope: Scope, item: TaskItem): Scope {
    return {
      when: [...scope.when, ...item.when],
      tags: [...scope.tags, ...item.tags],
      vars: { ...scope.vars, ...(item.kind === 'block' ? item.vars : {}) },
      become: item.become ?? scope.become,
      noLog: scope.noLog || item.noLog,
      ignoreErrors: scope.ignoreErrors || item.ignoreErrors,
    };
  }

  private async runItems(items: readonly TaskItem[], hosts: readonly string[], scope: Scope): Promise<void> {
    for (const item of items) {
      const live = this.live(hosts);
      if (live.length === 0) return;
      if (item.kind === 'block') await this.runBlock(item, live, scope);
      else await this.runTask(item, live, scope);
    }
  }

  private async runBlock(block: Block, hosts: string[], scope: Scope): Promise<void> {
    const inner = this.childScope(scope, block);
    await this.runItems(block.block, hosts, inner);
    const failedInBlock = hosts.filter((h) => this.rt.state(h).failed && !this.rt.state(h).unreachable);
    if (block.rescue.length > 0 && failedInBlock.length > 0) {
      for (const h of failedInBlock) this.rt.state(h).failed = false;
      await this.runItems(block.rescue, failedInBlock, inner);
      for (const h of failedInBlock) {
        const s = this.rt.state(h);
        if (!s.failed && !s.unreachable) {
          // The failure was handled: the recap counts it as rescued, not failed (Ansible's way).
          s.stats.rescued++;
          s.stats.failed = Math.max(0, s.stats.failed - 1);
        }
      }
    }
    if (block.always.length > 0) {
      const stillFailed = new Set(hosts.filter((h) => this.rt.state(h).failed && !this.rt.state(h).unreachable));
      for (const h of stillFailed) this.rt.state(h).failed = false;
      const alwaysHosts = hosts.filter((h) => !this.rt.state(h).unreachable && !this.rt.state(h).ended);
      await this.runItems(block.always, alwaysHosts, inner);
      for (const h of stillFailed) this.rt.state(h).failed = true;
    }
  }

  private async gatherFacts(): Promise<void> {
    const setup = this.rt.options.registry.get('setup');
    const ref: TaskRef = { name: 'Gathering Facts', module: 'setup', pos: this.play.pos, kind: 'setup' };
    if (!setup) {
      this.rt.emit({ type: 'warning', message: 'gather_facts is on but no `setup` module is registered' });
      return;
    }
    const hosts = this.live(this.batch);
    if (hosts.length === 0) return;
    this.rt.emit({ type: 'task-start', task: ref, hosts });
    const task: Task = {
      kind: 'task',
      name: 'Gathering Facts',
      pos: this.play.pos,
      module: 'setup',
      args: {},
      when: [],
      tags: ['always'],
      vars: {},
      ignoreErrors: false,
      noLog: false,
      loopVar: 'item',
      notify: [],
    };
    await Promise.all(
      hosts.map((h) => this.rt.limit(() => this.runOnHost(task, ref, h, ROOT_SCOPE, setup, true))),
    );
  }

  private taskRef(task: Task, kind: 'task' | 'handler', hosts: readonly string[], scope: Scope): TaskRef {
    return { name: this.displayName(task, hosts, scope), module: task.module, pos: task.pos, role: task.role?.name, kind };
  }

  /**
   * The name shown in the TASK banner and in every event of the task. Like Ansible, a name with
   * `{{ }}` is rendered once, with the first host's variables (play, vars_files, role, inventory, block
   * and task vars, -e, magic vars; no loop item). A name that cannot be rendered (an undefined
   * variable, `item`, a bad filter) is shown as written: a name never fails a run.
   */
  private displayName(task: Task, hosts: readonly string[], scope: Scope): string {
    if (task.name === undefined) return task.module;
    if (!isTemplated(task.name)) return task.name;
    try {
      const vars = hosts.length > 0 ? this.hostVars(hosts[0], scope, task).vars : { ...this.play.vars, ...this.rt.extraVars };
      return this.rt.options.templater.render(task.name, vars);
    } catch {
      return task.name;
    }
  }

  private async runTask(task: Task, hosts: string[], scope: Scope, kind: 'task' | 'handler' = 'task'): Promise<void> {
    const taskScope = this.childScope(scope, task);
    // Handlers are not filtered by tags: a notified handler runs.
    if (kind === 'task' && !tagsSelect(taskScope.tags, this.rt.tags)) return;
    const ref = this.taskRef(task, kind, hosts, taskScope);
    if (isMeta(task.module)) {
      await this.runMeta(task, ref, hosts, taskScope);
      return;
    }
    const module = this.rt.options.registry.get(task.module);
    this.rt.emit({ type: 'task-start', task: ref, hosts });
    await Promise.all(hosts.map((h) => this.rt.limit(() => this.runOnHost(task, ref, h, taskScope, module, false))));
  }

  private async runMeta(task: Task, ref: TaskRef, hosts: string[], scope: Scope): Promise<void> {
    const action = metaAction(task);
    // meta honours `when` per host only for end_host; the others act on the play.
    switch (action) {
      case 'flush_handlers':
        await this.flushHandlers(this.batch);
        return;
      case 'noop':
      case 'refresh_inventory':
      case 'reset_connection':
        // The inventory is read once per run and connections are per run: nothing to do.
        return;
      case 'end_play':
      case 'end_batch':
        this.endPlay = true;
        return;
      case 'clear_facts':
        for (const h of hosts) this.rt.state(h).facts = {};
        return;
      case 'clear_host_errors':
        for (const h of this.batch) {
          const st = this.rt.state(h);
          if (!st.unreachable) st.failed = false;
        }
        return;
      case 'end_host':
        for (const h of hosts) {
          const { vars } = this.hostVars(h, scope, task);
          if (scope.when.every((c) => truthy(this.rt.options.templater.evaluate(bareExpression(c), vars)))) {
            this.rt.state(h).ended = true;
          }
        }
        return;
      default:
        this.rt.emit({ type: 'warning', message: `meta: ${action} is not supported; ignored`, task: ref });
    }
  }

  // ---- handlers ------------------------------------------------------------------------------

  private notify(host: string, names: readonly string[], ref: TaskRef): void {
    for (const name of names) {
      const matches = this.play.handlers.filter((h) => h.name === name || h.listen.includes(name));
      if (matches.length === 0) {
        this.rt.emit({ type: 'warning', message: `no handler named "${name}" (notified by "${ref.name}")`, host, task: ref });
      }
      for (const handler of matches) {
        let set = this.notified.get(handler);
        if (!set) this.notified.set(handler, (set = new Set()));
        set.add(host);
      }
    }
  }

  private async flushHandlers(hosts: readonly string[]): Promise<void> {
    // A handler may notify another; later ones run in the same flush, earlier ones in a new pass.
    for (let pass = 0; pass < 10 && this.notified.size > 0; pass++) {
      for (const handler of this.play.handlers) {
        const set = this.notified.get(handler);
        if (!set) continue;
        this.notified.delete(handler);
        const targets = this.live(hosts.filter((h) => set.has(h)));
        if (targets.length > 0) await this.runTask(handler, targets, ROOT_SCOPE, 'handler');
      }
    }
  }

  // ---- one task on one host ----------------------------------------------------------------

  private async runOnHost(
    task: Task,
    ref: TaskRef,
    host: string,
    scope: Scope,
    module: ModuleDefinition | undefined,
    isSetup: boolean,
  ): Promise<void> {
    const started = Date.now();
    const s = this.rt.state(host);
    let outcome: Outcome;
    try {
      outcome = await this.execute(task, ref, host, scope, module, isSetup);
    } catch (err) {
      outcome = this.failure(err, task, ref, host);
    }

    if (outcome.status === 'failed' && (scope.ignoreErrors || task.ignoreErrors)) outcome.ignored = true;
    // Stats, host state, handlers.
    switch (outcome.status) {
      case 'unreachable':
        s.unreachable = true;
        s.stats.unreachable++;
        break;
      case 'failed':
        if (outcome.ignored) s.stats.ignored++;
        else {
          s.failed = true;
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
    if (outcome.status === 'changed' && task.notify.length > 0) this.notify(host, task.notify, ref);

    const noLog = scope.noLog || task.noLog;
    const event: HostResultEvent = {
      type: 'host-result',
      task: ref,
      host,
      status: outcome.status,
      ignored: outcome.ignored,
      msg: outcome.msg,
      diff: outcome.result.diff,
      items: outcome.items,
      result: outcome.result,
      durationMs: Date.now() - started,
    };
    this.rt.emit(noLog ? censor(event) : event);
  }

  private failure(err: unknown, task: Task, ref: TaskRef, host: string): Outcome {
    if (err instanceof UnreachableError) {
      return { status: 'unreachable', msg: err.message, result: { changed: false, unreachable: true, msg: err.message } };
    }
    const message = err instanceof Error ? err.message : String(err);
    const msg = `task "${ref.name}" (${posText(task.pos)}) on ${host}: ${message}`;
    return { status: 'failed', msg, result: { changed: false, failed: true, msg, exception: message } };
  }

  private conditionsHold(conditions: readonly unknown[], vars: Vars): { ok: boolean; failedOn?: string } {
    for (const c of conditions) {
      const { templater } = this.rt.options;
      const holds =
        typeof c === 'boolean'
          ? c
          : templater.condition
            ? templater.condition(conditionText(c), vars, (message) => this.rt.emit({ type: 'warning', message }))
            : truthy(templater.evaluate(bareExpression(c), vars));
      if (!holds) return { ok: false, failedOn: conditionText(c) };
    }
    return { ok: true };
  }

  /** Adds the cause of a broken variable to a template error that mentions it. */
  private explain(err: unknown, errors: Map<string, string>): Error {
    const e = err instanceof Error ? err : new Error(String(err));
    for (const [name, cause] of errors) {
      if (e.message.includes(name)) return new Error(`${e.message} (variable "${name}" could not be rendered: ${cause})`);
    }
    return e;
  }

  private async execute(
    task: Task,
    ref: TaskRef,
    host: string,
    scope: Scope,
    module: ModuleDefinition | undefined,
    isSetup: boolean,
  ): Promise<Outcome> {
    const s = this.rt.state(host);
    const { vars, errors } = this.hostVars(host, scope, task);
    const conditions = [...scope.when];
    const hasLoop = task.loop !== undefined && task.loop !== null;

    if (!hasLoop) {
      let cond;
      try {
        cond = this.conditionsHold(conditions, vars);
      } catch (err) {
        throw new Error(`error in "when": ${this.explain(err, errors).message}`);
      }
      if (!cond.ok) return this.registered(task, s, skipped(`conditional result was false: ${cond.failedOn}`));
    }
    if (!module) throw new Error(`module "${task.module}" is not provided by this provisioner (the task was reached)`);
    if (this.rt.check && module.checkMode === 'none') {
      return this.registered(task, s, skipped('not supported in check mode'));
    }

    let outcome: Outcome;
    if (!hasLoop) {
      const result = await this.callModule(task, host, scope, module, vars, errors, ref);
      outcome = { status: statusOf(result), msg: result.msg, result };
    } else {
      let items: unknown;
      try {
        items = renderValue(this.rt.options.templater, task.loop, vars);
      } catch (err) {
        throw new Error(`error in "loop": ${this.explain(err, errors).message}`);
      }
      if (typeof items === 'string') items = tryParseList(items);
      if (!Array.isArray(items)) throw new Error(`"loop" must be a list, got ${typeof items}: ${itemLabel(items)}`);
      outcome = await this.runLoop(task, ref, host, scope, module, items, vars, errors, conditions);
    }

    this.registered(task, s, outcome);
    if (outcome.status !== 'failed' && outcome.status !== 'unreachable' && outcome.result.facts) {
      const facts = outcome.result.facts;
      for (const [k, v] of Object.entries(facts)) {
        if (isSetup || k.startsWith('ansible_')) s.facts[k] = v;
        if (!isSetup) s.hostFacts[k] = v;
      }
    }
    return outcome;
  }

  /** `register:` keeps every result, skipped ones included (a later `when: r is skipped` needs it). */
  private registered(task: Task, s: HostState, outcome: Outcome): Outcome {
    if (task.register) s.hostFacts[task.register] = outcome.result;
    return outcome;
  }

  private async runLoop(
    task: Task,
    ref: TaskRef,
    host: string,
    scope: Scope,
    module: ModuleDefinition,
    items: unknown[],
    vars: Vars,
    errors: Map<string, string>,
    conditions: string[],
  ): Promise<Outcome> {
    const outcomes: ItemOutcome[] = [];
    const results: Record<string, unknown>[] = [];
    for (const [index, item] of items.entries()) {
      const loopVars = { [task.loopVar]: item, ansible_loop_var: task.loopVar, ansible_loop: { index: index + 1, index0: index } };
      // Task vars may use the item (`vars: { path: "/etc/{{ item }}" }`): resolve them again per item.
      const itemVars = Object.keys(task.vars).length > 0 ? this.hostVars(host, scope, task, loopVars).vars : { ...vars, ...loopVars };
      let result: ModuleResult;
      const cond = this.conditionsHold(conditions, itemVars);
      if (!cond.ok) result = { changed: false, skipped: true, msg: `conditional result was false: ${cond.failedOn}` };
      else {
        try {
          result = await this.callModule(task, host, scope, module, itemVars, errors, ref);
        } catch (err) {
          if (err instanceof UnreachableError) throw err;
          result = this.failure(err, task, ref, host).result;
        }
      }
      const full = { ...result, item, ansible_loop_var: task.loopVar };
      results.push(full);
      outcomes.push({ label: itemLabel(item), status: statusOf(result), msg: result.msg, diff: result.diff, result: full });
    }
    const anyFailed = outcomes.some((o) => o.status === 'failed');
    const anyChanged = outcomes.some((o) => o.status === 'changed');
    const allSkipped = outcomes.length > 0 && outcomes.every((o) => o.status === 'skipped');
    const result: ModuleResult = {
      changed: anyChanged,
      failed: anyFailed || undefined,
      skipped: allSkipped || undefined,
      msg: anyFailed ? 'one or more items failed' : allSkipped ? 'all items skipped' : items.length === 0 ? 'no items' : 'all items completed',
      results,
    };
    // Facts set by items (set_fact in a loop) apply in order.
    const facts: Vars = {};
    for (const r of results) if (r.facts && typeof r.facts === 'object') Object.assign(facts, r.facts);
    if (Object.keys(facts).length > 0) result.facts = facts;
    const diff = outcomes.flatMap((o) => o.diff ?? []);
    if (diff.length > 0) result.diff = diff;
    return {
      status: anyFailed ? 'failed' : allSkipped || items.length === 0 ? 'skipped' : anyChanged ? 'changed' : 'ok',
      msg: result.msg,
      result,
      items: outcomes,
    };
  }

  private async callModule(
    task: Task,
    host: string,
    scope: Scope,
    module: ModuleDefinition,
    vars: Vars,
    errors: Map<string, string>,
    taskRef: TaskRef,
  ): Promise<ModuleResult> {
    const { templater } = this.rt.options;
    let rendered: unknown;
    try {
      rendered = renderValue(templater, argsBeforeRendering(task, module), vars);
    } catch (err) {
      throw this.explain(err, errors);
    }
    const args = revealSecrets(this.shapeArgs(rendered, module, vars));
    const parsed = module.args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
      throw new Error(`invalid arguments for module "${module.name}": ${issues}`);
    }
    const noLog = scope.noLog || task.noLog;
    const ctx = buildModuleContext({
      hostName: host,
      vars,
      facts: this.rt.state(host).facts,
      check: this.rt.check,
      diff: this.rt.diff,
      // Task/block `become` wins; else the play's; else the inventory's ansible_become.
      become: scope.become ?? (this.play.become || truthy(vars.ansible_become ?? false)),
      remote: this.rt.pool.lazyRemote(host, () => this.target(host, vars)),
      templater,
      masker: this.rt.masker,
      role: task.role,
      baseDir: this.play.baseDir,
      onProgress: (message) => {
        if (!noLog) this.rt.emit({ type: 'progress', task: taskRef, host, message });
      },
      onLog: (message) => {
        if (!noLog) this.rt.emit({ type: 'log', task: taskRef, host, message });
      },
    });
    const result = await module.run(parsed.data, ctx);
    return this.applyConditions(task, result, vars);
  }

  /** Free-form strings go under the module's freeFormKey; `k=v` strings become mappings; omit is dropped. */
  private shapeArgs(rendered: unknown, module: ModuleDefinition, vars: Vars): unknown {
    let args = rendered;
    if (typeof args === 'string') {
      if (module.freeFormKey) args = { [module.freeFormKey]: args };
      else args = parseKeyValues(args);
    } else if (args === null || args === undefined) args = {};
    const omit = this.rt.options.templater.omit ?? vars.omit;
    if (omit !== undefined && args && typeof args === 'object' && !Array.isArray(args)) {
      args = Object.fromEntries(Object.entries(args as Vars).filter(([, v]) => v !== omit));
    }
    return args;
  }

  private applyConditions(task: Task, result: ModuleResult, vars: Vars): ModuleResult {
    if (!task.changedWhen && !task.failedWhen) return result;
    const withResult = task.register ? { ...vars, [task.register]: result } : vars;
    const out = { ...result };
    try {
      if (task.changedWhen) out.changed = this.conditionsHold(task.changedWhen, withResult).ok;
      if (task.failedWhen) {
        out.failed = this.conditionsHold(task.failedWhen, withResult).ok;
        if (out.failed && !out.msg) out.msg = `failed_when matched: ${task.failedWhen.join(' and ')}`;
      }
    } catch (err) {
      return { ...out, failed: true, msg: `error in changed_when/failed_when: ${(err as Error).message}` };
    }
    return out;
  }

  private target(host: string, vars: Vars) {
    return connectionTarget(host, vars, this.rt.targetDefaults);
  }
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

function tryParseList(text: string): unknown {
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v)) return v;
  } catch {
    // Not JSON: reported by the caller.
  }
  return text;
}

/** `path=/x state=touch mode="0644"` → mapping, for modules written in Ansible's old k=v style. */
export function parseKeyValues(text: string): Vars {
  const out: Vars = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g;
  let rest = text;
  for (const m of text.matchAll(re)) {
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v;
    rest = rest.replace(m[0], '');
  }
  if (rest.trim()) out._raw_params = rest.trim();
  return out;
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

/** Run a playbook: the executor's entry point. */
export async function runPlaybook(playbook: Playbook, options: ExecutorOptions): Promise<RunSummary> {
  return new PlaybookRunner(options).run(playbook);
}

export type { RoleInfo };
