/** service_facts' parsers: Ansible's sysv, chkconfig and systemd rules on captured outputs. */
import { describe, expect, it } from 'vitest';
import { parseActiveStates, parseChkconfig, parseStatusAll, parseSystemd, serviceList } from '../../src/facts/service-list.js';

describe('parseStatusAll (service --status-all)', () => {
  it('running, stopped, and [ ? ] left out', () => {
    expect(parseStatusAll(' [ + ]  ssh\n [ - ]  bootlogs\n [ ? ]  hwclock.sh\n [ + ]  nginx\n')).toEqual({
      ssh: { name: 'ssh', state: 'running', source: 'sysv' },
      bootlogs: { name: 'bootlogs', state: 'stopped', source: 'sysv' },
      nginx: { name: 'nginx', state: 'running', source: 'sysv' },
    });
  });
});

describe('parseChkconfig (status rc + chkconfig --list)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['0 sshd           \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off', { sshd: { name: 'sshd', state: 'running', status: 'enabled', source: 'sysv' } }],
    ['3 nginx 0:off 1:off 2:on 3:off 4:on 5:on 6:off', { nginx: { name: 'nginx', state: 'stopped', status: 'disabled', source: 'sysv' } }],
    ['0 xinetd based services:', {}],
  ])('%j', (line, expected) => expect(parseChkconfig(line)).toEqual(expected));
});

describe('parseSystemd (list-units, list-unit-files, show)', () => {
  const units = [
    '  UNIT                     LOAD      ACTIVE   SUB     DESCRIPTION',
    '  cron.service             loaded    active   running Regular background program processing daemon',
    '● foo.service              not-found inactive dead    foo.service',
    '  ssh.service              loaded    active   running OpenBSD Secure Shell server',
    '  systemd-fsck@x.service   loaded    inactive dead    File System Check',
    '',
    'LOAD   = Reflects whether the unit definition was properly loaded.',
  ].join('\n');
  const files = [
    'UNIT FILE                STATE           VENDOR PRESET',
    'cron.service             enabled         enabled',
    'ssh.service              disabled        enabled',
    'foo.service              enabled         enabled',
    'rsync.service            disabled        enabled',
    'getty@.service           enabled         enabled',
    '',
    '5 unit files listed.',
  ].join('\n');
  it('follows Ansible: SUB gives the state, unit files the status unless a bad one is known', () => {
    expect(parseSystemd(units, files, parseActiveStates('Id=rsync.service\nActiveState=inactive\n\n'))).toEqual({
      'cron.service': { name: 'cron.service', state: 'running', status: 'enabled', source: 'systemd' },
      'foo.service': { name: 'foo.service', state: 'stopped', status: 'not-found', source: 'systemd' },
      'ssh.service': { name: 'ssh.service', state: 'running', status: 'disabled', source: 'systemd' },
      'systemd-fsck@x.service': { name: 'systemd-fsck@x.service', state: 'stopped', status: 'inactive', source: 'systemd' },
      'rsync.service': { name: 'rsync.service', state: 'inactive', status: 'disabled', source: 'systemd' },
      'getty@.service': { name: 'getty@.service', state: 'unknown', status: 'enabled', source: 'systemd' },
    });
  });
});

describe('serviceList.parse', () => {
  it('merges the sources in Ansible\'s order (systemd last)', () => {
    const M = '@@haweb-svc@@';
    const out = `${M}sysv\n [ + ]  ssh\n${M}units\n  ssh.service loaded active running x\n${M}unit-files\nssh.service enabled enabled\n${M}active\n`;
    expect(Object.keys(serviceList.parse(out, 0, undefined)).sort()).toEqual(['ssh', 'ssh.service']);
  });
});
