/**
 * VrrpNetwork over raw IPv4 sockets (protocol 112), with keepalived's socket recipe:
 *
 * rx, one per endpoint: SOCK_RAW|SOCK_NONBLOCK|SOCK_CLOEXEC, IP_MULTICAST_ALL=0 (only groups this
 *   socket joined), IP_ADD_MEMBERSHIP(224.0.0.18 on the interface) and bind(224.0.0.18) so only
 *   group traffic arrives (multicast); or IP_FREEBIND + bind(unicast source) so only packets to our
 *   address arrive even before it is configured (unicast); then SO_BINDTODEVICE.
 * tx, one per endpoint: IP_HDRINCL with our own IPv4 header (TOS 0xc0, TTL 255, DF, the configured
 *   source), SO_BINDTODEVICE, IP_MULTICAST_IF, IP_MULTICAST_LOOP=0 (we never hear ourselves), a
 *   drop-all filter and a minimal receive buffer (nothing queues on a send-only socket).
 *   Multicast adverts go out with MSG_DONTROUTE; unicast ones to each peer in turn.
 * Received packets carry the kernel's arrival time (SIOCGSTAMPNS), so timers run from the arrival.
 *
 * Every fd is close-on-exec, so track and notify scripts never inherit them.
 */
import { performance } from 'node:perf_hooks';
import { withVrrpV3Checksum, vrrpIpv4Header } from './frames.js';
import { loadLibc, type Libc } from './libc.js';
import { Poller } from './poller.js';
import {
  AF_INET,
  IPPROTO_IP,
  IPPROTO_VRRP,
  IP_ADD_MEMBERSHIP,
  IP_FREEBIND,
  IP_HDRINCL,
  IP_MULTICAST_ALL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  MSG_DONTROUTE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  SO_RCVBUF,
  SIOCGSTAMPNS,
  VRRP_MULTICAST_GROUP,
  deviceName,
  ipMreqn,
  ipv4Bytes,
  sockaddrIn,
  timespecMs,
} from './structs.js';
import type { ReceivedPacket, VrrpNetwork, VrrpSocket, VrrpSocketOptions } from './types.js';

/** One datagram ready for sendto. */
interface Outgoing {
  datagram: Buffer;
  flags: number;
  address: Buffer;
}

/** Older than this, a packet's kernel timestamp is not believed (the realtime clock moved). */
const MAX_ARRIVAL_AGE_MS = 50;

/** Largest datagram we read; adverts are at most 20 + 8 + 255*4 + 8 bytes. */
const RECEIVE_BUFFER_SIZE = 2048;
/** Reads per wake-up per socket, so a flood cannot starve timers; the next poll returns at once. */
const MAX_READS_PER_WAKE = 64;

export interface RawVrrpNetworkOptions {
  libc?: Libc;
  poller?: Poller;
  /** Monotonic milliseconds for ReceivedPacket.receivedAt. */
  now?: () => number;
}

export class RawVrrpNetwork implements VrrpNetwork {
  private readonly libc: Libc;
  readonly poller: Poller;
  private readonly now: () => number;

  constructor(options: RawVrrpNetworkOptions = {}) {
    this.libc = options.libc ?? loadLibc();
    this.poller = options.poller ?? new Poller(this.libc);
    this.now = options.now ?? (() => performance.now());
  }

  async open(options: VrrpSocketOptions, onPacket: (packet: ReceivedPacket) => void): Promise<VrrpSocket> {
    ipv4Bytes(options.sourceAddress); // fail early on a malformed source
    options.unicastPeers.forEach((peer) => ipv4Bytes(peer));
    const ifindex = this.libc.ifNameToIndex(options.interface);
    const rx = openReceiveSocket(this.libc, options, ifindex);
    let tx: number;
    try {
      tx = openSendSocket(this.libc, options, ifindex);
    } catch (error) {
      this.libc.close(rx);
      throw error;
    }
    const endpoint = new RawVrrpSocket(this.libc, this.poller, options, ifindex, rx, tx, onPacket, this.now);
    this.poller.register(rx, () => endpoint.drain());
    return endpoint;
  }
}

function openReceiveSocket(libc: Libc, options: VrrpSocketOptions, ifindex: number): number {
  const fd = libc.socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_VRRP);
  try {
    libc.setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0, 'IP_MULTICAST_ALL');
    if (options.unicastPeers.length === 0) {
      libc.setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, ipMreqn(VRRP_MULTICAST_GROUP, '0.0.0.0', ifindex), 'IP_ADD_MEMBERSHIP');
      libc.bind(fd, sockaddrIn(VRRP_MULTICAST_GROUP), VRRP_MULTICAST_GROUP);
    } else {
      libc.setsockoptInt(fd, IPPROTO_IP, IP_FREEBIND, 1, 'IP_FREEBIND');
      libc.bind(fd, sockaddrIn(options.sourceAddress), options.sourceAddress);
    }
    libc.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, deviceName(options.interface), 'SO_BINDTODEVICE');
    // The first SIOCGSTAMPNS turns receive timestamps on (it answers ENOENT: nothing received yet).
    libc.ioctl(fd, SIOCGSTAMPNS, Buffer.alloc(16));
    return fd;
  } catch (error) {
    libc.close(fd);
    throw error;
  }
}

