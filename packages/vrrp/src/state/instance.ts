import type { Clock } from '../os/types.js';
import type { GarpConfig, VrrpVersion } from '../config/model.js';
import { compareIpv4 } from '../protocol/address.js';
import { OneShot, masterDownIntervalMs, skewTimeMs } from './timers.js';
import { effectivePriority } from './priority.js';

/** RFC 5798's states, plus keepalived's FAULT and a terminal Stopped. */
export type VrrpState = 'Initialize' | 'Backup' | 'Master' | 'Fault' | 'Stopped';

/** keepalived's upper-case names, used in logs, notify arguments and the status file. */
export const KEEPALIVED_STATE_NAME: Record<VrrpState, string> = {
  Initialize: 'INIT', Backup: 'BACKUP', Master: 'MASTER', Fault: 'FAULT', Stopped: 'STOP',
};

export interface InstanceSettings {
  name: string;
  vrid: number;
  version: VrrpVersion;
  basePriority: number;
  /** The configured interval; a v3 backup may adopt the master's. */
  advertIntervalMs: number;
  nopreempt: boolean;
  preemptDelayMs: number;
  initialState?: 'MASTER' | 'BACKUP';
  /** The address our adverts come from (for the equal-priority tie break). */
  primaryAddress: string;
  garp: GarpConfig;
  /**
   * vrrpd's `resign`: a master whose effective priority falls below a peer's sends priority 0 at once,
   * so the peer takes over after Skew_Time rather than Master_Down_Interval.
   */
  resign?: boolean;
  /** The other routers' priorities from the configuration (`peer_priority`); adverts heard add to them. */
  peerPriorities?: ReadonlyArray<{ address: string; priority: number }>;
}

/**
 * How long a master that hears the new master keeps its VIPs: the new master's gratuitous ARP follows
 * its advert within a few milliseconds (measured: keepalived 0.2-0.5 ms, vrrpd 1.4-2 ms), and until it
 * arrives clients still send here. Removing the VIPs at the advert would drop what they send meanwhile.
 */
export const NEW_MASTER_GRACE_MS = 50;

/** Why a master is handing its VIPs over: a planned stop, or a resign after its priority fell. */
export type HandoverReason = 'stop' | 'resign';

/** What a received advert tells the state machine (the codec has already validated it). */
export interface AdvertEvent {
  priority: number;
  source: string;
  advertIntervalMs: number;
  /** When it reached the host (Clock time), if known: timers it restarts run from then, not from now. */
  receivedAt?: number;
}

export type LogLevel = 'info' | 'warn' | 'debug';

/**
 * What the state machine asks the outside world to do. Calls are issued in order and not awaited; the
 * daemon runs them one after another per instance, so "advert, then VIPs, then GARP" holds on the wire.
 */
export interface InstanceActions {
  sendAdvert(priority: number): void;
  addVips(): void;
  removeVips(): void;
  sendGarp(count: number): void;
  stateChanged(from: VrrpState, to: VrrpState): void;
  /** A master heard a lower-priority master and re-asserted itself (notify_master_rx_lower_pri). */
  masterReceivedLowerPriority?(source: string, priority: number): void;
  log(level: LogLevel, message: string): void;
}

export interface InstanceCounters {
  advert_rcvd: number;
  advert_sent: number;
  become_master: number;
  release_master: number;
  pri_zero_rcvd: number;
  pri_zero_sent: number;
}

/**
 * One virtual router, in RFC 5798's words: Master_Adver_Interval, Skew_Time, Master_Down_Interval,
 * Adver_Timer, Master_Down_Timer; with keepalived's behaviour where the RFCs leave room (startup in
 * Backup, preempt_delay, split-brain re-advertising, FAULT, priority 0 when giving up mastership).
 */
