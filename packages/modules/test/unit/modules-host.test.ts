import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import {
  commandModule,
  iptablesModule,
  packageModule,
  serviceModule,
  setupModule,
  shellModule,
  unarchiveModule,
  yumModule,
} from '../../src/index.js';
import { FakeHost, REAL_FOLDERS, fsContext as fakeContext, runModule } from '@haweb/hostkit/testing';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const DEBIAN = { ansible_os_family: 'Debian', ansible_pkg_mgr: 'apt', ansible_service_mgr: 'sysvinit' };
const RHEL = { ansible_os_family: 'RedHat', ansible_pkg_mgr: 'yum', ansible_service_mgr: 'sysvinit' };

describe('command / shell', () => {
  it('command runs argv without a shell: hostile values stay one argument', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c) => ('argv' in c && c.argv[0] === 'printf' ? { code: 0, stdout: c.argv[2], stderr: '' } : undefined));
    const r = await runModule(commandModule, { argv: ['printf', '%s', "a'; rm -rf / $(id) `id`\nx"] }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: "a'; rm -rf / $(id) `id`\nx", stdout_lines: ["a'; rm -rf / $(id) `id`", 'x'] });
    expect(host.runs[0].command).toEqual({ argv: ['printf', '%s', "a'; rm -rf / $(id) `id`\nx"] });
  });

  it('command free form is split like a shell would, without expansion', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => ({ code: 0, stdout: 'ok\n', stderr: '' }));
    const r = await runModule(commandModule, { cmd: `echo "a b" '$HOME' c` }, fakeContext(host));
    expect(host.runs[0].command).toEqual({ argv: ['echo', 'a b', '$HOME', 'c'] });
    expect(r.stdout).toBe('ok');
  });

  it('creates / removes skip the command; chdir and stdin reach the transport', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/usr/local/nginx/sbin/nginx', 'bin');
    host.respond(() => ({ code: 0, stdout: '', stderr: '' }));
    const skipped = await runModule(commandModule, { cmd: 'make install', chdir: '/usr/local/src', creates: '/usr/local/nginx/sbin/nginx' }, fakeContext(host));
    expect(skipped).toMatchObject({ changed: false, stdout: 'skipped, since /usr/local/nginx/sbin/nginx exists', msg: "Did not run command since '/usr/local/nginx/sbin/nginx' exists" });
    expect(host.log).toHaveLength(0);
    const removes = await runModule(shellModule, { cmd: 'rm -f /tmp/x', removes: '/tmp/x' }, fakeContext(host));
    expect(removes).toMatchObject({ changed: false });
    await runModule(shellModule, { cmd: 'cat > f', chdir: '/srv', stdin: 'data' }, fakeContext(host, { become: true }));
    expect(host.runs[0]).toMatchObject({ command: { script: 'cd -P . || exit 1\ncat > f' }, options: { cwd: '/srv', stdin: 'data\n', become: true } });
  });

  it('a non-zero exit fails with rc and stderr', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => ({ code: 2, stdout: '', stderr: 'make: *** No rule to make target\n' }));
    const r2 = await runModule(shellModule, { cmd: 'make' }, fakeContext(host));
    expect(r2).toMatchObject({ failed: true, changed: true, rc: 2, stderr: 'make: *** No rule to make target' });
    expect(r2.msg).toContain('non-zero return code 2');
  });

  it('check mode runs nothing', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const r = await runModule(shellModule, { cmd: 'touch /tmp/x' }, fakeContext(host, { check: true }));
    expect(r).toMatchObject({ changed: false, skipped: true });
    const w = await runModule(shellModule, { cmd: 'touch /tmp/x', creates: '/tmp/x' }, fakeContext(host, { check: true }));
    expect(w).toMatchObject({ changed: true, rc: 0, msg: 'Command would have run if not in check mode' });
    expect(w).not.toHaveProperty('skipped');
    expect(r.msg).toBe('Command would have run if not in check mode');
    expect(host.log).toHaveLength(0);
  });

  it('no command, or both forms, fail at run time as in Ansible (rc 256)', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    expect(await runModule(commandModule, { chdir: '/' }, fakeContext(host))).toMatchObject({ failed: true, rc: 256, msg: 'no command given' });
    expect(await runModule(commandModule, { cmd: 'echo testing', argv: ['echo', 'testing'] }, fakeContext(host))).toMatchObject({ failed: true, rc: 256, msg: 'only command or argv can be given, not both' });
    expect(host.runs).toHaveLength(0);
    // a relative chdir is relative to the login user's home, as the module's working directory is
    expect(shellModule.args.safeParse({ cmd: 'ls', chdir: 'relative' }).success).toBe(true);
  });

  it("command: `executable` is ignored with Ansible's warning; cmd is the argv list; creates: yes is the path 'True'", async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => ({ code: 0, stdout: '/dev/null\n', stderr: '' }));
    const r = await runModule(commandModule, { cmd: 'ls /dev/null', executable: '/bogus' }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: '/dev/null', cmd: ['ls', '/dev/null'] });
    expect(r.warnings).toEqual(["As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bogus'."]);
    expect(host.runs[0]).toMatchObject({ command: { argv: ['ls', '/dev/null'] } });
    expect(commandModule.args.parse({ cmd: 'true', creates: true })).toMatchObject({ creates: 'True' });
  });

  it.each([
    ['/srv/afile.*', true],
    ['/srv/afile.t?t', true],
    ['/srv/bfile.*', false],
    ['/srv/afile.txt', true],
  ])('creates with a glob pattern: %s matches: %s', async (pattern, matches) => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.put('/srv/afile.txt', 'x');
    host.respond(() => ({ code: 0, stdout: '', stderr: '' }));
    const r = await runModule(commandModule, { cmd: 'touch /srv/afile.txt', creates: pattern }, fakeContext(host));
    expect(r.changed).toBe(!matches);
  });

  it('a chdir that does not exist fails with Ansible\'s message', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => ({ code: 2, stdout: '', stderr: "sh: cd: can't cd to /nope" }));
    const r = await runModule(commandModule, { cmd: 'echo', chdir: '/nope' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true, msg: "Unable to change directory before execution: [Errno 2] No such file or directory: '/nope'" });
  });
});

