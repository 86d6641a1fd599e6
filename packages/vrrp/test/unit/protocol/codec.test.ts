import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildIpv4Datagram, decodeAdvert, encodeAdvert, internetChecksum, peekVrid, type ReceiveExpectations,
} from '../../../src/protocol/index.js';

const captures = (name: string) => readFileSync(new URL(`../fixtures/captures/${name}`, import.meta.url), 'utf8').trim().split('\n').map((hex) => Buffer.from(hex, 'hex'));

const v2Expect: ReceiveExpectations = { version: 2, authType: 1, authPassword: '1111', advertIntervalMs: 1000, addresses: ['192.0.2.50'], unicast: false };
const v3Expect: ReceiveExpectations = { version: 3, authType: 0, advertIntervalMs: 100, addresses: ['192.0.2.50'], unicast: false };

describe('internet checksum', () => {
  it('matches RFC 1071 section 3 example', () => {
    // 0001 f203 f4f5 f6f7 sums to ddf2, so the checksum is its complement 220d.
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(0x220d);
  });
  it('treats split parts as one stream, also across odd boundaries', () => {
    const whole = Buffer.from('0001f203f4f5f6f7aa', 'hex');
    expect(internetChecksum(whole.subarray(0, 3), whole.subarray(3))).toBe(internetChecksum(whole));
  });
});

describe('encodeAdvert golden bytes (RFC layout built by hand)', () => {
  it('VRRPv2 with PASS: header, address, 8 auth bytes, checksum over VRRP+auth', () => {
    const bytes = encodeAdvert({ version: 2, vrid: 51, priority: 100, addresses: ['192.0.2.50'], advertIntervalMs: 1000, authType: 1, authPassword: '1111' }, { source: '192.0.2.1', destination: '224.0.0.18' });
    const expected = Buffer.from([
      0x21, // version 2, type 1
      51, 100, 1, // VRID, priority, count
      1, 1, // auth type PASS, interval 1 s
      0, 0, // checksum, filled below
      192, 0, 2, 50,
      0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0, // "1111" zero padded
    ]);
    expected.writeUInt16BE(internetChecksum(expected), 6);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
    expect(bytes.readUInt16BE(6)).toBe(0x5535);
  });
  it('VRRPv3: 12-bit centisecond interval and checksum over the IPv4 pseudo-header', () => {
    const bytes = encodeAdvert({ version: 3, vrid: 51, priority: 100, addresses: ['192.0.2.50'], advertIntervalMs: 100 }, { source: '192.0.2.1', destination: '224.0.0.18' });
    const vrrp = Buffer.from([0x31, 51, 100, 1, 0x00, 10, 0, 0, 192, 0, 2, 50]);
    const pseudo = Buffer.from([192, 0, 2, 1, 224, 0, 0, 18, 0, 112, 0, vrrp.length]);
    vrrp.writeUInt16BE(internetChecksum(pseudo, vrrp), 6);
    expect(bytes.toString('hex')).toBe(vrrp.toString('hex'));
  });
  it('truncates a PASS password to 8 bytes', () => {
    const bytes = encodeAdvert({ version: 2, vrid: 1, priority: 1, addresses: [], advertIntervalMs: 1000, authType: 1, authPassword: 'abcdefghijk' }, { source: '192.0.2.1', destination: '224.0.0.18' });
    expect(bytes.subarray(8).toString()).toBe('abcdefgh');
  });
  it.each([
    ['v2 fractional interval', { version: 2 as const, advertIntervalMs: 500 }],
    ['v3 interval above 40.95 s', { version: 3 as const, advertIntervalMs: 41000 }],
    ['priority 256', { version: 3 as const, advertIntervalMs: 1000, priority: 256 }],
    ['VRID 0', { version: 3 as const, advertIntervalMs: 1000, vrid: 0 }],
  ])('refuses %s', (_, over) => {
    expect(() => encodeAdvert({ vrid: 1, priority: 100, addresses: [], ...over }, { source: '192.0.2.1', destination: '224.0.0.18' })).toThrow(RangeError);
  });
});

