/**
 * One lab host: its per-host files (written into the overlay's upper layer before first boot), its
 * supervisor (boots it, reboots it, logs its console), and the checks that it has booted.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { LabError, run } from './exec.js';
import { BOOTED_MARKER, FIREWALLD_ENABLE_LINKS, SYSTEMD_NOT_RUNNING_MARKER, SYSTEMD_RUNNING_MARKER } from './image-prep.js';
import { DEFAULT_KIND, LEGACY_IPTABLES_ALTERNATIVES, RHEL6_IPTABLES_RULES, selectAlternative, type HostKind } from './kinds.js';
import type { HostPlan, LabPlan } from './plan.js';
import { hostDir, installedScript } from './paths.js';
import { cmdline, isAlive, parentPid } from './processes.js';

export interface HostFiles {
  dir: string;
  upper: string;
  work: string;
  merged: string;
  console: string;
  bootLog: string;
  stageLog: string;
  supervisorLog: string;
  supervisorPid: string;
  initPid: string;
  env: string;
  hostKeyPub: string;
}

export function hostFiles(labName: string, host: string): HostFiles {
  const dir = hostDir(labName, host);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'root'),
    console: join(dir, 'console'),
    bootLog: join(dir, 'boot.log'),
    stageLog: join(dir, 'stage.log'),
    supervisorLog: join(dir, 'supervisor.log'),
    supervisorPid: join(dir, 'supervisor.pid'),
    initPid: join(dir, 'init.pid'),
    env: join(dir, 'host.env'),
    hostKeyPub: join(dir, 'upper/etc/ssh/ssh_host_ed25519_key.pub'),
  };
}

async function mkdirMode(path: string, mode: number): Promise<void> {
  await mkdir(path, { recursive: true });
  await chmod(path, mode);
}

async function writeMode(path: string, content: string, mode: number): Promise<void> {
  await writeFile(path, content);
  await chmod(path, mode);
}

export function renderEtcHosts(plan: LabPlan): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const h of plan.hosts) lines.push(`${h.address}\t${h.name}`);
  lines.push(`${plan.client.address}\tclient`);
  return `${lines.join('\n')}\n`;
}

/** The lab LAN's package repository as an apt source line of the hosts (a flat repository, unsigned). */
export function renderRepoSource(url: string): string {
  return `# haweb lab: the lab LAN's package repository (served by the controller; hosts are offline otherwise).\ndeb [trusted=yes] ${url} ./\n`;
}

/** Creates each missing directory of `rel` under the upper layer with mode 0755 (what the image has). */
async function upperDirs(upper: string, rel: string): Promise<void> {
  let path = upper;
  for (const part of rel.split('/').filter(Boolean)) {
    path = join(path, part);
    if (!existsSync(path)) await mkdirMode(path, 0o755);
  }
}

/**
 * The files that give a host its kind's firewall and package source: firewalld enabled (its unit links),
 * or CentOS 6's ruleset where Debian restores rules at boot (netfilter-persistent's rules.v4) with the
 * legacy iptables selected as `update-alternatives --set` would; an apt source naming the LAN repository.
 */
async function seedKind(upper: string, lowerRootfs: string, kind: HostKind, repoUrl: string | undefined): Promise<void> {
  if (kind.firewall === 'firewalld') {
    for (const [link, target] of FIREWALLD_ENABLE_LINKS) {
      await upperDirs(upper, dirname(link));
      await symlink(target, join(upper, link));
    }
  }
  if (kind.firewall === 'rhel6-iptables') {
    await upperDirs(upper, 'etc/iptables');
    await writeMode(join(upper, 'etc/iptables/rules.v4'), RHEL6_IPTABLES_RULES, 0o644);
    await upperDirs(upper, 'etc/alternatives');
    await upperDirs(upper, 'var/lib/dpkg/alternatives');
    for (const [name, choice] of LEGACY_IPTABLES_ALTERNATIVES) {
      const admin = await readFile(join(lowerRootfs, 'var/lib/dpkg/alternatives', name), 'utf8');
      const selected = selectAlternative(name, admin, choice);
      await writeMode(join(upper, 'var/lib/dpkg/alternatives', name), selected.admin, 0o644);
      for (const [link, target] of selected.links) await symlink(target, join(upper, link));
    }
  }
  if (repoUrl) {
    await upperDirs(upper, 'etc/apt/sources.list.d');
    await writeMode(join(upper, 'etc/apt/sources.list.d/haweb-lab.list'), renderRepoSource(repoUrl), 0o644);
  }
}