export class VrrpInstance {
  state: VrrpState = 'Initialize';
  private delta = 0;
  /** Why we are in FAULT; the instance is in FAULT while this is not empty. */
  private readonly faults = new Map<string, string>();
  masterAdverIntervalMs: number;
  masterAddress?: string;
  masterPriority?: number;
  /** Set while a preempt_delay runs (keepalived's preempt_time). */
  private preemptUntil?: number;
  readonly counters: InstanceCounters = { advert_rcvd: 0, advert_sent: 0, become_master: 0, release_master: 0, pri_zero_rcvd: 0, pri_zero_sent: 0 };
  private readonly adverTimer: OneShot;
  private readonly masterDownTimer: OneShot;
  private readonly garpDelayTimer: OneShot;
  private readonly garpRefreshTimer: OneShot;
  private readonly lowerPrioGarpTimer: OneShot;
  /** Priorities heard in other routers' adverts, by source address. */
  private readonly heardPriorities = new Map<string, number>();
  /**
   * Make before break: set while a master that sent priority 0 still holds its VIPs, until it hears
   * the new master (or the window closes).
   */
  private handover?: { reason: HandoverReason; startedAt: number; windowMs: number; done: Array<() => void> };
  private readonly handoverTimer: OneShot;
  /** Runs while the new master's gratuitous ARP is on its way: the handover ends when it fires. */
  private readonly handoverGraceTimer: OneShot;
  /** A preempted master's VIPs, removed when it fires (NEW_MASTER_GRACE_MS after the new master's advert). */
  private readonly vipLingerTimer: OneShot;
  /** A resign nobody answered: not tried again until the priority changes. */
  private resignRefusedAt?: number;

  constructor(readonly settings: InstanceSettings, private readonly clock: Clock, private readonly actions: InstanceActions) {
    this.masterAdverIntervalMs = settings.advertIntervalMs;
    this.adverTimer = new OneShot(clock, () => this.onAdverTimer());
    // Precise: its expiry starts a takeover, and a late timer is outage the client sees.
    this.masterDownTimer = new OneShot(clock, () => this.onMasterDownTimer(), { precise: true });
    this.garpDelayTimer = new OneShot(clock, () => this.actions.sendGarp(this.settings.garp.masterRepeat));
    this.garpRefreshTimer = new OneShot(clock, () => this.onGarpRefresh());
    this.lowerPrioGarpTimer = new OneShot(clock, () => this.actions.sendGarp(this.settings.garp.lowerPrioRepeat));
    this.handoverTimer = new OneShot(clock, () => this.onHandoverWindowClosed());
    this.handoverGraceTimer = new OneShot(clock, () => this.finishHandover());
    this.vipLingerTimer = new OneShot(clock, () => this.actions.removeVips());
  }

  /** Whether a master is handing over (priority 0 sent, VIPs still held). */
  get handingOver(): HandoverReason | undefined {
    return this.handover?.reason;
  }

  /** The highest priority another router has, as configured or heard (undefined when none is known). */
  get highestPeerPriority(): number | undefined {
    const all = [...(this.settings.peerPriorities ?? []).map((p) => p.priority), ...this.heardPriorities.values()];
    return all.length === 0 ? undefined : Math.max(...all);
  }

  get name(): string {
    return this.settings.name;
  }

  get priority(): number {
    return effectivePriority(this.settings.basePriority, this.delta);
  }

  get faultReasons(): string[] {
    return [...this.faults.values()];
  }

  /** Skew_Time for our current priority and the current Master_Adver_Interval. */
  get skewTimeMs(): number {
    return skewTimeMs(this.settings.version, this.priority, this.masterAdverIntervalMs);
  }

  get masterDownIntervalMs(): number {
    return masterDownIntervalMs(this.settings.version, this.priority, this.masterAdverIntervalMs);
  }

  /** Milliseconds until the Master_Down_Timer fires, when it runs. */
  get masterDownRemainingMs(): number | undefined {
    return this.masterDownTimer.remainingMs();
  }