describe('keepalived 2.2.7 captured adverts', () => {
  it('our encoder produces the same VRRPv2 PASS bytes as keepalived (priority 100 and 0)', () => {
    for (const [datagram, priority] of captures('keepalived-v2-pass.hex').map((d, i) => [d, i === 0 ? 100 : 0] as const)) {
      const ours = encodeAdvert({ version: 2, vrid: 51, priority, addresses: ['192.0.2.50'], advertIntervalMs: 1000, authType: 1, authPassword: '1111' }, { source: '192.0.2.1', destination: '224.0.0.18' });
      expect(ours.toString('hex')).toBe(datagram.subarray(20).toString('hex'));
    }
  });
  it('our encoder produces the same VRRPv3 bytes as keepalived (0.1 s interval)', () => {
    for (const [datagram, priority] of captures('keepalived-v3.hex').map((d, i) => [d, i === 0 ? 100 : 0] as const)) {
      const ours = encodeAdvert({ version: 3, vrid: 51, priority, addresses: ['192.0.2.50'], advertIntervalMs: 100 }, { source: '192.0.2.1', destination: '224.0.0.18' });
      expect(ours.toString('hex')).toBe(datagram.subarray(20).toString('hex'));
    }
  });
  it('decodes them', () => {
    const [v2] = captures('keepalived-v2-pass.hex');
    const r2 = decodeAdvert(v2, v2Expect);
    expect(r2).toMatchObject({ ok: true, source: '192.0.2.1', destination: '224.0.0.18', ttl: 255, notices: [], advert: { version: 2, vrid: 51, priority: 100, addresses: ['192.0.2.50'], advertIntervalMs: 1000, authType: 1 } });
    const [v3, v3zero] = captures('keepalived-v3.hex');
    expect(decodeAdvert(v3, v3Expect)).toMatchObject({ ok: true, advert: { version: 3, priority: 100, advertIntervalMs: 100 } });
    expect(decodeAdvert(v3zero, v3Expect)).toMatchObject({ ok: true, advert: { priority: 0 } });
    expect(peekVrid(v3)).toBe(51);
  });
});

/** A valid datagram built by our own encoder, then patched by each case. */
function datagram(version: 2 | 3, patch: (d: Buffer) => void = () => {}, options: { ttl?: number; destination?: string; addresses?: string[]; intervalMs?: number; password?: string; pseudoDestination?: string } = {}): Buffer {
  const destination = options.destination ?? '224.0.0.18';
  const vrrp = encodeAdvert({ version, vrid: 51, priority: 100, addresses: options.addresses ?? ['192.0.2.50'], advertIntervalMs: options.intervalMs ?? (version === 2 ? 1000 : 100), authType: version === 2 ? 1 : 0, authPassword: options.password ?? '1111' }, { source: '192.0.2.1', destination: options.pseudoDestination ?? destination });
  const d = buildIpv4Datagram('192.0.2.1', destination, vrrp, { ttl: options.ttl });
  patch(d);
  return d;
}

/** Rewrites the VRRP checksum after a patch, so the case tests the patched field, not the checksum. */
function fixChecksum(d: Buffer): void {
  d.writeUInt16BE(0, 26);
  d.writeUInt16BE(internetChecksum(d.subarray(20)), 26);
}

