import { AUTH_NONE, AUTH_PASS, IPPROTO_VRRP, VRRP_HEADER_LENGTH, VRRP_TYPE_ADVERTISEMENT, VRRP_V2_AUTH_LENGTH, type VrrpVersion } from './constants.js';
import { internetChecksum } from './checksum.js';
import { bytesToIpv4, ipv4ToBytes } from './address.js';

/** A decoded VRRP advertisement (either version). */
export interface Advert {
  version: VrrpVersion;
  type: number;
  vrid: number;
  priority: number;
  /** The virtual addresses the sender announces. */
  addresses: string[];
  /** Advertisement interval in milliseconds (v2 carries whole seconds, v3 centiseconds). */
  advertIntervalMs: number;
  /** v2 only (0 in v3): 0 none, 1 PASS, 2 AH. */
  authType: number;
  /** v2 only: the 8 authentication bytes (empty in v3). */
  authData: Buffer;
  checksum: number;
}

/** What a sender puts in an advert. */
export interface AdvertInput {
  version: VrrpVersion;
  vrid: number;
  priority: number;
  addresses: readonly string[];
  advertIntervalMs: number;
  /** v2 only; ignored in v3 (RFC 5798 removed authentication). */
  authType?: number;
  /** v2 PASS only: up to 8 characters, zero padded. */
  authPassword?: string;
}

/** Addresses the v3 checksum's pseudo-header is computed over. */
export interface PseudoHeader {
  source: string;
  destination: string;
}

/** The IPv4 pseudo-header RFC 5798 section 5.2.8 prepends to the checksum: src, dst, zero, protocol, length. */
export function ipv4PseudoHeader(source: string, destination: string, vrrpLength: number): Buffer {
  const header = Buffer.alloc(12);
  ipv4ToBytes(source).copy(header, 0);
  ipv4ToBytes(destination).copy(header, 4);
  header[9] = IPPROTO_VRRP;
  header.writeUInt16BE(vrrpLength, 10);
  return header;
}

/** The 8 bytes a PASS password occupies on the wire: truncated to 8, zero padded. */
export function passwordBytes(password: string): Buffer {
  const bytes = Buffer.alloc(VRRP_V2_AUTH_LENGTH);
  Buffer.from(password, 'utf8').copy(bytes, 0, 0, VRRP_V2_AUTH_LENGTH);
  return bytes;
}

function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer in ${min}..${max}, got ${value}`);
  }
}

/** The interval field as carried on the wire: v2 seconds (8 bits), v3 centiseconds (12 bits). */
export function intervalToWire(version: VrrpVersion, advertIntervalMs: number): number {
  if (version === 2) {
    const seconds = advertIntervalMs / 1000;
    checkRange('VRRPv2 advert interval (s)', seconds, 1, 255);
    return seconds;
  }
  const centiseconds = Math.round(advertIntervalMs / 10);
  checkRange('VRRPv3 advert interval (cs)', centiseconds, 1, 4095);
  return centiseconds;
}

/**
 * Encodes an advert: the VRRP header, the addresses and (v2) the authentication data, with the
 * checksum filled in. v2's checksum covers the whole VRRP packet including the auth bytes; v3's covers
 * the IPv4 pseudo-header plus the VRRP packet, so it needs the source and destination addresses.
 */
export function encodeAdvert(input: AdvertInput, pseudo: PseudoHeader): Buffer {
  checkRange('VRID', input.vrid, 1, 255);
  checkRange('priority', input.priority, 0, 255);
  checkRange('address count', input.addresses.length, 0, 255);
  const interval = intervalToWire(input.version, input.advertIntervalMs);
  const authLength = input.version === 2 ? VRRP_V2_AUTH_LENGTH : 0;
  const packet = Buffer.alloc(VRRP_HEADER_LENGTH + 4 * input.addresses.length + authLength);
  packet[0] = (input.version << 4) | VRRP_TYPE_ADVERTISEMENT;
  packet[1] = input.vrid;
  packet[2] = input.priority;
  packet[3] = input.addresses.length;
  if (input.version === 2) {
    const authType = input.authType ?? AUTH_NONE;
    packet[4] = authType;
    packet[5] = interval;
    if (authType === AUTH_PASS) passwordBytes(input.authPassword ?? '').copy(packet, VRRP_HEADER_LENGTH + 4 * input.addresses.length);
  } else {
    // The top 4 bits are reserved (zero); the interval takes the low 12.
    packet.writeUInt16BE(interval & 0x0fff, 4);
  }
  input.addresses.forEach((address, i) => ipv4ToBytes(address).copy(packet, VRRP_HEADER_LENGTH + 4 * i));
  const checksum = input.version === 2
    ? internetChecksum(packet)
    : internetChecksum(ipv4PseudoHeader(pseudo.source, pseudo.destination, packet.length), packet);
  packet.writeUInt16BE(checksum, 6);
  return packet;
}

/** Reads the VRRP fields without validating anything; `packet` starts at the VRRP header. */
export function readAdvertFields(packet: Buffer): Advert {
  const version = (packet[0] >> 4) as VrrpVersion;
  const count = packet[3];
  const addresses: string[] = [];
  for (let i = 0; i < count && VRRP_HEADER_LENGTH + 4 * i + 4 <= packet.length; i++) addresses.push(bytesToIpv4(packet, VRRP_HEADER_LENGTH + 4 * i));
  const v2 = version === 2;
  const authStart = VRRP_HEADER_LENGTH + 4 * count;
  return {
    version,
    type: packet[0] & 0x0f,
    vrid: packet[1],
    priority: packet[2],
    addresses,
    advertIntervalMs: v2 ? packet[5] * 1000 : (packet.readUInt16BE(4) & 0x0fff) * 10,
    authType: v2 ? packet[4] : 0,
    authData: v2 ? Buffer.from(packet.subarray(authStart, authStart + VRRP_V2_AUTH_LENGTH)) : Buffer.alloc(0),
    checksum: packet.readUInt16BE(6),
  };
}
