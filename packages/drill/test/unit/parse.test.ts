import { describe, expect, it } from 'vitest';
import { hasAddress, parseIpv4Addresses, parseLinkMac, parseNeigh } from '../../src/parse.js';

const IP_ADDR = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth1@if14: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns haweb-lan
    inet 198.51.100.51/24 brd 198.51.100.255 scope global eth1
       valid_lft forever preferred_lft forever
    inet 198.51.100.50/32 scope global eth1
       valid_lft forever preferred_lft forever
`;
const IP_ADDR_O = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth1    inet 198.51.100.52/24 brd 198.51.100.255 scope global eth1\\       valid_lft forever preferred_lft forever
`;

describe('ip parsers', () => {
  it('reads addresses with their interface from plain and -o output', () => {
    expect(parseIpv4Addresses(IP_ADDR)).toEqual([
      { iface: 'lo', address: '127.0.0.1', prefix: 8 },
      { iface: 'eth1', address: '198.51.100.51', prefix: 24 },
      { iface: 'eth1', address: '198.51.100.50', prefix: 32 },
    ]);
    expect(parseIpv4Addresses(IP_ADDR_O).map((a) => `${a.iface} ${a.address}`)).toEqual(['lo 127.0.0.1', 'eth1 198.51.100.52']);
  });
  it('finds the VIP only as a whole address', () => {
    expect(hasAddress(IP_ADDR, '198.51.100.50')).toBe(true);
    expect(hasAddress(IP_ADDR, '198.51.100.5')).toBe(false);
    expect(hasAddress(IP_ADDR_O, '198.51.100.50')).toBe(false);
  });
  it('reads the MAC of a link', () => {
    expect(parseLinkMac('2: eth1@if14: <BROADCAST> mtu 1500 qdisc noqueue state UP mode DEFAULT\\    link/ether 02:4A:00:00:01:33 brd ff:ff:ff:ff:ff:ff link-netns x')).toBe('02:4a:00:00:01:33');
    expect(parseLinkMac('1: lo: <LOOPBACK> link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00')).toBeUndefined();
  });
  it.each([
    ['198.51.100.50 dev eth1 lladdr 02:4a:00:00:01:33 REACHABLE\n', { address: '198.51.100.50', mac: '02:4a:00:00:01:33', state: 'REACHABLE' }],
    ['198.51.100.50 dev eth1 lladdr 02:4a:00:00:01:34 STALE\n', { address: '198.51.100.50', mac: '02:4a:00:00:01:34', state: 'STALE' }],
    ['198.51.100.50 dev eth1 FAILED\n', { address: '198.51.100.50', mac: undefined, state: 'FAILED' }],
    ['198.51.100.51 dev eth1 lladdr 02:4a:00:00:01:33 REACHABLE\n', undefined],
    ['', undefined],
  ])('reads the neighbour entry %#', (text, want) => {
    expect(parseNeigh(text, '198.51.100.50')).toEqual(want);
  });
});
