/**
 * Gratuitous ARP through one AF_PACKET socket per process (close-on-exec, a drop-all filter so nothing
 * is ever queued for reading): the 42-byte frame keepalived sends, `count` copies back to back.
 */
import { BROADCAST_MAC, gratuitousArpFrame, parseMac } from './frames.js';
import { loadLibc, type Libc } from './libc.js';
import { ioctlLinkReader, type LinkStateReader } from './links.js';
import { AF_PACKET, ETH_P_ARP, SOCK_CLOEXEC, SOCK_RAW, sockaddrLl } from './structs.js';
import type { GarpSender } from './types.js';

export class PacketGarpSender implements GarpSender {
  private fd: number | undefined;
  private readonly libc: Libc;
  private readonly links: LinkStateReader;

  /** The MAC comes from SIOCGIFHWADDR (right in any network namespace, unlike /sys). */
  constructor(libc?: Libc, links?: LinkStateReader) {
    this.libc = libc ?? loadLibc();
    this.links = links ?? ioctlLinkReader(this.libc);
  }

  async send(interfaceName: string, address: string, count: number): Promise<void> {
    if (count <= 0) return;
    const link = this.links(interfaceName);
    if (!link.exists) throw new Error(`no interface ${interfaceName}`);
    const frame = gratuitousArpFrame(parseMac(link.mac), address);
    const ifindex = link.index;
    const destination = sockaddrLl(ifindex, ETH_P_ARP, BROADCAST_MAC);
    const fd = this.socket();
    for (let i = 0; i < count; i++) this.libc.sendto(fd, frame, 0, destination);
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
