/** apt against a fake Debian host (dpkg database, a repository of versions): what apt-get is given and what the module returns. */
import { describe, expect, it } from 'vitest';
import { aptModule, packageModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const REPO: Record<string, string[]> = { hello: ['2.10-3'], foo: ['1.0.1', '1.0.0'], foobar: ['1.0.1', '1.0.0'], tree: ['2.1.0-1'] };
const SUMMARY = (n: number, r = 0) => `${n ? 0 : 0} upgraded, ${n} newly installed, ${r} to remove and 0 not upgraded.\n`;

/** A host whose dpkg database is `db` (name -> version) and whose sources hold REPO; apt-get changes db unless --simulate. */
function aptHost(db: Map<string, string>, opts: { held?: string[]; noBindings?: boolean; failing?: string } = {}) {
  const host = new FakeHost('deb', REAL_FOLDERS);
  let bindings = !opts.noBindings;
  host.respond((c, shown) => {
    // policy_rc_d: apt-get inside the policy-rc.d script (sh -c SCRIPT policy-rc.d PATH CODE apt-get ...)
    const text = 'argv' in c && c.argv[0] === 'sh' && c.argv[3] === 'policy-rc.d' ? c.argv.slice(6).join(' ') : shown;
    if (opts.failing && text.startsWith(opts.failing)) return { code: 100, stdout: '', stderr: 'E: Unable to locate package python3-apt\n' };
    if (text.includes("-c 'import apt'")) return { code: 0, stdout: bindings ? '/usr/bin/python3\n' : '', stderr: '' };
    if (text === 'apt-get clean') return { code: 0, stdout: '', stderr: '' };
    if (text === 'apt-get update -q' && opts.failing === 'update -q') return { code: 0, stdout: '', stderr: 'W: Failed to fetch http://lab/./InRelease  Connection refused\n' };
    if (text === 'apt-get update') return { code: 0, stdout: 'Reading package lists...\n', stderr: '' };
    if (text === 'apt-get install --no-install-recommends python3-apt -y -q') {
      bindings = true;
      return { code: 0, stdout: SUMMARY(1), stderr: '' };
    }
    if (text.includes('update-success-stamp')) return { code: 0, stdout: '1000 2000\n', stderr: '' };
    if (text.startsWith('apt-cache pkgnames')) return { code: 0, stdout: `${Object.keys(REPO).join('\n')}\n`, stderr: '' };
    if (text.startsWith('apt-cache')) {
      const names = text.split(' -- ')[1].split(' ');
      const out = names
        .filter((n) => REPO[n] || db.has(n))
        .map((n) => {
          const versions = REPO[n] ?? [];
          return [`${n}:`, `  Installed: ${db.get(n) ?? '(none)'}`, `  Candidate: ${versions[0] ?? '(none)'}`, '  Version table:', ...versions.map((v) => ` ${db.get(n) === v ? '***' : '   '} ${v} 500`)].join('\n');
        });
      return { code: 0, stdout: `${out.join('\n')}\n`, stderr: '' };
    }
    if (text.includes('dpkg-query -W')) {
      const names = /for n in (.*?); do /.exec(text)![1].split(' ');
      return { code: 0, stdout: names.map((n) => `${n}\t${db.has(n) ? `ii \t${db.get(n)}` : ''}\n`).join(''), stderr: '' };
    }
    if (text.startsWith('apt-mark manual')) return { code: 0, stdout: '', stderr: '' };
    const m = /^apt-get (.*?) (install|remove|build-dep|autoremove|dist-upgrade|upgrade)(?: (.*))?$/.exec(text);
    if (m) {
      const simulate = m[1].includes('--simulate');
      const all = (m[3] ?? '').split(' ');
      const words = all.slice(0, all.findIndex((w) => w.startsWith('-')) >>> 0).filter(Boolean);
      if (m[2] === 'install') {
        const lines: string[] = [];
        for (const w of words) {
          const [n, v] = w.split('=');
          if (!REPO[n]) return { code: 100, stdout: '', stderr: `E: Unable to locate package ${n}\n` };
          if (opts.held?.includes(n) && !m[3]!.includes('--allow-change-held-packages')) {
            return { code: 100, stdout: '', stderr: 'E: Held packages were changed and -y was used without --allow-change-held-packages.\n' };
          }
          const version = v ?? REPO[n][0];
          lines.push(`Inst ${n}${db.has(n) ? ` [${db.get(n)}]` : ''} (${version} localhost [all])`);
          if (!simulate) db.set(n, version);
        }
        return { code: 0, stdout: `Reading state information...\nThe following NEW packages will be installed:\n  ${words.join(' ')}\n${SUMMARY(words.length)}${lines.join('\n')}\n`, stderr: '' };
      }
      if (m[2] === 'remove') {
        if (!simulate) for (const w of words) db.delete(w);
        return { code: 0, stdout: `The following packages will be REMOVED:\n  ${words.join(' ')}\n${SUMMARY(0, words.length)}`, stderr: '' };
      }
      if (m[2] === 'build-dep') {
        const had = db.has('debhelper');
        if (!simulate) db.set('debhelper', '13.11.4');
        return { code: 0, stdout: had ? SUMMARY(0) : SUMMARY(1), stderr: '' };
      }
      return { code: 0, stdout: SUMMARY(0), stderr: '' };
    }
    return undefined;
  });
  return host;
}

const apt = (host: FakeHost, args: Record<string, unknown>, o: { check?: boolean; diff?: boolean } = {}) =>
  runModule(aptModule, aptModule.args.parse(args), fakeContext(host, o));
const aptGets = (host: FakeHost) => host.ran().filter((t) => t.startsWith('apt-get'));
const DPKG = '-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

describe('apt: what apt-get is given, from the installed versions and the repository', () => {
  it.each([
    // [installed, args, apt-get line (undefined: none), changed]
    [{}, { name: 'hello' }, `apt-get -y ${DPKG} install hello=2.10-3`, true],
    [{ hello: '2.10-3' }, { name: 'hello' }, undefined, false],
    [{}, { name: 'hel?o' }, `apt-get -y ${DPKG} install hello=2.10-3`, true],
    [{ foo: '1.0.0' }, { name: 'foo', state: 'latest' }, `apt-get -y ${DPKG} install foo=1.0.1`, true],
    [{ foo: '1.0.1' }, { name: 'foo', state: 'latest' }, undefined, false],
    [{ foo: '1.0.1' }, { name: 'foo=1.0.0', allow_downgrade: true }, `apt-get -y ${DPKG} install foo=1.0.0 --allow-downgrades`, true],
    [{}, { name: 'foobar=1.0.1,foo=1.0.1', only_upgrade: true }, undefined, false],
    [{ foo: '1.0.0' }, { name: 'foobar=1.0.1,foo=1.0.1', only_upgrade: true }, `apt-get -y ${DPKG} --only-upgrade install foo=1.0.1`, true],
    [{}, { name: 'hello', fail_on_autoremove: true, force: true }, `apt-get -y ${DPKG} --force-yes --no-remove install hello=2.10-3`, true],
    [{}, { name: 'foo', default_release: 'testing', install_recommends: false }, `apt-get -y ${DPKG} install foo=1.0.1 -t testing -o APT::Install-Recommends=no`, true],
    [{ hello: '2.10-3' }, { name: 'hello', state: 'absent', purge: true }, `apt-get -q -y ${DPKG} --purge remove hello`, true],
    [{}, { name: 'hello', state: 'absent' }, undefined, false],
    [{ hello: '2.10-3' }, { name: 'hello=1.*', state: 'absent' }, undefined, false],
    [{}, { name: 'tree', state: 'build-dep' }, `apt-get -y ${DPKG} build-dep tree`, true],
    [{ debhelper: '13' }, { name: 'tree', state: 'build-dep' }, `apt-get -y ${DPKG} build-dep tree`, false],
    [{}, { autoremove: true }, `apt-get -y ${DPKG} autoremove`, false],
    [{}, { upgrade: 'dist', autoremove: true }, `apt-get -y ${DPKG} dist-upgrade --auto-remove`, false],
    [{}, { upgrade: 'safe', force_apt_get: true }, `apt-get -y ${DPKG} upgrade --with-new-pkgs`, false],
    [{}, { name: '*', state: 'latest' }, `apt-get -y ${DPKG} upgrade --with-new-pkgs`, false],
  ] as const)('%j %j', async (installed, args, line, changed) => {
    const host = aptHost(new Map(Object.entries(installed)));
    const r = await apt(host, args);
    expect(r).toMatchObject({ changed });
    expect(r.failed).toBeFalsy();
    expect(aptGets(host)).toEqual(line ? [line] : []);
  });

  it.each([
    [{ name: 'foo=99' }, 'no available installation candidate for foo=99'],
    [{ name: 'nosuch?pkg' }, "No package(s) matching 'nosuch?pkg' available"],
    [{ name: 'nosuch' }, "No package matching 'nosuch' is available"],
    [{ name: '*,test', state: 'latest' }, 'unable to install additional packages when upgrading all installed packages'],
    [{ name: 'a=1=2' }, 'invalid package spec: a=1=2'],
  ])('%j fails: %s', async (args, msg) => {
    const host = aptHost(new Map());
    expect(await apt(host, args)).toMatchObject({ failed: true, msg });
    expect(aptGets(host)).toEqual([]);
  });

  it("a held package: apt-get's error in msg and stderr; allow_change_held_packages passes it on", async () => {
    const db = new Map([['hello', '2.6-1']]);
    const held = await apt(aptHost(db, { held: ['hello'] }), { name: 'hello', state: 'latest' });
    expect(held).toMatchObject({ failed: true, stderr: expect.stringContaining('--allow-change-held-packages') });
    expect(held.msg).toMatch(/^'apt-get -y .* install hello=2.10-3' failed: E: Held packages/);
    const ok = await apt(aptHost(db, { held: ['hello'] }), { name: 'hello', state: 'latest', allow_change_held_packages: true });
    expect(ok).toMatchObject({ changed: true });
    expect(db.get('hello')).toBe('2.10-3');
  });

  it('check mode simulates: the plan in stdout and diff.prepared, nothing installed, nothing marked', async () => {
    const db = new Map([['foo', '1.0.0']]);
    const host = aptHost(db);
    const r = await apt(host, { name: 'foo=1.0.1' }, { check: true, diff: true });
    expect(r).toMatchObject({ changed: true, stdout_lines: expect.arrayContaining(['Inst foo [1.0.0] (1.0.1 localhost [all])']) });
    expect(r.ansibleDiff).toEqual({ prepared: 'The following NEW packages will be installed:\n  foo=1.0.1\n0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.' });
    expect(aptGets(host)).toEqual([`apt-get -y ${DPKG} --simulate install foo=1.0.1`]);
    expect(db.get('foo')).toBe('1.0.0');
    expect(host.ran().some((t) => t.startsWith('apt-mark'))).toBe(false);
  });

  it('an install returns stdout, stderr, their lines and the cache fields; the names are marked manual', async () => {
    const host = aptHost(new Map());
    const r = await apt(host, { name: 'hello' });
    expect(r).toMatchObject({ changed: true, stderr: '', stderr_lines: [], cache_updated: false, cache_update_time: 1000 });
    expect(r.stdout_lines).toContain('Inst hello (2.10-3 localhost [all])');
    expect(host.ran().at(-1)).toBe('apt-mark manual hello');
  });
});

describe('apt on a host without python3-apt (no interpreter imports apt), as Ansible\'s apt', () => {
  const INSTALL = 'apt-get install --no-install-recommends python3-apt -y -q';
  const CHECK_MSG = 'python3-apt must be installed to use check mode. If run normally this module can auto-install it.';
  it.each([
    // [args, check mode, the apt-get lines run, what the result says]
    [{ name: 'hello' }, true, [], { failed: true, msg: CHECK_MSG }],
    [{ name: 'hello', state: 'absent', update_cache: false }, true, [], { failed: true, msg: CHECK_MSG }],
    [{ update_cache: true }, true, [], { failed: true, msg: CHECK_MSG }],
    [{ name: 'hello' }, false, ['apt-get update', INSTALL, `apt-get -y ${DPKG} install hello=2.10-3`], { changed: true }],
    [{ name: 'hello', state: 'absent', purge: true }, false, ['apt-get update', INSTALL], { changed: false }],
    [{ name: 'hello', state: 'absent', update_cache: false }, false, [INSTALL], { changed: false }],
  ] as const)('%j, check mode %s', async (args, check, lines, result) => {
    const host = aptHost(new Map(), { noBindings: true });
    const r = await apt(host, args, { check });
    expect(r).toMatchObject(result);
    // The install is no change of the task's, and its warning is not returned (Ansible's module runs again under the interpreter that imports apt).
    expect(r.warnings).toBeUndefined();
    expect(aptGets(host)).toEqual(lines);
  });

  it.each([
    ['apt-get update', { update_cache: undefined }, 'Updating cache and auto-installing missing dependency: python3-apt'],
    [INSTALL, { update_cache: false }, 'Auto-installing missing dependency without updating cache: python3-apt'],
  ])('a failing %s fails the task with its stderr, rc and the warning', async (failing, extra, warning) => {
    const host = aptHost(new Map(), { noBindings: true, failing });
    const r = await apt(host, { name: 'hello', ...extra });
    expect(r).toMatchObject({ failed: true, rc: 100, msg: 'E: Unable to locate package python3-apt', cmd: failing, warnings: [warning] });
    expect(aptGets(host).at(-1)).toBe(failing);
  });
});

describe('apt policy_rc_d', () => {
  it.each([
    [{}, { name: 'hello', policy_rc_d: 101 }, `apt-get -y ${DPKG} install hello=2.10-3`],
    [{ hello: '2.10-3' }, { name: 'hello', state: 'absent', policy_rc_d: 0 }, `apt-get -q -y ${DPKG} remove hello`],
  ])('%j %j: apt-get runs inside the policy-rc.d script, with the code', async (installed, args, line) => {
    const host = aptHost(new Map(Object.entries(installed)));
    expect(await apt(host, args)).toMatchObject({ changed: true });
    const wrapped = host.ran().find((t) => t.startsWith('sh -c '));
    expect(wrapped).toContain(`policy-rc.d /usr/sbin/policy-rc.d ${args.policy_rc_d} ${line}`);
  });
});

describe('package on a Debian host is apt (Ansible\'s package action runs the apt module)', () => {
  const DEBIAN = { ansible_os_family: 'Debian', ansible_pkg_mgr: 'apt', ansible_service_mgr: 'sysvinit' };
  it.each([
    [{}, { name: ['hello', 'foo'] }, `apt-get -y ${DPKG} install hello=2.10-3 foo=1.0.1`, true],
    [{ hello: '2.10-3' }, { name: 'hello' }, undefined, false],
    [{ hello: '2.10-3' }, { name: 'hello', state: 'absent', purge: true }, `apt-get -q -y ${DPKG} --purge remove hello`, true],
  ] as const)('%j %j', async (installed, args, line, changed) => {
    const host = aptHost(new Map(Object.entries(installed)));
    const r = await runModule(packageModule, args, fakeContext(host, { facts: DEBIAN }));
    expect(r).toMatchObject({ changed });
    expect(aptGets(host)).toEqual(line ? [line] : []);
  });

  it('without python3-apt: check mode fails as apt does', async () => {
    const host = aptHost(new Map(), { noBindings: true });
    const r = await runModule(packageModule, { name: 'hello' }, fakeContext(host, { facts: DEBIAN, check: true }));
    expect(r).toMatchObject({ failed: true, msg: 'python3-apt must be installed to use check mode. If run normally this module can auto-install it.' });
  });

  it('an unknown package fails with apt\'s message', async () => {
    const r = await runModule(packageModule, { name: 'no-such-pkg' }, fakeContext(aptHost(new Map()), { facts: DEBIAN }));
    expect(r).toMatchObject({ failed: true, msg: "No package matching 'no-such-pkg' is available" });
  });
});

describe('apt clean and the cache update retries', () => {
  it.each([
    [{ clean: true }, false, ['apt-get clean'], { changed: true, msg: '', stdout: '' }],
    [{ clean: true }, true, ['apt-get clean'], { changed: true }],
    [{ clean: true, name: 'hello' }, false, ['apt-get clean', `apt-get -y ${DPKG} install hello=2.10-3`], { changed: true }],
  ] as const)('%j, check mode %s: apt-get clean first (in check mode too)', async (args, check, lines, result) => {
    const host = aptHost(new Map());
    expect(await apt(host, args, { check })).toMatchObject(result);
    expect(aptGets(host).filter((l) => !l.includes('--simulate'))).toEqual(lines);
  });

  it('a failing update is tried update_cache_retries times, then fails with its error', async () => {
    const host = aptHost(new Map(), { failing: 'update -q' });
    const r = await apt(host, { update_cache: true, update_cache_retries: 2, update_cache_retry_max_delay: 0 });
    expect(r).toMatchObject({ failed: true, msg: 'Failed to update apt cache: W: Failed to fetch http://lab/./InRelease  Connection refused' });
    expect(aptGets(host)).toEqual(['apt-get update -q', 'apt-get update -q']);
  });
});
