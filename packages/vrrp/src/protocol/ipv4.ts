import { IPPROTO_VRRP, IPV4_MIN_HEADER_LENGTH, VRRP_TTL } from './constants.js';
import { internetChecksum } from './checksum.js';
import { bytesToIpv4, ipv4ToBytes } from './address.js';

/** The IPv4 header fields the VRRP receive path looks at. */
export interface Ipv4Header {
  version: number;
  headerLength: number;
  tos: number;
  totalLength: number;
  ttl: number;
  protocol: number;
  source: string;
  destination: string;
}

export function readIpv4Header(datagram: Buffer): Ipv4Header | undefined {
  if (datagram.length < IPV4_MIN_HEADER_LENGTH) return undefined;
  return {
    version: datagram[0] >> 4,
    headerLength: (datagram[0] & 0x0f) * 4,
    tos: datagram[1],
    totalLength: datagram.readUInt16BE(2),
    ttl: datagram[8],
    protocol: datagram[9],
    source: bytesToIpv4(datagram, 12),
    destination: bytesToIpv4(datagram, 16),
  };
}

/**
 * Wraps a VRRP payload in an IPv4 header as keepalived's IP_HDRINCL sender does (TOS 0xc0 "internetwork
 * control", TTL 255, DF clear). Used by the in-memory test network and by tests that build golden datagrams.
 */
export function buildIpv4Datagram(source: string, destination: string, payload: Buffer, options: { ttl?: number; id?: number; tos?: number } = {}): Buffer {
  const header = Buffer.alloc(IPV4_MIN_HEADER_LENGTH);
  header[0] = 0x45;
  header[1] = options.tos ?? 0xc0;
  header.writeUInt16BE(IPV4_MIN_HEADER_LENGTH + payload.length, 2);
  header.writeUInt16BE(options.id ?? 0, 4);
  header[8] = options.ttl ?? VRRP_TTL;
  header[9] = IPPROTO_VRRP;
  ipv4ToBytes(source).copy(header, 12);
  ipv4ToBytes(destination).copy(header, 16);
  header.writeUInt16BE(internetChecksum(header), 10);
  return Buffer.concat([header, payload]);
}
