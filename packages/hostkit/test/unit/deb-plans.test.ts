/**
 * dpkg-divert and getfacl/setfacl command lines and output readings, as DebOps' dpkg_divert module and
 * ansible.posix's acl module build and read them.
 */
import { describe, expect, it } from 'vitest';
import {
  aclArgv,
  aclLines,
  aclTestArgv,
  aclWouldChange,
  buildAclEntry,
  defaultDivertPath,
  diversionState,
  divertUnchanged,
  dpkgDivertForceRemoveOptions,
  dpkgDivertOptions,
  dpkgDivertRestoreOptions,
  splitAclEntry,
  type AclCommand,
  type DivertRequest,
} from '../../src/index.js';

const P = '/etc/ntp.conf';

describe('dpkg-divert command lines', () => {
  it.each<[string, Partial<DivertRequest>, boolean, string]>([
    ['local, renamed (the defaults)', {}, false, `--local --divert ${P}.dpkg-divert --rename --add ${P}`],
    ['local, dry run', {}, true, `--test --local --divert ${P}.dpkg-divert --rename --add ${P}`],
    ["a package's, to .distrib", { package: 'ntp' }, false, `--package ntp --divert ${P}.distrib --rename --add ${P}`],
    ['a divert path given, not renamed', { divert: '/etc/ntp.conf.orig', rename: false }, false, `--local --divert /etc/ntp.conf.orig --add ${P}`],
    ['removal', { state: 'absent' }, false, `--local --divert ${P}.dpkg-divert --rename --remove ${P}`],
    ['no holder (package empty): no --package, no --divert', { package: '' }, false, `--rename --add ${P}`],
  ])('%s', (_why, req, test, want) => {
    expect(dpkgDivertOptions({ path: P, state: 'present', package: 'LOCAL', rename: true, ...req }, test).join(' ')).toBe(want);
  });

  it.each<[boolean, boolean, string]>([
    [true, false, `--rename --remove ${P}`],
    [true, true, `--rename --test --remove ${P}`],
    [false, false, `--remove ${P}`],
  ])('forced removal (rename %s, test %s)', (rename, test, want) => {
    expect(dpkgDivertForceRemoveOptions(P, rename, test).join(' ')).toBe(want);
  });

  it.each<[string, string, boolean, string]>([
    ['LOCAL', `${P}.dpkg-divert`, true, `--rename --local --divert ${P}.dpkg-divert ${P}`],
    ['ntp', `${P}.distrib`, false, `--package ntp --divert ${P}.distrib ${P}`],
  ])('restoring a diversion of %s', (pkg, old, rename, want) => {
    expect(dpkgDivertRestoreOptions(P, pkg, old, rename).join(' ')).toBe(want);
  });

  it.each<[string, string | undefined]>([
    ['LOCAL', `${P}.dpkg-divert`],
    ['ntp', `${P}.distrib`],
    ['', undefined],
  ])('default divert path for %j', (pkg, want) => {
    expect(defaultDivertPath(P, pkg)).toBe(want);
  });

  it.each<[string, boolean]>([
    [`Leaving 'local diversion of ${P} to ${P}.dpkg-divert'\n`, true],
    [`No diversion 'any diversion of ${P}', none removed.\n`, true],
    [`Adding 'local diversion of ${P} to ${P}.dpkg-divert'\n`, false],
    [`Removing 'local diversion of ${P} to ${P}.dpkg-divert'\n`, false],
  ])('unchanged: %j', (out, want) => {
    expect(divertUnchanged(out)).toBe(want);
  });

  it.each<[string, string, Record<string, unknown>]>([
    [
      'diverted locally, the file there',
      '@@haweb-divert@@dpkg\n/usr/bin/dpkg-divert\n@@haweb-divert@@env\n/usr/bin/env\n@@haweb-divert@@list\nLOCAL\n@@haweb-divert@@true\n/etc/ntp.conf.dpkg-divert\n@@haweb-divert@@exists\n',
      { dpkgDivert: '/usr/bin/dpkg-divert', env: '/usr/bin/env', listpackage: 'LOCAL\n', truename: '/etc/ntp.conf.dpkg-divert\n', exists: true },
    ],
    [
      'not diverted, no file',
      '@@haweb-divert@@dpkg\n/usr/bin/dpkg-divert\n@@haweb-divert@@env\n/usr/bin/env\n@@haweb-divert@@list\n@@haweb-divert@@true\n/etc/ntp.conf\n',
      { listpackage: '', truename: '/etc/ntp.conf\n', exists: false },
    ],
    ['no dpkg-divert', '@@haweb-divert@@dpkg\n\n@@haweb-divert@@env\n/usr/bin/env\n', { dpkgDivert: undefined, listpackage: '' }],
  ])('the diversion fact: %s', (_why, out, want) => {
    expect(diversionState.parse(out, 0, { path: P })).toMatchObject(want);
  });
});

