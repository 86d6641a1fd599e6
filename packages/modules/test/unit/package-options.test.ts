/** Ansible's apt/yum options: the APT cache (update_cache, cache_valid_time), install_recommends, repositories. */
import { describe, expect, it } from 'vitest';
import { argsFromString } from '@haweb/core';
import { aptModule, packageModule, yumModule } from '../../src/index.js';
import { aptCacheStale, aptCacheTime, parseAptCacheTime } from '../../src/facts/apt-cache.js';
import { planPackages } from '@haweb/hostkit';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const argvs = (p: { commands: Array<{ argv: string[] }> }) => p.commands.map((c) => c.argv.join(' '));

describe('the APT cache time', () => {
  it.each([
    ['1700000000 1700003000\n', { updated: 1700000000, now: 1700003000 }],
    ['0 1700003000', { updated: 0, now: 1700003000 }],
  ])('parses %j', (stdout, expected) => expect(parseAptCacheTime(stdout)).toEqual(expected));
  it('refuses output without the host clock', () => expect(() => parseAptCacheTime('')).toThrow(/apt cache time/));
  it('reads the success stamp first, then the lists folder (as Ansible)', () => {
    expect(aptCacheTime.command({})).toMatch(/update-success-stamp.*\/var\/lib\/apt\/lists/);
  });
  it.each([
    [{ updated: 1000, now: 1000 }, 0, false],
    [{ updated: 999, now: 1000 }, 0, true],
    [{ updated: 1000, now: 4600 }, 3600, false],
    [{ updated: 1000, now: 4601 }, 3600, true],
    [{ updated: 0, now: 4601 }, 3600, true],
  ])('%j valid for %d s: stale %s', (time, valid, stale) => expect(aptCacheStale(time, valid)).toBe(stale));
});

/** A host whose APT cache time moves when apt-get update runs. */
function aptHost(updated: number, now: number) {
  const host = new FakeHost('fake-host', REAL_FOLDERS);
  const state = { updated, updates: 0 };
  host.respond((c, text) => {
    if (text.includes("-c 'import apt'")) return { code: 0, stdout: '/usr/bin/python3\n', stderr: '' };
    if (text.includes('update-success-stamp')) return { code: 0, stdout: `${state.updated} ${now}\n`, stderr: '' };
    if (text.endsWith('apt-get update -q')) {
      state.updates++;
      state.updated = now;
      return { code: 0, stdout: '', stderr: '' };
    }
    if (text.startsWith('dpkg-query')) return { code: 0, stdout: 'nginx\tinstall ok installed\t1.22\n', stderr: '' };
    if (text.startsWith('apt-cache policy')) return { code: 0, stdout: 'nginx:\n  Installed: 1.22\n  Candidate: 1.22\n  Version table:\n *** 1.22 500\n', stderr: '' };
    if (text.startsWith('apt-mark manual')) return { code: 0, stdout: '', stderr: '' };
    return undefined;
  });
  return { host, state };
}

describe('apt: update_cache and cache_valid_time', () => {
  it('`apt: update_cache=yes cache_valid_time=3600` alone updates a stale cache and reports it', async () => {
    const { args } = argsFromString('update_cache=yes cache_valid_time=3600', aptModule, 'apt');
    const { host, state } = aptHost(1000, 10000);
    const r = await runModule(aptModule, args, fakeContext(host));
    expect(r).toEqual({ changed: true, cache_updated: true, cache_update_time: 10000 });
    expect(state.updates).toBe(1);
  });

  it('a cache younger than cache_valid_time is left alone: changed=false', async () => {
    const { host, state } = aptHost(9000, 10000);
    const r = await runModule(aptModule, { update_cache: true, cache_valid_time: 3600 }, fakeContext(host));
    expect(r).toEqual({ changed: false, cache_updated: false, cache_update_time: 9000 });
    expect(state.updates).toBe(0);
  });

  it('a cache_valid_time asks for an update without update_cache (Ansible 2.4+); alone it is taken (the default of autoremove satisfies required_one_of)', async () => {
    const { host, state } = aptHost(1000, 10000);
    await runModule(aptModule, { name: 'nginx', cache_valid_time: 60 }, fakeContext(host));
    expect(state.updates).toBe(1);
    expect(aptModule.args.safeParse({ cache_valid_time: 60 }).success).toBe(true);
  });

  it('check mode reports the update it would make and makes none', async () => {
    const { host, state } = aptHost(1000, 10000);
    const r = await runModule(aptModule, { update_cache: 'yes' }, fakeContext(host, { check: true }));
    expect(r).toMatchObject({ changed: true, cache_updated: true });
    expect(state.updates).toBe(0);
  });

  it('with packages already there: the cache is updated, the task is not changed by it', async () => {
    const { host, state } = aptHost(1000, 10000);
    const r = await runModule(aptModule, { name: 'nginx', update_cache: true }, fakeContext(host));
    expect(r).toEqual({ changed: false, cache_updated: true, cache_update_time: 10000 });
    expect(state.updates).toBe(1);
  });

  it('accepts Ansible\'s aliases (pkg, update-cache, install-recommends) and refuses an option given twice', () => {
    expect(aptModule.args.safeParse({ pkg: 'nginx', 'update-cache': 'yes', 'install-recommends': false }).data).toEqual({ name: ['nginx'], update_cache: true, install_recommends: false });
    expect(aptModule.args.safeParse({ name: 'a', pkg: 'b' }).error?.issues[0].message).toBe("give 'name' or its alias 'pkg', not both");
  });

  it('a stray word in the one-line form is an error, not a package', () => {
    expect(argsFromString('name=npm state=present epel', aptModule, 'apt').error).toMatch(/not free text \('epel'\)/);
    expect(aptModule.args.safeParse(argsFromString('name=npm enablerepo=epel', aptModule, 'apt').args).success).toBe(false);
  });
});

