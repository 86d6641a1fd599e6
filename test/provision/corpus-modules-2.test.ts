/**
 * The modules ansible-examples' rolling_update and geerlingguy.nodejs needed (haproxy, nagios, npm,
 * rpm_key), each run by `provision` and by Debian's `ansible-playbook` on the same lab hosts
 * (fixtures/corpus-modules-2/modules.yml; the playbook's first task resets the hosts): the recap, each
 * task's status, every registered result and the host state must be the same, and are what the test says.
 *
 * The hosts are prepared once, offline: haproxy, rpm and gpg from Debian (downloaded once by the
 * machine's apt for the lab image into /var/cache/haweb/modules-debs/<key>, copied in and installed
 * with dpkg), HAProxy with an admin-level stats socket at /var/lib/haproxy/stats (rolling_update's
 * path) in front of the host's own sshd (so health checks pass); Nagios' command file a FIFO named by
 * /etc/nagios3/nagios.cfg, read into /var/log/hap-nagios.log by a bounded loop started and stopped by
 * its PID; the machine's node and npm copied to /usr/local; an npm registry of static files (one
 * package, two versions, and the rpm key) served from the lab's bridge namespace, stopped by its PID.
 *
 *   HAWEB_LAB_NAME=<lab> HAWEB_LAB_SUBNET=<subnet> npx vitest run --config vitest.integration.config.ts test/provision/corpus-modules-2.test.ts
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, runAnsible, runProvision, type Lab, type RunRecord } from './ansible-compare.js';

const PLAYBOOK = '../corpus-modules-2/modules.yml';
const LAB_CLI = join(import.meta.dirname, '../../packages/lab/dist/cli.js');
const PORT = 8081;
const SCRATCH = '/tmp/haweb-cm2';

let lab: Lab;
let state: { bridgeNetns: string; gateway: string; image: { rootfs: string } };
let serverPid: number | undefined;
const readerPids: Record<string, string> = {};
let ours: RunRecord;
let theirs: RunRecord;

/** Runs a shell script in a host with stdin from a buffer (a tar of files). */
function intoHost(host: string, script: string, input: Buffer): void {
  execFileSync(process.execPath, [LAB_CLI, 'exec', '--name', lab.name, host, '--', 'sh', '-c', script], { input, maxBuffer: 1 << 30, stdio: ['pipe', 'ignore', 'inherit'] });
}

