/** One play (or one serial batch of it): facts, the task sections, handler flushes, host variables. */
import type { Play, Task, TaskCommon, TaskItem, Vars } from '../model.js';
import { LOCALHOST_NAMES } from '../inventory/localhost.js';
import { groupNames, groupsMap } from '../vars/precedence.js';
import { runItems } from './blocks.js';
import type { TaskRef } from './events.js';
import { HandlerQueue } from './handlers.js';
import { playScope, type PlayRun, type RunState, type Scope } from './state.js';
import { runOnHost, runTask } from './task.js';
import { resolveVars, type VarLayer } from './vars.js';

export class PlayExecution implements PlayRun {
  endPlay = false;
  private readonly handlers: HandlerQueue;
  /** What the play's own keywords give every task and handler. */
  private readonly scope: Scope;
  private groups: Record<string, string[]> | undefined;

  constructor(
    readonly rt: RunState,
    readonly play: Play,
    readonly batch: readonly string[],
  ) {
    this.handlers = new HandlerQueue(play.handlers, (e) => rt.emit(e));
    this.scope = playScope(play, rt.options.keywordDefaults);
  }

  live(hosts: readonly string[]): string[] {
    return this.endPlay ? [] : hosts.filter((h) => this.rt.active(h));
  }

  get strategy(): 'linear' | 'free' {
    return this.play.strategy ?? this.rt.options.keywordDefaults?.strategy ?? 'linear';
  }

  async run(): Promise<void> {
    if (this.strategy === 'free') {
      // Each host goes through the play by itself (facts, each section, its own handler flushes):
      // a fast host may finish while a slow one is still in an earlier task, as under Ansible.
      if (this.play.maxFailPercentage !== undefined) {
        this.warnOnce('Using max_fail_percentage with the free strategy is not supported, as tasks are executed independently on each host');
      }
      await Promise.all(this.batch.map((h) => this.runSections([h])));
      return;
    }
    await this.runSections(this.batch);
  }

  private async runSections(hosts: readonly string[]): Promise<void> {
    await this.gatherFacts(this.gatheringHosts(hosts));
    for (const section of [this.play.preTasks, this.play.tasks, this.play.postTasks]) {
      if (section.length === 0) continue;
      await this.runItems(section, hosts, this.scope);
      await this.flushHandlers(hosts);
    }
  }

  private readonly warned = new Set<string>();

  warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.rt.emit({ type: 'warning', message });
  }

  runItems(items: readonly TaskItem[], hosts: readonly string[], scope: Scope): Promise<void> {
    return runItems(this, items, hosts, scope);
  }

  notify(host: string, names: readonly string[], ref: TaskRef): void {
    this.handlers.notify(host, names, ref);
  }

  /** include_role public: defaults and vars exported while the play runs (once per include). */
  private readonly exported: { defaults: Vars; vars: Vars }[] = [];

  exportRole(exports: { defaults: Vars; vars: Vars }): void {
    if (!this.exported.includes(exports)) this.exported.push(exports);
  }

  inventoryChanged(): void {
    this.groups = undefined;
  }

  flushHandlers(hosts: readonly string[]): Promise<void> {
    return this.handlers.flush(
      hosts,
      (h) => this.live(h),
      // include_tasks as a handler runs its tasks; any other handler runs its module.
      (handler, targets) => (handler.body ? this.runItems(handler.body, targets, this.scope) : runTask(this, handler, targets, this.scope, 'handler')),
    );
  }

  /**
   * The hosts whose facts the play gathers, as Ansible's play iterator decides with its `gathering`
   * setting; smart passes over a host whose facts carry the mark the gathering step leaves
   * (`_ansible_facts_gathered`, kept by a fact cache too).
   */
  private gatheringHosts(hosts: readonly string[]): string[] {
    const written = this.play.gatherFacts;
    switch (this.rt.options.gathering ?? 'implicit') {
      case 'explicit':
        return written === true ? [...hosts] : [];
      case 'smart':
        return written === false ? [] : hosts.filter((h) => this.rt.state(h).facts._ansible_facts_gathered !== true);
      default:
        return written === false ? [] : [...hosts];
    }
  }

  private async gatherFacts(of: readonly string[]): Promise<void> {
    if (of.length === 0) return;
    const setup = this.rt.options.registry.get('setup');
    const ref: TaskRef = { name: 'Gathering Facts', module: 'setup', pos: this.play.pos, kind: 'setup' };
    if (!setup) {
      this.rt.emit({ type: 'warning', message: 'gather_facts is on but no `setup` module is registered' });
      return;
    }
    const hosts = this.live(of);
    if (hosts.length === 0) return;
    this.rt.emit({ type: 'task-start', task: ref, hosts });
    const task: Task = {
      kind: 'task',
      name: 'Gathering Facts',
      pos: this.play.pos,
      module: 'setup',
      args: { ...this.play.gatherArgs },
      when: [],
      tags: ['always'],
      vars: {},
      ignoreErrors: false,
      noLog: false,
      loopVar: 'item',
      notify: [],
    };
    await Promise.all(hosts.map((h) => this.rt.limit(() => runOnHost(this, task, ref, h, this.scope, setup, true))));
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
    // The implicit localhost is there when asked for by name, but not listed (as in Ansible).
    const implicit = LOCALHOST_NAMES.filter((n) => !inventory.hosts.has(n));
    for (const name of [...inventory.hosts.keys(), ...implicit]) {
      let cached: Vars | undefined;
      Object.defineProperty(hostvars, name, {
        enumerable: inventory.hosts.has(name),
        get: () => {
          if (!cached) {
            const hs = this.rt.state(name);
            // The host's own magic variables too (Ansible's Host.get_magic_vars): its name and groups.
            const magic = { inventory_hostname: name, inventory_hostname_short: name.split('.')[0], group_names: groupNames(inventory, name) };
            cached = { ...hs.inventoryVars, ...hs.includedVars, ...hs.facts, ...hs.hostFacts, ...magic };
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
  hostVars(host: string, scope: Scope, task?: Pick<TaskCommon, 'role' | 'vars'>, extra: Vars = {}): { vars: Vars; errors: Map<string, string> } {
    const s = this.rt.state(host);
    const role = task?.role;
    const layers: VarLayer[] = [
      { vars: this.play.roleDefaults, templated: true },
      ...this.exported.map((e) => ({ vars: e.defaults, templated: true })),
      ...(role ? [{ vars: role.defaults, templated: true }] : []),
      { vars: s.inventoryVars, templated: true },
      // Host facts (gathered, cached, set_fact ansible_*) sit above inventory variables and below play
      // variables, as in Ansible's variable manager: play vars override `ansible_nodename`; set_fact
      // values are also host variables (hostFacts, above play vars) and win there.
      { vars: s.facts, templated: false },
      { vars: this.play.vars, templated: true },
      // vars_prompt answers marked unsafe: play variables that are never rendered.
      ...(this.play.unsafeVars ? [{ vars: this.play.unsafeVars, templated: false }] : []),
      ...this.play.varsFiles.map((f) => ({ vars: f.vars, templated: true })),
      // Roles' vars are the play's (Ansible's default, private_role_vars off): roles, import_role,
      // then include_role public ones in the order they ran.
      { vars: this.play.roleVars ?? {}, templated: true },
      ...this.exported.map((e) => ({ vars: e.vars, templated: true })),
      { vars: scope.vars, templated: true },
      { vars: task?.vars ?? {}, templated: true },
      { vars: s.includedVars, templated: true },
      { vars: s.hostFacts, templated: false },
      { vars: this.rt.extraVars, templated: true },
      { vars: this.magicVars(host, role ? { role_path: role.path, role_name: role.name } : {}), templated: false },
      { vars: extra, templated: false },
    ];
    return resolveVars(this.rt.options.templater, layers);
  }
}
