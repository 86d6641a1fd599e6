/**
 * Byte layouts of the C structures the raw-socket edge hands to libc, packed by hand into Buffers so
 * they are unit-tested without root and without loading libc. The layouts are those of Linux on
 * x86_64 and aarch64 (both little-endian LP64; none of these structures contains a long or a pointer
 * except sock_fprog, which libc.ts builds through a koffi struct type).
 */

/** Linux constants; identical on x86_64 and aarch64 (the generic and the x86 ABI agree on these). */
export const AF_INET = 2;
export const AF_PACKET = 17;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_BINDTODEVICE = 25;
export const SO_ATTACH_FILTER = 26;

export const IPPROTO_IP = 0;
export const IPPROTO_VRRP = 112;
export const IP_TOS = 1;
export const IP_HDRINCL = 3;
export const IP_FREEBIND = 15;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_MULTICAST_ALL = 49;

export const MSG_DONTROUTE = 4;
export const POLLIN = 0x1;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

export const SOCK_DGRAM = 2;
export const AF_NETLINK = 16;
export const NETLINK_ROUTE = 0;
/** Multicast group of rtnetlink link messages (RTM_NEWLINK/RTM_DELLINK). */
export const RTMGRP_LINK = 0x1;
/** Interface ioctls (linux/sockios.h); they act in the calling socket's network namespace. */
export const SIOCGIFFLAGS = 0x8913;
export const SIOCGIFHWADDR = 0x8927;
export const SIOCGIFINDEX = 0x8933;
/** The kernel's receive time of the last packet read from a socket (struct timespec, realtime). */
export const SIOCGSTAMPNS = 0x8907;
export const CLOCK_REALTIME = 0;
export const IFF_UP = 0x1;
/** RFC 2863 operational state "up" (or "unknown"): administratively up and carrier present. */
export const IFF_RUNNING = 0x40;
export const IFNAMSIZ = 16;
/** sizeof(struct ifreq) on LP64 Linux: the name plus a 24-byte union. */
export const IFREQ_SIZE = 40;

export const ETH_P_ARP = 0x0806;
export const ETH_P_IP = 0x0800;

export const VRRP_MULTICAST_GROUP = '224.0.0.18';
/** DSCP CS6 ("network control"), the TOS keepalived puts on adverts. */
export const VRRP_TOS = 0xc0;

/** Parses a dotted quad strictly; throws on anything else (hostnames, IPv6, out-of-range octets). */
export function ipv4Bytes(address: string): Buffer {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  }
  return Buffer.from(parts.map(Number));
}

export function ipv4String(bytes: Buffer, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function isMulticastIpv4(address: string): boolean {
  const first = ipv4Bytes(address)[0];
  return first >= 224 && first <= 239;
}

/** struct sockaddr_in (16 bytes): family (host order), port (network order), address, zero padding. */
export function sockaddrIn(address: string, port = 0): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeUInt16LE(AF_INET, 0);
  buf.writeUInt16BE(port, 2);
  ipv4Bytes(address).copy(buf, 4);
  return buf;
}

/** struct ip_mreqn (12 bytes): multicast group, local address, interface index (int, host order). */
export function ipMreqn(group: string, localAddress: string, ifindex: number): Buffer {
  const buf = Buffer.alloc(12);
  ipv4Bytes(group).copy(buf, 0);
  ipv4Bytes(localAddress).copy(buf, 4);
  buf.writeInt32LE(ifindex, 8);
  return buf;
}

/**
 * struct sockaddr_ll (20 bytes): family, protocol (network order), ifindex (int), hatype, pkttype,
 * halen, addr[8].
 */
export function sockaddrLl(ifindex: number, protocol: number, hardwareAddress: Buffer): Buffer {
  if (hardwareAddress.length > 8) throw new Error('hardware address longer than 8 bytes');
  const buf = Buffer.alloc(20);
  buf.writeUInt16LE(AF_PACKET, 0);
  buf.writeUInt16BE(protocol, 2);
  buf.writeInt32LE(ifindex, 4);
  buf.writeUInt16LE(0, 8); // hatype: only meaningful on receive
  buf.writeUInt8(0, 10); // pkttype: idem
  buf.writeUInt8(hardwareAddress.length, 11);
  hardwareAddress.copy(buf, 12);
  return buf;
}

/** An array of struct pollfd (8 bytes each: int fd, short events, short revents). */
export function pollfds(fds: readonly number[], events = POLLIN): Buffer {
  const buf = Buffer.alloc(8 * fds.length);
  fds.forEach((fd, i) => {
    buf.writeInt32LE(fd, i * 8);
    buf.writeInt16LE(events, i * 8 + 4);
  });
  return buf;
}

export function pollRevents(buf: Buffer, index: number): number {
  return buf.readInt16LE(index * 8 + 6);
}

/** One classic-BPF instruction (struct sock_filter, 8 bytes): "ret #0", i.e. accept nothing. */
export function dropAllFilter(): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeUInt16LE(0x06, 0); // BPF_RET | BPF_K
  buf.writeUInt8(0, 2); // jt
  buf.writeUInt8(0, 3); // jf
  buf.writeUInt32LE(0, 4); // k = 0 bytes of the packet kept
  return buf;
}

/** An int option value as setsockopt expects it. */
export function intOption(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32LE(value, 0);
  return buf;
}

/** A NUL-terminated interface name for SO_BINDTODEVICE. */
export function deviceName(name: string): Buffer {
  if (!/^[^\s/]{1,15}$/.test(name)) throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  return Buffer.from(`${name}\0`, 'latin1');
}

/** struct ifreq with ifr_name set and the union zeroed, for SIOCGIF* ioctls. */
export function ifreq(name: string): Buffer {
  const buf = Buffer.alloc(IFREQ_SIZE);
  const bytes = Buffer.from(name, 'latin1');
  if (bytes.length === 0 || bytes.length >= IFNAMSIZ) throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  bytes.copy(buf, 0);
  return buf;
}

/** ifr_flags (a short at the start of the union) after SIOCGIFFLAGS. */
export function ifreqFlags(buf: Buffer): number {
  return buf.readUInt16LE(IFNAMSIZ);
}

/** A struct timespec (64-bit seconds and nanoseconds, as on x86_64 and aarch64) in milliseconds. */
export function timespecMs(buf: Buffer): number {
  return Number(buf.readBigInt64LE(0)) * 1000 + Number(buf.readBigInt64LE(8)) / 1e6;
}

/** ifr_ifindex (an int at the start of the union) after SIOCGIFINDEX. */
export function ifreqIndex(buf: Buffer): number {
  return buf.readInt32LE(IFNAMSIZ);
}

/** The hardware address in ifr_hwaddr (struct sockaddr: family, then sa_data) after SIOCGIFHWADDR. */
export function ifreqHardwareAddress(buf: Buffer): string {
  return [...buf.subarray(IFNAMSIZ + 2, IFNAMSIZ + 8)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** struct sockaddr_nl (12 bytes): family, padding, port id (0: the kernel assigns), multicast groups. */
export function sockaddrNl(groups: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16LE(AF_NETLINK, 0);
  buf.writeUInt32LE(0, 4);
  buf.writeUInt32LE(groups >>> 0, 8);
  return buf;
}
