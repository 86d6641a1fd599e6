import { handoverOf, type InstanceConfig, type VipConfig, type VrrpConfig } from '../config/model.js';
import type { SystemDeps, VirtualAddress, VrrpSocket } from '../os/types.js';
import { decodeAdvert, encodeAdvert, type AdvertInput, type DropCounter, type NoticeCounter, type PseudoHeader } from '../protocol/index.js';
import { VRRP_MULTICAST_GROUP } from '../protocol/constants.js';
import { KEEPALIVED_STATE_NAME, VrrpInstance, type InstanceActions, type InstanceSettings, type LogLevel, type VrrpState } from '../state/instance.js';
import type { Logger } from './logger.js';

/** All drop and notice counters, so the status file always shows every key (keepalived does). */
export const DROP_COUNTERS: readonly (DropCounter | NoticeCounter)[] = [
  'packet_len_err', 'ip_ttl_err', 'version_err', 'invalid_authtype', 'authtype_mismatch', 'auth_failure',
  'advert_interval_err', 'invalid_type_rcvd', 'checksum_err', 'dst_addr_err', 'addr_list_err',
];

/** The same message at most once per this long (keepalived rate-limits its receive-error logs too). */
const LOG_REPEAT_MS = 60_000;

export function toVirtualAddress(vip: VipConfig): VirtualAddress {
  return { address: vip.address, prefixLength: vip.prefixLength, interface: vip.interface, label: vip.label, broadcast: vip.broadcast };
}

/** What an instance's adverts carry at a priority, and the addresses its v3 checksum covers. */
export function advertFields(c: InstanceConfig, source: string, priority: number): [AdvertInput, PseudoHeader] {
  return [{
    version: c.version, vrid: c.vrid, priority, addresses: c.vips.map((v) => v.address), advertIntervalMs: c.advertIntervalMs,
    authType: c.auth ? 1 : 0, authPassword: c.auth?.password,
  }, { source, destination: c.unicastPeers[0] ?? VRRP_MULTICAST_GROUP }];
}

export function describeVip(vip: VipConfig): string {
  return `${vip.address}/${vip.prefixLength} dev ${vip.interface}${vip.label ? ` label ${vip.label}` : ''}`;
}

/** What the runtime needs from the daemon around it. */
export interface RuntimeHost {
  deps: SystemDeps;
  log: Logger;
  stateChanged(runtime: InstanceRuntime, from: VrrpState, to: VrrpState): void;
  masterReceivedLowerPriority?(runtime: InstanceRuntime): void;
}

/** One configured instance at run time: the state machine plus its socket, VIPs and counters. */
export class InstanceRuntime implements InstanceActions {
  readonly instance: VrrpInstance;
  readonly drops: Record<string, number> = Object.fromEntries(DROP_COUNTERS.map((c) => [c, 0]));
  socket?: VrrpSocket;
  /** Wall-clock seconds (keepalived's last_transition) of the last state change. */
  lastTransition?: number;
  private queue: Promise<void> = Promise.resolve();
  /** Encoded adverts by priority (at most 256). */
  private readonly adverts = new Map<number, Buffer>();
  /** Side effects queued and not finished yet. */
  private pending = 0;
  private readonly lastLogged = new Map<string, number>();

  constructor(readonly config: InstanceConfig, readonly vrrpConfig: VrrpConfig, readonly source: string, private readonly host: RuntimeHost) {
    const settings: InstanceSettings = {
      name: config.name, vrid: config.vrid, version: config.version, basePriority: config.priority,
      advertIntervalMs: config.advertIntervalMs, nopreempt: config.nopreempt, preemptDelayMs: config.preemptDelayMs,
      initialState: config.initialState, primaryAddress: source, garp: config.garp,
      resign: handoverOf(config).resign, peerPriorities: handoverOf(config).peerPriorities,
    };
    this.instance = new VrrpInstance(settings, host.deps.clock, this);
  }

  get name(): string {
    return this.config.name;
  }

  get unicast(): boolean {
    return this.config.unicastPeers.length > 0;
  }

  /**
   * Runs side effects one after another, in the order the state machine asked for them. With nothing
   * pending the job starts at once, inside the transition that asked for it: a takeover's VIP add is
   * under way before the logging and bookkeeping that follow it.
   */
  private enqueue(what: string, job: () => Promise<void>): void {
    const run = async () => {
      try {
        await job();
      } catch (error) {
        this.host.log.error(`(${this.name}) ${what} failed: ${(error as Error).message}`);
      } finally {
        this.pending--;
      }
    };
    this.queue = this.pending++ === 0 ? run() : this.queue.then(run);
  }

  /** Resolves when every queued side effect has run (stop and reload wait on it). */
  settled(): Promise<void> {
    return this.queue;
  }