function openSendSocket(libc: Libc, options: VrrpSocketOptions, ifindex: number): number {
  const fd = libc.socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_VRRP);
  try {
    libc.setsockoptInt(fd, IPPROTO_IP, IP_HDRINCL, 1, 'IP_HDRINCL');
    libc.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, deviceName(options.interface), 'SO_BINDTODEVICE');
    libc.setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, ipMreqn('0.0.0.0', '0.0.0.0', ifindex), 'IP_MULTICAST_IF');
    libc.setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, 'IP_MULTICAST_LOOP');
    // Only used if a kernel ever ignores our header's TTL; harmless otherwise.
    libc.setsockoptInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255, 'IP_MULTICAST_TTL');
    libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, 0, 'SO_RCVBUF');
    libc.attachDropAllFilter(fd);
    return fd;
  } catch (error) {
    libc.close(fd);
    throw error;
  }
}

class RawVrrpSocket implements VrrpSocket {
  private closed = false;
  private readonly receiveBuffer = Buffer.alloc(RECEIVE_BUFFER_SIZE);
  private readonly multicastAddress = sockaddrIn(VRRP_MULTICAST_GROUP);
  private readonly outgoing = new WeakMap<Buffer, readonly Outgoing[]>();
  private readonly stamp = Buffer.alloc(16);

  constructor(
    private readonly libc: Libc,
    private readonly poller: Poller,
    private readonly options: VrrpSocketOptions,
    private readonly ifindex: number,
    private readonly rx: number,
    private readonly tx: number,
    private readonly onPacket: (packet: ReceivedPacket) => void,
    private readonly now: () => number,
  ) {}

  /** Reads what is queued (bounded), handing each datagram over as its own copy. */
  drain(): void {
    for (let i = 0; i < MAX_READS_PER_WAKE && !this.closed; i++) {
      const n = this.libc.recvfrom(this.rx, this.receiveBuffer);
      if (n < 0) return;
      const datagram = Buffer.from(this.receiveBuffer.subarray(0, n));
      this.onPacket({ datagram, ifindex: this.ifindex, receivedAt: this.arrival() });
    }
  }

  /**
   * When the packet just read reached the host, on our monotonic clock: the kernel's receive
   * timestamp (SIOCGSTAMPNS, realtime) aged against the realtime clock read right now. The poller's
   * hop to the main thread (0.3-2 ms) is then not time a backup's Master_Down timer loses. Without a
   * timestamp, or with an implausible age (a clock step in between), the time of reading it.
   */
  private arrival(): number {
    const now = this.now();
    if (this.libc.ioctl(this.rx, SIOCGSTAMPNS, this.stamp) < 0) return now;
    const age = this.libc.realtimeMs() - timespecMs(this.stamp);
    return age > 0 && age < MAX_ARRIVAL_AGE_MS ? now - age : now;
  }

  send(vrrpPayload: Buffer): void {
    if (this.closed) throw new Error(`VRRP socket on ${this.options.interface} is closed`);
    let firstError: unknown;
    for (const out of this.datagramsFor(vrrpPayload)) {
      try {
        this.libc.sendto(this.tx, out.datagram, out.flags, out.address);
      } catch (error) {
        firstError ??= error; // the other peers still get theirs
      }
    }
    if (firstError) throw firstError;
  }

  prepare(vrrpPayload: Buffer): void {
    this.datagramsFor(vrrpPayload);
  }

  /**
   * The whole datagrams (our IPv4 header, the payload with its v3 checksum) for a payload, built on
   * its first use and kept while the payload object lives: the runtime sends the same few payloads
   * (one per priority) over and over, and building them costs more than the send.
   */
  private datagramsFor(vrrpPayload: Buffer): readonly Outgoing[] {
    const known = this.outgoing.get(vrrpPayload);
    if (known) return known;
    const source = this.options.sourceAddress;
    const build = (destination: string, flags: number, address: Buffer): Outgoing => {
      const payload = withVrrpV3Checksum(vrrpPayload, source, destination);
      return { datagram: Buffer.concat([vrrpIpv4Header(source, destination, payload.length), payload]), flags, address };
    };
    const built = this.options.unicastPeers.length === 0
      ? [build(VRRP_MULTICAST_GROUP, MSG_DONTROUTE, this.multicastAddress)]
      : this.options.unicastPeers.map((peer) => build(peer, 0, sockaddrIn(peer)));
    this.outgoing.set(vrrpPayload, built);
    return built;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.libc, this.tx);
    this.poller.unregister(this.rx, () => closeQuietly(this.libc, this.rx));
  }
}

function closeQuietly(libc: Libc, fd: number): void {
  try {
    libc.close(fd);
  } catch {
    // Nothing useful to do: the fd is gone either way.
  }
}
