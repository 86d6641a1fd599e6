import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig, type VipConfig } from '../config/index.js';
import { IpAddressManager } from '../os/addresses.js';
import type { AddressManager } from '../os/types.js';
import { createLogger, type Logger } from './logger.js';
import { claimPidFile, removePidFile } from './pidfile.js';
import { describeVip, toVirtualAddress } from './runtime.js';
import { writeFileAtomic } from './atomic-file.js';
import type { WorkerOptions } from './worker-main.js';

export interface SupervisorOptions extends WorkerOptions {
  pidFile: string;
  vrrpPidFile: string;
  version: string;
  /** For tests: the worker entry and the address manager. */
  workerScript?: string;
  addresses?: AddressManager;
  log?: Logger;
}

const EXIT_CONFIG = 78;
/** A worker that dies this soon after starting counts toward the crash-loop limit. */
const EARLY_DEATH_MS = 10_000;
const MAX_EARLY_DEATHS = 5;
/** How long a stopping worker gets before SIGKILL (it needs one advert's worth to send priority 0). */
const STOP_GRACE_MS = 10_000;

/**
 * keepalived's process model: a small parent that forks the VRRP worker and watches it. If the worker
 * dies without being asked to, the parent removes every configured VIP at once (so no two hosts answer
 * ARP for it) and starts a new worker. SIGTERM stops the worker cleanly, then the parent exits.
 */
export async function runSupervisor(options: SupervisorOptions): Promise<number> {
  const log = options.log ?? createLogger({ console: options.logConsole, detail: options.logDetail, logFile: options.logFile });
  const addresses = options.addresses ?? new IpAddressManager();
  const workerScript = options.workerScript ?? fileURLToPath(new URL('./worker-main.js', import.meta.url));
  log.info(`Starting vrrpd v${options.version}`);
  try {
    await claimPidFile(options.pidFile);
  } catch (error) {
    log.error((error as Error).message);
    return 1;
  }
  // The VIPs to clean up if the worker dies. Read after the fork (below) so that the worker's start-up,
  // which is what a failback waits for, does not also wait for this parse; a configuration with
  // errors is reported by the worker, which then exits with EXIT_CONFIG.
  let vips: VipConfig[] = [];
  const readVips = () => {
    const loaded = loadConfig(options.configFile);
    if (loaded.ok && loaded.config) vips = loaded.config.instances.flatMap((i) => i.vips);
  };

  let worker: ChildProcess | undefined;
  let stopping = false;
  const deaths: number[] = [];
  let done!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));

  const removeAllVips = async () => {
    await Promise.all(vips.map((vip) => addresses.remove(toVirtualAddress(vip)).catch((e: unknown) => log.error(`cannot remove ${describeVip(vip)}: ${(e as Error).message}`))));
  };

  const finish = (code: number) => {
    removePidFile(options.pidFile);
    removePidFile(options.vrrpPidFile, worker?.pid);
    done(code);
  };

  const start = () => {
    const child = fork(workerScript, [JSON.stringify({ configFile: options.configFile, logConsole: options.logConsole, logDetail: options.logDetail, logFile: options.logFile, statusPath: options.statusPath, dumpPath: options.dumpPath } satisfies WorkerOptions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker = child;
    const startedAt = Date.now();
    log.info(`Starting VRRP child process, pid=${child.pid}`);
    if (child.pid) void writeFileAtomic(options.vrrpPidFile, `${child.pid}\n`).catch((e: unknown) => log.warn(`cannot write ${options.vrrpPidFile}: ${(e as Error).message}`));
    child.on('exit', (code, signal) => void onExit(child, code, signal, startedAt));
  };

  const onExit = async (child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, startedAt: number) => {
    if (child !== worker) return;
    if (stopping) {
      if (code !== 0) await removeAllVips();
      log.info('Stopped vrrpd');
      finish(0);
      return;
    }
    if (code === EXIT_CONFIG) {
      log.error('VRRP child process refused its configuration; stopping');
      await removeAllVips();
      finish(1);
      return;
    }
    // The worker died on its own (kill -9, crash): its VIPs must not outlive it.
    log.warn(`VRRP child process(${child.pid}) died: ${signal ? `signal ${signal}` : `exit status ${code}`}; removing VIPs and respawning`);
    await removeAllVips();
    const now = Date.now();
    if (now - startedAt < EARLY_DEATH_MS) deaths.push(now);
    while (deaths.length > 0 && now - deaths[0] > 60_000) deaths.shift();
    if (deaths.length >= MAX_EARLY_DEATHS) {
      log.error(`VRRP child process died ${deaths.length} times within a minute; giving up`);
      finish(1);
      return;
    }
    if (!stopping) setTimeout(() => { if (!stopping) start(); }, deaths.length > 1 ? 1000 : 0);
  };

  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Stopping vrrpd (${why})`);
    const child = worker;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      void removeAllVips().then(() => finish(0));
      return;
    }
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        log.warn(`VRRP child process(${child.pid}) did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
      }
    }, STOP_GRACE_MS).unref();
  };

  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const onHup = () => {
    readVips();
    log.info('Reloading: forwarding SIGHUP to the VRRP child process');
    worker?.kill('SIGHUP');
  };
  const onUsr1 = () => worker?.kill('SIGUSR1');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  process.on('SIGUSR1', onUsr1);
  start();
  readVips();
  const code = await finished;
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  process.off('SIGHUP', onHup);
  process.off('SIGUSR1', onUsr1);
  return code;
}
