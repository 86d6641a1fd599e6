/**
 * Frames and headers the I/O edge builds itself: the IPv4 header sent with IP_HDRINCL, and the
 * gratuitous ARP Ethernet frame. Pure functions, unit-tested byte by byte.
 */
import { ETH_P_ARP, ETH_P_IP, IPPROTO_VRRP, VRRP_TOS, ipv4Bytes } from './structs.js';

export const IPV4_HEADER_LENGTH = 20;
const FLAG_DONT_FRAGMENT = 0x4000;

/**
 * The 20-byte IPv4 header of an advert: TOS 0xc0, TTL 255 (RFC 5798 5.1.1.3: receivers drop anything
 * else), protocol 112, DF. Identification and header checksum are left zero because Linux fills
 * both for IP_HDRINCL sockets; total length is filled in too but we write the right value anyway.
 */
export function vrrpIpv4Header(source: string, destination: string, payloadLength: number): Buffer {
  const buf = Buffer.alloc(IPV4_HEADER_LENGTH);
  buf.writeUInt8(0x45, 0); // version 4, IHL 5 words
  buf.writeUInt8(VRRP_TOS, 1);
  buf.writeUInt16BE(IPV4_HEADER_LENGTH + payloadLength, 2);
  buf.writeUInt16BE(0, 4); // identification: kernel fills
  buf.writeUInt16BE(FLAG_DONT_FRAGMENT, 6);
  buf.writeUInt8(255, 8); // TTL
  buf.writeUInt8(IPPROTO_VRRP, 9);
  buf.writeUInt16BE(0, 10); // checksum: kernel fills
  ipv4Bytes(source).copy(buf, 12);
  ipv4Bytes(destination).copy(buf, 16);
  return buf;
}

/** RFC 1071 ones'-complement sum folded to 16 bits, over any number of buffers taken as one stream. */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      if (odd === undefined) {
        odd = part[i];
      } else {
        sum += (odd << 8) | part[i];
        odd = undefined;
      }
    }
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * VRRPv3 over IPv4 covers an IPv4 pseudo-header whose destination is the packet's real destination
 * (RFC 5798 5.2.8). With several unicast peers the same advert goes to several destinations, so the
 * transport rewrites the checksum for each one (keepalived does the same per peer), and for the
 * group too, so the checksum always matches the header actually sent. Version 2 payloads are
 * returned unchanged (their checksum has no pseudo-header). Returns a new Buffer for version 3.
 */
export function withVrrpV3Checksum(payload: Buffer, source: string, destination: string): Buffer {
  if (payload.length < 8 || payload[0] >> 4 !== 3) return payload;
  const copy = Buffer.from(payload);
  copy.writeUInt16BE(0, 6);
  const pseudo = Buffer.alloc(12);
  ipv4Bytes(source).copy(pseudo, 0);
  ipv4Bytes(destination).copy(pseudo, 4);
  pseudo.writeUInt8(0, 8);
  pseudo.writeUInt8(IPPROTO_VRRP, 9);
  pseudo.writeUInt16BE(copy.length, 10);
  copy.writeUInt16BE(internetChecksum(pseudo, copy), 6);
  return copy;
}

export function parseMac(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(trimmed)) {
    throw new Error(`not an Ethernet address: ${JSON.stringify(text)}`);
  }
  return Buffer.from(trimmed.split(':').map((h) => parseInt(h, 16)));
}

export const BROADCAST_MAC = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const GARP_FRAME_LENGTH = 42;

/**
 * The gratuitous ARP keepalived sends on takeover: an ARP REQUEST "who-has VIP tell VIP" broadcast,
 * sender hardware address = the interface MAC, target hardware address = broadcast. 42 bytes (the
 * NIC pads to the Ethernet minimum).
 */
export function gratuitousArpFrame(interfaceMac: Buffer, address: string): Buffer {
  if (interfaceMac.length !== 6) throw new Error('interface MAC must be 6 bytes');
  const ip = ipv4Bytes(address);
  const frame = Buffer.alloc(GARP_FRAME_LENGTH);
  BROADCAST_MAC.copy(frame, 0); // Ethernet destination
  interfaceMac.copy(frame, 6); // Ethernet source
  frame.writeUInt16BE(ETH_P_ARP, 12);
  frame.writeUInt16BE(1, 14); // hardware type: Ethernet
  frame.writeUInt16BE(ETH_P_IP, 16); // protocol type: IPv4
  frame.writeUInt8(6, 18); // hardware address length
  frame.writeUInt8(4, 19); // protocol address length
  frame.writeUInt16BE(1, 20); // operation: REQUEST
  interfaceMac.copy(frame, 22); // sender hardware address
  ip.copy(frame, 28); // sender protocol address
  BROADCAST_MAC.copy(frame, 32); // target hardware address
  ip.copy(frame, 38); // target protocol address
  return frame;
}
