/**
 * The executor's entry point: a playbook's plays in order, each on its hosts, in serial batches.
 * What a play does lives in play.ts; blocks in blocks.ts; one task on its hosts (conditions, loops,
 * the module call) in task.ts; handlers in handlers.ts; meta actions in meta.ts; the explicit run
 * state in state.ts.
 */
import pLimit from 'p-limit';
import { ValidationError, type Play, type Playbook, type RoleInfo } from '../model.js';
import { outsideHostVars } from '../inventory/localhost.js';
import { resolvePattern } from '../inventory/patterns.js';
import { inventoryVars as loaderInventoryVars } from '../vars/precedence.js';
import { collectSecrets } from '../vars/secret.js';
import { ConnectionPool, type TargetDefaults } from './connections.js';
import { emptyStats, type HostStats, type RunEvent, type RunSummary } from './events.js';
import { PlayExecution } from './play.js';
import { SecretMasker } from './secrets.js';
import type { HostState, RunState } from './state.js';
import type { ExecutorOptions, TagSelection } from './types.js';
import { askVarsPrompt, unanswerablePrompts } from './vars-prompt.js';
import { renderValue, resolveVars } from './vars.js';

export { CENSORED_MSG } from './task.js';
export { parseKeyValues } from './args.js';

/**
 * Runs a playbook with Ansible's linear strategy: every task runs on all of a play's hosts (in
 * parallel up to `forks`) before the next one starts.
 */
export class PlaybookRunner {
  private readonly masker = new SecretMasker();
  private readonly hosts = new Map<string, HostState>();
  /** Hosts some play ran on: only they appear in the recap (hostvars may touch every inventory host). */
  private readonly played = new Set<string>();
  private readonly pool: ConnectionPool;
  private readonly rt: RunState;

