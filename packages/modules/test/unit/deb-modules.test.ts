/**
 * DebOps' dpkg_divert and ansible.posix's acl on a fake host whose dpkg-divert and setfacl/getfacl
 * answer as Debian 12's do: the commands run (and only those), changed, the returned values, check
 * mode, and the modules' failures in their words. test/provision/deb-modules.test.ts compares both
 * with ansible-playbook on lab hosts.
 */
import { describe, expect, it } from 'vitest';
import { aclModule, dpkgDivertModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext, runModule } from '@haweb/hostkit/testing';

const P = '/etc/ntp.conf';
const D = '/usr/bin/env LC_ALL=C /usr/bin/dpkg-divert';

/** A host with one (or no) diversion of P; dpkg-divert answers with Debian 12's messages. */
function divertHost(initial?: { pkg: string; to: string }, opts: { file?: boolean } = {}): FakeHost {
  const h = new FakeHost('deb', REAL_FOLDERS);
  let existing = initial;
  h.respond((c, text) => {
    if (text.includes('@@haweb-divert@@')) {
      const out = ['@@haweb-divert@@dpkg', '/usr/bin/dpkg-divert', '@@haweb-divert@@env', '/usr/bin/env', '@@haweb-divert@@list', ...(existing ? [existing.pkg] : []), '@@haweb-divert@@true', existing ? existing.to : P, ...(opts.file === false ? [] : ['@@haweb-divert@@exists'])];
      return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
    }
    if (!('argv' in c) || c.argv[2] !== '/usr/bin/dpkg-divert') return 'argv' in c && c.argv[0] === 'test' ? { code: 1, stdout: '', stderr: '' } : undefined;
    const a = c.argv.slice(3);
    const pkg = a.includes('--local') ? 'LOCAL' : a.includes('--package') ? a[a.indexOf('--package') + 1] : undefined;
    const to = a.includes('--divert') ? a[a.indexOf('--divert') + 1] : undefined;
    const what = (p: string, t: string) => `${p === 'LOCAL' ? 'local diversion' : 'diversion'} of ${P} to ${t}${p === 'LOCAL' ? '' : ` by ${p}`}`;
    if (a.includes('--remove')) {
      if (!existing) return { code: 0, stdout: `No diversion '${pkg || to ? what(pkg ?? 'LOCAL', to ?? '') : `any diversion of ${P}`}', none removed.\n`, stderr: '' };
      if ((pkg && pkg !== existing.pkg) || (to && to !== existing.to)) return { code: 2, stdout: '', stderr: `dpkg-divert: error: mismatch on package\n  when removing '${what(pkg ?? 'LOCAL', to ?? '')}'\n  found '${what(existing.pkg, existing.to)}'\n` };
      const out = `Removing '${what(existing.pkg, existing.to)}'\n`;
      if (!a.includes('--test')) existing = undefined;
      return { code: 0, stdout: out, stderr: '' };
    }
    if (existing && (existing.pkg !== pkg || existing.to !== to)) return { code: 2, stdout: '', stderr: `dpkg-divert: error: '${what(pkg ?? 'LOCAL', to ?? '')}' clashes with '${what(existing.pkg, existing.to)}'\n` };
    if (existing) return { code: 0, stdout: `Leaving '${what(existing.pkg, existing.to)}'\n`, stderr: '' };
    if (!a.includes('--test')) existing = { pkg: pkg ?? 'LOCAL', to: to ?? '' };
    return { code: 0, stdout: `Adding '${what(pkg ?? 'LOCAL', to ?? '')}'\n`, stderr: '' };
  });
  return h;
}

const dpkgRuns = (h: FakeHost) => h.ran().filter((l) => l.startsWith(D)).map((l) => l.slice(D.length + 1));