/** The packages and what they need beyond the lab image, downloaded once by the machine's apt. */
function debs(packages: string[]): string {
  const key = createHash('sha256').update(JSON.stringify({ image: state.image.rootfs, packages })).digest('hex').slice(0, 12);
  const dir = `/var/cache/haweb/modules-debs/${key}`;
  if (existsSync(join(dir, '.done'))) return dir;
  const tmp = `${dir}.tmp`;
  const apt = `${dir}.apt`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(apt, { recursive: true, force: true });
  mkdirSync(join(tmp, 'partial'), { recursive: true });
  for (const sub of ['lists/partial', 'cache']) mkdirSync(join(apt, sub), { recursive: true });
  writeFileSync(join(apt, 'status'), readFileSync(join(state.image.rootfs, 'var/lib/dpkg/status')));
  const opts = [
    '-o', `Dir::State::status=${join(apt, 'status')}`, '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::Cache=${join(apt, 'cache')}`,
    '-o', `Dir::Cache::archives=${tmp}`, '-o', 'APT::Sandbox::User=root', '-o', 'APT::Install-Recommends=false',
  ];
  execFileSync('apt-get', [...opts, 'update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', [...opts, 'install', '--download-only', '-y', '-q', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  rmSync(join(tmp, 'partial'), { recursive: true, force: true });
  rmSync(join(tmp, 'lock'), { force: true });
  writeFileSync(join(tmp, '.done'), `${packages.join(' ')}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  rmSync(apt, { recursive: true, force: true });
  return dir;
}

const HAPROXY_CFG = `global
    stats socket /var/lib/haproxy/stats mode 660 level admin
    stats timeout 30s
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:8088
    default_backend myapplb
backend myapplb
    server web1 127.0.0.1:22 check inter 500
    server web2 127.0.0.1:22 check inter 500 weight 5
backend other
    server web1 127.0.0.1:22 check inter 500
`;

/** The registry's folder: package metadata and tarballs of hap-demo 1.0.0 and 1.1.0, and the rpm key. */
function buildRegistry(url: string): { keyid: string; fpr: string } {
  rmSync(SCRATCH, { recursive: true, force: true });
  const reg = join(SCRATCH, 'registry');
  mkdirSync(join(reg, 'tarballs'), { recursive: true });
  const versions: Record<string, unknown> = {};
  for (const v of ['1.0.0', '1.1.0']) {
    const src = join(SCRATCH, `src-${v}`);
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'package.json'), JSON.stringify({ name: 'hap-demo', version: v, main: 'index.js' }));
    writeFileSync(join(src, 'index.js'), `module.exports = '${v}';\n`);
    const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', join(reg, 'tarballs')], { cwd: src, encoding: 'utf8' }).trim();
    const tgz = readFileSync(join(reg, 'tarballs', file));
    versions[v] = {
      name: 'hap-demo', version: v, main: 'index.js',
      dist: { tarball: `${url}tarballs/${file}`, shasum: createHash('sha1').update(tgz).digest('hex'), integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}` },
    };
  }
  writeFileSync(join(reg, 'hap-demo'), JSON.stringify({ name: 'hap-demo', 'dist-tags': { latest: '1.1.0' }, versions }));
  const gnupg = join(SCRATCH, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: gnupg };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'haweb test key <hap@lab.invalid>', 'rsa2048', 'sign', 'never'], { env, stdio: 'ignore' });
  writeFileSync(join(reg, 'hap-key.asc'), execFileSync('gpg', ['--armor', '--export'], { env }));
  const colons = execFileSync('gpg', ['--with-colons', '--fingerprint', '--list-keys'], { env, encoding: 'utf8' });
  const keyid = colons.split('\n').find((l) => l.startsWith('pub:'))!.split(':')[4];
  const fpr = colons.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9];
  return { keyid, fpr };
}

