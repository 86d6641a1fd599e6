import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_PACKET,
  deviceName,
  dropAllFilter,
  ipMreqn,
  ipv4Bytes,
  isMulticastIpv4,
  pollRevents,
  pollfds,
  sockaddrIn,
  sockaddrLl,
} from '../../../src/os/structs.js';

describe('struct packing (x86_64/aarch64 Linux layouts)', () => {
  it('sockaddr_in: family LE, port BE, address, 8 zero bytes', () => {
    expect(sockaddrIn('224.0.0.18').toString('hex')).toBe('0200' + '0000' + 'e0000012' + '0000000000000000');
    expect(sockaddrIn('203.0.113.7', 0x1234).toString('hex')).toBe('0200' + '1234' + 'cb007107' + '0000000000000000');
    expect(sockaddrIn('1.2.3.4').readUInt16LE(0)).toBe(AF_INET);
  });

  it('ip_mreqn: group, local address, ifindex as a little-endian int', () => {
    expect(ipMreqn('224.0.0.18', '0.0.0.0', 7).toString('hex')).toBe('e0000012' + '00000000' + '07000000');
    expect(ipMreqn('224.0.0.18', '203.0.113.1', 0x01020304).toString('hex')).toBe('e0000012cb00710104030201');
  });

  it('sockaddr_ll: family, protocol in network order, ifindex, halen and address', () => {
    const ll = sockaddrLl(5, 0x0806, Buffer.from('ffffffffffff', 'hex'));
    expect(ll.length).toBe(20);
    expect(ll.readUInt16LE(0)).toBe(AF_PACKET);
    expect(ll.subarray(2, 4).toString('hex')).toBe('0806');
    expect(ll.readInt32LE(4)).toBe(5);
    expect(ll[11]).toBe(6);
    expect(ll.subarray(12).toString('hex')).toBe('ffffffffffff0000');
    expect(() => sockaddrLl(1, 0x0806, Buffer.alloc(9))).toThrow(/longer than 8/);
  });

  it('pollfd array: fd, events, revents read back by index', () => {
    const set = pollfds([3, 9], 1);
    expect(set.toString('hex')).toBe('03000000' + '0100' + '0000' + '09000000' + '0100' + '0000');
    set.writeInt16LE(0x19, 14);
    expect(pollRevents(set, 1)).toBe(0x19);
    expect(pollRevents(set, 0)).toBe(0);
  });

  it('drop-all BPF program is the single instruction "ret #0"', () => {
    expect(dropAllFilter().toString('hex')).toBe('0600' + '00' + '00' + '00000000');
  });

  it('device names are NUL terminated and validated', () => {
    expect(deviceName('eth1').toString('hex')).toBe('6574683100');
    expect(() => deviceName('a-name-longer-than-15')).toThrow(/invalid interface name/);
    expect(() => deviceName('')).toThrow();
    expect(() => deviceName('eth/1')).toThrow();
  });

  it.each([
    ['198.51.100.50', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['a.b.c.d', false],
    ['::1', false],
    ['01.2.3.4', true],
  ])('ipv4Bytes(%s) valid=%s', (text, valid) => {
    if (valid) expect(ipv4Bytes(text).length).toBe(4);
    else expect(() => ipv4Bytes(text)).toThrow(/not an IPv4 address/);
  });

  it('recognises the multicast range', () => {
    expect(isMulticastIpv4('224.0.0.18')).toBe(true);
    expect(isMulticastIpv4('239.255.255.255')).toBe(true);
    expect(isMulticastIpv4('240.0.0.1')).toBe(false);
    expect(isMulticastIpv4('198.51.100.1')).toBe(false);
  });
});