  private log(level: LogLevel, message: string): void {
    this.actions.log(level, `(${this.name}) ${message}`);
  }

  /**
   * Startup (keepalived's vrrp_init_state): every instance starts as Backup. The address owner (255)
   * takes over at once; `state MASTER` waits one advert interval plus the smallest skew; the rest wait
   * the whole Master_Down_Interval, hearing the current master first if there is one.
   */
  start(): void {
    if (this.state !== 'Initialize') return;
    if (this.faults.size > 0) {
      this.enterFault();
      return;
    }
    this.setState('Backup', 'Entering BACKUP STATE (init)');
    this.masterDownTimer.start(this.startupWaitMs());
  }

  private startupWaitMs(): number {
    if (this.settings.basePriority === 255) return 0;
    if (this.settings.initialState === 'MASTER') return this.masterAdverIntervalMs + skewTimeMs(this.settings.version, 255, this.masterAdverIntervalMs);
    return this.masterDownIntervalMs;
  }

  /**
   * Resumes after a configuration reload without an election: a master stays master (re-announcing
   * itself and its VIPs), a backup stays backup with a fresh Master_Down_Timer.
   */
  resume(previous: VrrpState): void {
    if (this.state !== 'Initialize') return;
    if (this.faults.size > 0) { this.enterFault(); return; }
    if (previous === 'Master') {
      this.becomeMaster('Entering MASTER STATE (reload)');
    } else {
      this.setState('Backup', 'Entering BACKUP STATE (reload)');
      this.masterDownTimer.start(this.masterDownIntervalMs);
    }
  }

  /** A validated advert for our VRID arrived. */
  receive(advert: AdvertEvent): void {
    if (advert.priority > 0 && advert.source !== this.settings.primaryAddress) this.heardPriorities.set(advert.source, advert.priority);
    if (this.handover) { this.receiveDuringHandover(advert); return; }
    if (this.state === 'Backup') this.receiveAsBackup(advert);
    else if (this.state === 'Master') this.receiveAsMaster(advert);
    // Initialize, Fault and Stopped ignore adverts, as keepalived does.
  }

  private countReceived(advert: AdvertEvent): void {
    this.counters.advert_rcvd++;
    if (advert.priority === 0) this.counters.pri_zero_rcvd++;
  }

  private receiveAsBackup(advert: AdvertEvent): void {
    this.countReceived(advert);
    if (advert.priority === 0) {
      // The master is leaving: take over after Skew_Time only, so the best backup goes first.
      this.masterDownTimer.start(this.skewTimeMs - this.sinceArrival(advert));
      this.log('info', 'Backup received priority 0 advertisement');
      return;
    }
    const now = this.clock.now();
    const preemptDelayRunning = this.settings.preemptDelayMs > 0 && (this.preemptUntil === undefined || this.preemptUntil > now);
    if (this.settings.nopreempt || advert.priority >= this.priority || preemptDelayRunning) {
      if (this.settings.version === 3 && advert.advertIntervalMs !== this.masterAdverIntervalMs) {
        this.log('info', `adopting the master's advert interval ${advert.advertIntervalMs / 1000} s (was ${this.masterAdverIntervalMs / 1000} s)`);
        this.masterAdverIntervalMs = advert.advertIntervalMs;
      }
      if (this.settings.preemptDelayMs > 0) {
        if (advert.priority >= this.priority) {
          if (this.preemptUntil !== undefined) this.log('info', 'stop preempt delay');
          this.preemptUntil = undefined;
        } else if (this.preemptUntil === undefined) {
          this.log('info', `start preempt delay (${this.settings.preemptDelayMs / 1000} s)`);
          this.preemptUntil = now + this.settings.preemptDelayMs;
        }
      }
      if (this.masterAddress !== advert.source) this.log('debug', `master is ${advert.source} (priority ${advert.priority})`);
      this.masterAddress = advert.source;
      this.masterPriority = advert.priority;
      this.masterDownTimer.start(this.masterDownIntervalMs - this.sinceArrival(advert));
    } else {
      // Lower priority and we preempt: let the Master_Down_Timer run out.
      this.log('info', `received lower priority (${advert.priority}) advert from ${advert.source} - discarding`);
    }
  }