describe('receive validation: every rejection reason', () => {
  it.each([
    ['too short for IP', () => Buffer.alloc(10), v2Expect, 'packet_len_err', 'packet too short for an IPv4 header (10 bytes)'],
    ['no room for the VRRP header', () => datagram(2).subarray(0, 24), v2Expect, 'packet_len_err', 'vrrp packet from 192.0.2.1 too short: 24 bytes, no room for the VRRP header'],
    ['truncated address list', () => datagram(2).subarray(0, 36), v2Expect, 'packet_len_err', 'vrrp packet from 192.0.2.1 too short: 36 bytes, expected 40 for 1 address(es)'],
    ['trailing garbage beyond padding', () => Buffer.concat([datagram(2, undefined, { addresses: ['192.0.2.50', '192.0.2.51', '192.0.2.52'] }), Buffer.alloc(8)]), { ...v2Expect, addresses: ['192.0.2.50', '192.0.2.51', '192.0.2.52'] }, 'packet_len_err', 'vrrp packet from 192.0.2.1 too long: 56 bytes, expected 48 for 3 address(es)'],
    ['TTL 254 on multicast', () => datagram(2, undefined, { ttl: 254 }), v2Expect, 'ip_ttl_err', 'invalid TTL/HL from 192.0.2.1: 254, expected 255 (the packet crossed a router or was not sent by a VRRP speaker)'],
    ['version 3 at a v2 instance', () => datagram(3), v2Expect, 'version_err', 'wrong VRRP version from 192.0.2.1: received 3, configured 2'],
    ['auth type 7', () => datagram(2, (d) => { d[24] = 7; fixChecksum(d); }), v2Expect, 'invalid_authtype', 'invalid auth type 7 from 192.0.2.1'],
    ['no auth at a PASS instance', () => datagram(2, (d) => { d[24] = 0; fixChecksum(d); }), v2Expect, 'authtype_mismatch', 'auth type mismatch from 192.0.2.1: received 0, configured 1'],
    ['wrong password', () => datagram(2, undefined, { password: '2222' }), v2Expect, 'auth_failure', 'authentication failure from 192.0.2.1: wrong password'],
    ['v2 interval mismatch', () => datagram(2, undefined, { intervalMs: 2000 }), v2Expect, 'advert_interval_err', "advertisement interval mismatch from 192.0.2.1: mine=1 s rcv'd=2 s (dropped to prevent two masters on one VRID)"],
    ['type 2', () => datagram(3, (d) => { d[20] = 0x32; fixChecksumV3(d); }), v3Expect, 'invalid_type_rcvd', 'invalid packet type 2 from 192.0.2.1, expected 1 (ADVERTISEMENT)'],
    ['IP total length disagrees', () => datagram(3, (d) => { d.writeUInt16BE(40, 2); }), v3Expect, 'packet_len_err', 'IPv4 total length 40 from 192.0.2.1 does not match the VRRP packet (32 bytes)'],
    ['v2 bad checksum', () => datagram(2, (d) => { d[27] ^= 0xff; }), v2Expect, 'checksum_err', 'invalid checksum 0x55ca from 192.0.2.1'],
    ['v3 checksum without pseudo-header', () => datagram(3, (d) => { d.writeUInt16BE(0, 26); d.writeUInt16BE(internetChecksum(d.subarray(20)), 26); }), v3Expect, 'checksum_err', 'invalid checksum 0xa88e from 192.0.2.1'],
    ['unicast advert at a multicast instance', () => datagram(3, undefined, { destination: '192.0.2.2' }), v3Expect, 'dst_addr_err', 'unicast advert from 192.0.2.1 to 192.0.2.2 received by a multicast instance'],
    ['multicast advert at a unicast instance', () => datagram(3), { ...v3Expect, unicast: true }, 'dst_addr_err', 'multicast advert from 192.0.2.1 received by a unicast instance'],
  ] as const)('%s', (_, build, expectations, counter, reason) => {
    expect(decodeAdvert(build(), expectations)).toEqual({ ok: false, counter, reason });
  });

  it('accepts Ethernet padding up to 46 bytes', () => {
    const padded = Buffer.concat([datagram(2), Buffer.alloc(6)]);
    expect(decodeAdvert(padded, v2Expect).ok).toBe(true);
  });
  it('skips the TTL check for unicast instances', () => {
    expect(decodeAdvert(datagram(3, undefined, { ttl: 64, destination: '192.0.2.2' }), { ...v3Expect, unicast: true }).ok).toBe(true);
  });
  it('v3 accepts the multicast group as pseudo-destination for a unicast advert (FRR, old keepalived)', () => {
    const d = datagram(3, undefined, { destination: '192.0.2.2', pseudoDestination: '224.0.0.18' });
    expect(decodeAdvert(d, { ...v3Expect, unicast: true }).ok).toBe(true);
  });
  it('v3 interval mismatch is noticed, not dropped (the backup adopts it)', () => {
    const r = decodeAdvert(datagram(3, undefined, { intervalMs: 1000 }), v3Expect);
    expect(r).toMatchObject({ ok: true, advert: { advertIntervalMs: 1000 }, notices: [{ counter: 'advert_interval_err', message: "advertisement interval mismatch from 192.0.2.1: mine=0.1 s rcv'd=1 s" }] });
  });
  it('address count and list mismatches are noticed, not dropped', () => {
    expect(decodeAdvert(datagram(3, undefined, { addresses: [] }), v3Expect)).toMatchObject({ ok: true, notices: [{ counter: 'addr_list_err', message: 'expected 1 VIPs but received 0 from 192.0.2.1' }] });
    expect(decodeAdvert(datagram(3, undefined, { addresses: ['192.0.2.99'] }), v3Expect)).toMatchObject({ ok: true, notices: [{ counter: 'addr_list_err', message: 'ip address(es) 192.0.2.50 associated with VRID 51 not present in advert from 192.0.2.1' }] });
  });
  it('never throws on random bytes', () => {
    let seed = 42;
    const random = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed & 0xff; };
    for (let i = 0; i < 2000; i++) {
      const d = Buffer.from(Array.from({ length: random() % 80 }, random));
      if (d.length > 0 && i % 2 === 0) d[0] = 0x45;
      const r = decodeAdvert(d, i % 3 === 0 ? v2Expect : v3Expect);
      expect(typeof r.ok).toBe('boolean');
      peekVrid(d);
    }
  });
});

function fixChecksumV3(d: Buffer): void {
  d.writeUInt16BE(0, 26);
  const pseudo = Buffer.from([192, 0, 2, 1, 224, 0, 0, 18, 0, 112, 0, d.length - 20]);
  d.writeUInt16BE(internetChecksum(pseudo, d.subarray(20)), 26);
}
