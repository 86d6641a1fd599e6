/**
 * Gratuitous ARP through one AF_PACKET socket per process (close-on-exec, a drop-all filter so nothing
 * is ever queued for reading): the 42-byte frame keepalived sends, `count` copies back to back.
 */
import { readFile } from 'node:fs/promises';
import { BROADCAST_MAC, gratuitousArpFrame, parseMac } from './frames.js';
import { loadLibc, type Libc } from './libc.js';
import { AF_PACKET, ETH_P_ARP, SOCK_CLOEXEC, SOCK_RAW, sockaddrLl } from './structs.js';
import type { GarpSender } from './types.js';

export async function readInterfaceMac(interfaceName: string, sysfsRoot = '/sys/class/net'): Promise<Buffer> {
  return parseMac(await readFile(`${sysfsRoot}/${interfaceName}/address`, 'utf8'));
}

export class PacketGarpSender implements GarpSender {
  private fd: number | undefined;
  private readonly libc: Libc;

  constructor(libc?: Libc) {
    this.libc = libc ?? loadLibc();
  }

  async send(interfaceName: string, address: string, count: number): Promise<void> {
    if (count <= 0) return;
    const ifindex = this.libc.ifNameToIndex(interfaceName);
    const frame = gratuitousArpFrame(await readInterfaceMac(interfaceName), address);
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