  /** How long ago the advert arrived (0 when unknown): the time it spent reaching the state machine. */
  private sinceArrival(advert: AdvertEvent): number {
    return advert.receivedAt === undefined ? 0 : Math.max(0, this.clock.now() - advert.receivedAt);
  }

  private receiveAsMaster(advert: AdvertEvent): void {
    this.countReceived(advert);
    if (advert.priority === 0) {
      // RFC 5798 6.4.3: another router is leaving; answer at once so backups see a master.
      this.sendAdvert();
      return;
    }
    const ours = this.priority;
    const sameAddress = advert.source === this.settings.primaryAddress;
    if (sameAddress) {
      this.log('warn', `WARNING - advert received from our own address ${advert.source} (a loop, or another node uses the same address)`);
      return;
    }
    if (advert.priority > ours || (advert.priority === ours && compareIpv4(advert.source, this.settings.primaryAddress) > 0)) {
      this.log('info', advert.priority > ours
        ? `Master received advert from ${advert.source} with higher priority ${advert.priority}, ours ${ours}`
        : `Master received advert from ${advert.source} with same priority ${advert.priority} but higher IP address than ours`);
      if (this.settings.version === 3) this.masterAdverIntervalMs = advert.advertIntervalMs;
      this.masterAddress = advert.source;
      this.masterPriority = advert.priority;
      this.leaveMaster(false, true);
      this.setState('Backup', 'Entering BACKUP STATE');
      this.masterDownTimer.start(this.masterDownIntervalMs);
      return;
    }
    // A lower-priority master exists (a healed split brain): assert ourselves now and re-ARP, so
    // switches and hosts that followed the other master come back.
    this.log('info', `Received advert from ${advert.source} with lower priority ${advert.priority}, ours ${ours}, forcing new election`);
    this.sendAdvert();
    if (this.settings.garp.lowerPrioRepeat > 0) {
      this.actions.sendGarp(this.settings.garp.lowerPrioRepeat);
      if (this.settings.garp.lowerPrioDelayMs > 0) this.lowerPrioGarpTimer.start(this.settings.garp.lowerPrioDelayMs);
    }
    this.actions.masterReceivedLowerPriority?.(advert.source, advert.priority);
  }

  private onMasterDownTimer(): void {
    if (this.state !== 'Backup') return;
    this.becomeMaster('Entering MASTER STATE', 'Receive advertisement timeout');
  }

  /**
   * keepalived's order: the advert first (the old master drops its VIPs), then VIPs, then GARP. The
   * log lines and the state-change callback come after the work is queued: the outage a client sees
   * lasts until the GARP, and logging is not part of it.
   */
  private becomeMaster(message: string, cause?: string): void {
    this.masterDownTimer.cancel();
    this.vipLingerTimer.cancel(); // still there: addVips below is idempotent
    this.masterAdverIntervalMs = this.settings.advertIntervalMs;
    this.masterAddress = this.settings.primaryAddress;
    this.masterPriority = this.priority;
    this.counters.become_master++;
    const from = this.enter('Master');
    this.sendAdvert();
    this.actions.addVips();
    const garp = this.settings.garp;
    this.actions.sendGarp(garp.masterRepeat);
    if (garp.masterDelayMs > 0) this.garpDelayTimer.start(garp.masterDelayMs);
    if (garp.masterRefreshMs > 0) this.garpRefreshTimer.start(garp.masterRefreshMs);
    if (cause) this.log('info', cause);
    this.announce(from, 'Master', message);
  }

