import type { InstanceConfig, TrackProcessConfig, VrrpConfig, VrrpScriptConfig } from '../config/model.js';
import type { InterfaceInfo, ScriptRunner, SystemDeps, TimerHandle, VrrpSocket, VrrpSocketOptions } from '../os/types.js';
import { insecureScript } from './script-security.js';
import { peekVrid } from '../protocol/decode.js';
import { ScriptTracker } from '../state/script-tracker.js';
import { ProcessTracker } from '../state/process-tracker.js';
import type { ProcessWatch } from '../os/types.js';
import { SyncGroup } from '../state/sync-group.js';
import { evaluateTracking, type WeightedTrack } from '../state/priority.js';
import { KEEPALIVED_STATE_NAME, type VrrpState } from '../state/instance.js';
import type { Logger } from './logger.js';
import { notifyCommands, notifyCommandUsers, type NotifyState } from './notify.js';
import { InstanceRuntime, describeVip, toVirtualAddress } from './runtime.js';
import { instanceSignature, sameVirtualRouter, scriptSignature } from './signature.js';
import { rehearseTakeovers } from './rehearsal.js';
import { daemonStatus, formatDump, type DaemonStatus } from './status.js';
import { writeFileAtomic } from './atomic-file.js';

export interface DaemonOptions {
  deps: SystemDeps;
  log: Logger;
  /** Where the JSON status is written on every change (omit for none). */
  statusPath?: string;
  /** Where SIGUSR1's dump goes. */
  dumpPath?: string;
  /** How long a notify script may run (keepalived gives notify_stop 1 s). */
  notifyTimeoutMs?: number;
  /** Rewrite the status file this often so counters stay fresh (0 = only on changes). */
  statusRefreshMs?: number;
  /**
   * Make before break on stop: a master keeps its VIPs after its priority 0 until it hears the new
   * master (at most Skew_Time plus one interval). Off: keepalived's stop, VIPs removed at once.
   */
  handoverOnStop?: boolean;
}

/** One socket pair shared by the instances on an interface/source/peers, dispatching by VRID. */
interface Endpoint {
  socket: VrrpSocket;
  runtimes: Map<number, InstanceRuntime>;
}

/** One vrrp_track_process at run time. */
interface ProcessEntry {
  tracker: ProcessTracker;
  watch?: ProcessWatch;
  signature: string;
  /** Set while the health checks run after the process was lost: its loss is not applied meanwhile. */
  repairing: boolean;
}

const TRACKING_FAULT = 'tracking';
const NO_ADDRESS_FAULT = 'no-address';

/**
 * Runs a configuration: one InstanceRuntime per vrrp_instance, shared sockets per interface/source,
 * track scripts, link watching, sync groups, notify scripts and the status file. Everything outside
 * the process goes through SystemDeps.
 */
