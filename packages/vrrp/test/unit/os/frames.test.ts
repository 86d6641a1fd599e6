import { describe, expect, it } from 'vitest';
import {
  GARP_FRAME_LENGTH,
  gratuitousArpFrame,
  internetChecksum,
  parseMac,
  vrrpIpv4Header,
  withVrrpV3Checksum,
} from '../../../src/os/frames.js';
import { encodeAdvert } from '../../../src/protocol/advert.js';

describe('IPv4 header for IP_HDRINCL', () => {
  it('has TOS 0xc0, TTL 255, protocol 112, DF, and leaves id and checksum to the kernel', () => {
    const header = vrrpIpv4Header('198.51.100.51', '224.0.0.18', 20);
    expect(header.toString('hex')).toBe(
      '45' + 'c0' + '0028' + '0000' + '4000' + 'ff' + '70' + '0000' + 'c6336433' + 'e0000012',
    );
  });
});

describe('internet checksum', () => {
  it('matches the RFC 1071 example', () => {
    // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2, complement 220d.
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(0x220d);
  });
  it('treats split buffers as one stream, odd lengths included', () => {
    const whole = Buffer.from('0102030405', 'hex');
    expect(internetChecksum(whole.subarray(0, 1), whole.subarray(1, 4), whole.subarray(4))).toBe(internetChecksum(whole));
  });
});

describe('per-destination VRRPv3 checksum', () => {
  const input = { version: 3 as const, vrid: 51, priority: 100, addresses: ['198.51.100.50'], advertIntervalMs: 100 };

  it('equals the codec checksum for the real destination, whatever the caller used', () => {
    const forGroup = encodeAdvert(input, { source: '198.51.100.51', destination: '224.0.0.18' });
    const forPeer = encodeAdvert(input, { source: '198.51.100.51', destination: '198.51.100.52' });
    expect(forGroup.equals(forPeer)).toBe(false);
    expect(withVrrpV3Checksum(forGroup, '198.51.100.51', '198.51.100.52').equals(forPeer)).toBe(true);
    expect(withVrrpV3Checksum(forPeer, '198.51.100.51', '224.0.0.18').equals(forGroup)).toBe(true);
  });

  it('leaves v2 adverts alone (no pseudo-header in v2)', () => {
    const v2 = encodeAdvert({ ...input, version: 2, advertIntervalMs: 1000, authType: 1, authPassword: 'secret' }, {
      source: '198.51.100.51',
      destination: '224.0.0.18',
    });
    expect(withVrrpV3Checksum(v2, '198.51.100.51', '198.51.100.52')).toBe(v2);
  });
});

describe('gratuitous ARP frame', () => {
  it('is keepalived\'s 42-byte who-has VIP tell VIP, broadcast', () => {
    const frame = gratuitousArpFrame(parseMac('02:00:5e:00:01:33'), '198.51.100.50');
    expect(frame.length).toBe(GARP_FRAME_LENGTH);
    expect(frame.toString('hex')).toBe(
      'ffffffffffff' + '02005e000133' + '0806' + // Ethernet: broadcast, from us, ARP
        '0001' + '0800' + '06' + '04' + '0001' + // Ethernet/IPv4, REQUEST
        '02005e000133' + 'c6336432' + // sender: our MAC, the VIP
        'ffffffffffff' + 'c6336432', // target: broadcast, the VIP
    );
  });

  it('rejects malformed MACs', () => {
    expect(() => parseMac('02:00:5e:00:01')).toThrow(/not an Ethernet address/);
    expect(parseMac('AA:bb:cc:dd:ee:ff\n').toString('hex')).toBe('aabbccddeeff');
  });
});