  private onGarpRefresh(): void {
    if (this.state !== 'Master') return;
    this.actions.sendGarp(this.settings.garp.masterRefreshRepeat);
    this.garpRefreshTimer.start(this.settings.garp.masterRefreshMs);
  }

  private onAdverTimer(): void {
    if (this.state === 'Master') this.sendAdvert();
  }

  private sendAdvert(): void {
    this.counters.advert_sent++;
    this.actions.sendAdvert(this.priority);
    this.adverTimer.start(this.settings.advertIntervalMs);
  }

  /** Stop being master. With `announce`, send priority 0 first so a backup takes over after Skew_Time. */
  /** With `linger`, the VIPs go NEW_MASTER_GRACE_MS later (a new master was just heard). */
  private leaveMaster(announce: boolean, linger = false): void {
    this.adverTimer.cancel();
    this.garpDelayTimer.cancel();
    this.garpRefreshTimer.cancel();
    this.lowerPrioGarpTimer.cancel();
    this.counters.release_master++;
    if (announce) {
      this.counters.advert_sent++;
      this.counters.pri_zero_sent++;
      this.actions.sendAdvert(0);
      this.log('info', 'sent 0 priority');
    }
    if (linger) this.vipLingerTimer.start(NEW_MASTER_GRACE_MS);
    else this.actions.removeVips();
  }

  /** VIPs still lingering after a preemption go now (a stop, a fault, a reload). */
  private dropLingeringVips(): void {
    if (!this.vipLingerTimer.running) return;
    this.vipLingerTimer.cancel();
    this.actions.removeVips();
  }

  private setState(to: VrrpState, message: string): void {
    this.announce(this.enter(to), to, message);
  }

  /** Switches state; returns the one left. */
  private enter(to: VrrpState): VrrpState {
    const from = this.state;
    this.state = to;
    if (to === 'Backup' || to === 'Master') this.preemptUntil = undefined;
    return from;
  }

  /** Logs a transition and tells the outside world about it. */
  private announce(from: VrrpState, to: VrrpState, message: string): void {
    this.log('info', message);
    this.actions.stateChanged(from, to);
  }

  /** A tracked script or interface changed: recompute the effective priority. */
  setPriorityDelta(delta: number): void {
    const before = this.priority;
    const skewBefore = this.skewTimeMs;
    this.delta = delta;
    const after = this.priority;
    if (after === before) return;
    this.log('info', `Changing effective priority from ${before} to ${after}`);
    this.resignRefusedAt = undefined;
    this.resignIfOutranked();
    // keepalived shifts a running Master_Down_Timer by the change in Skew_Time.
    const remaining = this.masterDownTimer.remainingMs();
    if (this.state === 'Backup' && remaining !== undefined) this.masterDownTimer.start(remaining + this.skewTimeMs - skewBefore);
  }

  /** Adds (or replaces) a reason to be in FAULT; the first one takes the instance down. */
  addFault(key: string, reason: string): void {
    const had = this.faults.size > 0;
    this.faults.set(key, reason);
    if (!had && this.state !== 'Initialize' && this.state !== 'Stopped') {
      this.log('info', `entering FAULT: ${reason}`);
      this.enterFault();
    }
  }

  /** Removes a reason; when none is left, FAULT ends in Backup and an election follows. */
  clearFault(key: string): void {
    if (!this.faults.delete(key) || this.faults.size > 0) return;
    if (this.state !== 'Fault') return;
    this.setState('Backup', 'Entering BACKUP STATE (fault cleared)');
    this.masterDownTimer.start(this.settings.basePriority === 255 ? 0 : this.masterDownIntervalMs);
  }

  private enterFault(): void {
    this.dropLingeringVips();
    this.handoverGraceTimer.cancel();
    if (this.handover) {
      if (this.handover.reason === 'stop') { this.stop(); return; }
      this.handoverTimer.cancel();
      this.handover = undefined;
      this.counters.release_master++;
      this.actions.removeVips();
    } else if (this.state === 'Master') this.leaveMaster(true);
    this.masterDownTimer.cancel();
    this.masterAddress = undefined;
    this.masterPriority = undefined;
    this.setState('Fault', 'Entering FAULT STATE');
  }