export class VrrpDaemon {
  private config!: VrrpConfig;
  private readonly runtimes = new Map<string, InstanceRuntime>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly trackers = new Map<string, { tracker: ScriptTracker; signature: string }>();
  private readonly links = new Map<string, boolean>();
  private readonly processTrackers = new Map<string, ProcessEntry>();
  private groups: SyncGroup[] = [];
  private groupOf = new Map<string, SyncGroup>();
  private unwatchLinks?: () => void;
  private statusDirty = false;
  private statusWriting?: Promise<void>;
  private refreshTimer?: TimerHandle;
  private addressRetry?: TimerHandle;
  private linkCache?: Map<string, Promise<InterfaceInfo | undefined>>;
  private readonly notifies = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: DaemonOptions) {}

  private get deps(): SystemDeps {
    return this.options.deps;
  }

  private get log(): Logger {
    return this.options.log;
  }

  /** Every VIP of every instance, to keep VIPs out of source-address selection. */
  private vipSet(config: VrrpConfig): Set<string> {
    return new Set(config.instances.flatMap((i) => i.vips.map((v) => v.address)));
  }

  async start(config: VrrpConfig): Promise<void> {
    this.config = config;
    this.installVipFilter(config);
    // Startup time is failback time: the independent lookups run together, each interface once.
    this.linkCache = new Map();
    await Promise.all([this.removeResidualVips(config.instances), this.refreshLinks(config)]);
    this.syncTrackers(config);
    this.syncProcessTrackers(config);
    this.prepareGarp(config);
    // One after another: instances sharing an interface must share one socket.
    for (const instanceConfig of config.instances) await this.addRuntime(instanceConfig);
    this.linkCache = undefined;
    this.buildSyncGroups(config);
    this.watchLinks(config);
    for (const r of this.runtimes.values()) {
      this.applyTracking(r);
      r.instance.start();
    }
    for (const { tracker } of this.trackers.values()) tracker.start();
    this.scheduleRefresh();
    this.markStatusDirty();
    // Once the instances run (their timers are armed), compile the takeover path on scratch copies.
    setImmediate(() => void this.rehearse(config));
  }

  private async rehearse(config: VrrpConfig): Promise<void> {
    const sources = new Map([...this.runtimes].filter(([, r]) => r.source !== '0.0.0.0').map(([name, r]) => [name, r.source]));
    const incomplete = await rehearseTakeovers(config, sources).catch(() => ['all']);
    if (incomplete.length > 0) this.log.debug(`takeover rehearsal incomplete for ${incomplete.join(', ')} (the first takeover compiles its code)`);
  }

  private installVipFilter(config: VrrpConfig): void {
    const vips = this.vipSet(config);
    const links = this.deps.links as { setVirtualAddressFilter?: (f: (a: string) => boolean) => void };
    links.setVirtualAddressFilter?.((address) => vips.has(address));
  }

  /** The gratuitous ARP socket and frames, ready before any takeover needs them. */
  private prepareGarp(config: VrrpConfig): void {
    try {
      this.deps.garp.prepare?.(config.instances.flatMap((i) => i.vips.map((v) => ({ interfaceName: v.interface, address: v.address }))));
    } catch (error) {
      this.log.warn(`cannot open the gratuitous ARP socket yet: ${(error as Error).message}; retried on the first takeover`);
    }
  }

  /** keepalived's remove_residual_vips: a configured VIP found at startup is left from a crash. */
  private async removeResidualVips(instances: readonly InstanceConfig[]): Promise<void> {
    const present = new Map<string, Set<string>>();
    for (const instance of instances) {
      const stale = [];
      for (const vip of instance.vips) {
        if (!present.has(vip.interface)) {
          present.set(vip.interface, new Set(await this.deps.addresses.list(vip.interface).catch(() => [] as string[])));
        }
        if (present.get(vip.interface)!.has(vip.address)) stale.push(vip);
      }
      if (stale.length === 0) continue;
      this.log.info(`(${instance.name}) removing VIPs. (left over from an earlier run: ${stale.map(describeVip).join(', ')})`);
      for (const vip of stale) {
        await this.deps.addresses.remove(toVirtualAddress(vip)).catch((e: unknown) => this.log.error(`(${instance.name}) cannot remove ${describeVip(vip)}: ${(e as Error).message}`));
        present.get(vip.interface)!.delete(vip.address);
      }
    }
  }

  /** Our advert source: unicast_src_ip, mcast_src_ip, or the interface's first address that is not a VIP. */
  /** links.get, asked once per interface while start() runs. */
  private linkInfo(name: string): Promise<InterfaceInfo | undefined> {
    const cached = this.linkCache?.get(name);
    if (cached) return cached;
    const info = this.deps.links.get(name).catch(() => undefined);
    this.linkCache?.set(name, info);
    return info;
  }

  private async sourceAddress(instance: InstanceConfig, vips: Set<string>): Promise<string | undefined> {
    const configured = instance.unicastSrcIp ?? instance.mcastSrcIp;
    if (configured) return configured;
    const info = await this.linkInfo(instance.interface);
    if (info?.primaryAddress && !vips.has(info.primaryAddress)) return info.primaryAddress;
    const all = await this.deps.addresses.list(instance.interface).catch(() => [] as string[]);
    return all.find((a) => !vips.has(a));
  }

  private async addRuntime(instance: InstanceConfig, resumeFrom?: VrrpState): Promise<InstanceRuntime> {
    const source = await this.sourceAddress(instance, this.vipSet(this.config));
    const runtime = new InstanceRuntime(instance, this.config, source ?? '0.0.0.0', {
      deps: this.deps,
      log: this.log,
      stateChanged: (r, from, to) => this.onStateChanged(r, from, to),
      masterReceivedLowerPriority: (r) => this.runNotify('INSTANCE', r.name, 'MASTER_RX_LOWER_PRI', r.instance.priority, r.config.notify, Promise.resolve().then(() => r.settled())),
    });
    this.runtimes.set(instance.name, runtime);
    if (!source) {
      this.log.error(`(${instance.name}) no IPv4 address on ${instance.interface} to send adverts from (and no mcast_src_ip/unicast_src_ip); FAULT until one appears`);
      runtime.instance.addFault(NO_ADDRESS_FAULT, `no IPv4 address on ${instance.interface}`);
      this.scheduleAddressRetry();
    } else {
      await this.attachEndpoint(runtime);
    }
    if (resumeFrom) runtime.instance.resume(resumeFrom);
    return runtime;
  }

  /** An instance without a source address is retried every second until its interface has one. */
  private scheduleAddressRetry(): void {
    if (this.addressRetry || this.stopped) return;
    this.addressRetry = this.deps.clock.setTimer(1000, () => {
      this.addressRetry = undefined;
      void this.retryMissingAddresses().catch((e: unknown) => this.log.error(`address retry failed: ${(e as Error).message}`));
    });
  }

  private async retryMissingAddresses(): Promise<void> {
    if (this.stopped) return;
    const vips = this.vipSet(this.config);
    for (const [name, old] of [...this.runtimes]) {
      if (old.source !== '0.0.0.0') continue;
      const source = await this.sourceAddress(old.config, vips);
      if (!source) continue;
      this.log.info(`(${name}) ${old.config.interface} now has ${source}; starting`);
      old.instance.detach();
      this.runtimes.delete(name);
      const r = await this.addRuntime(old.config);
      this.buildSyncGroups(this.config);
      this.applyTracking(r);
      r.instance.start();
      this.markStatusDirty();
    }
    if ([...this.runtimes.values()].some((r) => r.source === '0.0.0.0')) this.scheduleAddressRetry();
  }

  private async attachEndpoint(runtime: InstanceRuntime): Promise<void> {
    const c = runtime.config;
    const options: VrrpSocketOptions = { interface: c.interface, sourceAddress: runtime.source, unicastPeers: [...c.unicastPeers] };
    const key = `${c.interface}|${runtime.source}|${c.unicastPeers.join(',')}`;
    let endpoint = this.endpoints.get(key);
    if (!endpoint) {
      const runtimes = new Map<number, InstanceRuntime>();
      try {
        const socket = await this.deps.network.open(options, (packet) => {
          const vrid = peekVrid(packet.datagram);
          if (vrid === undefined) return;
          try {
            runtimes.get(vrid)?.receive(packet.datagram, packet.receivedAt);
          } catch (error) {
            // A bug must not let one packet take the worker down; say so and keep serving.
            this.log.error(`internal error handling a packet for VRID ${vrid}: ${(error as Error).message}`);
          }
        });
        endpoint = { socket, runtimes };
        this.endpoints.set(key, endpoint);
      } catch (error) {
        this.log.error(`(${c.name}) cannot open the VRRP socket on ${c.interface}: ${(error as Error).message}; staying in FAULT`);
        runtime.instance.addFault('socket', `cannot open the VRRP socket on ${c.interface}`);
        return;
      }
    }
    endpoint.runtimes.set(c.vrid, runtime);
    runtime.socket = endpoint.socket;
    runtime.prepareAdverts();
  }

  private detachEndpoint(runtime: InstanceRuntime): void {
    for (const [key, endpoint] of this.endpoints) {
      if (endpoint.runtimes.get(runtime.config.vrid) !== runtime) continue;
      endpoint.runtimes.delete(runtime.config.vrid);
      if (endpoint.runtimes.size === 0) {
        endpoint.socket.close();
        this.endpoints.delete(key);
      }
    }
  }

  /** Keeps one tracker per vrrp_script that some instance tracks; unchanged scripts keep their state. */
  private syncTrackers(config: VrrpConfig): void {
    const used = new Set(config.instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
    for (const [name, entry] of this.trackers) {
      if (!used.has(name) || scriptSignature(config, name) !== entry.signature) {
        entry.tracker.stop();
        this.trackers.delete(name);
      }
    }
    for (const name of used) {
      if (this.trackers.has(name)) continue;
      const script = config.scripts.find((s) => s.name === name)!;
      const tracker = this.createTracker(script, config);
      this.trackers.set(name, { tracker, signature: scriptSignature(config, name) });
    }
  }

  private createTracker(script: VrrpScriptConfig, config: VrrpConfig): ScriptTracker {
    const user = script.user ?? config.globals.scriptUser;
    const runner = this.secureRunner(config, `script ${script.name}`);
    return new ScriptTracker(
      { name: script.name, argv: script.argv, intervalMs: script.intervalMs, timeoutMs: script.timeoutMs, rise: script.rise, fall: script.fall, user, initFail: script.initFail },
      runner,
      this.deps.clock,
      () => this.onTrackerChanged(script.name),
      (level, message) => this.log[level](message),
    );
  }

  /**
   * With enable_script_security, a script that a non-root user could modify is refused, as keepalived
   * does: running it as root would hand root to that user. The refusal is logged each time.
   */
  private secureRunner(config: VrrpConfig, what: string): ScriptRunner {
    if (!config.globals.enableScriptSecurity) return this.deps.scripts;
    return {
      run: async (argv, options) => {
        const problem = insecureScript(argv[0] ?? '');
        if (problem) {
          this.log.error(`SECURITY VIOLATION - ${what}: ${problem}; not running it (enable_script_security)`);
          return { code: 126, timedOut: false, stderr: problem, durationMs: 0 };
        }
        return this.deps.scripts.run(argv, options);
      },
    };
  }

  private onTrackerChanged(name: string): void {
    for (const r of this.runtimes.values()) if (r.config.trackScripts.some((t) => t.name === name)) this.applyTracking(r);
    this.markStatusDirty();
  }

  private trackedInterfaces(instance: InstanceConfig): Array<{ name: string; weight: number }> {
    const list = instance.dontTrackPrimary ? [] : [{ name: instance.interface, weight: 0 }];
    for (const t of instance.trackInterfaces) if (!list.some((x) => x.name === t.name)) list.push({ name: t.name, weight: t.weight });
    return list;
  }

  private async refreshLinks(config: VrrpConfig): Promise<void> {
    const names = new Set(config.instances.flatMap((i) => this.trackedInterfaces(i).map((t) => t.name)));
    await Promise.all([...names].map(async (name) => {
      const info = await this.linkInfo(name);
      this.links.set(name, info?.up ?? false);
    }));
  }

  private watchLinks(config: VrrpConfig): void {
    this.unwatchLinks?.();
    const names = [...new Set(config.instances.flatMap((i) => this.trackedInterfaces(i).map((t) => t.name)))];
    this.unwatchLinks = this.deps.links.watch(names, (info) => this.onLinkChanged(info));
  }

  private onLinkChanged(info: InterfaceInfo): void {
    if (this.stopped) return;
    const before = this.links.get(info.name);
    this.links.set(info.name, info.up);
    if (before === info.up) return;
    this.log.info(`Netlink reports ${info.name} ${info.up ? 'up' : 'down'}`);
    for (const r of this.runtimes.values()) {
      if (this.trackedInterfaces(r.config).some((t) => t.name === info.name)) this.applyTracking(r);
    }
    this.markStatusDirty();
  }

  /** Tracked scripts and interfaces → effective priority and FAULT, keepalived's rules. */
  private applyTracking(r: InstanceRuntime): void {
    const tracks: WeightedTrack[] = [];
    for (const ref of r.config.trackScripts) {
      const tracker = this.trackers.get(ref.name)?.tracker;
      const weight = ref.weight ?? this.config.scripts.find((s) => s.name === ref.name)?.weight ?? 0;
      tracks.push({ label: `script ${ref.name}`, weight, status: tracker?.status ?? 'init' });
    }
    for (const ref of r.config.trackProcesses ?? []) {
      const entry = this.processTrackers.get(ref.name);
      const weight = ref.weight ?? this.config.trackProcesses?.find((p) => p.name === ref.name)?.weight ?? 0;
      tracks.push({ label: `process ${ref.name}`, weight, status: entry?.tracker.status ?? 'init' });
    }
    for (const t of this.trackedInterfaces(r.config)) {
      const up = this.links.get(t.name);
      tracks.push({ label: `interface ${t.name}`, weight: t.weight, status: up === undefined ? 'init' : up ? 'up' : 'down' });
    }
    const outcome = evaluateTracking(tracks);
    r.instance.setPriorityDelta(outcome.delta);
    if (outcome.faults.length > 0) r.instance.addFault(TRACKING_FAULT, outcome.faults.join('; '));
    else r.instance.clearFault(TRACKING_FAULT);
  }

  private buildSyncGroups(config: VrrpConfig): void {
    this.groups = [];
    this.groupOf = new Map();
    for (const g of config.syncGroups) {
      const members = g.members.map((m) => this.runtimes.get(m)?.instance).filter((m) => m !== undefined);
      const group = new SyncGroup(g.name, members, (m) => this.log.info(m));
      this.groups.push(group);
      for (const m of g.members) this.groupOf.set(m, group);
    }
  }

  private onStateChanged(runtime: InstanceRuntime, from: VrrpState, to: VrrpState): void {
    // Once the advert, VIPs and GARPs the state machine is about to queue have gone out (a microtask
    // later, so settled() covers them): the status file's JSON and file I/O, and keepalived's notify
    // scripts, must not compete with a takeover for the CPU, and a slow fork must never delay one.
    const after = Promise.resolve().then(() => runtime.settled());
    void after.then(() => this.markStatusDirty());
    const group = this.groupOf.get(runtime.name);
    const groupBefore = group?.state;
    group?.memberChanged(runtime.instance, from, to);
    const state = KEEPALIVED_STATE_NAME[to];
    if (state === 'MASTER' || state === 'BACKUP' || state === 'FAULT' || state === 'STOP') {
      const priority = runtime.instance.priority;
      this.runNotify('INSTANCE', runtime.name, state, priority, runtime.config.notify, after);
      const groupConfig = this.config.syncGroups.find((g) => g.name === group?.name);
      if (group && groupConfig && group.state !== groupBefore) this.runNotify('GROUP', group.name, group.state, 0, groupConfig.notify, after);
    }
  }

  private runNotify(kind: 'INSTANCE' | 'GROUP', name: string, state: NotifyState, priority: number, notify: InstanceConfig['notify'], after: Promise<void> = Promise.resolve()): void {
    const users = notifyCommandUsers(state, notify);
    for (const [index, argv] of notifyCommands(kind, name, state, priority, notify).entries()) {
      const timeoutMs = state === 'STOP' ? 1000 : this.options.notifyTimeoutMs ?? 30_000;
      const runner = this.secureRunner(this.config, `notify script of ${name}`);
      const user = users[index] ?? this.config.globals.scriptUser;
      const run = after.then(() => {
        this.log.debug(`(${name}) executing notify script: ${argv.join(' ')}`);
        return runner.run(argv, { timeoutMs, user });
      }).then(
        (r) => {
          const stderr = r.stderr.trim() ? `; stderr: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}` : '';
          if (r.timedOut) this.log.warn(`(${name}) notify script ${argv[0]} timed out after ${timeoutMs / 1000} s and was killed${stderr}`);
          else if (r.code !== 0) this.log.warn(`(${name}) notify script ${argv[0]} exited with ${r.code !== undefined ? `status ${r.code}` : `signal ${r.signal}`}${stderr}`);
          else this.log.debug(`(${name}) notify script ${argv[0]} exited with status 0${stderr}`);
        },
        (error: unknown) => this.log.error(`(${name}) cannot run notify script ${argv[0]}: ${(error as Error).message}`),
      );
      this.notifies.add(run);
      void run.finally(() => this.notifies.delete(run));
    }
  }

  /**
   * SIGHUP: apply a new configuration. Instances whose settings are unchanged keep running untouched;
   * changed ones keep their role (a master stays master, no election, no VIP flap); removed ones stop
   * (priority 0, VIPs removed); new ones start as at startup.
   */
  async reload(next: VrrpConfig): Promise<void> {
    const previous = this.config;
    this.config = next;
    this.installVipFilter(next);
    const nextNames = new Set(next.instances.map((i) => i.name));
    for (const [name, r] of [...this.runtimes]) {
      if (nextNames.has(name)) continue;
      this.log.info(`(${name}) removed from the configuration; stopping`);
      r.instance.stop();
      await r.settled();
      this.detachEndpoint(r);
      this.runtimes.delete(name);
    }
    this.syncTrackers(next);
    this.syncProcessTrackers(next);
    this.prepareGarp(next);
    await this.refreshLinks(next);
    const fresh: InstanceRuntime[] = [];
    for (const instance of next.instances) {
      const old = this.runtimes.get(instance.name);
      if (old && instanceSignature(old.config, previous) === instanceSignature(instance, next)) {
        // Keep it, but let it see the new configuration object (script lookups).
        (old as { vrrpConfig: VrrpConfig }).vrrpConfig = next;
        continue;
      }
      if (old && sameVirtualRouter(old.config, instance)) {
        this.log.info(`(${instance.name}) settings changed; keeping its ${old.stateName} role`);
        const state = old.instance.detach();
        const dropped = old.config.vips.filter((v) => !instance.vips.some((n) => n.address === v.address && n.interface === v.interface));
        if (state === 'Master') for (const vip of dropped) await this.deps.addresses.remove(toVirtualAddress(vip)).catch(() => {});
        await old.settled();
        this.detachEndpoint(old);
        this.runtimes.delete(instance.name);
        const r = await this.addRuntime(instance);
        this.applyTracking(r);
        r.instance.resume(state === 'Master' ? 'Master' : 'Backup');
        continue;
      }
      if (old) {
        this.log.info(`(${instance.name}) is now a different virtual router (VRID/interface/version changed); restarting it`);
        old.instance.stop();
        await old.settled();
        this.detachEndpoint(old);
        this.runtimes.delete(instance.name);
      }
      await this.removeResidualVips([instance]);
      fresh.push(await this.addRuntime(instance));
    }
    this.buildSyncGroups(next);
    this.watchLinks(next);
    for (const r of fresh) {
      this.applyTracking(r);
      r.instance.start();
    }
    for (const r of this.runtimes.values()) if (!fresh.includes(r)) this.applyTracking(r);
    for (const { tracker } of this.trackers.values()) if (!tracker.started) tracker.start();
    this.log.info(`Reloaded configuration: ${next.instances.length} instance(s)`);
    this.markStatusDirty();
  }

  /** SIGTERM: masters send priority 0 and drop their VIPs; then sockets close. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Priority 0 goes out first: a backup's Skew_Time starts when it arrives. A master keeps its VIPs
    // (and its clients) until it hears the new master, or for Skew_Time plus one interval at most.
    if (this.options.handoverOnStop) await Promise.all([...this.runtimes.values()].map((r) => r.instance.stopAfterHandover()));
    else for (const r of this.runtimes.values()) r.instance.stop();
    for (const entry of this.processTrackers.values()) { entry.watch?.stop(); entry.tracker.stop(); }
    this.refreshTimer?.cancel();
    this.addressRetry?.cancel();
    this.unwatchLinks?.();
    for (const { tracker } of this.trackers.values()) tracker.stop();
    await Promise.all([...this.runtimes.values()].map((r) => r.settled()));
    await Promise.all([...this.notifies]);
    for (const endpoint of this.endpoints.values()) endpoint.socket.close();
    this.endpoints.clear();
    this.markStatusDirty();
    await this.flushStatus();
  }

  // ---- vrrp_track_process (issue 13)

  /** One ProcessTracker and /proc watch per vrrp_track_process some instance tracks. */
  private syncProcessTrackers(config: VrrpConfig): void {
    const used = new Set(config.instances.flatMap((i) => (i.trackProcesses ?? []).map((t) => t.name)));
    const signature = (name: string) => JSON.stringify({ ...config.trackProcesses?.find((p) => p.name === name), at: undefined });
    for (const [name, entry] of this.processTrackers) {
      if (used.has(name) && signature(name) === entry.signature) continue;
      entry.watch?.stop();
      entry.tracker.stop();
      this.processTrackers.delete(name);
    }
    for (const name of used) {
      if (this.processTrackers.has(name)) continue;
      const block = config.trackProcesses!.find((p) => p.name === name)!;
      this.startProcessEntry(block, signature(name));
    }
  }

  /** Registers the entry first: the watch reports the current count from inside watch(). */
  private startProcessEntry(block: TrackProcessConfig, signature: string): void {
    const tracker = new ProcessTracker(
      { name: block.name, quorum: block.quorum, quorumMax: block.quorumMax, forkDelayMs: block.forkDelayMs, terminateDelayMs: block.terminateDelayMs, fastRecovery: block.fastRecovery },
      this.deps.clock,
      () => this.onProcessTrackerChanged(block.name),
      (level, message) => this.log[level](message),
    );
    const entry: ProcessEntry = { tracker, signature, repairing: false };
    this.processTrackers.set(block.name, entry);
    const monitor = this.deps.processes;
    if (!monitor) {
      this.log.warn(`Track process ${block.name}: processes cannot be watched here; it stays unknown (neither up nor down)`);
      return;
    }
    try {
      entry.watch = monitor.watch(block, (count) => this.onProcessCount(block.name, count));
    } catch (error) {
      this.log.error(`Track process ${block.name}: cannot watch processes: ${(error as Error).message}`);
    }
  }

  /** The health checks of the instances that track this process: they are its repair (the seed's restarts nginx). */
  private repairScriptsFor(name: string): ScriptTracker[] {
    const names = new Set(this.config.instances.filter((i) => (i.trackProcesses ?? []).some((t) => t.name === name)).flatMap((i) => i.trackScripts.map((t) => t.name)));
    return [...names].map((n) => this.trackers.get(n)?.tracker).filter((t): t is ScriptTracker => t !== undefined);
  }

  /**
   * Repair first: when a process that was up falls below quorum, the instances' health checks run at
   * once (not at their next interval) and /proc is scanned again after them. Only a loss that the
   * repair could not undo reaches the priority; one it undid moves nothing.
   */
  private onProcessCount(name: string, count: number): void {
    const entry = this.processTrackers.get(name);
    if (!entry || this.stopped) return;
    if (entry.repairing) return; // the rescan after the repair decides
    if (entry.tracker.status === 'down' && entry.tracker.satisfied(count)) {
      // Back (restarted by hand or by a later check): the failed health checks confirm it now rather
      // than at their next interval, so the priority (and the VIP, by preemption) returns sooner.
      entry.tracker.update(count);
      for (const t of this.repairScriptsFor(name)) if (t.status === 'down') void t.runNow();
      return;
    }
    const repairs = entry.tracker.status === 'up' && !entry.tracker.satisfied(count) ? this.repairScriptsFor(name) : [];
    if (repairs.length === 0) {
      entry.tracker.update(count);
      return;
    }
    entry.repairing = true;
    this.log.info(`Track process ${name}: ${count} running, below quorum; running ${repairs.map((t) => t.settings.name).join(', ')} now to repair it`);
    void Promise.all(repairs.map((t) => t.runNow()))
      .then(() => entry.watch?.rescan() ?? count)
      .then((now) => {
        entry.repairing = false;
        if (this.stopped || this.processTrackers.get(name) !== entry) return;
        if (entry.tracker.satisfied(now)) this.log.info(`Track process ${name}: repaired (${now} running); nothing moves`);
        entry.tracker.update(now);
      }, (error: unknown) => {
        entry.repairing = false;
        this.log.error(`Track process ${name}: repair failed: ${(error as Error).message}`);
        entry.tracker.update(count);
      });
  }

  private onProcessTrackerChanged(name: string): void {
    for (const r of this.runtimes.values()) if ((r.config.trackProcesses ?? []).some((t) => t.name === name)) this.applyTracking(r);
    this.markStatusDirty();
  }

  status(): DaemonStatus {
    const trackers = new Map([...this.trackers].map(([name, e]) => [name, e.tracker]));
    const processes = new Map([...this.processTrackers].map(([name, e]) => [name, e.tracker]));
    return daemonStatus(this.config.file, this.config.globals.routerId, this.runtimes.values(), this.groups, trackers, new Date(), processes);
  }

  /** SIGUSR1: a readable dump to `dumpPath`. */
  async dump(): Promise<string> {
    const text = formatDump(this.status());
    const path = this.options.dumpPath ?? '/tmp/vrrpd.data';
    await writeFileAtomic(path, text);
    this.log.info(`state dump written to ${path}`);
    return path;
  }

  private scheduleRefresh(): void {
    const every = this.options.statusRefreshMs ?? 0;
    if (!this.options.statusPath || every <= 0) return;
    this.refreshTimer = this.deps.clock.setTimer(every, () => {
      this.markStatusDirty();
      this.scheduleRefresh();
    });
  }

  private markStatusDirty(): void {
    if (!this.options.statusPath) return;
    this.statusDirty = true;
    if (!this.statusWriting) this.statusWriting = this.writeStatusLoop();
  }

  private async writeStatusLoop(): Promise<void> {
    // Let a burst of transitions (a sync group, a reload) settle into one write.
    await Promise.resolve();
    while (this.statusDirty) {
      this.statusDirty = false;
      try {
        await writeFileAtomic(this.options.statusPath!, `${JSON.stringify(this.status(), null, 2)}\n`);
      } catch (error) {
        this.log.warn(`cannot write status file ${this.options.statusPath}: ${(error as Error).message}`);
      }
    }
    this.statusWriting = undefined;
  }

  /** Resolves once the status file reflects the current state. */
  async flushStatus(): Promise<void> {
    while (this.statusWriting) await this.statusWriting;
  }
}