  /**
   * Sent at once, not queued: the advert leads every transition (the others are queued behind it),
   * and a takeover's advert should not wait for an earlier transition's `ip` to finish.
   */
  sendAdvert(priority: number): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.send(this.advert(priority));
    } catch (error) {
      this.host.log.error(`(${this.name}) sending advert failed: ${(error as Error).message}`);
    }
  }

  /** Builds the adverts a takeover and a stop send, so neither pays for encoding (or for compiling it). */
  prepareAdverts(): void {
    for (const priority of [this.instance.priority, 0]) this.socket?.prepare?.(this.advert(priority));
  }

  /** The encoded advert for a priority: it changes with nothing else, so each is encoded once. */
  private advert(priority: number): Buffer {
    let payload = this.adverts.get(priority);
    if (!payload) {
      payload = encodeAdvert(...advertFields(this.config, this.source, priority));
      this.adverts.set(priority, payload);
    }
    return payload;
  }

  addVips(): void {
    this.enqueue('setting VIPs', async () => {
      const add = (vip: VipConfig) =>
        this.host.deps.addresses.add(toVirtualAddress(vip)).catch((e: unknown) => this.host.log.error(`(${this.name}) cannot add ${describeVip(vip)}: ${(e as Error).message}`));
      // The first address is on its way (ip works in its own process) while the line is logged.
      const [first, ...rest] = this.config.vips;
      const adding = first ? add(first) : undefined;
      this.host.log.info(`(${this.name}) setting VIPs.`);
      await adding;
      for (const vip of rest) await add(vip);
    });
  }

  removeVips(): void {
    this.enqueue('removing VIPs', async () => {
      this.host.log.info(`(${this.name}) removing VIPs.`);
      for (const vip of this.config.vips) {
        await this.host.deps.addresses.remove(toVirtualAddress(vip)).catch((e: unknown) => this.host.log.error(`(${this.name}) cannot remove ${describeVip(vip)}: ${(e as Error).message}`));
      }
    });
  }

  sendGarp(count: number): void {
    const interval = this.config.garp.intervalMs;
    this.enqueue('sending gratuitous ARP', async () => {
      // With vrrp_garp_interval the burst is spread out, outside the queue so adverts are not held up.
      const burst = interval > 0 ? this.garpBurst(1, count - 1, interval) : this.garpBurst(count, 0, 0);
      for (const vip of this.config.vips) this.host.log.debug(`(${this.name}) Sending/queueing gratuitous ARPs on ${vip.interface} for ${vip.address}`);
      await burst;
    });
  }

  private async garpBurst(now: number, later: number, interval: number): Promise<void> {
    for (const vip of this.config.vips) {
      await this.host.deps.garp.send(vip.interface, vip.address, now).catch((e: unknown) => this.host.log.warn(`(${this.name}) gratuitous ARP for ${vip.address} on ${vip.interface} failed: ${(e as Error).message}`));
    }
    if (later > 0) {
      this.host.deps.clock.setTimer(interval, () => {
        if (this.instance.state === 'Master') void this.garpBurst(1, later - 1, interval);
      });
    }
  }

  stateChanged(from: VrrpState, to: VrrpState): void {
    this.lastTransition = Date.now() / 1000;
    this.host.stateChanged(this, from, to);
  }

  masterReceivedLowerPriority(): void {
    this.host.masterReceivedLowerPriority?.(this);
  }

  log(level: LogLevel, message: string): void {
    this.host.log[level](message);
  }

  private logLimited(key: string, message: string): void {
    const now = this.host.deps.clock.now();
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < LOG_REPEAT_MS) return;
    this.lastLogged.set(key, now);
    this.host.log.info(`(${this.name}) ${message}`);
  }

  /** A datagram for our VRID: validate it as keepalived does, count what is wrong, feed the FSM. */
  receive(datagram: Buffer, receivedAt?: number): void {
    const state = this.instance.state;
    if (state === 'Fault' || state === 'Initialize' || state === 'Stopped') return;
    const c = this.config;
    const result = decodeAdvert(datagram, {
      version: c.version, authType: c.version === 2 && c.auth ? 1 : 0, authPassword: c.auth?.password,
      advertIntervalMs: c.version === 3 ? this.instance.masterAdverIntervalMs : c.advertIntervalMs,
      addresses: c.vips.map((v) => v.address), unicast: this.unicast,
    });
    if (!result.ok) {
      this.drops[result.counter]++;
      this.logLimited(result.counter, result.reason);
      return;
    }
    if (result.source === this.source) return; // our own advert looped back
    for (const notice of result.notices) {
      this.drops[notice.counter]++;
      this.logLimited(`${notice.counter}:${result.source}`, notice.message);
    }
    this.instance.receive({ priority: result.advert.priority, source: result.source, advertIntervalMs: result.advert.advertIntervalMs, receivedAt });
  }

  get stateName(): string {
    return KEEPALIVED_STATE_NAME[this.instance.state];
  }
}
