import type { GarpConfig, VrrpVersion } from '../../../src/config/model.js';
import { buildIpv4Datagram, decodeAdvert, encodeAdvert, peekVrid, VRRP_MULTICAST_GROUP } from '../../../src/protocol/index.js';
import { VrrpInstance, type InstanceActions, type InstanceSettings, type VrrpState } from '../../../src/state/index.js';
import { FakeClock } from './fake-clock.js';

export const NO_GARP_DELAY: GarpConfig = { masterDelayMs: 0, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 5, intervalMs: 0 };

export interface RouterOptions {
  address: string;
  priority: number;
  version?: VrrpVersion;
  advertIntervalMs?: number;
  initialState?: 'MASTER' | 'BACKUP';
  nopreempt?: boolean;
  preemptDelayMs?: number;
  garp?: GarpConfig;
  password?: string;
  resign?: boolean;
  peerPriorities?: Array<{ address: string; priority: number }>;
}

/** One router on the in-memory LAN: a real VrrpInstance whose adverts go through the real codec. */
export class Router implements InstanceActions {
  readonly instance: VrrpInstance;
  vipsHeld = false;
  /** [time, state] for every transition. */
  readonly transitions: Array<[number, VrrpState]> = [];
  readonly sent: Array<[number, number]> = [];
  readonly garps: Array<[number, number]> = [];
  readonly logs: string[] = [];
  /** Order of side effects, to check "advert, then VIPs, then GARP". */
  readonly effects: string[] = [];
  connected = true;

  constructor(private readonly lan: Lan, readonly options: RouterOptions) {
    const settings: InstanceSettings = {
      name: 'VI_1', vrid: 51, version: options.version ?? 2, basePriority: options.priority,
      advertIntervalMs: options.advertIntervalMs ?? 1000, nopreempt: options.nopreempt ?? false,
      preemptDelayMs: options.preemptDelayMs ?? 0, initialState: options.initialState,
      primaryAddress: options.address, garp: options.garp ?? NO_GARP_DELAY,
      resign: options.resign, peerPriorities: options.peerPriorities,
    };
    this.instance = new VrrpInstance(settings, lan.clock, this);
  }

  get state(): VrrpState {
    return this.instance.state;
  }

  sendAdvert(priority: number): void {
    this.sent.push([this.lan.clock.now(), priority]);
    this.effects.push(`advert ${priority}`);
    const s = this.instance.settings;
    const payload = encodeAdvert({ version: s.version, vrid: s.vrid, priority, addresses: ['198.51.100.50'], advertIntervalMs: s.advertIntervalMs, authType: s.version === 2 ? 1 : 0, authPassword: this.options.password ?? '1111' }, { source: this.options.address, destination: VRRP_MULTICAST_GROUP });
    this.lan.transmit(this, buildIpv4Datagram(this.options.address, VRRP_MULTICAST_GROUP, payload));
  }

  addVips(): void { this.vipsHeld = true; this.effects.push('add VIPs'); }
  removeVips(): void { this.vipsHeld = false; this.effects.push('remove VIPs'); }
  sendGarp(count: number): void { this.garps.push([this.lan.clock.now(), count]); this.effects.push(`garp ${count}`); }
  stateChanged(_from: VrrpState, to: VrrpState): void { this.transitions.push([this.lan.clock.now(), to]); }
  log(_level: string, message: string): void { this.logs.push(`${this.lan.clock.now()} ${message}`); }

  /** A datagram arrived (at `receivedAt`): dispatch by VRID, validate with the codec, hand the advert to the instance. */
  deliver(datagram: Buffer, receivedAt?: number): void {
    const s = this.instance.settings;
    if (peekVrid(datagram) !== s.vrid) return;
    const r = decodeAdvert(datagram, { version: s.version, authType: s.version === 2 ? 1 : 0, authPassword: this.options.password ?? '1111', advertIntervalMs: this.instance.masterAdverIntervalMs, addresses: ['198.51.100.50'], unicast: false });
    if (!r.ok) { this.logs.push(`${this.lan.clock.now()} drop: ${r.reason}`); return; }
    this.instance.receive({ priority: r.advert.priority, source: r.source, advertIntervalMs: r.advert.advertIntervalMs, receivedAt });
  }

  /** Simulates kill -9: no priority 0, timers gone, the router is silent. */
  crash(): void {
    this.connected = false;
    this.instance.stop();
  }
}

/**
 * A broadcast segment with a fixed one-way latency. With `processingMs`, a datagram reaches the state
 * machine that long after it arrived, stamped with its arrival time (the kernel timestamp's job).
 */
export class Lan {
  readonly clock = new FakeClock();
  readonly routers: Router[] = [];

  constructor(readonly latencyMs = 0, readonly processingMs?: number) {}

  add(options: RouterOptions): Router {
    const router = new Router(this, options);
    this.routers.push(router);
    return router;
  }

  transmit(from: Router, datagram: Buffer): void {
    if (!from.connected) return;
    for (const to of this.routers) {
      if (to === from) continue;
      const processing = this.processingMs;
      if (processing === undefined) this.clock.setTimer(this.latencyMs, () => { if (from.connected && to.connected) to.deliver(datagram); });
      else this.clock.setTimer(this.latencyMs + processing, () => { if (from.connected && to.connected) to.deliver(datagram, this.clock.now() - processing); });
    }
  }

  masters(): string[] {
    return this.routers.filter((r) => r.state === 'Master').map((r) => r.options.address);
  }
}
