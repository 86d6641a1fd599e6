/** The hostname fact's parser and plan: Ansible's strategies, the names they compare, the steps. */
import { describe, expect, it } from 'vitest';
import { stepText } from '../../src/apply.js';
import { fqdnOf, hostnameState, type HostnameState } from '../../src/facts/hostname.js';
import { hostnamePlan, sysconfigHostname, withSysconfigHostname } from '../../src/plans/hostname.js';

const M = '@@haweb@@';
const base: HostnameState = { systemd: false, family: 'debian', etcHostname: 'old', kernel: 'old', resolvedNames: [] };

describe('hostnameState.parse', () => {
  it('reads every section', () => {
    const out = `${M}systemd\nyes\n${M}family\ndebian\n${M}transient\nt1\n${M}static\ns1\n${M}etc-hostname\ns1\n${M}kernel\nt1\n${M}resolved\nt1.example.com\nt1\n`;
    expect(hostnameState.parse(out, 0, undefined)).toEqual({
      systemd: true, family: 'debian', transient: 't1', static: 's1', etcHostname: 's1', sysconfigNetwork: undefined, kernel: 't1', resolvedNames: ['t1.example.com', 't1'],
    });
  });
  it('without systemd, hostnamectl and /etc/hostname', () => {
    const out = `${M}systemd\n${M}family\nredhat\n${M}sysconfig\nNETWORKING=yes\nHOSTNAME=c6\n${M}kernel\nc6\n${M}resolved\n`;
    expect(hostnameState.parse(out, 0, undefined)).toMatchObject({ systemd: false, family: 'redhat', transient: undefined, etcHostname: undefined, sysconfigNetwork: 'NETWORKING=yes\nHOSTNAME=c6\n', resolvedNames: [] });
  });
});

describe('fqdnOf (socket.getfqdn)', () => {
  it.each<[string[], string]>([
    [[], 'old'],
    [['old'], 'old'],
    [['old', 'old.lab.example'], 'old.lab.example'],
    [['old.a', 'old.b'], 'old.a'],
  ])('%j -> %s', (names, fqdn) => expect(fqdnOf({ kernel: 'old', resolvedNames: names })).toBe(fqdn));
});

describe('hostnamePlan', () => {
  it.each<[string, Partial<HostnameState>, string, string | undefined, { strategy: string; current: string; permanent: string; steps: string[] }]>([
    ['file: unchanged', {}, 'old', undefined, { strategy: 'file', current: 'old', permanent: 'old', steps: [] }],
    ['file: writes /etc/hostname only (Ansible leaves the running name)', {}, 'web1', undefined, { strategy: 'file', current: 'old', permanent: 'old', steps: ['write /etc/hostname 0644'] }],
    ['file: no /etc/hostname yet', { etcHostname: undefined }, 'web1', undefined, { strategy: 'file', current: '', permanent: '', steps: ['write /etc/hostname 0644'] }],
    ['systemd: both names', { systemd: true, transient: 'old', static: 'old' }, 'web1', undefined, {
      strategy: 'systemd', current: 'old', permanent: 'old',
      steps: ['hostnamectl --pretty --static set-hostname web1', 'hostnamectl --transient set-hostname web1'],
    }],
    ['systemd: only the transient differs', { systemd: true, transient: 'x', static: 'web1' }, 'web1', undefined, { strategy: 'systemd', current: 'x', permanent: 'web1', steps: ['hostnamectl --transient set-hostname web1'] }],
    ['use: debian means systemd (Ansible\'s table)', { transient: 'web1', static: 'web1' }, 'web1', 'debian', { strategy: 'systemd', current: 'web1', permanent: 'web1', steps: [] }],
    ['redhat: sysconfig/network', { family: 'redhat', sysconfigNetwork: 'NETWORKING=yes\nHOSTNAME=old\n' }, 'web1', undefined, { strategy: 'redhat', current: 'old', permanent: 'old', steps: ['write /etc/sysconfig/network 0644'] }],
  ])('%s', (_why, state, name, use, expected) => {
    const plan = hostnamePlan({ ...base, ...state }, name, use);
    expect({ ...plan, steps: plan.steps.map(stepText) }).toEqual(expected);
  });

  it.each<[string, Partial<HostnameState>, string, string | undefined, string]>([
    ['redhat without a HOSTNAME line', { family: 'redhat', sysconfigNetwork: 'NETWORKING=yes\n' }, 'x', undefined, 'Unable to locate HOSTNAME entry in /etc/sysconfig/network'],
    ['systemd and a name over 64 characters', { systemd: true, transient: 'a', static: 'a' }, 'x'.repeat(65), undefined, 'name cannot be longer than 64 characters on systemd servers, try a shorter name'],
    ['a strategy not implemented', {}, 'x', 'openrc', 'hostname: use=openrc is not supported by this provisioner'],
  ])('refuses: %s', (_why, state, name, use, message) => {
    expect(() => hostnamePlan({ ...base, ...state }, name, use)).toThrow(message);
  });

  it('rewrites only the HOSTNAME line of /etc/sysconfig/network, or adds one', () => {
    expect(sysconfigHostname('A=1\n HOSTNAME = c6 \n')).toBe('c6');
    expect(withSysconfigHostname('NETWORKING=yes\nHOSTNAME=old\nGATEWAY=1\n', 'web1')).toBe('NETWORKING=yes\nHOSTNAME=web1\nGATEWAY=1\n');
    expect(withSysconfigHostname('NETWORKING=yes', 'web1')).toBe('NETWORKING=yes\nHOSTNAME=web1\n');
    expect(withSysconfigHostname(undefined, 'web1')).toBe('HOSTNAME=web1\n');
  });
});
