/**
 * Every host module on a real lab host through SshConnector: first run changed, second run unchanged,
 * check mode changes nothing on the host, diff shows the change, bad input fails cleanly.
 * Works under /tmp/haweb-modules-it and on its own service / iptables chain, so it does not disturb
 * what other tests install on the same hosts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import type { Connection } from '@haweb/core';
import {
  aptModule,
  blockinfileModule,
  commandModule,
  copyModule,
  fileModule,
  iptablesModule,
  lineinfileModule,
  packageModule,
  serviceModule,
  setupModule,
  shellModule,
  statModule,
  templateModule,
  unarchiveModule,
} from '../../src/index.js';
import { buildLanRepository } from './support/lan-debs.js';
import { converge, labConnection, probeOf, run, sshContext } from './support/lab.js';

const D = '/tmp/haweb-modules-it';
const CHAIN = 'HAWEB_IT';
const SERVICE = 'haweb-it-dummy';
let conn: Connection;
let hostName: string;
let hostAddress: string;
const local = mkdtempSync(join(tmpdir(), 'haweb-modules-it-'));

beforeAll(async () => {
  const { lab, conn: c } = await labConnection(1);
  conn = c;
  hostName = c.hostName;
  hostAddress = lab.hosts.find((h) => h.name === hostName)!.address;
  await conn.run({ script: `rm -rf ${D}; mkdir -p ${D}` });
  writeFileSync(join(local, 'index.html'), '<h1>edu</h1>\n');
  writeFileSync(join(local, 'upstream.conf.j2'), 'upstream web {\n{% for s in backends %}  server {{ s }};\n{% endfor %}}\n# {{ inventory_hostname }}\n');
});

afterAll(async () => {
  if (!conn) return;
  await conn.run({
    script: [
      `rm -rf ${D}`,
      `service ${SERVICE} stop >/dev/null 2>&1 || true`,
      `update-rc.d -f ${SERVICE} remove >/dev/null 2>&1 || true`,
      `rm -f /etc/init.d/${SERVICE}`,
      `iptables -w -D INPUT -j ${CHAIN} 2>/dev/null || true`,
      `iptables -w -F ${CHAIN} 2>/dev/null; iptables -w -X ${CHAIN} 2>/dev/null || true`,
      `dpkg -r haweb-it-dummy >/dev/null 2>&1 || true`,
      `iptables-save > /etc/iptables/rules.v4.tmp && mv -f /etc/iptables/rules.v4.tmp /etc/iptables/rules.v4`,
    ].join('\n'),
  });
  await conn.close();
});

const statOf = (path: string) => probeOf(conn, `stat -c '%F %a %U:%G' ${path} 2>&1; if [ -f ${path} ]; then cat ${path}; fi`);

describe('file-changing modules', () => {
  it('copy: content with mode/owner; hostile content is written as data', async () => {
    const content = "hello 'edu'; $(touch /tmp/pwned) `id`\n";
    const r = await converge(conn, copyModule, { content, dest: `${D}/motd`, mode: '0640', owner: 'root', group: 'daemon' }, statOf(`${D}/motd`));
    expect(r.after).toBe(`0\nregular file 640 root:daemon\n${content}`);
    expect(r.check.diff?.[0]).toMatchObject({ before: '', after: content });
    expect((await conn.run({ script: 'test -e /tmp/pwned; echo $?' })).stdout).toBe('1\n');
  });

  it('copy: a controller file, replacing changed content with a diff and a backup', async () => {
    await conn.writeFile(`${D}/index.html`, 'old page\n', { mode: '0604' });
    const r = await converge(conn, copyModule, { src: join(local, 'index.html'), dest: `${D}/`, backup: true }, statOf(`${D}/index.html`));
    expect(r.first.diff?.[0]).toMatchObject({ before: 'old page\n', after: '<h1>edu</h1>\n' });
    expect(r.after).toBe('0\nregular file 604 root:root\n<h1>edu</h1>\n'); // mode kept
    const backup = r.first.backup_file as string;
    expect((await conn.readFile(backup))?.toString()).toBe('old page\n');
  });

  it('copy: validate failure keeps the old file', async () => {
    await conn.writeFile(`${D}/validated.conf`, 'good\n');
    const r = await run(copyModule, { content: 'bad\n', dest: `${D}/validated.conf`, validate: 'grep -q good %s' }, sshContext(conn));
    expect(r).toMatchObject({ failed: true, changed: false });
    expect((await conn.readFile(`${D}/validated.conf`))?.toString()).toBe('good\n');
    expect((await conn.run({ script: `ls -a ${D} | grep -c haweb-validate || true` })).stdout.trim()).toBe('0');
    const ok = await run(copyModule, { content: 'good too\n', dest: `${D}/validated.conf`, validate: 'grep -q good %s' }, sshContext(conn));
    expect(ok.changed).toBe(true);
  });

  it('template: Jinja2 with host variables', async () => {
    const vars = { backends: ['198.51.100.51:80', '198.51.100.52:80'], inventory_hostname: hostName };
    const r = await converge(conn, templateModule, { src: 'upstream.conf.j2', dest: `${D}/upstream.conf` }, statOf(`${D}/upstream.conf`), { vars, localDir: local });
    expect((await conn.readFile(`${D}/upstream.conf`))?.toString()).toBe(
      `upstream web {\n  server 198.51.100.51:80;\n  server 198.51.100.52:80;\n}\n# ${hostName}\n`,
    );
    expect(r.first.diff?.[0].after).toContain('server 198.51.100.52:80;');
  });

  it('file: directory, link, touch, absent', async () => {
    await converge(conn, fileModule, { path: `${D}/www/html`, state: 'directory', mode: '0750' }, statOf(`${D}/www/html`));
    expect(await statOf(`${D}/www/html`)()).toBe('0\ndirectory 750 root:root\n');
    await converge(conn, fileModule, { path: `${D}/current`, state: 'link', src: `${D}/www` }, probeOf(conn, `readlink ${D}/current`));
    await converge(
      conn,
      fileModule,
      { path: `${D}/flag`, state: 'touch', modification_time: 'preserve', access_time: 'preserve' },
      statOf(`${D}/flag`),
    );
    await converge(conn, fileModule, { path: `${D}/www`, state: 'absent' }, probeOf(conn, `ls -d ${D}/www 2>&1`));
    const bad = await run(fileModule, { path: `${D}/nope`, state: 'file' }, sshContext(conn));
    expect(bad).toMatchObject({ failed: true });
  });

  it('file recurse: owner/group/mode below a directory, only when something differs', async () => {
    await conn.run({ script: `mkdir -p ${D}/tree/sub && echo a > ${D}/tree/a.html && echo b > ${D}/tree/sub/b.sh && chmod 755 ${D}/tree/sub/b.sh && chmod 644 ${D}/tree/a.html` });
    const probe = probeOf(conn, `cd ${D}/tree && find . -printf '%p %m %u:%g\\n' | sort`);
    const r = await converge(conn, fileModule, { path: `${D}/tree`, state: 'directory', recurse: true, owner: 'daemon', group: 'daemon', mode: 'u+rwX,g+rX,o-rwx' }, probe);
    expect(r.after).toBe('0\n. 750 daemon:daemon\n./a.html 640 daemon:daemon\n./sub 750 daemon:daemon\n./sub/b.sh 750 daemon:daemon\n');
    const bad = await run(fileModule, { path: `${D}/tree`, state: 'directory', recurse: true, owner: 'no-such-user-haweb' }, sshContext(conn));
    expect(bad.failed).toBe(true);
  });

  it('lineinfile and blockinfile', async () => {
    await conn.writeFile(`${D}/sysctl.conf`, '# kernel\n#net.ipv4.ip_nonlocal_bind=0\n');
    const l = await converge(
      conn,
      lineinfileModule,
      { path: `${D}/sysctl.conf`, regexp: '^#?net.ipv4.ip_nonlocal_bind', line: 'net.ipv4.ip_nonlocal_bind = 1' },
      statOf(`${D}/sysctl.conf`),
    );
    expect(l.first.diff?.[0]).toMatchObject({ after: '# kernel\nnet.ipv4.ip_nonlocal_bind = 1\n' });
    await converge(
      conn,
      blockinfileModule,
      { path: `${D}/hosts`, create: true, block: '198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02' },
      statOf(`${D}/hosts`),
    );
    expect((await conn.readFile(`${D}/hosts`))?.toString()).toBe(
      '# BEGIN ANSIBLE MANAGED BLOCK\n198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02\n# END ANSIBLE MANAGED BLOCK\n',
    );
    const missing = await run(lineinfileModule, { path: `${D}/absent.conf`, line: 'x' }, sshContext(conn));
    expect(missing).toMatchObject({ failed: true });
    const badRe = await run(lineinfileModule, { path: `${D}/sysctl.conf`, regexp: '(', line: 'x' }, sshContext(conn));
    expect(badRe).toMatchObject({ failed: true });
  });

  it('unarchive: uploads and extracts once, then sees it extracted', async () => {
    mkdirSync(join(local, 'tree', 'site-1.0', 'conf'), { recursive: true });
    writeFileSync(join(local, 'tree', 'site-1.0', 'README'), 'readme\n');
    writeFileSync(join(local, 'tree', 'site-1.0', 'conf', 'site.conf'), 'x=1\n');
    const tarball = join(local, 'site-1.0.tar.gz');
    await create({ gzip: true, file: tarball, cwd: join(local, 'tree') }, ['site-1.0']);
    await conn.run({ script: `mkdir -p ${D}/src` });
    await converge(conn, unarchiveModule, { src: tarball, dest: `${D}/src` }, probeOf(conn, `cd ${D}/src && find . -type f | sort && cat site-1.0/conf/site.conf`));
    const withCreates = await run(unarchiveModule, { src: tarball, dest: `${D}/src`, creates: `${D}/src/site-1.0/README` }, sshContext(conn));
    expect(withCreates).toMatchObject({ changed: false });
    expect((await conn.run({ script: 'ls -a /tmp | grep -c haweb-archive || true' })).stdout.trim()).toBe('0');
    const bad = await run(unarchiveModule, { src: tarball, dest: `${D}/no-such-dir` }, sshContext(conn));
    expect(bad).toMatchObject({ failed: true });
  });

  it('unarchive remote_src: an archive already on the host, listed there to stay idempotent', async () => {
    const tarball = join(local, 'site-1.0.tar.gz');
    await run(copyModule, { src: tarball, dest: `${D}/site.tgz` }, sshContext(conn));
    await conn.run({ script: `mkdir -p ${D}/remote-src` });
    await converge(conn, unarchiveModule, { src: `${D}/site.tgz`, dest: `${D}/remote-src`, remote_src: true }, probeOf(conn, `cd ${D}/remote-src && find . -type f | sort`));
    await conn.writeFile(`${D}/not-an-archive`, 'hello');
    const bad = await run(unarchiveModule, { src: `${D}/not-an-archive`, dest: `${D}/remote-src`, remote_src: true }, sshContext(conn));
    expect(bad).toMatchObject({ failed: true });
    // Ansible's words: no handler (unzip, tar...) recognises the file.
    expect(bad.msg).toMatch(/Failed to find handler for "[^"]*not-an-archive"/);
  });
});

describe('command modules', () => {
  it('command with creates: runs once; argv values are data', async () => {
    const args = { argv: ['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', "a'; $(id) `id`", `${D}/cmd.out`], creates: `${D}/cmd.out` };
    const probe = probeOf(conn, `cat ${D}/cmd.out 2>&1`);
    const before = await probe();
    const check = await run(commandModule, args, sshContext(conn, { check: true }));
    expect(check.changed).toBe(true);
    expect(await probe()).toBe(before);
    const first = await run(commandModule, args, sshContext(conn));
    expect(first).toMatchObject({ changed: true, rc: 0 });
    expect((await conn.readFile(`${D}/cmd.out`))?.toString()).toBe("a'; $(id) `id`");
    const second = await run(commandModule, args, sshContext(conn));
    expect(second).toMatchObject({ changed: false, stdout: `skipped, since ${D}/cmd.out exists`, msg: `Did not run command since '${D}/cmd.out' exists` });
  });

  it('shell with chdir, stdin and removes; a failing command fails cleanly', async () => {
    await conn.writeFile(`${D}/to-remove`, 'x');
    const r = await run(shellModule, { cmd: 'cat > stdin.out && rm -f to-remove && pwd', chdir: D, stdin: 'from stdin', removes: `${D}/to-remove` }, sshContext(conn));
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: D });
    expect((await conn.readFile(`${D}/stdin.out`))?.toString()).toBe('from stdin\n');
    const again = await run(shellModule, { cmd: 'rm -f to-remove', chdir: D, removes: `${D}/to-remove` }, sshContext(conn));
    expect(again.changed).toBe(false);
    const fail = await run(shellModule, { cmd: 'echo broken >&2; exit 3' }, sshContext(conn));
    expect(fail).toMatchObject({ failed: true, rc: 3, stderr: 'broken' });
    const badDir = await run(commandModule, { cmd: 'pwd', chdir: '/nonexistent/haweb' }, sshContext(conn));
    expect(badDir.failed).toBe(true);
  });
});

describe('stat and setup', () => {
  it('stat reports the file and never changes', async () => {
    await conn.writeFile(`${D}/stat-me`, 'abc', { mode: '0751' });
    const r = await run(statModule, { path: `${D}/stat-me` }, sshContext(conn));
    expect(r).toMatchObject({ changed: false, stat: { exists: true, isreg: true, mode: '0751', size: 3, checksum: 'a9993e364706816aba3e25717850c26c9cd0d89d' } });
    expect(await run(statModule, { path: `${D}/missing` }, sshContext(conn))).toMatchObject({ stat: { exists: false } });
  });

  it('setup gathers the facts in one round trip', async () => {
    const r = await run(setupModule, {}, sshContext(conn));
    const f = r.facts as Record<string, unknown>;
    expect(f).toMatchObject({
      ansible_os_family: 'Debian',
      ansible_distribution: 'Debian',
      ansible_distribution_major_version: '12',
      ansible_hostname: hostName,
      ansible_service_mgr: 'sysvinit',
      ansible_pkg_mgr: 'apt',
      ansible_libc: { name: 'glibc' },
    });
    expect(f.ansible_interfaces).toContain('eth1');
    expect(f.ansible_eth1).toMatchObject({ ipv4: { address: hostAddress, prefix: '24', netmask: '255.255.255.0' }, active: true });
    expect((f.ansible_eth1 as { macaddress: string }).macaddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(f.ansible_default_ipv4).toMatchObject({ interface: 'eth1', address: hostAddress });
    expect(f.ansible_processor_vcpus).toBeGreaterThan(0);
    expect(f.ansible_memtotal_mb).toBeGreaterThan(0);
  });
});

describe('packages (offline lab: a locally built .deb)', () => {
  // Ansible's apt needs Python's apt bindings on the host (check mode fails without them): python3-apt
  // comes from a LAN repository re-packed from the controller's packages, served from the lab's client.
  let server: ChildProcess | undefined;
  const list = '/etc/apt/sources.list.d/haweb-modules-it.list';
  beforeAll(async () => {
    const lab = (await labConnection(1)).lab;
    const www = join(local, 'lan');
    buildLanRepository(www, ['python3-apt', 'python-apt-common', 'distro-info-data'], 'haweb-modules-it');
    server = spawn('ip', ['netns', 'exec', lab.client.netns, '/usr/bin/python3', '-m', 'http.server', '8126', '--bind', lab.client.address, '--directory', www], { stdio: 'ignore' });
    const setup = `printf 'deb [trusted=yes] http://${lab.client.address}:8126/ ./\\n' > ${list} && ` +
      // apt-get update exits 0 when a source does not answer yet (W: Failed to fetch): tried until it fetched.
      `for i in $(seq 50); do out=$(apt-get update -q -o Dir::Etc::sourcelist=${list} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 2>&1) && ! printf '%s' "$out" | grep -q '^[WE]:' && break; sleep 0.2; done; ` +
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-apt >/dev/null && /usr/bin/python3 -c "import apt"';
    const r = await conn.run({ script: setup });
    expect(r.code, r.stderr).toBe(0);
  }, 600_000);
  afterAll(async () => {
    await conn.run({ script: `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q python3-apt python-apt-common distro-info-data >/dev/null 2>&1; rm -f ${list}; true` });
    server?.kill();
  });

  it('apt deb: installs once; package absent removes once; unknown package fails cleanly', async () => {
    const pkgDir = join(local, 'pkg');
    mkdirSync(join(pkgDir, 'DEBIAN'), { recursive: true });
    mkdirSync(join(pkgDir, 'usr', 'share', 'haweb-it-dummy'), { recursive: true });
    writeFileSync(join(pkgDir, 'DEBIAN', 'control'), 'Package: haweb-it-dummy\nVersion: 1.0\nArchitecture: all\nMaintainer: haweb <haweb@example.invalid>\nDescription: integration test package\n');
    writeFileSync(join(pkgDir, 'usr', 'share', 'haweb-it-dummy', 'README'), 'dummy\n');
    const deb = join(local, 'haweb-it-dummy_1.0_all.deb');
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', pkgDir, deb], { stdio: 'ignore' });
    await run(copyModule, { src: deb, dest: `${D}/haweb-it-dummy.deb` }, sshContext(conn));
    const status = probeOf(conn, `dpkg-query -W -f='\${Status}' haweb-it-dummy 2>&1`);
    await converge(conn, aptModule, { deb: `${D}/haweb-it-dummy.deb` }, status);
    expect(await status()).toBe('0\ninstall ok installed');
    // package picks apt from the probed OS family (no gathered facts here).
    await converge(conn, packageModule, { name: 'haweb-it-dummy', state: 'absent' }, status);
    const unknown = await run(packageModule, { name: 'haweb-no-such-package' }, sshContext(conn));
    expect(unknown).toMatchObject({ failed: true });
    expect(unknown.msg).toBe("No package matching 'haweb-no-such-package' is available");
  });
});

describe('service (sysvinit, update-rc.d)', () => {
  beforeAll(async () => {
    const script = [
      '#!/bin/sh',
      '### BEGIN INIT INFO',
      `# Provides:          ${SERVICE}`,
      '# Required-Start:    $remote_fs',
      '# Required-Stop:     $remote_fs',
      '# Default-Start:     2 3 4 5',
      '# Default-Stop:      0 1 6',
      '# Short-Description: haweb integration test daemon',
      '### END INIT INFO',
      `PID=/run/${SERVICE}.pid`,
      'case "$1" in',
      `  start) start-stop-daemon --start --quiet --background --make-pidfile --pidfile $PID --exec /bin/sleep -- 100000 ;;`,
      `  stop) start-stop-daemon --stop --quiet --oknodo --retry 5 --pidfile $PID --remove-pidfile ;;`,
      `  restart|reload) $0 stop; $0 start ;;`,
      `  status) start-stop-daemon --status --pidfile $PID ;;`,
      '  *) echo "Usage: $0 {start|stop|restart|status}"; exit 2 ;;',
      'esac',
      '',
    ].join('\n');
    await conn.writeFile(`/etc/init.d/${SERVICE}`, script, { mode: '0755' });
  });

  const svc = () => probeOf(conn, `service ${SERVICE} status >/dev/null 2>&1; echo "status=$?"; ls /etc/rc2.d /etc/rc0.d | grep -c ${SERVICE} || true`);

  it('started + enabled, idempotent; then stopped + disabled', async () => {
    const r = await converge(conn, serviceModule, { name: SERVICE, state: 'started', enabled: true }, svc());
    expect(r.after).toBe('0\nstatus=0\n2\n');
    expect(r.first.diff?.[0]).toMatchObject({ before: 'running: false\nenabled: false\n', after: 'running: true\nenabled: true\n' });
    const links = await conn.run({ script: `ls /etc/rc2.d/ | grep ${SERVICE}` });
    expect(links.stdout).toMatch(new RegExp(`^S\\d\\d${SERVICE}\\n$`));
    await converge(conn, serviceModule, { name: SERVICE, state: 'stopped', enabled: false }, svc());
    expect((await conn.run({ script: `ls /etc/rc2.d/ | grep ${SERVICE}` })).stdout).toMatch(new RegExp(`^K\\d\\d${SERVICE}\\n$`));
  });

  it('restarted always reports a change; a missing service fails cleanly', async () => {
    const r = await run(serviceModule, { name: SERVICE, state: 'restarted' }, sshContext(conn));
    expect(r.changed).toBe(true);
    expect((await svc()()).startsWith('0\nstatus=0')).toBe(true);
    const missing = await run(serviceModule, { name: 'haweb-no-such-service', state: 'started' }, sshContext(conn));
    expect(missing).toMatchObject({ failed: true });
    expect(missing.msg).toContain('/etc/init.d/haweb-no-such-service');
  });
});

describe('iptables', () => {
  it('rule present/absent checked with -C, saved to /etc/iptables/rules.v4', async () => {
    await conn.run({ script: `iptables -w -N ${CHAIN} 2>/dev/null || true` });
    const args = { chain: CHAIN, protocol: 'tcp', destination_port: 8080, source: '198.51.100.0/24', ctstate: ['NEW'], comment: "haweb it; don't", jump: 'ACCEPT' };
    const probe = probeOf(conn, `iptables -w -S ${CHAIN}; grep -c 'haweb it' /etc/iptables/rules.v4 || true`);
    const r = await converge(conn, iptablesModule, args, probe);
    expect(r.after).toContain(`-A ${CHAIN} -s 198.51.100.0/24 -p tcp -m tcp --dport 8080 -m conntrack --ctstate NEW -m comment --comment "haweb it; don\\'t" -j ACCEPT`);
    expect(r.after.endsWith('\n1\n')).toBe(true); // the saved rules file has it
    expect(r.first.saved_to).toBe('/etc/iptables/rules.v4');
    await converge(conn, iptablesModule, { ...args, state: 'absent' }, probe);
    expect((await probe()).endsWith('\n0\n')).toBe(true); // and no longer has it
    const bad = await run(iptablesModule, { chain: CHAIN, protocol: 'bogusproto', jump: 'ACCEPT' }, sshContext(conn));
    expect(bad).toMatchObject({ failed: true });
  });
});
