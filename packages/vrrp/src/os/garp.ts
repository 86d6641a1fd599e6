/**
 * Gratuitous ARP through one AF_PACKET socket per process (close-on-exec, a drop-all filter so nothing
 * is ever queued for reading): the 42-byte frame keepalived sends, `count` copies back to back.
 */
import { BROADCAST_MAC, gratuitousArpFrame, parseMac } from './frames.js';
import { loadLibc, type Libc } from './libc.js';
import { ioctlLinkReader, type LinkStateReader } from './links.js';
import { AF_PACKET, ETH_P_ARP, SOCK_CLOEXEC, SOCK_RAW, sockaddrLl } from './structs.js';
import type { GarpSender } from './types.js';

/** Frames kept at most (VIPs times interfaces; cleared when a churn of MACs or indexes fills it). */
const MAX_KEPT_FRAMES = 256;

export class PacketGarpSender implements GarpSender {
  private fd: number | undefined;
  private readonly libc: Libc;
  private readonly links: LinkStateReader;
  private readonly frames = new Map<string, { frame: Buffer; destination: Buffer }>();

  /** The MAC comes from SIOCGIFHWADDR (right in any network namespace, unlike /sys). */
  constructor(libc?: Libc, links?: LinkStateReader) {
    this.libc = libc ?? loadLibc();
    this.links = links ?? ioctlLinkReader(this.libc);
  }

  async send(interfaceName: string, address: string, count: number): Promise<void> {
    if (count <= 0) return;
    const { frame, destination } = this.frameFor(interfaceName, address);
    const fd = this.socket();
    for (let i = 0; i < count; i++) this.libc.sendto(fd, frame, 0, destination);
  }

  /** Opens the packet socket and builds the VIPs' frames now rather than on the first takeover. */
  prepare(targets: ReadonlyArray<{ interfaceName: string; address: string }> = []): void {
    this.socket();
    for (const t of targets) {
      try {
        this.frameFor(t.interfaceName, t.address);
      } catch {
        // The interface is missing for now: its frame is built when a send needs it.
      }
    }
  }

  /**
   * The frame and link-layer destination for an address, kept per interface index, MAC and address:
   * the interface is asked for both on every send (either may change), the bytes are built once.
   */
  private frameFor(interfaceName: string, address: string): { frame: Buffer; destination: Buffer } {
    const link = this.links(interfaceName);
    if (!link.exists) throw new Error(`no interface ${interfaceName}`);
    const key = `${link.index} ${link.mac} ${address}`;
    let entry = this.frames.get(key);
    if (!entry) {
      if (this.frames.size >= MAX_KEPT_FRAMES) this.frames.clear();
      entry = { frame: gratuitousArpFrame(parseMac(link.mac), address), destination: sockaddrLl(link.index, ETH_P_ARP, BROADCAST_MAC) };
      this.frames.set(key, entry);
    }
    return entry;
  }

  /** Closes the packet socket; a later send opens a new one. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.libc.close(fd);
  }

  private socket(): number {
    if (this.fd !== undefined) return this.fd;
    // Protocol in network byte order, as packet(7) wants it.
    const protocol = ((ETH_P_ARP & 0xff) << 8) | (ETH_P_ARP >> 8);
    const fd = this.libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, protocol);
    try {
      this.libc.attachDropAllFilter(fd);
    } catch (error) {
      this.libc.close(fd);
      throw error;
    }
    this.fd = fd;
    return fd;
  }
}
