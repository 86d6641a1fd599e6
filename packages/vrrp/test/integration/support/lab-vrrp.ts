/**
 * Running VRRP daemons (our vrrpd from the repo's dist, or Debian's keepalived) inside lab hosts'
 * network namespaces, and reading who holds the VIP. Only the network namespace is entered
 * (`nsenter --net=/run/netns/<ns>`), so the controller's node, repo and /tmp are used as they are.
 *
 * The lab is a private one (name `vrrpio`, 198.18.53.0/24, RFC 2544's benchmarking range) so these tests never share a LAN or a
 * VRID with whoever is using the default lab `haweb`.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LabState } from '@haweb/lab';

const execFileAsync = promisify(execFile);

export const LAB_NAME = 'vrrpio';
export const LAB_SUBNET = '198.18.53.0/24';
export const VRRPD = fileURLToPath(new URL('../../../dist/bin/vrrpd.js', import.meta.url));
export const KEEPALIVED = '/usr/sbin/keepalived';

export async function privateLab(): Promise<LabState> {
  const { ensureLab } = await import('@haweb/lab');
  return ensureLab({ name: LAB_NAME, subnet: LAB_SUBNET, hosts: 2 });
}

/**
 * Takes the private lab down after a test file (CI only removes the default lab), unless
 * VRRP_KEEP_LAB=1 keeps it for the next run; bringing it up again from the cached image takes ~2 s.
 */
export async function releasePrivateLab(): Promise<void> {
  if (process.env.VRRP_KEEP_LAB === '1') return;
  const { downLab } = await import('@haweb/lab');
  await downLab(LAB_NAME);
}

export function nsArgv(ns: string, argv: string[]): string[] {
  return ['nsenter', `--net=/run/netns/${ns}`, '--', ...argv];
}