describe('debops.debops.dpkg_divert', () => {
  it.each<[string, ReturnType<typeof divertHost>, Record<string, unknown>, boolean, Record<string, unknown>, string[]]>([
    ['a new local diversion', divertHost(), {}, false, { changed: true, stdout: `Adding 'local diversion of ${P} to ${P}.dpkg-divert'\n`, cmd: `${D} --local --divert ${P}.dpkg-divert --rename --add ${P}` }, [`--test --local --divert ${P}.dpkg-divert --rename --add ${P}`, `--local --divert ${P}.dpkg-divert --rename --add ${P}`]],
    ['already there', divertHost({ pkg: 'LOCAL', to: `${P}.dpkg-divert` }), {}, false, { changed: false, stdout: `Leaving 'local diversion of ${P} to ${P}.dpkg-divert'\n` }, [`--test --local --divert ${P}.dpkg-divert --rename --add ${P}`, `--local --divert ${P}.dpkg-divert --rename --add ${P}`]],
    ['check mode: only dry runs', divertHost(), {}, true, { changed: true, cmd: `${D} --test --local --divert ${P}.dpkg-divert --rename --add ${P}` }, [`--test --local --divert ${P}.dpkg-divert --rename --add ${P}`, `--test --local --divert ${P}.dpkg-divert --rename --add ${P}`]],
    ['removing one that is not there', divertHost(), { state: 'absent' }, false, { changed: false, stdout: `No diversion 'local diversion of ${P} to ${P}.dpkg-divert', none removed.\n` }, [`--test --local --divert ${P}.dpkg-divert --rename --remove ${P}`, `--local --divert ${P}.dpkg-divert --rename --remove ${P}`]],
    ['removing, held by another package, with force', divertHost({ pkg: 'ntp', to: `${P}.distrib` }), { state: 'absent', force: true }, false, { changed: true, cmd: `${D} --rename --remove ${P}` }, [`--test --local --divert ${P}.dpkg-divert --rename --remove ${P}`, `--rename --remove ${P}`]],
    ['moving a diversion to a new holder with force', divertHost({ pkg: 'LOCAL', to: `${P}.dpkg-divert` }), { package: 'ntp', force: true }, false, { changed: true, cmd: [`${D} --rename --remove ${P}`, `${D} --package ntp --divert ${P}.distrib --rename --add ${P}`] }, [`--test --package ntp --divert ${P}.distrib --rename --add ${P}`, `--rename --remove ${P}`, `--package ntp --divert ${P}.distrib --rename --add ${P}`]],
  ])('%s', async (_why, h, args, check, want, runs) => {
    const r = await runModule(dpkgDivertModule, { path: P, ...args }, fsContext(h, { check }));
    expect(r).toMatchObject(want);
    expect(dpkgRuns(h)).toEqual(runs);
  });

  it('a clash without force fails with dpkg-divert\'s words', async () => {
    const r = await runModule(dpkgDivertModule, { path: P, package: 'ntp' }, fsContext(divertHost({ pkg: 'LOCAL', to: `${P}.dpkg-divert` })));
    expect(r).toMatchObject({ failed: true, rc: 2, msg: `dpkg-divert: error: 'diversion of ${P} to ${P}.distrib by ntp' clashes with 'local diversion of ${P} to ${P}.dpkg-divert'` });
  });

  it('check mode, absent with delete and the file there: the deletion is said, nothing is run but the dry run', async () => {
    const h = divertHost({ pkg: 'LOCAL', to: `${P}.dpkg-divert` });
    const r = await runModule(dpkgDivertModule, { name: P, state: 'absent', delete: true }, fsContext(h, { check: true }));
    expect(r).toMatchObject({ changed: true, stdout: `Deleting ${P} and removing local diversion of ${P} to ${P}.dpkg-divert` });
    expect(h.ran().some((l) => l.startsWith('rm '))).toBe(false);
  });
});

/** A host where /srv/www has ACL `lines`; setfacl --test says `test` and setfacl changes answer 0. */
function aclHost(test: string, lines = 'user::rwx\ngroup::r-x\nother::r-x\n\n', exists = true): FakeHost {
  const h = new FakeHost('deb', REAL_FOLDERS);
  h.respond((c, text) => {
    if (text.includes('@@haweb-acl@@')) return { code: 0, stdout: `@@haweb-acl@@getfacl\n/usr/bin/getfacl\n@@haweb-acl@@setfacl\n/usr/bin/setfacl\n${exists ? '@@haweb-acl@@exists\n' : ''}`, stderr: '' };
    if ('argv' in c && c.argv[0] === '/usr/bin/setfacl') return { code: 0, stdout: c.argv[1] === '--test' ? test : '', stderr: '' };
    if ('argv' in c && c.argv[0] === '/usr/bin/getfacl') return { code: 0, stdout: lines, stderr: '' };
    return undefined;
  });
  return h;
}
const facl = (h: FakeHost) => h.ran().filter((l) => l.startsWith('/usr/bin/setfacl') || l.startsWith('/usr/bin/getfacl'));

