/**
 * The VRRP worker process, forked by the supervisor (keepalived's VRRP child). It runs the daemon
 * until SIGTERM (clean stop: priority 0, VIPs removed) or until its supervisor goes away.
 * argv[2] is a JSON WorkerOptions.
 */
import { readRunnableConfig, reloadConfig } from '../config/reload.js';
import { createSystemDeps } from '../os/index.js';
import type { VrrpConfig } from '../config/model.js';
import { toVirtualAddress } from './runtime.js';
import { recordVips } from './vip-record.js';
import { VrrpDaemon } from './daemon.js';
import { createLogger } from './logger.js';

export interface WorkerOptions {
  configFile: string;
  logConsole: boolean;
  logDetail: boolean;
  logFile?: string;
  statusPath: string;
  dumpPath: string;
  /** Where the worker records the VIPs it holds, for the supervisor to remove if the worker dies. */
  vipFile?: string;
  /** keepalived's -i/--config-id: selects `@ID` lines of the configuration. */
  configId?: string;
}

/** Exit code meaning "the configuration is invalid": the supervisor then gives up instead of respawning. */
export const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
  const log = createLogger({ console: options.logConsole, detail: options.logDetail, logFile: options.logFile });
  const readOptions = { configId: options.configId };
  const config = readRunnableConfig(options.configFile, readOptions, log);
  if (!config) {
    log.error(`configuration ${options.configFile} has errors; not starting`);
    process.exit(EXIT_CONFIG);
  }
  const system = createSystemDeps();
  const record = options.vipFile ? recordVips(system.addresses, options.vipFile) : undefined;
  const declareVips = (config: VrrpConfig) => record?.declare(config.instances.flatMap((i) => i.vips.map(toVirtualAddress)));
  declareVips(config);
  const deps = record ? { ...system, addresses: record } : system;
  const daemon = new VrrpDaemon({ deps, log, statusPath: options.statusPath, dumpPath: options.dumpPath, statusRefreshMs: 10_000, handoverOnStop: true });
  // Protocol timers are unref'd; this keeps the worker alive until it is told to stop.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    // The priority-0 adverts leave inside stop()'s first synchronous steps; the log line can wait.
    const stopped = daemon.stop();
    log.info(`Stopping (${why})`);
    try {
      await stopped;
    } finally {
      clearInterval(keepAlive);
      log.info('Stopped');
      process.exit(0);
    }
  };
  let reloading = Promise.resolve();
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('disconnect', () => void stop('supervisor went away'));
  // Without an IPC channel (the sh supervisor), a new parent pid means the supervisor went away.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) void stop('supervisor went away'); }, 1000).unref();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      await reloadConfig(options.configFile, readOptions, log, async (next) => {
        // Declared before the reload adds any; VIPs dropped from the configuration stay recorded while
        // they are on the host (the record keeps what was added until it is removed).
        declareVips(next);
        await daemon.reload(next);
      });
    }).catch((error: unknown) => log.error(`reload failed: ${(error as Error).stack ?? error}`));
  });
  process.on('SIGUSR1', () => void daemon.dump().catch((error: unknown) => log.error(`state dump failed: ${(error as Error).message}`)));
  await daemon.start(config);
}

process.on('uncaughtException', (error) => {
  // Crash rather than limp on: the supervisor removes the VIPs and starts a fresh worker.
  process.stderr.write(`vrrpd worker: fatal: ${error.stack ?? error}\n`);
  process.exit(70);
});

main().catch((error: unknown) => {
  process.stderr.write(`vrrpd worker: cannot start: ${(error as Error).stack ?? error}\n`);
  process.exit(71);
});