/** A package database the fake answers rpm -q / yum from (apt's fake host is in apt-module.test.ts). */
function packageHost(installed: string[]) {
  const host = new FakeHost('fake-host', REAL_FOLDERS);
  const db = new Set(installed);
  host.respond((c, text) => {
    if (text.startsWith('rpm -q')) {
      const names = text.split(' -- ')[1].split(' ').filter((n) => /^[a-z0-9-]+$/.test(n));
      return { code: 0, stdout: names.map((n) => (db.has(n) ? `${n}\t1.0-1.el7\n` : `package ${n} is not installed\n`)).join(''), stderr: '' };
    }
    const m = /(yum|dnf) (install|remove) -y -q -- (.*)$/.exec(text);
    if (m) {
      for (const p of m[3].split(' ')) {
        if (m[2] === 'install') {
          db.add(p);
        } else db.delete(p);
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    return undefined;
  });
  return { host, db };
}

describe('package / yum', () => {
  it('RHEL: yum + rpm -q, chosen from facts', async () => {
    const { host, db } = packageHost([]);
    const r = await runModule(packageModule, { name: ['gcc', 'pcre-devel'], state: 'present' }, fakeContext(host, { facts: RHEL }));
    expect(r).toMatchObject({ changed: true, installed: ['gcc', 'pcre-devel'] });
    expect(host.ran().at(-1)).toBe('yum install -y -q -- gcc pcre-devel');
    expect([...db]).toEqual(['gcc', 'pcre-devel']);
    const y = await runModule(yumModule, { name: 'gcc', state: 'absent' }, fakeContext(host));
    expect(y).toMatchObject({ changed: true, removed: ['gcc'] });
  });

  it('probes the OS when facts were not gathered', async () => {
    const { host } = packageHost(['gcc']);
    host.respond((c, text) => (text.includes("echo '@@os-release'") ? { code: 0, stdout: fixture('setup-centos7.txt'), stderr: '' } : undefined));
    const r = await runModule(packageModule, { name: 'gcc' }, fakeContext(host));
    expect(r.changed).toBe(false);
    expect(host.ran()[1]).toMatch(/^rpm -q/);
  });
});

/** init scripts + update-rc.d links or chkconfig, answered from a small state. */
function serviceHost(kind: 'debian' | 'rhel', state: { running: boolean; links: string[]; registered?: boolean; chk?: boolean }) {
  const host = new FakeHost('fake-host', REAL_FOLDERS);
  host.respond((c, text) => {
    if (text.startsWith("n=nginx")) {
      const lines = ['manager=sysv', 'exists=yes', 'service_cmd=yes', `status_rc=${state.running ? 0 : 3}`];
      if (kind === 'debian') {
        lines.push('boot_tool=update-rc.d', ...state.links.map((l) => `link=${l}`));
      } else {
        lines.push('boot_tool=chkconfig');
        if (state.registered) lines.push(`chkconfig: nginx 0:off 1:off 2:${state.chk ? 'on' : 'off'} 3:${state.chk ? 'on' : 'off'} 4:off 5:off 6:off`);
      }
      return { code: 0, stdout: lines.join('\n') + '\n', stderr: '' };
    }
    if (text.includes('out=$(mktemp)')) {
      for (const step of text.split('\n')[1].replace(/^\( | \) >.*$/g, '').split(' && ')) {
        if (step === 'service nginx start') state.running = true;
        else if (step === 'service nginx stop') state.running = false;
        else if (step === 'update-rc.d nginx defaults' || step === 'update-rc.d nginx enable') state.links = ['/etc/rc2.d/S01nginx', '/etc/rc0.d/K01nginx'];
        else if (step === 'update-rc.d nginx disable') state.links = ['/etc/rc2.d/K01nginx', '/etc/rc0.d/K01nginx'];
        else if (step === 'chkconfig --add nginx') state.registered = true;
        else if (step === 'chkconfig nginx on') state.chk = true;
        else if (step === 'chkconfig nginx off') state.chk = false;
        else if (step === 'service nginx restart' || step === 'service nginx reload') continue;
        else return { code: 1, stdout: `unexpected ${step}`, stderr: '' };
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    return undefined;
  });
  return host;
}

describe('service', () => {
  it('Debian: start + enable through update-rc.d, then nothing to do', async () => {
    const state = { running: false, links: [] as string[] };
    const host = serviceHost('debian', state);
    const r1 = await runModule(serviceModule, { name: 'nginx', state: 'started', enabled: 'yes' }, fakeContext(host));
    expect(r1).toMatchObject({ changed: true, msg: 'enable at boot, start', state: 'started', enabled: true });
    expect(r1.diff?.[0]).toMatchObject({ before: 'running: false\nenabled: false\n', after: 'running: true\nenabled: true\n' });
    expect(host.ran().at(-1)).toContain('( update-rc.d nginx defaults && service nginx start ) >"$out" 2>&1 </dev/null');
    expect(state).toMatchObject({ running: true });
    const r2 = await runModule(serviceModule, { name: 'nginx', state: 'started', enabled: true }, fakeContext(host));
    expect(r2.changed).toBe(false);
  });

  it('RHEL: chkconfig --add and on', async () => {
    const state = { running: true, links: [], registered: false, chk: false };
    const host = serviceHost('rhel', state);
    const r = await runModule(serviceModule, { name: 'nginx', enabled: true }, fakeContext(host));
    expect(r).toMatchObject({ changed: true, msg: 'enable at boot' });
    expect(state).toMatchObject({ registered: true, chk: true });
    expect((await runModule(serviceModule, { name: 'nginx', enabled: true }, fakeContext(host))).changed).toBe(false);
  });

  it('restarted always changes; check mode does nothing', async () => {
    const state = { running: true, links: ['/etc/rc2.d/S01nginx'] };
    const host = serviceHost('debian', state);
    expect((await runModule(serviceModule, { name: 'nginx', state: 'restarted' }, fakeContext(host))).changed).toBe(true);
    const before = host.ran().length;
    const c = await runModule(serviceModule, { name: 'nginx', state: 'stopped' }, fakeContext(host, { check: true }));
    expect(c).toMatchObject({ changed: true, msg: 'would stop' });
    expect(host.ran().length).toBe(before + 1); // only the fact
    expect(state.running).toBe(true);
  });

  it('a missing service fails cleanly; bad names are rejected', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c, text) => (text.startsWith('n=') ? { code: 0, stdout: 'manager=sysv\nexists=no\nstatus_rc=4\nboot_tool=update-rc.d\n', stderr: '' } : undefined));
    const r = await runModule(serviceModule, { name: 'nope', state: 'started' }, fakeContext(host));
    expect(r).toMatchObject({ failed: true, msg: 'no init script /etc/init.d/nope (service nope is not installed)' });
    expect(serviceModule.args.safeParse({ name: 'a;b', state: 'started' }).success).toBe(false);
    expect(serviceModule.args.safeParse({ name: 'nginx' }).success).toBe(false);
  });
});

describe('iptables', () => {
  function fw() {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    const rules = new Set<string>();
    let saved: string | undefined;
    host.respond((c, text) => {
      const check = /^iptables -w -t filter -C INPUT (.*) 2>&1; echo "rc=\$\?"$/.exec(text);
      if (check) return { code: 0, stdout: rules.has(check[1]) ? 'rc=0\n' : 'iptables: Bad rule (does a matching rule exist in that chain?).\nrc=1\n', stderr: '' };
      const change = /^iptables -w -t filter -([ADI]) INPUT (.*?)( && mkdir -p (\S+) .*mv -f "\$t" (\S+);.*)?$/.exec(text);
      if (change) {
        if (change[1] === 'D') rules.delete(change[2]);
        else rules.add(change[2]);
        if (change[5]) saved = change[5];
        return { code: 0, stdout: '', stderr: '' };
      }
      return undefined;
    });
    return { host, rules, saved: () => saved };
  }

  it('Debian: add once, saved to /etc/iptables/rules.v4; then absent', async () => {
    const { host, rules, saved } = fw();
    const args = { chain: 'INPUT', protocol: 'vrrp', jump: 'ACCEPT', comment: "VRRP; don't drop" };
    const r1 = await runModule(iptablesModule, args, fakeContext(host, { facts: DEBIAN }));
    expect(r1).toMatchObject({ changed: true, saved_to: '/etc/iptables/rules.v4' });
    expect(saved()).toBe('/etc/iptables/rules.v4');
    expect([...rules]).toEqual([`-p vrrp -m comment --comment 'VRRP; don'\\''t drop' -j ACCEPT`]);
    expect((await runModule(iptablesModule, args, fakeContext(host, { facts: DEBIAN }))).changed).toBe(false);
    const del = await runModule(iptablesModule, { ...args, state: 'absent' }, fakeContext(host, { facts: DEBIAN }));
    expect(del.changed).toBe(true);
    expect(rules.size).toBe(0);
  });

  it('RHEL: saved to /etc/sysconfig/iptables; check mode adds nothing', async () => {
    const { host, rules, saved } = fw();
    const args = { chain: 'INPUT', protocol: 'tcp', destination_port: 80, ctstate: 'NEW', jump: 'ACCEPT' };
    const c = await runModule(iptablesModule, args, fakeContext(host, { facts: RHEL, check: true }));
    expect(c).toMatchObject({ changed: true });
    expect(rules.size).toBe(0);
    const r = await runModule(iptablesModule, args, fakeContext(host, { facts: RHEL }));
    expect(r).toMatchObject({ changed: true, saved_to: '/etc/sysconfig/iptables' });
    expect(saved()).toBe('/etc/sysconfig/iptables');
  });

  it('an iptables error is a failure, not "absent"', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond(() => ({ code: 0, stdout: 'iptables v1.8.9: unknown protocol "bogus"\nrc=2\n', stderr: '' }));
    const r = await runModule(iptablesModule, { chain: 'INPUT', protocol: 'bogus', jump: 'ACCEPT' }, fakeContext(host, { facts: DEBIAN }));
    expect(r).toMatchObject({ failed: true });
    expect(r.msg).toContain('unknown protocol');
  });
});