  /** A sync group peer became master: follow it now (keepalived moves the whole group). */
  forceMaster(reason: string): void {
    if (this.state !== 'Backup') return;
    this.becomeMaster(`Entering MASTER STATE (${reason})`);
  }

  /** A sync group peer left master: follow it. */
  forceBackup(reason: string): void {
    if (this.state !== 'Master' || this.handover) return;
    this.leaveMaster(false);
    this.setState('Backup', `Entering BACKUP STATE (${reason})`);
    this.masterDownTimer.start(this.masterDownIntervalMs);
  }

  /**
   * Stops the state machine without touching the network or the VIPs: used on reload, when a new
   * instance object takes over this one's role (and its VIPs) without an election.
   */
  detach(): VrrpState {
    const previous = this.state;
    this.dropLingeringVips();
    for (const t of [this.masterDownTimer, this.adverTimer, this.garpDelayTimer, this.garpRefreshTimer, this.lowerPrioGarpTimer, this.handoverTimer]) t.cancel();
    this.releaseHandoverWaiters();
    this.state = 'Stopped';
    return previous;
  }

  /** Clean stop: a master sends priority 0 and removes its VIPs. Idempotent. */
  stop(): void {
    if (this.state === 'Stopped') return;
    this.dropLingeringVips();
    this.handoverGraceTimer.cancel();
    const waiters = this.handover?.done ?? [];
    if (this.handover) {
      // A stop during a handover: priority 0 went out already; the VIPs go now.
      this.handoverTimer.cancel();
      this.handover = undefined;
      this.counters.release_master++;
      this.actions.removeVips();
    } else if (this.state === 'Master') this.leaveMaster(true);
    this.masterDownTimer.cancel();
    this.adverTimer.cancel();
    this.garpDelayTimer.cancel();
    this.garpRefreshTimer.cancel();
    this.lowerPrioGarpTimer.cancel();
    this.setState('Stopped', 'Stopped');
    for (const done of waiters) done();
  }

  // ---- Make before break (issue 13): a master hands its VIPs over instead of dropping them first.

  /**
   * A master whose priority fell below another router's gives way at once (with `resign`): priority 0
   * now, so the best backup takes over after its Skew_Time; the VIPs stay until it is heard.
   */
  private resignIfOutranked(): void {
    if (!this.settings.resign || this.state !== 'Master' || this.handover) return;
    if (this.settings.basePriority === 255 || this.resignRefusedAt === this.priority) return;
    const peer = this.highestPeerPriority;
    if (peer === undefined || this.priority >= peer) return;
    this.startHandover('resign', `effective priority ${this.priority} is below a peer's ${peer}: resigning`);
  }

  /**
   * Planned stop with make before break: a master sends priority 0 but keeps its VIPs (and keeps
   * serving) until the new master's advert arrives, then removes them; if nobody is heard, it gives
   * them up after Skew_Time plus one advert interval. Resolves once the instance is Stopped.
   */
  stopAfterHandover(): Promise<void> {
    if (this.state === 'Stopped') return Promise.resolve();
    return new Promise((resolve) => {
      if (this.handover) {
        this.handover.reason = 'stop';
        this.handover.done.push(resolve);
        return;
      }
      if (this.state !== 'Master') {
        this.stop();
        resolve();
        return;
      }
      this.startHandover('stop', 'stopping');
      this.handover!.done.push(resolve);
    });
  }

  /**
   * The longest a handover waits: Skew_Time of the slowest backup we know of (priority 1 when none is
   * known) plus one advert interval, the time the best live backup needs to answer a priority 0.
   */
  handoverWindowMs(): number {
    const known = [...(this.settings.peerPriorities ?? []).map((p) => p.priority), ...this.heardPriorities.values()];
    const slowest = known.length > 0 ? Math.min(...known) : 1;
    return skewTimeMs(this.settings.version, slowest, this.masterAdverIntervalMs) + this.masterAdverIntervalMs;
  }