function startRegistry(): number {
  const child = spawn('ip', ['netns', 'exec', state.bridgeNetns, 'timeout', '3600', 'python3', '-m', 'http.server', String(PORT), '--bind', state.gateway, '--directory', join(SCRATCH, 'registry')], { detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (spawnSync('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${PORT}`]).status === 0) return child.pid!;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error('the registry does not answer');
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  state = JSON.parse(readFileSync(`/var/lib/haweb/lab/${lab.name}/lab.json`, 'utf8'));
  const url = `http://${state.gateway}:${PORT}/`;
  const { keyid, fpr } = buildRegistry(url);
  serverPid = startRegistry();
  Object.assign(process.env, { HAP_REGISTRY: url, HAP_KEYID: keyid, HAP_FPR: fpr });
  const debDir = debs(['haproxy', 'rpm', 'gpg']);
  const debTar = execFileSync('tar', ['-c', '-C', debDir, ...readdirSync(debDir).filter((f) => f.endsWith('.deb'))], { maxBuffer: 1 << 30 });
  const nodeTar = execFileSync('tar', ['-c', '-C', '/', 'usr/bin/node', 'usr/lib/node_modules/npm'], { maxBuffer: 1 << 30 });
  const key = readFileSync(join(SCRATCH, 'registry/hap-key.asc'));
  for (const h of lab.hosts) {
    intoHost(h.name, 'if command -v haproxy >/dev/null && command -v rpm >/dev/null && command -v gpg >/dev/null; then cat >/dev/null; exit 0; fi; rm -rf /tmp/hap-debs && mkdir /tmp/hap-debs && tar -x -C /tmp/hap-debs && DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/hap-debs/*.deb >/dev/null && rm -rf /tmp/hap-debs', debTar);
    intoHost(h.name, 'tar -x -C /usr/local --strip-components=1 && ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm', nodeTar);
    intoHost(h.name, 'cat > /root/hap-key.asc', key);
    intoHost(h.name, 'cat > /etc/haproxy/haproxy.cfg && /etc/init.d/haproxy restart >/dev/null', Buffer.from(HAPROXY_CFG));
    onHost(lab, h.name, `printf 'audit=false\\nfund=false\\nupdate-notifier=false\\nregistry=${url}\\n' > /root/.npmrc`);
    onHost(lab, h.name, 'mkdir -p /etc/nagios3 /var/lib/nagios3/rw && printf "log_file=/var/log/nagios3/nagios.log\\ncommand_file=/var/lib/nagios3/rw/nagios.cmd\\n" > /etc/nagios3/nagios.cfg && rm -f /var/lib/nagios3/rw/nagios.cmd && mkfifo /var/lib/nagios3/rw/nagios.cmd');
    // The stand-in for Nagios: each writer's lines appended to a log, for an hour at most. The FIFO is
    // held open read-write, so a writer always finds a reader (a loop of cats left gaps between two
    // opens, where the module's non-blocking open failed: "unable to write to nagios command file").
    readerPids[h.name] = onHost(lab, h.name, `nohup timeout 3600 sh -c 'exec 3<> /var/lib/nagios3/rw/nagios.cmd; exec cat <&3 >> /var/log/hap-nagios.log' >/dev/null 2>&1 & echo $!`).trim();
  }
  // Timed one after the other (the figures in docs/compatibility/modules.md).
  let t = Date.now();
  ours = runProvision(lab, PLAYBOOK);
  const oursS = (Date.now() - t) / 1000;
  t = Date.now();
  theirs = runAnsible(lab, PLAYBOOK);
  process.stderr.write(`provision ${oursS.toFixed(1)} s, ansible-playbook ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  if (process.env.HAWEB_KW_DUMP) writeFileSync(join(process.env.HAWEB_KW_DUMP, 'corpus-modules-2.json'), JSON.stringify({ ours, ansible: theirs }, null, 2));
});

afterAll(() => {
  if (serverPid) spawnSync('kill', ['--', String(-serverPid)]);
  for (const h of lab?.hosts ?? []) {
    if (readerPids[h.name]) onHost(lab, h.name, `kill ${readerPids[h.name]} 2>/dev/null; true`);
    onHost(lab, h.name, '/etc/init.d/haproxy stop >/dev/null 2>&1; npm uninstall --global hap-demo >/dev/null 2>&1; rm -rf /srv/hap-app /srv/hap-app-new; true');
  }
  rmSync(SCRATCH, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

/**
 * A result with what differs by nature between two runs shaped: nagios' time stamps, npm's log file
 * name, the health-check counter HAProxy shows beside a status (`UP 0/3` or `UP -1/3`, by the timing
 * of its checks). Also: the executor's prefix on an argument error (`invalid arguments for module
 * "nagios": `, with the same text as `exception`), which is the executor's wording for every module;
 * the message of a failed npm command, which Ansible's log sanitiser masks where npm's text looks like
 * a URL with a password (its stderr, compared, is the same text unmasked).
 */
function normalise(v: unknown, key = ''): unknown {
  if (typeof v === 'string') {
    const s = v
      .replace(/^\[\d{9,}\]/, '[<now>]')
      .replace(/;\d{9,};\d{9,};/, ';<start>;<end>;')
      .replace(/_logs\/\S+-debug-0\.log/g, '_logs/<log>')
      .replace(/^invalid arguments for module "[^"]+": /, '');
    return key === 'status' ? s.replace(/^(UP|DOWN|DRAIN|MAINT) \S+$/, '$1') : s;
  }
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (typeof v !== 'object' || v === null) return v;
  const out: Json = {};
  const o = v as Json;
  for (const [k, x] of Object.entries(o)) {
    if (k === 'invocation' || k === 'diff' || k === 'exception') continue;
    if (k === 'msg' && typeof o.cmd === 'string' && typeof o.stderr === 'string') continue;
    if (k === 'warnings') {
      const w = (x as string[]).filter((s) => !s.startsWith('Module remote_tmp '));
      if (w.length) out[k] = w;
      continue;
    }
    out[k] = normalise(x, k);
  }
  return out;
}

function results(run: RunRecord, host: string): Json {
  return normalise(run.files[host]['results.json']) as Json;
}

const hostState = (run: RunRecord, host: string) => String(run.files[host]['state.txt']).replace(/^\[\d+\]/gm, '[<now>]').replace(/;\d{10};\d{10};/g, ';<start>;<end>;');

describe('haproxy, nagios, npm and rpm_key against ansible-playbook', () => {
  it('both runs give the same recap and the same status for every task', () => {
    expect(ours.code, ours.output).toBe(0);
    expect(theirs.code, theirs.output).toBe(0);
    expect(ours.tasks).toEqual(theirs.tasks);
    expect(ours.stats).toEqual(theirs.stats);
  });

  it('registers the same results', () => {
    for (const h of lab.hosts) {
      const mine = results(ours, h.name);
      const ansible = results(theirs, h.name);
      for (const k of Object.keys(ansible)) expect(mine[k], `${h.name} ${k}`).toEqual(ansible[k]);
    }
  });

  it('leaves the same host state (HAProxy servers, the commands Nagios read, npm packages, rpm keys)', () => {
    for (const h of lab.hosts) expect(hostState(ours, h.name), h.name).toBe(hostState(theirs, h.name));
  });

  it('did what each task says', () => {
    const r = results(ours, lab.hosts[0].name) as Record<string, Json>;
    expect(r.hp_disable).toMatchObject({ changed: true, command: ['get weight myapplb/web1; disable server myapplb/web1'], state_after: [{ status: 'MAINT' }] });
    expect(r.hp_again).toMatchObject({ changed: false });
    expect(r.hp_enable).toMatchObject({ changed: true, state_after: [{ status: 'UP' }] });
    expect(r.hp_nope).toMatchObject({ changed: false, state_before: null, state_after: null });
    expect(r.hp_nope.command).toBeUndefined();
    expect(r.hp_notfound).toMatchObject({ failed: true, msg: "The specified backend 'myapplb/nope' was not found!" });
    expect(r.hp_check).toMatchObject({ changed: false, skipped: true, msg: 'remote module (haproxy) does not support check mode' });
    expect(r.ng_disable).toMatchObject({ changed: true, nagios_commands: [`[<now>] DISABLE_SVC_NOTIFICATIONS;${lab.hosts[0].name};webserver`] });
    expect(r.ng_missing).toMatchObject({ failed: true, msg: 'nagios command file does not exist' });
    expect(r.ng_notfifo).toMatchObject({ failed: true, msg: 'nagios command file is not a fifo file' });
    expect(r.ng_check).toMatchObject({ changed: false, skipped: true, msg: 'remote module (nagios) does not support check mode' });
    expect([r.np_global, r.np_again, r.np_latest_check, r.np_latest, r.np_latest_again, r.np_absent, r.np_absent_again, r.np_path, r.np_path_again, r.np_newdir].map((x) => x.changed))
      .toEqual([true, false, true, true, false, true, false, true, false, true]);
    expect(r.np_nopath).toMatchObject({ failed: true, msg: 'path must be specified when not using global' });
    expect([r.rk_url, r.rk_again, r.rk_absent, r.rk_absent_again, r.rk_check, r.rk_file].map((x) => x.changed)).toEqual([true, false, true, false, true, true]);
    expect(r.rk_idonly).toMatchObject({ failed: true, msg: 'When importing a key, a valid file must be given' });
    expect(r.rk_nokey).toMatchObject({ failed: true, msg: 'Not a valid key /root/nope.asc' });
    const s = hostState(ours, lab.hosts[0].name);
    expect(s).toContain('== haproxy\nweb,FRONTEND,OPEN,\nmyapplb,web1,UP,10\nmyapplb,web2,MAINT,5\nmyapplb,BACKEND,UP,10\nother,web1,UP,10\n');
    expect(s).toContain('== app\nhap-demo\n{"name":"hap-demo","version":"1.1.0"');
    expect(s).toMatch(/== rpm\ngpg-pubkey-[0-9a-f]{8}-/);
  });
});
