/** apt's pure parts: package specs, Debian version order, apt-cache policy tables, what apt-get install is given, apt-get's summary. */
import { describe, expect, it } from 'vitest';
import {
  aptDpkgOptions,
  aptGetDidNothing,
  aptPolicyFor,
  aptPreparedDiff,
  compareDebVersions,
  isAptPattern,
  parseAptPolicyTable,
  aptRetryDelay,
  planAptBindingsInstall,
  planAptSpec,
  splitAptSpec,
  type AptPolicyEntry,
} from '../../src/index.js';

describe('splitAptSpec / isAptPattern', () => {
  it.each([
    ['hello', { name: 'hello' }],
    ['hello=2.*', { name: 'hello', cmp: '=', version: '2.*' }],
    ['foo>=1.0.1', { name: 'foo', cmp: '>=', version: '1.0.1' }],
    ['hello:i386', { name: 'hello:i386' }],
    [' foo = 1.0 ', { name: 'foo', cmp: '=', version: '1.0' }],
  ])('%s', (spec, parsed) => expect(splitAptSpec(spec)).toEqual(parsed));
  it.each([
    ['hel?o', true],
    ['lib*-dev', true],
    ['[ab]c', true],
    ['hello', false],
    ['g++', false],
  ])('%s is a pattern: %s', (name, yes) => expect(isAptPattern(name)).toBe(yes));
});

describe('compareDebVersions (dpkg --compare-versions)', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.0.1', '1.0.0', 1],
    ['2.10-3', '2.6-1', 1],
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1],
    ['1:0.9', '2.0', 1],
    ['1.0-1', '1.0-1+b1', -1],
    ['1.16-1+b3', '1.16-1', 1],
    ['2.0a', '2.0', 1],
    ['1.01', '1.1', 0],
  ])('%s vs %s: %d', (a, b, sign) => expect(Math.sign(compareDebVersions(a, b))).toBe(sign));
});

const POLICY = `foo:
  Installed: 1.0.0
  Candidate: 1.0.1
  Version table:
     2.0.1 100
        100 file:/tmp/repo testing/main all Packages
     2.0.0 100
        100 file:/tmp/repo testing/main all Packages
     1.0.1 500
        500 file:/tmp/repo stable/main all Packages
 *** 1.0.0 500
        500 file:/tmp/repo stable/main all Packages
        100 /var/lib/dpkg/status
hello:i386:
  Installed: (none)
  Candidate: 2.10-3
  Version table:
     2.10-3 500
        500 http://198.18.125.1:19000/debs ./ Packages
yaml-mode:
  Installed: (none)
  Candidate: (none)
  Version table:
`;

describe('parseAptPolicyTable', () => {
  const table = parseAptPolicyTable(POLICY);
  it('reads installed, candidate and the version table, highest first', () => {
    expect(table.get('foo')).toEqual({ installed: '1.0.0', candidate: '1.0.1', versions: ['2.0.1', '2.0.0', '1.0.1', '1.0.0'] });
    expect(table.get('hello:i386')).toEqual({ installed: undefined, candidate: '2.10-3', versions: ['2.10-3'] });
    expect(table.get('yaml-mode')).toEqual({ installed: undefined, candidate: undefined, versions: [] });
  });
  it.each([
    ['foo', true],
    ['foo:amd64', true],
    ['hello:i386', true],
    ['bar', false],
  ])('aptPolicyFor(%s) found: %s', (name, found) => expect(aptPolicyFor(table, name) !== undefined).toBe(found));
});