  private startHandover(reason: HandoverReason, why: string): void {
    // No more adverts at our priority: a backup that heard one would restart its Master_Down_Timer.
    this.adverTimer.cancel();
    this.garpDelayTimer.cancel();
    this.garpRefreshTimer.cancel();
    this.lowerPrioGarpTimer.cancel();
    const windowMs = this.handoverWindowMs();
    this.handover = { reason, startedAt: this.clock.now(), windowMs, done: [] };
    this.counters.advert_sent++;
    this.counters.pri_zero_sent++;
    this.actions.sendAdvert(0);
    this.log('info', `${why}: sent 0 priority; keeping the VIPs until the new master is heard (at most ${windowMs.toFixed(1)} ms)`);
    this.handoverTimer.start(windowMs);
  }

  private receiveDuringHandover(advert: AdvertEvent): void {
    this.countReceived(advert);
    if (advert.priority === 0 || advert.source === this.settings.primaryAddress) return;
    if (this.handoverGraceTimer.running) return; // already heard; the VIPs go when the grace ends
    const h = this.handover!;
    if (h.reason === 'resign' && advert.priority < this.priority) {
      // The peer that answered is worse off than we are (its own check fails): the VIP is better here.
      this.log('info', `${advert.source} answered our resignation with priority ${advert.priority}, below our ${this.priority}: staying MASTER`);
      this.handoverTimer.cancel();
      this.handover = undefined;
      this.resignRefusedAt = this.priority;
      this.sendAdvert();
      // It took the VIP for a moment and sent gratuitous ARPs: bring the clients back here.
      this.actions.sendGarp(this.settings.garp.masterRepeat);
      return;
    }
    this.log('info', `new master ${advert.source} (priority ${advert.priority}) heard ${(this.clock.now() - h.startedAt).toFixed(1)} ms after our priority 0: removing VIPs (after ${NEW_MASTER_GRACE_MS} ms for its gratuitous ARP)`);
    this.masterAddress = advert.source;
    this.masterPriority = advert.priority;
    if (this.settings.version === 3) this.masterAdverIntervalMs = advert.advertIntervalMs;
    this.handoverTimer.cancel();
    this.handoverGraceTimer.start(NEW_MASTER_GRACE_MS);
  }

  private onHandoverWindowClosed(): void {
    const h = this.handover;
    if (!h) return;
    if (h.reason === 'resign') {
      // Nobody took over: the VIPs stay here rather than go nowhere. Not retried at this priority.
      this.log('warn', `no other router took over within ${h.windowMs.toFixed(1)} ms of our resignation: staying MASTER`);
      this.handover = undefined;
      this.resignRefusedAt = this.priority;
      this.sendAdvert();
      return;
    }
    this.log('warn', `no new master heard within ${h.windowMs.toFixed(1)} ms of our priority 0: removing VIPs anyway`);
    this.finishHandover();
  }

  private finishHandover(): void {
    const h = this.handover;
    if (!h) return;
    this.handoverTimer.cancel();
    this.handoverGraceTimer.cancel();
    this.handover = undefined;
    this.counters.release_master++;
    this.actions.removeVips();
    if (h.reason === 'stop') {
      this.masterDownTimer.cancel();
      this.setState('Stopped', 'Stopped');
      for (const done of h.done) done();
      return;
    }
    this.setState('Backup', 'Entering BACKUP STATE (resigned)');
    this.masterDownTimer.start(this.masterDownIntervalMs);
    for (const done of h.done) done();
  }

  private releaseHandoverWaiters(): void {
    const h = this.handover;
    this.handover = undefined;
    for (const done of h?.done ?? []) done();
  }
}