describe('ansible.posix.acl', () => {
  const changes = '/srv/www: u::rwx,u:bob:r-x,g::r-x,m::r-x,o::r-x,*\n';
  it.each<[string, string, Record<string, unknown>, boolean, Record<string, unknown>, string[]]>([
    ['a new entry', changes, { entity: 'bob', etype: 'user', permissions: 'rx', state: 'present' }, false, { changed: true, msg: 'user:bob:rx is present', acl: ['user::rwx', 'group::r-x', 'other::r-x'] }, ['/usr/bin/setfacl --test -m user:bob:rx /srv/www', '/usr/bin/setfacl -m user:bob:rx /srv/www', '/usr/bin/getfacl --omit-header --absolute-names /srv/www']],
    ['already set', '/srv/www: *,*\n', { entry: 'user:bob:rx', state: 'present' }, false, { changed: false, msg: 'user:bob:rx is present' }, ['/usr/bin/setfacl --test -m user:bob:rx /srv/www', '/usr/bin/getfacl --omit-header --absolute-names /srv/www']],
    ['check mode', changes, { entity: 'bob', etype: 'user', permissions: 'rx', state: 'present' }, true, { changed: true }, ['/usr/bin/setfacl --test -m user:bob:rx /srv/www', '/usr/bin/getfacl --omit-header --absolute-names /srv/www']],
    ['a default entry removed, given as one text', changes, { entry: 'default:user:bob', state: 'absent' }, false, { changed: true, msg: 'user:bob is absent' }, ['/usr/bin/setfacl --test -d -x user:bob /srv/www', '/usr/bin/setfacl -d -x user:bob /srv/www', '/usr/bin/getfacl -d --omit-header --absolute-names /srv/www']],
    ['query', '', {}, false, { changed: false, msg: 'current acl', acl: ['user::rwx', 'group::r-x', 'other::r-x'] }, ['/usr/bin/getfacl --omit-header --absolute-names /srv/www']],
  ])('%s', async (_why, test, args, check, want, runs) => {
    const h = aclHost(test);
    const r = await runModule(aclModule, { path: '/srv/www', ...args }, fsContext(h, { check }));
    expect(r).toMatchObject(want);
    expect(facl(h)).toEqual(runs);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ state: 'query', recursive: true }, "'recursive' MUST NOT be set when 'state=query'."],
    [{ state: 'query', recalculate_mask: 'mask' }, "'recalculate_mask' MUST NOT be set to 'mask' or 'no_mask' when 'state=query'."],
    [{ state: 'absent', etype: 'user', entity: 'bob', permissions: 'r' }, "'permissions' MUST NOT be set when 'state=absent'."],
    [{ state: 'absent', etype: 'user' }, "'entity' MUST be set when 'state=absent'."],
    [{ state: 'present', entity: 'bob' }, "'etype' MUST be set when 'state=present'."],
    [{ state: 'present', entry: 'user:bob:r', etype: 'user' }, "'entry' MUST NOT be set when 'entity', 'etype' or 'permissions' are set."],
    [{ state: 'present', entry: 'user:bob' }, "'entry' MUST have 3 or 4 sections divided by ':' when 'state=present'."],
    [{ state: 'absent', entry: 'bob' }, "'entry' MUST have 2 or 3 sections divided by ':' when 'state=absent'."],
    [{ state: 'query', entry: 'user:bob:r' }, "'entry' MUST NOT be set when 'state=query'."],
  ])('fails: %j', async (args, msg) => {
    const h = aclHost('');
    const r = await runModule(aclModule, { path: '/srv/www', ...args }, fsContext(h));
    expect(r).toMatchObject({ failed: true, msg });
    expect(facl(h)).toEqual([]);
  });

  it('a missing path fails before anything runs', async () => {
    const r = await runModule(aclModule, { path: '/nope', state: 'query' }, fsContext(aclHost('', '', false)));
    expect(r).toMatchObject({ failed: true, msg: 'Path not found or not accessible.' });
  });
});
