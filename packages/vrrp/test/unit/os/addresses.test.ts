import { describe, expect, it } from 'vitest';
import {
  IpAddressManager,
  addAddressArgs,
  isAlreadyAssigned,
  isNotAssigned,
  parseAddressList,
} from '../../../src/os/addresses.js';
import { recordingRunner } from '../../../src/os/command.js';

const vip = { address: '198.51.100.50', prefixLength: 24, interface: 'eth1' };

// Captured from iproute2 6.1 (`ip -j -4 addr show dev eth1`) with a primary, a VIP and a label.
const IP_J_OUTPUT = JSON.stringify([
  {
    ifindex: 2,
    ifname: 'eth1',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    addr_info: [
      { family: 'inet', local: '198.51.100.51', prefixlen: 24, broadcast: '198.51.100.255', scope: 'global', label: 'eth1', valid_life_time: 4294967295 },
      { family: 'inet', local: '198.51.100.50', prefixlen: 24, scope: 'global', secondary: true, label: 'eth1:vip' },
    ],
  },
]);

describe('ip command building', () => {
  it.each([
    [vip, ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1']],
    [{ ...vip, prefixLength: 32, label: 'eth1:1' }, ['-4', 'addr', 'add', '198.51.100.50/32', 'dev', 'eth1', 'label', 'eth1:1']],
    [{ ...vip, broadcast: '198.51.100.255' }, ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'broadcast', '198.51.100.255']],
    [{ ...vip, broadcast: '+', label: 'eth1:vip' }, ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1', 'broadcast', '+', 'label', 'eth1:vip']],
  ])('add %j', (input, argv) => {
    expect(addAddressArgs(input)).toEqual(argv);
  });
});

describe('ip error classification', () => {
  it.each([
    ['Error: ipv4: Address already assigned.\n', true, false],
    ['RTNETLINK answers: File exists\n', true, false],
    ['Error: ipv4: Address not found.\n', false, true],
    ['RTNETLINK answers: Cannot assign requested address\n', false, true],
    ['Cannot find device "eth9"\n', false, false],
    ['RTNETLINK answers: Operation not permitted\n', false, false],
  ])('%j', (stderr, already, missing) => {
    expect(isAlreadyAssigned(stderr)).toBe(already);
    expect(isNotAssigned(stderr)).toBe(missing);
  });
});

describe('ip -j output parsing', () => {
  it('lists IPv4 addresses in kernel order with prefix, label and secondary flag', () => {
    expect(parseAddressList(IP_J_OUTPUT)).toEqual([
      { address: '198.51.100.51', prefixLength: 24, label: 'eth1', secondary: false },
      { address: '198.51.100.50', prefixLength: 24, label: 'eth1:vip', secondary: true },
    ]);
  });
  it('handles an interface without addresses and empty output', () => {
    expect(parseAddressList('[{"ifindex":3,"ifname":"eth2","addr_info":[]}]')).toEqual([]);
    expect(parseAddressList('[{}]')).toEqual([]);
    expect(parseAddressList('')).toEqual([]);
  });
});

describe('IpAddressManager', () => {
  it('treats "already assigned" on add and "not found" on delete as success, and records argv', async () => {
    const runner = recordingRunner((_file, args) =>
      args.includes('add')
        ? { code: 2, stdout: '', stderr: 'Error: ipv4: Address already assigned.\n' }
        : { code: 2, stdout: '', stderr: 'Error: ipv4: Address not found.\n' },
    );
    const manager = new IpAddressManager(runner, '/usr/sbin/ip');
    await manager.add(vip);
    await manager.remove(vip);
    expect(runner.calls).toEqual([
      { file: '/usr/sbin/ip', args: ['-4', 'addr', 'add', '198.51.100.50/24', 'dev', 'eth1'] },
      { file: '/usr/sbin/ip', args: ['-4', 'addr', 'del', '198.51.100.50/24', 'dev', 'eth1'] },
    ]);
  });

  it('fails on other errors, quoting ip', async () => {
    const manager = new IpAddressManager(recordingRunner(() => ({ code: 1, stdout: '', stderr: 'Cannot find device "eth9"\n' })));
    await expect(manager.add({ ...vip, interface: 'eth9' })).rejects.toThrow(/ip -4 addr add 198.51.100.50\/24 dev eth9: Cannot find device "eth9"/);
    await expect(manager.remove({ ...vip, interface: 'eth9' })).rejects.toThrow(/Cannot find device/);
    await expect(manager.list('eth9')).rejects.toThrow(/Cannot find device/);
  });

  it('lists addresses from ip -j', async () => {
    const runner = recordingRunner(() => ({ code: 0, stdout: IP_J_OUTPUT, stderr: '' }));
    expect(await new IpAddressManager(runner).list('eth1')).toEqual(['198.51.100.51', '198.51.100.50']);
    expect(runner.calls[0].args).toEqual(['-j', '-4', 'addr', 'show', 'dev', 'eth1']);
  });
});