describe('planAptSpec (Ansible apt target matrix: foo 1.0.0 installed)', () => {
  const unpinned: AptPolicyEntry = { installed: '1.0.0', candidate: '1.0.1', versions: ['2.0.1', '2.0.0', '1.0.1', '1.0.0'] };
  const testing: AptPolicyEntry = { ...unpinned, candidate: '2.0.1' };
  const pinned: AptPolicyEntry = { ...unpinned, candidate: '1.0.0' };
  const absent: AptPolicyEntry = { installed: undefined, candidate: '1.0.1', versions: ['1.0.1', '1.0.0'] };
  it.each([
    // [spec, policy, latest, expected]
    ['foo', unpinned, false, { skip: true }],
    ['foo', unpinned, true, { arg: 'foo=1.0.1' }],
    ['foo=1.0.0', unpinned, false, { skip: true }],
    ['foo=1.0.0', unpinned, true, { skip: true }],
    ['foo=1.0.1', unpinned, false, { arg: 'foo=1.0.1' }],
    ['foo=1.0.*', unpinned, true, { arg: 'foo=1.0.1' }],
    ['foo=1.0.*', unpinned, false, { arg: 'foo=1.0.*' }],
    ['foo>=1.0.0', unpinned, false, { skip: true }],
    ['foo>=1.0.0', unpinned, true, { arg: 'foo=1.0.1' }],
    ['foo>=1.0.1', unpinned, false, { arg: 'foo=1.0.1' }],
    ['foo', testing, false, { skip: true }],
    ['foo', testing, true, { arg: 'foo=2.0.1' }],
    ['foo=2.0.0', unpinned, false, { arg: 'foo=2.0.0' }],
    ['foo>=2.0.0', testing, false, { arg: 'foo=2.0.1' }],
    ['foo', pinned, true, { skip: true }],
    ['foo>=1.0.0', pinned, true, { skip: true }],
    ['foo>=1.0.1', pinned, false, { error: 'no available installation candidate for foo>=1.0.1' }],
    ['foo=99', unpinned, false, { error: 'no available installation candidate for foo=99' }],
    ['foo', absent, false, { arg: 'foo=1.0.1' }],
    ['foo=1.0.0', absent, false, { arg: 'foo=1.0.0' }],
  ] as const)('%s (%j, latest %s)', (spec, entry, latest, expected) => expect(planAptSpec(splitAptSpec(spec), entry, { upgrade: latest })).toEqual(expected));
  it.each([
    ['foobar=1.0.1', absent, { skip: true }],
    ['foo=1.0.1', unpinned, { arg: 'foo=1.0.1' }],
  ] as const)('only_upgrade: %s', (spec, entry, expected) => expect(planAptSpec(splitAptSpec(spec), entry, { upgrade: false, onlyUpgrade: true })).toEqual(expected));
  it.each([
    ['nothing known', undefined, { error: "No package matching 'yaml-mode' is available" }],
    ['virtual', { installed: undefined, candidate: undefined, versions: [] }, { arg: 'yaml-mode' }],
  ] as const)('%s', (_what, entry, expected) => expect(planAptSpec(splitAptSpec('yaml-mode'), entry, { upgrade: true })).toEqual(expected));
});

describe("apt-get's output", () => {
  const plan = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\nThe following NEW packages will be installed:\n  foo\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.\nInst foo (1.0.1 localhost [all])\n';
  it.each([
    ['0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n', true],
    ['Reading state information...\n0 upgraded, 0 newly installed, 0 to remove and 3 not upgraded.\n', true],
    ['10 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n', false],
    [plan, false],
  ])('%j did nothing: %s', (out, nothing) => expect(aptGetDidNothing(out)).toBe(nothing));
  it('diff.prepared: from after "Reading state information..." to the summary', () =>
    expect(aptPreparedDiff(plan)).toEqual({ prepared: 'The following NEW packages will be installed:\n  foo\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.' }));
  it.each([
    [undefined, ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']],
    [['force-confnew'], ['-o', 'Dpkg::Options::=--force-confnew']],
  ])('dpkg options %j', (given, argv) => expect(aptDpkgOptions(given)).toEqual(argv));
});

describe('planAptBindingsInstall (no interpreter imports apt on the host)', () => {
  const install = ['apt-get', 'install', '--no-install-recommends', 'python3-apt', '-y', '-q'];
  it.each([
    ['check mode fails', { check: true }, { error: 'python3-apt must be installed to use check mode. If run normally this module can auto-install it.' }],
    ['check mode with update_cache=false fails too', { check: true, updateCache: false }, { error: 'python3-apt must be installed to use check mode. If run normally this module can auto-install it.' }],
    ['a normal run updates the cache and installs it', { check: false }, { warning: 'Updating cache and auto-installing missing dependency: python3-apt', commands: [['apt-get', 'update'], install] }],
    ['update_cache=true: the same', { check: false, updateCache: true }, { warning: 'Updating cache and auto-installing missing dependency: python3-apt', commands: [['apt-get', 'update'], install] }],
    ['update_cache=false: installs it without updating', { check: false, updateCache: false }, { warning: 'Auto-installing missing dependency without updating cache: python3-apt', commands: [install] }],
  ])('%s', (_, opts, plan) => expect(planAptBindingsInstall(opts)).toEqual(plan));
});

describe('aptRetryDelay (update_cache_retries, update_cache_retry_max_delay)', () => {
  it.each([
    [0, 12, 0.5, 1.5],
    [1, 12, 0.5, 2.5],
    [3, 12, 0, 8],
    [4, 12, 0.25, 12.25],
    [2, 3, 0.1, 3.1],
  ])('attempt %d, max %d, jitter %d: %d s', (attempt, max, jitter, delay) => expect(aptRetryDelay(attempt, max, jitter)).toBeCloseTo(delay));
});
