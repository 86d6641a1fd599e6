import type {
  AddressManager, GarpSender, InterfaceInfo, LinkMonitor, ReceivedPacket, ScriptResult, ScriptRunner, SystemDeps,
  VirtualAddress, VrrpNetwork, VrrpSocket, VrrpSocketOptions,
} from '../../../src/os/types.js';
import { buildIpv4Datagram, VRRP_MULTICAST_GROUP } from '../../../src/protocol/index.js';
import { FakeClock } from './fake-clock.js';

/** A shared Ethernet segment for several fake hosts. */
export class FakeWire {
  readonly clock = new FakeClock();
  readonly endpoints: Array<{ host: FakeHost; options: VrrpSocketOptions; onPacket: (p: ReceivedPacket) => void; closed: boolean }> = [];

  constructor(readonly latencyMs = 0) {}

  host(name: string, address: string): FakeHost {
    return new FakeHost(this, name, address);
  }

  /** Injects a raw datagram as if it came from the wire (malformed-packet tests). */
  inject(datagram: Buffer): void {
    for (const e of this.endpoints) if (!e.closed) e.onPacket({ datagram, ifindex: 2, receivedAt: this.clock.now() });
  }
}

/** One host: its network endpoint, addresses, links and scripts, all in memory. */
export class FakeHost implements SystemDeps {
  readonly addressesOn = new Map<string, string[]>();
  /** Every VirtualAddress handed to addresses.add, as given. */
  readonly added: VirtualAddress[] = [];
  readonly garps: Array<{ at: number; interface: string; address: string; count: number }> = [];
  readonly sentPriorities: Array<[number, number]> = [];
  readonly scriptsRun: string[][] = [];
  /** The user each script of scriptsRun was asked to run as. */
  readonly scriptUsers: Array<string | undefined> = [];
  /** Every side effect in order: advert N, add/remove ADDRESS, garp ADDRESS, run ARGV0. */
  readonly events: string[] = [];
  linkUp = new Map<string, boolean>();
  private linkWatchers: Array<(info: InterfaceInfo) => void> = [];
  /** Script outcome by argv[0]: exit code (default 0). */
  scriptExit = new Map<string, number>();
  connected = true;
  readonly clock: FakeClock;

  constructor(readonly wire: FakeWire, readonly name: string, readonly address: string) {
    this.clock = wire.clock;
    this.addressesOn.set('eth1', [address]);
    this.linkUp.set('eth1', true);
  }

  readonly network: VrrpNetwork = {
    open: async (options, onPacket) => {
      const entry = { host: this, options, onPacket, closed: false };
      this.wire.endpoints.push(entry);
      const socket: VrrpSocket = {
        send: (payload) => {
          if (entry.closed) throw new Error('closed');
          this.sentPriorities.push([this.clock.now(), payload[2]]);
          this.events.push(`advert ${payload[2]}`);
          if (!this.connected) return;
          const datagram = buildIpv4Datagram(options.sourceAddress, options.unicastPeers[0] ?? VRRP_MULTICAST_GROUP, payload);
          for (const other of this.wire.endpoints) {
            if (other.host === this || other.closed) continue;
            this.clock.setTimer(this.wire.latencyMs, () => {
              if (!other.closed && other.host.connected && this.connected) other.onPacket({ datagram: Buffer.from(datagram), ifindex: 2, receivedAt: this.clock.now() });
            });
          }
        },
        close: () => { entry.closed = true; },
      };
      return socket;
    },
  };

  readonly garp: GarpSender = {
    send: async (iface, address, count) => { this.garps.push({ at: this.clock.now(), interface: iface, address, count }); this.events.push(`garp ${address}`); },
  };

  readonly addresses: AddressManager = {
    add: async (vip: VirtualAddress) => {
      this.events.push(`add ${vip.address}`);
      this.added.push(vip);
      const list = this.addressesOn.get(vip.interface) ?? [];
      if (!list.includes(vip.address)) list.push(vip.address);
      this.addressesOn.set(vip.interface, list);
    },
    remove: async (vip: VirtualAddress) => {
      this.events.push(`remove ${vip.address}`);
      this.addressesOn.set(vip.interface, (this.addressesOn.get(vip.interface) ?? []).filter((a) => a !== vip.address));
    },
    list: async (iface) => [...(this.addressesOn.get(iface) ?? [])],
  };

  readonly links: LinkMonitor = {
    get: async (iface) => ({ name: iface, index: 2, up: this.linkUp.get(iface) ?? false, mac: '02:00:00:00:00:01', primaryAddress: this.addressesOn.get(iface)?.[0] }),
    watch: (_names, onChange) => {
      this.linkWatchers.push(onChange);
      return () => { this.linkWatchers = this.linkWatchers.filter((w) => w !== onChange); };
    },
  };

  readonly scripts: ScriptRunner = {
    run: async (argv, options): Promise<ScriptResult> => {
      this.scriptsRun.push([...argv]);
      this.scriptUsers.push(options.user);
      this.events.push(`run ${argv.slice(0, 1).concat(argv.slice(3, 4)).join(' ')}`);
      const code = this.scriptExit.get(argv[0]) ?? 0;
      return { code, timedOut: false, stderr: code === 0 ? '' : `${argv[0]}: failing on purpose\n`, durationMs: 1 };
    },
  };

  setLink(iface: string, up: boolean): void {
    this.linkUp.set(iface, up);
    for (const w of this.linkWatchers) w({ name: iface, index: 2, up, mac: '02:00:00:00:00:01' });
  }

  hasVip(address: string, iface = 'eth1'): boolean {
    return (this.addressesOn.get(iface) ?? []).includes(address);
  }
}