describe('getfacl/setfacl', () => {
  it.each<[string, ReturnType<typeof splitAclEntry>]>([
    ['user:bob:rwx', { default: undefined, etype: 'user', entity: 'bob', permissions: 'rwx' }],
    ['default:group:adm:r-x', { default: true, etype: 'group', entity: 'adm', permissions: 'r-x' }],
    ['d:u:bob', { default: true, etype: 'user', entity: 'bob', permissions: undefined }],
    ['m::rx', { default: undefined, etype: 'mask', entity: '', permissions: 'rx' }],
    ['other::r', { default: undefined, etype: 'other', entity: '', permissions: 'r' }],
    ['x:bob:r', { default: undefined, etype: undefined, entity: 'bob', permissions: 'r' }],
  ])('split %j', (entry, want) => {
    expect(splitAclEntry(entry)).toEqual(want);
  });

  it.each<[string, string, string | undefined, boolean, string]>([
    ['user', 'bob', 'rwx', false, 'user:bob:rwx'],
    ['user', 'bob', undefined, false, 'user:bob'],
    ['group', 'adm', 'rx', true, 'group:adm:rx:allow'],
  ])('entry %s %s %s (nfsv4 %s)', (t, e, p, nfs, want) => {
    expect(buildAclEntry(t, e, p, nfs)).toBe(want);
  });

  const base: AclCommand = { mode: 'set', path: '/srv/www', follow: true, default: false, recursive: false, recalculateMask: 'default', entry: 'user:bob:rx' };
  it.each<[string, Partial<AclCommand>, string]>([
    ['set', {}, '/usr/bin/setfacl -m user:bob:rx /srv/www'],
    ['set on the default ACL, recursively, mask recalculated, not following links', { default: true, recursive: true, recalculateMask: 'mask', follow: false }, '/usr/bin/setfacl -d -m user:bob:rx --recursive --mask --physical /srv/www'],
    ['remove, no mask', { mode: 'rm', entry: 'user:bob', recalculateMask: 'no_mask' }, '/usr/bin/setfacl -x user:bob --no-mask /srv/www'],
    ['read', { mode: 'get', entry: undefined }, '/usr/bin/setfacl --omit-header --absolute-names /srv/www'],
    ['read the default ACL (mask options are for changes only)', { mode: 'get', default: true, recalculateMask: 'mask' }, '/usr/bin/setfacl -d --omit-header --absolute-names /srv/www'],
  ])('%s', (_why, c, want) => {
    expect(aclArgv('/usr/bin/setfacl', { ...base, ...c }).join(' ')).toBe(want);
  });

  it('the dry run puts --test after the tool', () => {
    expect(aclTestArgv(['/usr/bin/setfacl', '-d', '-m', 'u:bob:r', '/x'])).toEqual(['/usr/bin/setfacl', '--test', '-d', '-m', 'u:bob:r', '/x']);
  });

  it.each<[string, string[]]>([
    ['user::rw-\nuser:bob:r-x\ngroup::r--\nmask::r-x\nother::r--\n\n', ['user::rw-', 'user:bob:r-x', 'group::r--', 'mask::r-x', 'other::r--']],
    ['# file: x\nuser::rwx\n', ['user::rwx']],
    ['', []],
  ])('getfacl lines of %j', (out, want) => {
    expect(aclLines(out)).toEqual(want);
  });

  it.each<[string, boolean]>([
    ['/srv/www: u::rwx,u:bob:r-x,g::r-x,m::r-x,o::r-x,*\n', true],
    ['/srv/www: *,*\n', false],
    ['/srv/www: u::rwx,g::r-x,o::r-x,*\n/srv/www/a: *,*\n', true],
  ])('setfacl --test says a change is due: %j', (out, want) => {
    expect(aclWouldChange(out)).toBe(want);
  });
});
