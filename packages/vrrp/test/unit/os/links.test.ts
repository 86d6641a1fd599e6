import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IpAddressManager } from '../../../src/os/addresses.js';
import { recordingRunner } from '../../../src/os/command.js';
import { PollingLinkMonitor, flagsAreUp, linkIsUp, readLinkState, sysfsLinkReader } from '../../../src/os/links.js';
import { ifreq, ifreqFlags, ifreqHardwareAddress } from '../../../src/os/structs.js';
import type { InterfaceInfo } from '../../../src/os/types.js';

describe('linkIsUp', () => {
  it.each([
    ['up', '1', true],
    ['unknown', '1', true],
    ['up\n', '1\n', true],
    ['down', '0', false],
    ['lowerlayerdown', '0', false],
    ['up', undefined, false],
    [undefined, undefined, false],
    ['dormant', '1', false],
  ])('operstate %j carrier %j -> %s', (operstate, carrier, up) => {
    expect(linkIsUp(operstate, carrier)).toBe(up);
  });
});

describe('ifreq and interface flags', () => {
  it('packs the name into a 40-byte ifreq and reads flags and hardware address from the union', () => {
    const req = ifreq('eth1');
    expect(req.length).toBe(40);
    expect(req.subarray(0, 5).toString('latin1')).toBe('eth1\0');
    req.writeUInt16LE(0x1043, 16); // UP|BROADCAST|RUNNING|MULTICAST
    expect(ifreqFlags(req)).toBe(0x1043);
    Buffer.from('0001' + '02a705010001', 'hex').copy(req, 16); // sa_family ARPHRD_ETHER, then the MAC
    expect(ifreqHardwareAddress(req)).toBe('02:a7:05:01:00:01');
    expect(() => ifreq('an-interface-name-too-long')).toThrow(/invalid interface name/);
  });
  it.each([
    [0x1043, true],
    [0x1003, false], // up, no carrier (not RUNNING)
    [0x1042, false], // admin down
    [0, false],
  ])('flags %s -> up %s', (flags, up) => {
    expect(flagsAreUp(flags)).toBe(up);
  });
});

describe('PollingLinkMonitor on a fake sysfs tree', () => {
  let root: string;
  const setLink = (name: string, fields: Record<string, string>) => {
    mkdirSync(join(root, name), { recursive: true });
    for (const [file, value] of Object.entries(fields)) writeFileSync(join(root, name, file), `${value}\n`);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vrrp-sysfs-'));
    setLink('eth1', { ifindex: '4', operstate: 'up', carrier: '1', address: '02:00:00:00:00:04' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads index, state and MAC; a missing interface is down', () => {
    expect(readLinkState('eth1', root)).toEqual({ exists: true, index: 4, up: true, mac: '02:00:00:00:00:04' });
    expect(readLinkState('eth9', root)).toEqual({ exists: false, index: 0, up: false, mac: '' });
  });

  it('get() takes the first non-VIP, non-secondary IPv4 address as primary', async () => {
    const output = JSON.stringify([
      {
        addr_info: [
          { family: 'inet', local: '198.51.100.50', prefixlen: 24 },
          { family: 'inet', local: '198.51.100.51', prefixlen: 24, secondary: true },
        ],
      },
    ]);
    const addresses = new IpAddressManager(recordingRunner(() => ({ code: 0, stdout: output, stderr: '' })));
    const monitor = new PollingLinkMonitor({ reader: sysfsLinkReader(root), addresses });
    expect((await monitor.get('eth1')).primaryAddress).toBe('198.51.100.50');
    monitor.setVirtualAddressFilter((a) => a === '198.51.100.50');
    expect(await monitor.get('eth1')).toEqual({
      name: 'eth1',
      index: 4,
      up: true,
      mac: '02:00:00:00:00:04',
      primaryAddress: '198.51.100.51',
    });
  });

  it('watch() reports down and up changes only, and stops', async () => {
    const monitor = new PollingLinkMonitor({ reader: sysfsLinkReader(root), intervalMs: 10 });
    const seen: InterfaceInfo[] = [];
    const stop = monitor.watch(['eth1'], (info) => seen.push(info));
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).toEqual([]);
    setLink('eth1', { operstate: 'lowerlayerdown', carrier: '0' });
    await new Promise((r) => setTimeout(r, 40));
    setLink('eth1', { operstate: 'up', carrier: '1' });
    await new Promise((r) => setTimeout(r, 40));
    stop();
    setLink('eth1', { operstate: 'down', carrier: '0' });
    await new Promise((r) => setTimeout(r, 40));
    expect(seen.map((i) => i.up)).toEqual([false, true]);
    expect(seen[0]).toMatchObject({ name: 'eth1', index: 4 });
  });
});

describe('PollingLinkMonitor with a kernel event source', () => {
  it('re-reads links on each event (no polling needed) and unsubscribes on stop', () => {
    let state = { exists: true, index: 4, up: true, mac: '02:00:00:00:00:04' };
    const listeners = new Set<() => void>();
    const events = {
      subscribe(onEvent: () => void) {
        listeners.add(onEvent);
        return () => listeners.delete(onEvent);
      },
    };
    const monitor = new PollingLinkMonitor({ reader: () => state, events, intervalMs: 3_600_000 });
    const seen: boolean[] = [];
    const stop = monitor.watch(['eth1'], (info) => seen.push(info.up));
    expect(listeners.size).toBe(1);
    listeners.forEach((l) => l()); // an unrelated link message: nothing changed
    state = { ...state, up: false };
    listeners.forEach((l) => l());
    state = { ...state, up: true };
    listeners.forEach((l) => l());
    expect(seen).toEqual([false, true]);
    stop();
    expect(listeners.size).toBe(0);
  });
});