describe('setup', () => {
  it('one round trip, ansible_* facts and ansible_facts', async () => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c, text) => (text.includes("echo '@@os-release'") ? { code: 0, stdout: fixture('setup-debian12.txt'), stderr: '' } : undefined));
    const r = await runModule(setupModule, {}, fakeContext(host));
    expect(host.log).toHaveLength(1);
    expect(r.changed).toBe(false);
    expect(r.facts).toMatchObject({ ansible_os_family: 'Debian', ansible_default_ipv4: { address: '198.51.100.51' } });
    expect((r.facts as { ansible_facts: Record<string, unknown> }).ansible_facts.os_family).toBe('Debian');
    const filtered = await runModule(setupModule, { filter: 'ansible_eth*' }, fakeContext(host));
    expect(Object.keys(filtered.facts as object).sort()).toEqual(['ansible_eth1', 'ansible_facts']);
  });

  it.each([
    [[], true],
    [['!virtual'], false],
    [['all', '!virtual'], false],
    [['!virtual', 'virtual'], true],
  ])('gather_subset %j: virtualization facts gathered %s', async (subset, kept) => {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.respond((c, text) => (text.includes("echo '@@os-release'") ? { code: 0, stdout: fixture('setup-debian12.txt'), stderr: '' } : undefined));
    const r = await runModule(setupModule, { gather_subset: subset }, fakeContext(host));
    const keys = Object.keys(r.facts as object);
    expect(keys.includes('ansible_virtualization_type')).toBe(kept);
    expect(keys).toContain('ansible_os_family');
  });
});

