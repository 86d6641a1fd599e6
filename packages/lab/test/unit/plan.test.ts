import { describe, expect, it } from 'vitest';
import {
  BUILTIN_LAB_NAME, BUILTIN_SUBNET, DEFAULT_LAB_NAME, cidrOverlaps, hostName, labMac, parseSubnet, planLab, validateLabName,
} from '../../src/plan.js';

describe('planLab: the seed layout', () => {
  const plan = planLab({ name: BUILTIN_LAB_NAME, subnet: BUILTIN_SUBNET });

  it('defaults to lab haweb on TEST-NET-2 with two hosts', () => {
    expect([BUILTIN_LAB_NAME, BUILTIN_SUBNET]).toEqual(['haweb', '198.51.100.0/24']);
    expect(planLab().name).toBe(DEFAULT_LAB_NAME);
    expect(planLab().hosts).toHaveLength(2);
    expect(plan.name).toBe('haweb');
    expect(plan.subnet).toBe('198.51.100.0/24');
    expect(plan.hosts.map((h) => [h.name, h.address])).toEqual([
      ['edu-proxy-01', '198.51.100.51'],
      ['edu-proxy-02', '198.51.100.52'],
    ]);
  });

  it.each([
    ['vip', plan.vip, '198.51.100.50'],
    ['client', plan.client.address, '198.51.100.180'],
    ['controller', plan.controllerAddress, '198.51.100.1'],
    ['gateway', plan.gateway, '198.51.100.254'],
  ])('%s address', (_role, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('names namespaces and interfaces after the lab', () => {
    expect(plan.bridgeNetns).toBe('haweb-lan');
    expect(plan.client.netns).toBe('haweb-client');
    expect(plan.hosts[1].netns).toBe('haweb-edu-proxy-02');
    expect(plan.controllerVeth).toBe('haweb-ctl');
    expect(plan.interface).toBe('eth1');
  });
});

describe('planLab: other labs', () => {
  it('uses the chosen subnet and host count', () => {
    const plan = planLab({ name: 'labtest', subnet: '203.0.113.0/24', hosts: 20 });
    expect(plan.hosts).toHaveLength(20);
    expect(plan.hosts[19]).toMatchObject({ name: 'edu-proxy-20', address: '203.0.113.70', netns: 'labtest-edu-proxy-20' });
    expect(plan.vip).toBe('203.0.113.50');
  });

  it('works inside a larger network', () => {
    expect(planLab({ subnet: '100.64.0.0/16', name: 'big' }).hosts[0].address).toBe('100.64.0.51');
  });

  it('gives every host and the client a distinct locally administered MAC, stable per lab', () => {
    const plan = planLab({ name: 'haweb', hosts: 30 });
    const macs = [...plan.hosts.map((h) => h.mac), plan.client.mac];
    expect(new Set(macs).size).toBe(31);
    for (const mac of macs) expect(mac).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(planLab({ name: 'haweb', hosts: 30 }).hosts[7].mac).toBe(plan.hosts[7].mac);
    expect(labMac('other', 1, 8)).not.toBe(plan.hosts[7].mac);
  });

  it('keeps every interface name within the kernel limit of 15 characters', () => {
    const plan = planLab({ name: 'abcdefghijk', hosts: 99 });
    expect(plan.controllerVeth.length).toBeLessThanOrEqual(15);
    for (const h of plan.hosts) expect(h.bridgePort.length).toBeLessThanOrEqual(15);
  });
});

describe('rejections', () => {
  it.each([
    ['192.0.2.0/24', /machine's own network/],
    ['192.0.0.0/16', /machine's own network/],
    ['198.51.100.7/24', /host bits set/],
    ['198.51.100.0/25', /prefix must be/],
    ['198.51.100.0', /expected a\.b\.c\.d\/prefix/],
    ['198.51.300.0/24', /invalid IPv4/],
  ])('subnet %s', (subnet, message) => {
    expect(() => parseSubnet(subnet)).toThrow(message);
  });

  it.each(['', 'Haweb', 'ha-web', '1lab', 'abcdefghijkl'])('lab name %j', (name) => {
    expect(() => validateLabName(name)).toThrow(/invalid lab name/);
  });

  it.each([0, 100, 1.5])('host count %s', (hosts) => {
    expect(() => planLab({ hosts })).toThrow(/invalid host count/);
  });

  it('pads host numbers like the seed', () => {
    expect(hostName(3)).toBe('edu-proxy-03');
    expect(hostName(12)).toBe('edu-proxy-12');
  });
});

describe('cidrOverlaps', () => {
  it.each([
    ['198.51.100.0/24', '198.51.100.51', true],
    ['198.51.100.51', '198.51.100.51', true],
    ['198.51.100.52', '198.51.100.51', false],
    ['203.0.113.0/24', '198.51.100.0/24', false],
    ['198.51.0.0/16', '198.51.100.0/24', true],
  ])('%s vs %s', (a, b, expected) => {
    expect(cidrOverlaps(a, b)).toBe(expected);
  });
});
