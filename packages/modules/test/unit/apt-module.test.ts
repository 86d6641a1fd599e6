/** apt against a fake Debian host (dpkg database, a repository of versions): what apt-get is given and what the module returns. */
import { describe, expect, it } from 'vitest';
import { aptModule } from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const REPO: Record<string, string[]> = { hello: ['2.10-3'], foo: ['1.0.1', '1.0.0'], foobar: ['1.0.1', '1.0.0'], tree: ['2.1.0-1'] };
const SUMMARY = (n: number, r = 0) => `${n ? 0 : 0} upgraded, ${n} newly installed, ${r} to remove and 0 not upgraded.\n`;

/** A host whose dpkg database is `db` (name -> version) and whose sources hold REPO; apt-get changes db unless --simulate. */
function aptHost(db: Map<string, string>, opts: { held?: string[] } = {}) {
  const host = new FakeHost('deb', REAL_FOLDERS);
  host.respond((_c, text) => {
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