describe('unarchive', () => {
  const local = mkdtempSync(join(tmpdir(), 'haweb-tar-'));
  mkdirSync(join(local, 'src', 'app-1.0', 'conf'), { recursive: true });
  writeFileSync(join(local, 'src', 'app-1.0', 'README'), 'readme\n');
  writeFileSync(join(local, 'src', 'app-1.0', 'conf', 'app.conf'), 'x=1\n');
  const tarball = join(local, 'app-1.0.tar.gz');

  /** The fake extracts by reading the real tarball the upload came from. */
  function tarHost() {
    const host = new FakeHost('fake-host', REAL_FOLDERS);
    host.mkdir('/opt');
    host.respond((c, text) => {
      const m = /^tar -x -f (\S+) -C (\S+)/.exec(text);
      if (!m) return undefined;
      // Files as tar would restore them: same size and mtime as in the archive.
      host.put('/opt/app-1.0/README', 'readme\n');
      host.put('/opt/app-1.0/conf/app.conf', 'x=1\n');
      const files = host.files;
      for (const p of ['/opt/app-1.0/README', '/opt/app-1.0/conf/app.conf']) (files.get(p) as { mtime: number }).mtime = 1_600_000_000;
      return { code: 0, stdout: '', stderr: '' };
    });
    return host;
  }

  it('uploads and extracts once; compares files afterwards; cleans the upload', async () => {
    await create({ gzip: true, file: tarball, cwd: join(local, 'src'), portable: true, mtime: new Date(1_600_000_000_000) }, ['app-1.0']);
    const host = tarHost();
    const r1 = await runModule(unarchiveModule, { src: tarball, dest: '/opt' }, fakeContext(host, { localDir: local }));
    expect(r1).toMatchObject({ changed: true });
    expect(host.ran().filter((c) => c.startsWith("tar"))).toEqual([expect.stringMatching(/^tar -x -f \/tmp\/\.haweb-archive-[0-9a-f]+\.tar\.gz -C \/opt$/)]);
    expect([...host.files.keys()].some((k) => k.includes('haweb-archive'))).toBe(false);
    const r2 = await runModule(unarchiveModule, { src: tarball, dest: '/opt' }, fakeContext(host, { localDir: local }));
    expect(r2).toMatchObject({ changed: false, msg: 'archive already extracted' });
  });

  it('creates short-circuits; check mode uploads nothing; bad dest fails', async () => {
    const host = tarHost();
    host.put('/opt/app-1.0/README', 'x');
    expect(await runModule(unarchiveModule, { src: tarball, dest: '/opt', creates: '/opt/app-1.0/README' }, fakeContext(host))).toMatchObject({ changed: false });
    const c = await runModule(unarchiveModule, { src: tarball, dest: '/opt' }, fakeContext(host, { check: true }));
    expect(c.changed).toBe(true);
    expect(host.writes).toEqual([]);
    const bad = await runModule(unarchiveModule, { src: tarball, dest: '/nonexistent' }, fakeContext(host));
    expect(bad).toMatchObject({ failed: true, msg: "Destination '/nonexistent' is not a directory" });
    const missing = await runModule(unarchiveModule, { src: 'nope.tgz', dest: '/opt' }, fakeContext(host, { localDir: local }));
    expect(missing).toMatchObject({ failed: true });
  });
});