/**
 * Per-host files in the upper layer, before the first boot: hostname, /etc/hosts, machine-id, the host's
 * own SSH host key and the controller's authorized key, and what its kind needs (firewall, apt source).
 * Directories get the image's modes, because an upper-layer directory's metadata is what the host sees.
 * Done once: later `up`s leave the host alone.
 */
export async function seedHost(
  plan: LabPlan,
  host: HostPlan,
  controllerPublicKey: string,
  lowerRootfs: string,
  kind: HostKind = DEFAULT_KIND,
  repoUrl?: string,
): Promise<string> {
  const f = hostFiles(plan.name, host.name);
  await mkdir(f.dir, { recursive: true });
  const env = {
    LAB_NAME: plan.name,
    LAB_HOSTNAME: host.name,
    LAB_NETNS: host.netns,
    LAB_ADDRESS: host.address,
    LAB_PREFIX: String(plan.prefix),
    LAB_GATEWAY: plan.gateway,
    LAB_LOWER: lowerRootfs,
    LAB_UPPER: f.upper,
    LAB_WORK: f.work,
    LAB_MERGED: f.merged,
    LAB_CONSOLE: f.console,
    LAB_INIT: kind.init,
    LAB_STAGE: installedScript(plan.name, kind.init === 'systemd' ? 'boot-nspawn.sh' : 'boot-stage.sh'),
  };
  await writeFile(f.env, Object.entries(env).map(([k, v]) => `${k}=${shellSafe(v)}\n`).join(''));
  if (!existsSync(f.hostKeyPub)) {
    const u = f.upper;
    await mkdir(f.work, { recursive: true });
    await mkdir(f.merged, { recursive: true });
    await mkdirMode(u, 0o755);
    await mkdirMode(join(u, 'etc'), 0o755);
    await mkdirMode(join(u, 'etc/ssh'), 0o755);
    await mkdirMode(join(u, 'root'), 0o700);
    await mkdirMode(join(u, 'root/.ssh'), 0o700);
    await writeMode(join(u, 'etc/hostname'), `${host.name}\n`, 0o644);
    await writeMode(join(u, 'etc/hosts'), renderEtcHosts(plan), 0o644);
    await writeMode(join(u, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, 0o444);
    await writeMode(join(u, 'root/.ssh/authorized_keys'), controllerPublicKey.trim() + '\n', 0o600);
    await seedKind(u, lowerRootfs, kind, repoUrl);
    const key = join(u, 'etc/ssh/ssh_host_ed25519_key');
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.name}`, '-f', `${key}.tmp`], {
      step: `generate SSH host key of ${host.name}`,
    });
    // The .pub file appears last: its presence means the host is completely seeded.
    await run(['mv', `${key}.tmp`, key], { step: `install SSH host key of ${host.name}` });
    await run(['mv', `${key}.tmp.pub`, f.hostKeyPub], { step: `install SSH host key of ${host.name}` });
  }
  return (await readFile(f.hostKeyPub, 'utf8')).trim();
}

function shellSafe(value: string): string {
  if (!/^[\w./:@%+,-]*$/.test(value)) throw new LabError('write host settings', `unsafe value ${JSON.stringify(value)}`);
  return value;
}

async function readPid(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The host's supervisor PID if it is running (checked by its command line, not just the PID). */
export async function runningSupervisor(labName: string, host: string): Promise<number | undefined> {
  const f = hostFiles(labName, host);
  const pid = await readPid(f.supervisorPid);
  if (pid === undefined || !isAlive(pid)) return undefined;
  const argv = await cmdline(pid);
  return argv.some((a) => a.endsWith('supervisor.sh')) && argv.includes(f.dir) ? pid : undefined;
}

/** The host's current PID 1 (root pid namespace numbering), verified to be the supervisor's boot. */
export async function runningInit(labName: string, host: string): Promise<number | undefined> {
  const f = hostFiles(labName, host);
  const pid = await readPid(f.initPid);
  if (pid === undefined || !isAlive(pid)) return undefined;
  // Its parent is the boot process the supervisor started (unshare, or systemd-nspawn).
  const boot = await parentPid(pid);
  if (boot === undefined) return undefined;
  const supervisor = await parentPid(boot);
  const expected = await readPid(f.supervisorPid);
  return supervisor !== undefined && supervisor === expected ? pid : undefined;
}

export async function startSupervisor(labName: string, host: string): Promise<number> {
  const running = await runningSupervisor(labName, host);
  if (running) return running;
  const f = hostFiles(labName, host);
  const out = openSync(f.supervisorLog, 'a');
  try {
    const child = spawn('/bin/bash', [installedScript(labName, 'supervisor.sh'), f.dir], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
    });
    if (child.pid === undefined) throw new LabError(`start supervisor of ${host}`, 'spawn returned no PID');
    await writeFile(f.supervisorPid, String(child.pid));
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

export interface BootProgress {
  boots: number;
  booted: boolean;
  /** The supervisor gave up or the host halted after the last boot started. */
  ended: boolean;
}

/**
 * Reads the boot log: how many boots started, and whether the latest one completed (sysvinit: the end of
 * runlevel 2; systemd: `is-system-running` answered running). A systemd boot that ended degraded counts
 * as failed.
 */
export function parseBootLog(log: string): BootProgress {
  const lines = log.split('\n');
  let boots = 0;
  let booted = false;
  let ended = false;
  for (const line of lines) {
    if (/haweb-supervisor: boot \d+ starting/.test(line)) {
      boots += 1;
      booted = false;
      ended = false;
    } else if (line.includes(BOOTED_MARKER) || line.includes(SYSTEMD_RUNNING_MARKER)) {
      booted = true;
    } else if (line.includes(SYSTEMD_NOT_RUNNING_MARKER)) {
      ended = true;
    } else if (/haweb-supervisor: (host halted|.*giving up|supervisor exiting)/.test(line)) {
      ended = true;
    }
  }
  return { boots, booted, ended };
}

export async function bootProgress(labName: string, host: string): Promise<BootProgress> {
  return parseBootLog(await readFile(hostFiles(labName, host).bootLog, 'utf8').catch(() => ''));
}

async function tail(path: string, lines: number): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Waits until the host's boot number `afterBoots + 1` (or later) has completed runlevel 2. */
export async function waitBooted(labName: string, host: string, afterBoots: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const f = hostFiles(labName, host);
  for (;;) {
    const p = await bootProgress(labName, host);
    if (p.boots > afterBoots && p.booted) return;
    const supervisorGone = (await runningSupervisor(labName, host)) === undefined;
    if ((p.boots > afterBoots && p.ended) || supervisorGone || Date.now() > deadline) {
      const why = supervisorGone ? 'its supervisor is not running' : p.ended ? 'the boot failed' : `no end of boot after ${timeoutMs / 1000} s`;
      throw new LabError(
        `boot ${host}`,
        `${why}\n--- ${f.bootLog} (last lines)\n${await tail(f.bootLog, 15)}\n--- ${f.stageLog}\n${await tail(f.stageLog, 10)}\n--- ${f.supervisorLog}\n${await tail(f.supervisorLog, 10)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True when something at address:port answers with an SSH identification string. */
export function sshBanner(address: string, port = 22, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let data = '';
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
      const line = data.split('\n')[0];
      if (data.includes('\n')) done(line.startsWith('SSH-') ? line.trim() : undefined);
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}

export async function waitSsh(host: string, address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await sshBanner(address)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new LabError(`wait for sshd of ${host}`, `${address}:22 gave no SSH banner within ${timeoutMs / 1000} s`);
}