export function inNs(ns: string, argv: string[]): string {
  const [file, ...args] = nsArgv(ns, argv);
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function inNsAsync(ns: string, argv: string[]): Promise<string> {
  const [file, ...args] = nsArgv(ns, argv);
  return (await execFileAsync(file, args, { encoding: 'utf8' })).stdout;
}

/** Whether `address` is configured on the host's interface. */
export function hasAddress(ns: string, ifname: string, address: string): boolean {
  return inNs(ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', ifname]).includes(` ${address}/`);
}

/** Deletes an address if present (cleanup after a failed test); never throws. */
export function removeAddress(ns: string, ifname: string, cidr: string): void {
  try {
    const [file, ...args] = nsArgv(ns, ['ip', '-4', 'addr', 'del', cidr, 'dev', ifname]);
    execFileSync(file, args, { stdio: 'ignore' });
  } catch {
    // not there
  }
}

export type DaemonKind = 'vrrpd' | 'keepalived';

/** A daemon in the foreground (-n -l), its log captured, its private pid files in its own directory. */
export class Daemon {
  log = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(
    readonly kind: DaemonKind,
    readonly ns: string,
    readonly dir: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (c) => (this.log += c));
    child.stderr!.on('data', (c) => (this.log += c));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.removeFiles(); // however it ended (stop, kill -9, timeout), its directory goes
        resolve({ code, signal });
      }),
    );
  }

  /** Starts `kind` in `ns` with `config`; it is killed after `maxSeconds` whatever happens. */
  static start(kind: DaemonKind, ns: string, config: string, options: { maxSeconds?: number; tag?: string } = {}): Daemon {
    const dir = mkdtempSync(join(tmpdir(), `vrrp-${kind}-${options.tag ?? ns}-`));
    const conf = join(dir, 'vrrp.conf');
    writeFileSync(conf, config);
    const limit = ['timeout', '-s', 'KILL', String(options.maxSeconds ?? 600)];
    const argv =
      kind === 'keepalived'
        ? [KEEPALIVED, '-n', '-l', '-D', '-P', '-f', conf, '-p', join(dir, 'main.pid'), '-r', join(dir, 'vrrp.pid')]
        : [process.execPath, VRRPD, '-n', '-l', '-D', '-f', conf, '-p', join(dir, 'main.pid')];
    if (kind === 'vrrpd' && !existsSync(VRRPD)) throw new Error(`${VRRPD} missing: build first (npx turbo run build --filter=@haweb/vrrp...)`);
    // timeout(1) runs the daemon as its child, so our child pid is timeout's; the daemon's own pid is
    // read from /proc (the daemon is timeout's only child).
    const [file, ...args] = nsArgv(ns, [...limit, ...argv]);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Daemon(kind, ns, dir, child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The daemon's main process: the only child of timeout(1) (nsenter execs timeout in place). */
  mainPid(): number | undefined {
    return childrenOf(this.child.pid!)[0];
  }

  /** The process doing VRRP: keepalived's VRRP child, or vrrpd's worker under its supervisor. */
  workerPid(): number | undefined {
    const main = this.mainPid();
    if (main === undefined) return undefined;
    return childrenOf(main).find((pid) => commandLine(pid).length > 0);
  }

  async waitForLog(pattern: RegExp, timeoutMs: number, fromOffset = 0): Promise<string> {
    return waitUntil(() => this.lines(pattern, fromOffset)[0], timeoutMs, () => `${this.kind} in ${this.ns} never logged ${pattern}. Log:\n${this.log.slice(fromOffset)}`);
  }

  lines(pattern: RegExp, fromOffset = 0): string[] {
    return this.log.slice(fromOffset).split('\n').filter((l) => pattern.test(l));
  }

  /** Signals the daemon's main process (not timeout), e.g. SIGTERM for a graceful stop. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.mainPid();
    if (pid !== undefined) process.kill(pid, signal);
  }

  /** Graceful stop; SIGKILL to the daemon's own processes after `graceMs`. Safe to call twice. */
  async stop(graceMs = 8000): Promise<void> {
    if (!this.running) {
      this.removeFiles();
      return;
    }
    const pids = [this.mainPid(), this.workerPid()].filter((p): p is number => p !== undefined);
    if (pids.length > 0) process.kill(pids[0], 'SIGTERM');
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const pid of [...pids, this.child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    this.removeFiles();
  }

  /** Deletes the config and pid-file directory (the log stays in memory). */
  removeFiles(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, explain: () => string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${explain()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface InstanceOptions {
  ifname: string;
  vrid: number;
  priority: number;
  state: 'MASTER' | 'BACKUP';
  version: 2 | 3;
  advertInt: string;
  vip: string;
  prefixLength: number;
  /** A track script (the seed's chk_nginx shape): its path, interval and weight. */
  check?: { script: string; interval: number; weight: number };
}

/** keepalived.conf text both daemons accept: the seed's shape (PASS auth in v2, chk_nginx, weight). */
export function vrrpConfig(o: InstanceOptions): string {
  const check = o.check
    ? `vrrp_script chk_nginx {\n    script "${o.check.script}"\n    interval ${o.check.interval}\n    weight ${o.check.weight}\n}\n`
    : '';
  const auth = o.version === 2 ? '    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n' : '';
  const track = o.check ? '    track_script {\n        chk_nginx\n    }\n' : '';
  return `global_defs {
    router_id vrrpio_${o.priority}
    vrrp_version ${o.version}
    script_user root
    enable_script_security
}
${check}vrrp_instance VI_1 {
    state ${o.state}
    interface ${o.ifname}
    virtual_router_id ${o.vrid}
    priority ${o.priority}
    advert_int ${o.advertInt}
${auth}${track}    virtual_ipaddress {
        ${o.vip}/${o.prefixLength}
    }
}
`;
}

/**
 * A check script that fails while a flag file exists (standing in for "nginx is down"); root-owned
 * and not group/world writable, so enable_script_security accepts it.
 */
export function checkScript(dir: string, name: string): { script: string; flag: string } {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const flag = join(dir, `${name}.down`);
  const script = join(dir, `${name}-check.sh`);
  writeFileSync(script, `#!/bin/sh\n[ ! -e ${flag} ]\n`);
  chmodSync(script, 0o755);
  return { script, flag };
}