  constructor(private readonly options: ExecutorOptions) {
    this.pool = new ConnectionPool(options.connector);
    for (const s of options.secrets ?? []) this.masker.add(s);
    for (const s of collectSecrets(options.extraVars ?? {})) this.masker.add(s);
    const tags: TagSelection = { only: options.tags?.only ?? [], skip: options.tags?.skip ?? [] };
    const targetDefaults: TargetDefaults = {
      hostKeyPolicy: options.hostKeyPolicy ?? 'strict',
      knownHostsFile: options.knownHostsFile,
      defaultKnownHostsFile: options.defaultKnownHostsFile,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      remoteUser: options.remoteUser,
      port: options.remotePort,
      privateKeyFile: options.privateKeyFile,
      hostKeyChecking: options.hostKeyChecking,
    };
    this.rt = {
      options,
      masker: this.masker,
      pool: this.pool,
      limit: pLimit(Math.max(1, options.forks ?? 20)),
      tags,
      check: options.check ?? false,
      diff: options.diff ?? false,
      extraVars: options.extraVars ?? {},
      targetDefaults,
      emit: (e) => this.emit(e),
      controllerJobs: new Set(),
      state: (h) => this.state(h),
      active: (h) => this.active(h),
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
      // A host the inventory does not list (the implicit localhost, a delegate_to address) takes the
      // `all` group's variables, as in Ansible.
      const inventoryVars = this.options.inventory.hosts.has(host)
        ? (this.options.inventoryVars ?? loaderInventoryVars)(this.options.inventory, host)
        : outsideHostVars(this.options.inventory, host);
      // Values the loader marked `!secret` are masked from the start.
      for (const secret of collectSecrets(inventoryVars)) this.masker.add(secret);
      // A fact cache's facts for the host are its facts from the start (Ansible's fact cache keeps any
      // host's, the implicit localhost's and delegated ones' too).
      const cached = this.options.factCache?.get(host);
      s = {
        name: host,
        inventoryVars,
        facts: { ...(cached ?? {}) },
        cachedFacts: { ...(cached ?? {}) },
        hostFacts: {},
        includedVars: {},
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
    // vars_prompt with no terminal to ask on: a prompt with no default and no -e value stops the run
    // now, before any host is touched (each play still asks, or warns, when it starts).
    if (!this.options.ask) {
      const problems = playbook.plays.map((p) => unanswerablePrompts(p.varsPrompt ?? [], this.rt.extraVars)).filter((e) => e !== undefined);
      if (problems.length > 0) throw new ValidationError(problems.flatMap((e) => e.diagnostics));
    }
    const started = Date.now();
    this.emit({ type: 'run-start', playbook: playbook.file, check: this.rt.check, diff: this.rt.diff });
    try {
      for (const play of playbook.plays) await this.runPlay(play);
    } finally {
      // async jobs driven from here end on their own clock (their `async` limit) before the connections close.
      await Promise.allSettled([...this.rt.controllerJobs]);
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

  /** vars_prompt: asked when the play starts, before its hosts are matched (Ansible's order). */
  private async askPrompts(play: Play): Promise<void> {
    if (!play.varsPrompt?.length) return;
    const { templater } = this.options;
    const base = resolveVars(templater, [
      { vars: play.vars, templated: true },
      ...play.varsFiles.map((f) => ({ vars: f.vars, templated: true })),
      { vars: this.rt.extraVars, templated: true },
    ]).vars;
    const answers = await askVarsPrompt(play.varsPrompt, {
      ask: this.options.ask,
      extraVars: this.rt.extraVars,
      render: (v) => renderValue(templater, v, base),
      warn: (message) => this.emit({ type: 'warning', message }),
      say: (message) => (this.options.tell ? this.options.tell(message) : this.emit({ type: 'warning', message })),
    });
    for (const s of answers.secrets) this.masker.add(s);
    play.vars = { ...play.vars, ...answers.vars };
    if (Object.keys(answers.unsafe).length > 0) play.unsafeVars = { ...play.unsafeVars, ...answers.unsafe };
  }

  private async runPlay(play: Play): Promise<void> {
    await this.askPrompts(play);
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
    const batches = serialBatches(play.serial, orderHosts(play.order, hosts));
    for (const [index, batch] of batches.entries()) {
      this.emit({
        type: 'play-start',
        play: name,
        pos: play.pos,
        hosts: batch,
        batch: batches.length > 1 ? { index: index + 1, count: batches.length } : undefined,
      });
      await new PlayExecution(this.rt, play, batch).run();
      for (const h of batch) this.state(h).ended = false;
      this.emit({ type: 'play-end', play: name });
      if (!batch.some((h) => this.active(h)) && index < batches.length - 1) {
        // Ansible stops a serial play when a whole batch failed.
        this.emit({ type: 'warning', message: `play "${name}": every host of batch ${index + 1} failed; stopping` });
        break;
      }
    }
  }
}

/**
 * A play's hosts cut into `serial` batches: a number of hosts or a percentage ("30%"); a list gives
 * the successive batch sizes, its last one repeating for the rest (Ansible's rule).
 */
export function serialBatches(serial: Play['serial'], hosts: string[]): string[][] {
  if (serial === undefined || serial === null) return [hosts];
  const sizes = Array.isArray(serial) ? serial : [serial];
  const sizeOf = (s: number | string): number => {
    let size: number;
    if (typeof s === 'string' && s.trim().endsWith('%')) {
      size = Math.floor((hosts.length * parseFloat(s)) / 100);
    } else size = Number(s);
    if (!Number.isFinite(size) || size <= 0) size = size === 0 ? hosts.length : 1;
    return Math.max(1, Math.min(hosts.length, Math.floor(size)));
  };
  const out: string[][] = [];
  let i = 0;
  for (let b = 0; i < hosts.length; b++) {
    const size = sizeOf(sizes[Math.min(b, sizes.length - 1)]);
    out.push(hosts.slice(i, i + size));
    i += size;
  }
  return out;
}

/** `order:` the play's hosts in inventory order (default), reversed, sorted by name, or shuffled. */
export function orderHosts(order: Play['order'], hosts: string[], random: () => number = Math.random): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    }
    default:
      return hosts;
  }
}

/** Run a playbook: the executor's entry point. */
export async function runPlaybook(playbook: Playbook, options: ExecutorOptions): Promise<RunSummary> {
  return new PlaybookRunner(options).run(playbook);
}

export type { RoleInfo };
