import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordVips } from '../../../src/daemon/vip-record.js';
import type { AddressManager, VirtualAddress } from '../../../src/os/types.js';

const vip = (address: string): VirtualAddress => ({ address, prefixLength: 24, interface: 'eth1' });

/** An address manager that notes what the record file held at the moment each call reached it. */
function recordingManager(file: string) {
  const seen: string[] = [];
  const manager: AddressManager = {
    add: async (v) => { seen.push(`add ${v.address}: ${readFileSync(file, 'utf8').trim().split('\n').join(', ')}`); },
    remove: async (v) => { seen.push(`remove ${v.address}`); },
    list: async () => [],
  };
  return { manager, seen };
}

describe('recordVips', () => {
  it('records the configured VIPs up front, so a takeover adds them without writing the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vip-record-')), 'vrrpd.vips');
    const { manager, seen } = recordingManager(file);
    const record = recordVips(manager, file);
    expect(readFileSync(file, 'utf8')).toBe('');
    record.declare([vip('198.51.100.50'), vip('198.51.100.60')]);
    expect(readFileSync(file, 'utf8')).toBe('198.51.100.50/24 eth1\n198.51.100.60/24 eth1\n');
    const inode = statSync(file).ino;
    await record.add(vip('198.51.100.50'));
    await record.remove(vip('198.51.100.50'));
    expect(statSync(file).ino).toBe(inode); // not rewritten (a rewrite renames a new file in)
    expect(seen).toEqual(['add 198.51.100.50: 198.51.100.50/24 eth1, 198.51.100.60/24 eth1', 'remove 198.51.100.50']);
  });

  it('an address outside the configuration is on disk before it is added and stays until it is removed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vip-record-')), 'vrrpd.vips');
    const { manager, seen } = recordingManager(file);
    const record = recordVips(manager, file);
    record.declare([vip('198.51.100.50')]);
    await record.add(vip('198.51.100.70'));
    expect(seen).toEqual(['add 198.51.100.70: 198.51.100.50/24 eth1, 198.51.100.70/24 eth1']);
    // A reload drops .50 from the configuration and adds .80; .70 is still on the host.
    record.declare([vip('198.51.100.80')]);
    expect(readFileSync(file, 'utf8')).toBe('198.51.100.70/24 eth1\n198.51.100.80/24 eth1\n');
    await record.remove(vip('198.51.100.70'));
    expect(readFileSync(file, 'utf8')).toBe('198.51.100.80/24 eth1\n');
  });
});
