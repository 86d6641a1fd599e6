/**
 * Pure parts of the corpus's haproxy, nagios, npm and rpm_key, table-driven. Expected values are what
 * Ansible's modules compute (read from community.general's haproxy.py, nagios.py, npm.py and
 * ansible-core's rpm_key.py): the command lines, the parsed states and ids.
 */
import { describe, expect, it } from 'vitest';
import {
  gpgColonField, haproxyBackends, haproxyDisableCommand, haproxyDrainCommand, haproxyEnableCommand, haproxyServerState,
  haproxyVersion, isRpmKeyId, nagiosCommands, nagiosWriteScript, normalizeKeyId, npmArgv, npmInstalled, npmOutdated,
  parseHaproxyStat, rpmKeyImported, type NagiosRequest, type NpmOptions,
} from '../../src/index.js';

const STAT = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act',
  'front,FRONTEND,,,0,0,2000,0,0,0,0,0,0,,,,,OPEN,,',
  'app,web1,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1',
  'app,web2,0,0,2,3,,0,0,0,,0,,0,0,0,0,MAINT,1,1',
  'app,BACKEND,0,0,0,0,200,0,0,0,0,0,,0,0,0,0,UP,1,1',
  'other,web1,0,0,0,0,,0,0,0,,0,,0,0,0,0,DRAIN,5,1',
  'other,BACKEND,0,0,0,0,200,0,0,0,0,0,,0,0,0,0,UP,5,1',
  '',
].join('\n');

describe('haproxy', () => {
  const rows = parseHaproxyStat(STAT);
  it.each([
    ['app', 'web1', [{ status: 'UP', weight: '1', scur: '0' }]],
    ['app', 'web2', [{ status: 'MAINT', weight: '1', scur: '2' }]],
    [undefined, 'web1', [{ status: 'UP', weight: '1', scur: '0' }, { status: 'DRAIN', weight: '5', scur: '0' }]],
    ['app', 'nope', null],
    ['nope', 'web1', null],
  ] as const)('state of %s/%s', (backend, server, want) => {
    expect(haproxyServerState(rows, backend, server)).toEqual(want);
  });
  it('lists the backends', () => expect(haproxyBackends(rows)).toEqual(['app', 'other']));
  it.each([
    ['Name: HAProxy\nVersion: 2.6.12-1+deb12u3\nRelease_date: 2023/12/16\n', [2, 6]],
    ['Version: 1.4.24\n', [1, 4]],
    ['Name: HAProxy\n', undefined],
    ['Version: dev\n', undefined],
  ] as const)('version of %j', (info, want) => expect(haproxyVersion(info)).toEqual(want));
  const o = { agent: false, health: false, shutdownSessions: false };
  it.each([
    [haproxyEnableCommand('app', 'web1', o), 'get weight app/web1; enable server app/web1'],
    [haproxyEnableCommand('app', 'web1', { ...o, agent: true, health: true, weight: '10%' }), 'get weight app/web1; enable server app/web1; enable agent app/web1; enable health app/web1; set weight app/web1 10%'],
    [haproxyDisableCommand('app', 'web1', o), 'get weight app/web1; disable server app/web1'],
    [haproxyDisableCommand('app', 'web1', { ...o, agent: true, health: true, shutdownSessions: true }), 'get weight app/web1; disable agent app/web1; disable health app/web1; disable server app/web1; shutdown sessions server app/web1'],
    [haproxyDrainCommand('app', 'web1'), 'set server app/web1 state drain'],
  ])('command %s', (got, want) => expect(got).toBe(want));
});

