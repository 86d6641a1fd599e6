/**
 * The thin I/O edge of the VRRP runtime. The protocol (codec, state machine, timers) depends only on
 * these interfaces, so it is unit-tested against in-memory fakes without root; the production
 * implementations (raw sockets and AF_PACKET through koffi, `ip` for addresses) live beside this file.
 */

/** A VRRP packet as received: the whole IPv4 datagram (header included) plus what the socket knows. */
export interface ReceivedPacket {
  /** The IPv4 datagram, starting at the IP header. Owned by the receiver (a copy). */
  datagram: Buffer;
  /** Interface index the packet arrived on. */
  ifindex: number;
  /** Monotonic receive time, milliseconds. */
  receivedAt: number;
}

export interface VrrpSocketOptions {
  /** Interface name, e.g. eth1. */
  interface: string;
  /** Source address for sent adverts (mcast_src_ip / unicast_src_ip / the interface's primary address). */
  sourceAddress: string;
  /** Unicast peers; when empty the socket joins 224.0.0.18 and sends there. */
  unicastPeers: readonly string[];
}

/** One VRRP endpoint on one interface (an rx socket plus a tx socket, keepalived's recipe). */
export interface VrrpSocket {
  /**
   * Send one VRRP packet (the VRRP header and payload, no IP header) to the group or to each peer,
   * synchronously (a raw socket's sendto does not block): a takeover's advert leaves inside the
   * transition. Throws when the kernel refuses it. The payload must not be modified afterwards.
   */
  send(vrrpPayload: Buffer): void;
  /** Builds (and keeps) the datagrams for a payload ahead of its first send. */
  prepare?(vrrpPayload: Buffer): void;
  /** Close both sockets. Idempotent. */
  close(): void;
}

export interface VrrpNetwork {
  /**
   * Open an endpoint. `onPacket` is called for every datagram that arrives for protocol 112 on the
   * interface (already filtered to the group or the unicast source address).
   */
  open(options: VrrpSocketOptions, onPacket: (packet: ReceivedPacket) => void): Promise<VrrpSocket>;
}

/** Gratuitous ARP (who-has VIP tell VIP, broadcast), the frame keepalived sends. */
export interface GarpSender {
  send(interfaceName: string, address: string, count: number): Promise<void>;
  /**
   * Opens what a send needs ahead of time (keepalived opens its socket at start-up) and builds the
   * frames for these addresses: a takeover then only sends.
   */
  prepare?(targets: ReadonlyArray<{ interfaceName: string; address: string }>): void;
}

export interface VirtualAddress {
  address: string;
  prefixLength: number;
  interface: string;
  label?: string;
  /** keepalived's `brd`: an IPv4 broadcast address, or `+`/`-` (set the host bits / clear them). */
  broadcast?: string;
}

/** Adds and removes VIPs. "Already there" on add and "not there" on delete are successes. */
export interface AddressManager {
  add(vip: VirtualAddress): Promise<void>;
  remove(vip: VirtualAddress): Promise<void>;
  /** Addresses currently on the interface (IPv4, dotted quad). */
  list(interfaceName: string): Promise<string[]>;
}

export interface InterfaceInfo {
  name: string;
  index: number;
  /** Operationally up with carrier. */
  up: boolean;
  mac: string;
  /** The interface's first IPv4 address that is not a VIP of ours (the VRRP source by default). */
  primaryAddress?: string;
}

export interface LinkMonitor {
  get(interfaceName: string): Promise<InterfaceInfo>;
  /** Calls back when an interface goes up or down. Returns a function that stops watching. */
  watch(interfaceNames: readonly string[], onChange: (info: InterfaceInfo) => void): () => void;
}

export interface ScriptResult {
  /** Exit code, or undefined when it was killed (signal or timeout). */
  code?: number;
  signal?: string;
  timedOut: boolean;
  stderr: string;
  durationMs: number;
}

/** Runs track and notify scripts: own process group, timeout kills the group, no fd leaks. */
export interface ScriptRunner {
  run(argv: readonly string[], options: { timeoutMs: number; user?: string }): Promise<ScriptResult>;
}

/** Time, so the state machine runs under a fake clock in unit tests. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /**
   * `precise`: fire at the deadline to a fraction of a millisecond, never before it (for the
   * Master_Down timer, whose expiry is the start of a failover); plain timers may be ~1 ms off.
   */
  setTimer(ms: number, callback: () => void, options?: { precise?: boolean }): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** Which processes a vrrp_track_process counts (keepalived's matching rules). */
export interface ProcessMatch {
  /** The name (/proc/PID/comm), or with parameters or full_command the command's first word. */
  process: string;
  params: readonly string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  paramMatchGiven: boolean;
  fullCommand: boolean;
}

export interface ProcessWatch {
  /** Scans /proc now (after a repair, to see a restarted process at once); resolves with the count. */
  rescan(): Promise<number>;
  stop(): void;
}

/** Counts running processes that match, and reports every change: exits at once, new ones on a scan. */
export interface ProcessMonitor {
  watch(match: ProcessMatch, onCount: (count: number) => void): ProcessWatch;
}

export interface SystemDeps {
  /** vrrp_track_process; absent where processes cannot be watched (the daemon then says so). */
  processes?: ProcessMonitor;
  network: VrrpNetwork;
  garp: GarpSender;
  addresses: AddressManager;
  links: LinkMonitor;
  scripts: ScriptRunner;
  clock: Clock;
}