describe('repositories in the plan (yum/dnf) and apt\'s one-line options', () => {
  const none = new Map<string, string | undefined>([['npm', undefined]]);
  it.each([
    [{ tool: 'dnf', enableRepos: ['epel'] }, ['dnf install -y -q --enablerepo=epel -- npm']],
    [{ tool: 'yum', enableRepos: ['epel', 'extras'], disableRepos: ['*'], expireCache: true }, [
      'yum --disablerepo=* --enablerepo=epel,extras clean expire-cache',
      'yum install -y -q --disablerepo=* --enablerepo=epel,extras -- npm',
    ]],
  ] as const)('%j', (opts, expected) => {
    expect(argvs(planPackages(none, { names: ['npm'], state: 'present', ...opts } as never))).toEqual(expected);
  });

  it('apt reads the one-line form of these options and their aliases', () => {
    const { args } = argsFromString('name=npm default-release=bookworm-backports allow-downgrades=yes dpkg_options=force-confdef,force-confold purge=no force_apt_get=yes', aptModule, 'apt');
    expect(aptModule.args.parse(args)).toEqual({
      name: ['npm'], default_release: 'bookworm-backports', allow_downgrade: true, dpkg_options: ['force-confdef', 'force-confold'], purge: false, force_apt_get: true,
    });
  });

  it('`dnf: name=npm state=present enablerepo=epel` reaches the install command', async () => {
    const { args } = argsFromString('name=npm state=present enablerepo=epel', yumModule, 'dnf');
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c, text) => (text.startsWith('rpm -q') ? { code: 0, stdout: 'package npm is not installed\n', stderr: '' } : text.startsWith('yum install') ? { code: 0, stdout: '', stderr: '' } : undefined));
    const r = await runModule(yumModule, args, fakeContext(host));
    expect(r).toMatchObject({ changed: true, installed: ['npm'] });
    expect(host.ran().at(-1)).toBe('yum install -y -q --enablerepo=epel -- npm');
  });
});

describe('apt state=latest (Oefenweb.keepalived, evrardjp.keepalived: refused before)', () => {
  const POLICY = [
    'keepalived:',
    '  Installed: 1:2.2.7-1',
    '  Candidate: 1:2.2.7-1+b2',
    '  Version table:',
    ' *** 1:2.2.7-1 100',
    '        100 /var/lib/dpkg/status',
    'procps:',
    '  Installed: 2:4.0.2-3',
    '  Candidate: 2:4.0.2-3',
    'ghost:',
    '  Installed: (none)',
    '  Candidate: (none)',
    '',
  ].join('\n');

  it('the module: latest with the package at its candidate is changed=false and still marks it manual, as Ansible', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((_c, text) => {
      if (text.includes("-c 'import apt'")) return { code: 0, stdout: '/usr/bin/python3\n', stderr: '' };
      if (text.startsWith('dpkg-query')) return { code: 0, stdout: 'procps\tinstall ok installed\t2:4.0.2-3\n', stderr: '' };
      if (text.startsWith('apt-cache policy')) return { code: 0, stdout: POLICY, stderr: '' };
      if (text.includes('update-success-stamp')) return { code: 0, stdout: '1000 2000\n', stderr: '' };
      if (text.startsWith('apt-mark manual')) return { code: 0, stdout: '', stderr: '' };
      return undefined;
    });
    const r = await runModule(aptModule, aptModule.args.parse({ name: ['procps'], state: 'latest' }), fakeContext(host));
    expect(r).toEqual({ changed: false, cache_updated: false, cache_update_time: 1000 });
    expect(host.ran().at(-1)).toBe('apt-mark manual procps');
  });

  it('yum refuses latest (not implemented there); apt and package take it', () => {
    expect(aptModule.args.safeParse({ name: ['a'], state: 'latest' }).success).toBe(true);
    expect(packageModule.args.safeParse({ name: ['a'], state: 'latest' }).success).toBe(true);
    expect(yumModule.args.safeParse({ name: ['a'], state: 'latest' }).success).toBe(false);
  });
});
