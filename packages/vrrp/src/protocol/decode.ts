import { timingSafeEqual } from 'node:crypto';
import {
  AUTH_AH, AUTH_NONE, AUTH_PASS, ETHERNET_MIN_PAYLOAD, IPPROTO_VRRP, IPV4_MIN_HEADER_LENGTH, VRRP_HEADER_LENGTH,
  VRRP_MULTICAST_GROUP, VRRP_TTL, VRRP_TYPE_ADVERTISEMENT, VRRP_V2_AUTH_LENGTH, type VrrpVersion,
} from './constants.js';
import { internetChecksum } from './checksum.js';
import { isMulticastIpv4 } from './address.js';
import { ipv4PseudoHeader, passwordBytes, readAdvertFields, type Advert } from './advert.js';
import { readIpv4Header } from './ipv4.js';

/**
 * Why a packet was dropped, as a statistics key: keepalived's own names (its JSON dump, which exporters
 * read) where it has one; version_err, checksum_err and dst_addr_err are ours.
 */
export type DropCounter =
  | 'packet_len_err'
  | 'ip_ttl_err'
  | 'version_err'
  | 'invalid_authtype'
  | 'authtype_mismatch'
  | 'auth_failure'
  | 'advert_interval_err'
  | 'invalid_type_rcvd'
  | 'checksum_err'
  | 'dst_addr_err';

/** Something worth logging and counting that does not reject the packet. */
export type NoticeCounter = 'advert_interval_err' | 'addr_list_err';

export interface DecodeNotice {
  counter: NoticeCounter;
  message: string;
}

/** What the receiving instance is configured with; the packet is judged against it. */
export interface ReceiveExpectations {
  version: VrrpVersion;
  /** v2: 0 none, 1 PASS, 2 AH. Ignored for v3. */
  authType: number;
  authPassword?: string;
  /** The interval this instance currently uses (ms). */
  advertIntervalMs: number;
  /** Our configured VIPs, for the (log-only) address list check. */
  addresses: readonly string[];
  /** Unicast instances skip the TTL check and expect a unicast destination. */
  unicast: boolean;
}

export interface AcceptedAdvert {
  ok: true;
  advert: Advert;
  source: string;
  destination: string;
  ttl: number;
  notices: DecodeNotice[];
}

export interface RejectedAdvert {
  ok: false;
  /** Human-readable, for the log. */
  reason: string;
  counter: DropCounter;
}

export type DecodeResult = AcceptedAdvert | RejectedAdvert;

function reject(counter: DropCounter, reason: string): RejectedAdvert {
  return { ok: false, counter, reason };
}

/**
 * The VRID of a datagram, for the dispatcher (keepalived looks the instance up by VRID before validating
 * anything, so an unknown VRID is ignored rather than counted).
 */
export function peekVrid(datagram: Buffer): number | undefined {
  const ip = readIpv4Header(datagram);
  if (!ip || ip.headerLength < IPV4_MIN_HEADER_LENGTH || datagram.length < ip.headerLength + VRRP_HEADER_LENGTH) return undefined;
  return datagram[ip.headerLength + 1];
}

/**
 * Extra bytes beyond the expected length are tolerated when they are link-layer padding: Ethernet pads
 * a short frame's datagram to 46 bytes, and some drivers round to a 4-byte multiple.
 */
function isPadding(actual: number, expected: number): boolean {
  return actual === expected || (actual > expected && (actual <= ETHERNET_MIN_PAYLOAD || actual - expected < 4));
}

/**
 * Validates and decodes a received IPv4 datagram carrying a VRRP advert, in keepalived's order: header
 * presence, length (with padding allowance), TTL (multicast), version, auth type and password (v2),
 * interval (v2 mismatch drops, v3 mismatch is only noticed), type, IP total length, checksum,
 * multicast/unicast destination; then the address list is compared (noticed, never dropped).
 * The VRID is the caller's business (see peekVrid), as are priority and timers.
 */
