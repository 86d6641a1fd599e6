import type { InstanceConfig, VrrpConfig } from '../config/model.js';
import type { Clock, SystemDeps, TimerHandle, VrrpSocket } from '../os/types.js';
import { buildIpv4Datagram, encodeAdvert, VRRP_MULTICAST_GROUP } from '../protocol/index.js';
import type { Logger } from './logger.js';
import { InstanceRuntime, advertFields } from './runtime.js';

/**
 * A dry run of the takeover path, on scratch copies of the instances. V8 compiles a function the
 * first time it runs, so a backup's takeover code (the Master_Down expiry, the advert, the VIP and
 * GARP steps, the decoder's priority-0 path) would otherwise be compiled during its first failover,
 * when every millisecond is outage a client sees (about 1 ms, measured in docs/BENCHMARKS.md). Each
 * instance goes Backup → Master (priority 0 from a peer) → Backup (a higher peer) → Master → Stopped
 * on an InstanceRuntime whose clock, socket, addresses and GARP are inert: nothing reaches the network
 * or the host, and the real instances never see it. The worker keeps the compiled code
 * (--no-flush-bytecode), so a takeover months later still runs it.
 *
 * Returns the names of the instances that did not complete the rehearsal (expected: none).
 */
export async function rehearseTakeovers(vrrpConfig: VrrpConfig, sources: ReadonlyMap<string, string>): Promise<string[]> {
  const incomplete: string[] = [];
  for (const config of vrrpConfig.instances) {
    const source = sources.get(config.name);
    if (!source || !(await rehearse(config, vrrpConfig, source))) incomplete.push(config.name);
  }
  return incomplete;
}

async function rehearse(config: InstanceConfig, vrrpConfig: VrrpConfig, source: string): Promise<boolean> {
  const clock = new RehearsalClock();
  const runtime = new InstanceRuntime(config, vrrpConfig, source, { deps: inertDeps(clock), log: SILENT, stateChanged: () => {} });
  runtime.socket = INERT_SOCKET;
  // A scratch peer that wins ties (never on the wire); a unicast instance only hears its peers.
  const peer = config.unicastPeers[0] ?? (source === '255.255.255.254' ? '255.255.255.253' : '255.255.255.254');
  const destination = config.unicastPeers.length > 0 ? source : VRRP_MULTICAST_GROUP;
  const fromPeer = (priority: number) => {
    const [fields] = advertFields(config, peer, priority);
    return buildIpv4Datagram(peer, destination, encodeAdvert(fields, { source: peer, destination }));
  };
  const instance = runtime.instance;
  try {
    instance.start();
    runtime.receive(fromPeer(255), clock.now());
    runtime.receive(fromPeer(0), clock.now());
    clock.fireNext(); // Master_Down expiry after Skew_Time
    const tookOver = instance.state === 'Master';
    await runtime.settled();
    runtime.receive(fromPeer(255), clock.now()); // gives way, unless it owns the address too
    await runtime.settled();
    instance.forceMaster('rehearsal');
    instance.stop();
    await runtime.settled();
    return tookOver;
  } catch {
    return false;
  } finally {
    instance.detach();
  }
}

const SILENT: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

const INERT_SOCKET: VrrpSocket = { send: () => {}, close: () => {} };

function inertDeps(clock: Clock): SystemDeps {
  const unused = (what: string) => () => {
    throw new Error(`the takeover rehearsal does not use ${what}`);
  };
  return {
    clock,
    addresses: { add: async () => {}, remove: async () => {}, list: async () => [] },
    garp: { send: async () => {} },
    network: { open: unused('the network') },
    links: { get: unused('links'), watch: unused('links') },
    scripts: { run: unused('scripts') },
  };
}

/** A clock that only moves when told: the rehearsal fires the one timer it is waiting for. */
class RehearsalClock implements Clock {
  private time = 0;
  private timers: Array<{ at: number; callback: () => void; live: boolean }> = [];

  now(): number {
    return this.time;
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer = { at: this.time + Math.max(0, ms), callback, live: true };
    this.timers.push(timer);
    return { cancel: () => { timer.live = false; } };
  }

  /** Moves to the earliest pending timer and fires it. */
  fireNext(): void {
    this.timers = this.timers.filter((t) => t.live);
    const next = this.timers.reduce<(typeof this.timers)[number] | undefined>((a, t) => (!a || t.at < a.at ? t : a), undefined);
    if (!next) return;
    next.live = false;
    this.time = next.at;
    next.callback();
  }
}