describe('nagios', () => {
  const base: NagiosRequest = { action: 'downtime', host: 'web1', author: 'Ansible', comment: 'Scheduling downtime', minutes: 30 };
  const now = 1000;
  it.each([
    [{ services: ['http', 'ssh'] }, ['[1000] SCHEDULE_SVC_DOWNTIME;web1;http;1000;2800;1;0;1800;Ansible;Scheduling downtime\n', '[1000] SCHEDULE_SVC_DOWNTIME;web1;ssh;1000;2800;1;0;1800;Ansible;Scheduling downtime\n']],
    [{ services: 'host', start: 5000, minutes: 1 }, ['[1000] SCHEDULE_HOST_DOWNTIME;web1;5000;5060;1;0;60;Ansible;Scheduling downtime\n']],
    [{ services: 'all' }, ['[1000] SCHEDULE_HOST_SVC_DOWNTIME;web1;1000;2800;1;0;1800;Ansible;Scheduling downtime\n']],
    [{ action: 'disable_alerts', services: ['webserver'] }, ['[1000] DISABLE_SVC_NOTIFICATIONS;web1;webserver\n']],
    [{ action: 'enable_alerts', services: 'host' }, ['[1000] ENABLE_HOST_NOTIFICATIONS;web1\n']],
    [{ action: 'enable_alerts', services: 'all' }, ['[1000] ENABLE_HOST_SVC_NOTIFICATIONS;web1\n']],
    [{ action: 'silence' }, ['[1000] DISABLE_HOST_SVC_NOTIFICATIONS;web1\n', '[1000] DISABLE_HOST_NOTIFICATIONS;web1\n']],
    [{ action: 'unsilence_nagios' }, ['[1000] ENABLE_NOTIFICATIONS\n']],
    [{ action: 'delete_downtime', services: 'all' }, ['[1000] DEL_DOWNTIME_BY_HOST_NAME;web1;;;\n']],
    [{ action: 'delete_downtime', services: 'host' }, ['[1000] DEL_DOWNTIME_BY_HOST_NAME;web1;;;Scheduling downtime\n']],
    [{ action: 'delete_downtime', services: ['http'] }, ['[1000] DEL_DOWNTIME_BY_HOST_NAME;web1;http;;Scheduling downtime\n']],
    [{ action: 'acknowledge', services: 'host' }, ['[1000] ACKNOWLEDGE_HOST_PROBLEM;web1;0;1;0;Ansible;Scheduling downtime\n']],
    [{ action: 'acknowledge', services: ['http'] }, ['[1000] ACKNOWLEDGE_SVC_PROBLEM;web1;http;0;1;0;Ansible;Scheduling downtime\n']],
    [{ action: 'forced_check', services: 'all' }, ['[1000] SCHEDULE_FORCED_HOST_SVC_CHECKS;web1;1003\n']],
    [{ action: 'forced_check', services: ['http'] }, ['[1000] SCHEDULE_FORCED_SVC_CHECK;web1;http;1003\n']],
    [{ action: 'servicegroup_host_downtime', servicegroup: 'web' }, ['[1000] SCHEDULE_SERVICEGROUP_HOST_DOWNTIME;web;1000;2800;1;0;1800;Ansible;Scheduling downtime\n']],
    [{ action: 'command', command: 'DISABLE_FLAP_DETECTION' }, ['[1000] DISABLE_FLAP_DETECTION\n']],
  ] as const)('%j', (over, want) => {
    expect(nagiosCommands({ ...base, ...(over as Partial<NagiosRequest>) }, now)).toEqual(want);
  });
  it('writes each line with its own checks and open', () => {
    expect(nagiosWriteScript('/var/lib/nagios3/rw/nagios.cmd', ['a\n', 'b\n']).match(/\[ -p /g)).toHaveLength(2);
  });
});

describe('npm', () => {
  const o: NpmOptions = { executable: ['npm'], global: true, production: true, ignoreScripts: false, unsafePerm: true, nameVersion: 'left-pad@1.3.0', registry: 'http://r/', noOptional: false, noBinLinks: true };
  it.each([
    [['install'], true, ['npm', 'install', '--global', '--production', '--unsafe-perm', 'left-pad@1.3.0', '--registry', 'http://r/', '--no-bin-links']],
    [['list', '--json', '--long'], false, ['npm', 'list', '--json', '--long', '--global', '--unsafe-perm', '--registry', 'http://r/', '--no-bin-links']],
    [['outdated'], true, ['npm', 'outdated', '--global', '--unsafe-perm', 'left-pad@1.3.0', '--registry', 'http://r/', '--no-bin-links']],
  ] as const)('argv of %j', (sub, withName, want) => expect(npmArgv(o, [...sub], withName)).toEqual(want));
  it.each([
    [{ dependencies: { 'left-pad': { version: '1.3.0' } } }, 'left-pad', 'left-pad@1.3.0', { installed: ['left-pad', 'left-pad@1.3.0'], missing: [] }],
    [{ dependencies: { 'left-pad': { version: '1.2.0' } } }, 'left-pad', 'left-pad@1.3.0', { installed: ['left-pad', 'left-pad@1.2.0'], missing: ['left-pad'] }],
    [{ dependencies: { a: { missing: true }, b: { invalid: true, version: '1' } } }, undefined, undefined, { installed: [], missing: ['a', 'b'] }],
    [{}, 'x', 'x', { installed: [], missing: ['x'] }],
  ] as const)('installed in %j', (data, name, nv, want) => expect(npmInstalled(data, name, nv)).toEqual(want));
  it('reads outdated names (the header line counts)', () => {
    expect(npmOutdated('Package   Current  Wanted  Latest  Location\nhap-demo    1.0.0   1.0.0   1.1.0  node_modules/hap-demo')).toEqual(['Package', 'hap-demo']);
    expect(npmOutdated('')).toEqual([]);
  });
});

describe('rpm_key', () => {
  it.each([
    ['DEADBEEF', true], ['0xdeadbeef', true], ['deadbeef-key.asc', true], ['/etc/key.asc', false], ['dead', false],
  ])('%s is a key id: %s', (k, want) => expect(isRpmKeyId(k)).toBe(want));
  it.each([[' 0xdeadbeef ', 'DEADBEEF'], ['0XABCDEF12', 'ABCDEF12'], ['abc', 'ABC']])('normalises %j', (k, want) => expect(normalizeKeyId(k)).toBe(want));
  const listing = 'pub:-:4096:1:1234567890ABCDEF:1700000000:::-:\nfpr:::::::::AAAABBBBCCCCDDDDEEEEFFFF1234567890ABCDEF:\nuid:-::::1700000000::X::Test <t@e>:\n';
  it('reads the key id and fingerprint', () => {
    expect(gpgColonField(listing, 'pub', 4)).toBe('1234567890ABCDEF');
    expect(gpgColonField(listing, 'fpr', 9)).toBe('AAAABBBBCCCCDDDDEEEEFFFF1234567890ABCDEF');
    expect(gpgColonField('uid:x\n', 'pub', 4)).toBeUndefined();
  });
  it.each([['1234567890ABCDEF', true], ['90ABCDEF', true], ['FFFF0000', false]])('imported %s: %s', (id, want) => expect(rpmKeyImported(listing, id)).toBe(want));
});