export function decodeAdvert(datagram: Buffer, expect: ReceiveExpectations): DecodeResult {
  const ip = readIpv4Header(datagram);
  if (!ip) return reject('packet_len_err', `packet too short for an IPv4 header (${datagram.length} bytes)`);
  if (ip.version !== 4) return reject('packet_len_err', `not an IPv4 datagram (IP version ${ip.version})`);
  if (ip.headerLength < IPV4_MIN_HEADER_LENGTH) return reject('packet_len_err', `invalid IPv4 header length ${ip.headerLength}`);
  if (ip.protocol !== IPPROTO_VRRP) return reject('packet_len_err', `IP protocol ${ip.protocol} is not VRRP (112)`);
  const from = ip.source;
  if (datagram.length < ip.headerLength + VRRP_HEADER_LENGTH) {
    return reject('packet_len_err', `vrrp packet from ${from} too short: ${datagram.length} bytes, no room for the VRRP header`);
  }
  const vrrp = datagram.subarray(ip.headerLength);
  const version = vrrp[0] >> 4;
  const count = vrrp[3];
  const authLength = version === 2 ? VRRP_V2_AUTH_LENGTH : 0;
  const vrrpLength = VRRP_HEADER_LENGTH + 4 * count + authLength;
  const expectedLength = ip.headerLength + vrrpLength;
  if (datagram.length < expectedLength) {
    return reject('packet_len_err', `vrrp packet from ${from} too short: ${datagram.length} bytes, expected ${expectedLength} for ${count} address(es)`);
  }
  if (!isPadding(datagram.length, expectedLength)) {
    return reject('packet_len_err', `vrrp packet from ${from} too long: ${datagram.length} bytes, expected ${expectedLength} for ${count} address(es)`);
  }
  const multicastDestination = isMulticastIpv4(ip.destination);
  if (!expect.unicast && ip.ttl !== VRRP_TTL) {
    return reject('ip_ttl_err', `invalid TTL/HL from ${from}: ${ip.ttl}, expected ${VRRP_TTL} (the packet crossed a router or was not sent by a VRRP speaker)`);
  }
  if (version !== expect.version) {
    return reject('version_err', `wrong VRRP version from ${from}: received ${version}, configured ${expect.version}`);
  }
  const advert = readAdvertFields(vrrp.subarray(0, vrrpLength));
  const notices: DecodeNotice[] = [];
  if (version === 2) {
    if (advert.authType !== AUTH_NONE && advert.authType !== AUTH_PASS && advert.authType !== AUTH_AH) {
      return reject('invalid_authtype', `invalid auth type ${advert.authType} from ${from}`);
    }
    if (advert.authType !== expect.authType) {
      return reject('authtype_mismatch', `auth type mismatch from ${from}: received ${advert.authType}, configured ${expect.authType}`);
    }
    if (advert.authType === AUTH_PASS && !timingSafeEqual(advert.authData, passwordBytes(expect.authPassword ?? ''))) {
      return reject('auth_failure', `authentication failure from ${from}: wrong password`);
    }
    if (advert.advertIntervalMs !== expect.advertIntervalMs) {
      return reject('advert_interval_err', `advertisement interval mismatch from ${from}: mine=${expect.advertIntervalMs / 1000} s rcv'd=${advert.advertIntervalMs / 1000} s (dropped to prevent two masters on one VRID)`);
    }
  } else if (advert.advertIntervalMs !== expect.advertIntervalMs) {
    notices.push({ counter: 'advert_interval_err', message: `advertisement interval mismatch from ${from}: mine=${expect.advertIntervalMs / 1000} s rcv'd=${advert.advertIntervalMs / 1000} s` });
  }
  if (advert.type !== VRRP_TYPE_ADVERTISEMENT) {
    return reject('invalid_type_rcvd', `invalid packet type ${advert.type} from ${from}, expected 1 (ADVERTISEMENT)`);
  }
  if (!isPadding(datagram.length, ip.totalLength) || ip.totalLength !== expectedLength) {
    return reject('packet_len_err', `IPv4 total length ${ip.totalLength} from ${from} does not match the VRRP packet (${expectedLength} bytes)`);
  }
  const packet = vrrp.subarray(0, vrrpLength);
  if (version === 2) {
    if (internetChecksum(packet) !== 0) return reject('checksum_err', `invalid checksum 0x${advert.checksum.toString(16).padStart(4, '0')} from ${from}`);
  } else {
    // Some peers (FRR, older keepalived unicast) use the group address as pseudo-destination: accept both.
    const withRealDestination = internetChecksum(ipv4PseudoHeader(ip.source, ip.destination, vrrpLength), packet) === 0;
    const withGroup = !withRealDestination && internetChecksum(ipv4PseudoHeader(ip.source, VRRP_MULTICAST_GROUP, vrrpLength), packet) === 0;
    if (!withRealDestination && !withGroup) return reject('checksum_err', `invalid checksum 0x${advert.checksum.toString(16).padStart(4, '0')} from ${from}`);
  }
  if (expect.unicast && multicastDestination) {
    return reject('dst_addr_err', `multicast advert from ${from} received by a unicast instance`);
  }
  if (!expect.unicast && !multicastDestination) {
    return reject('dst_addr_err', `unicast advert from ${from} to ${ip.destination} received by a multicast instance`);
  }
  if (advert.priority !== 0) {
    if (advert.addresses.length !== expect.addresses.length) {
      notices.push({ counter: 'addr_list_err', message: `expected ${expect.addresses.length} VIPs but received ${advert.addresses.length} from ${from}` });
    } else {
      const theirs = new Set(advert.addresses);
      const missing = expect.addresses.filter((address) => !theirs.has(address));
      if (missing.length > 0) notices.push({ counter: 'addr_list_err', message: `ip address(es) ${missing.join(', ')} associated with VRID ${advert.vrid} not present in advert from ${from}` });
    }
  }
  return { ok: true, advert, source: ip.source, destination: ip.destination, ttl: ip.ttl, notices };
}
