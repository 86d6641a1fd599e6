import type { VrrpConfig } from '../config/model.js';
import { VrrpDaemon, type DaemonOptions } from './daemon.js';

export { VrrpDaemon, type DaemonOptions } from './daemon.js';
export { configTest, type ConfigTestReport } from './config-test.js';
export { runCli, buildProgram, companionFiles } from './cli.js';
export { SUPERVISOR_SH } from './supervisor-sh.js';
export { createLogger, memoryLogger, type Logger } from './logger.js';
export { notifyCommands, type NotifyState } from './notify.js';
export { formatStatus, readStatusFile } from './status-command.js';
export type { DaemonStatus, InstanceStatus } from './status.js';
export * from './paths.js';

/** Starts a daemon on a parsed configuration (the worker's job, usable in-process by tests and tools). */
export async function startDaemon(config: VrrpConfig, options: DaemonOptions): Promise<VrrpDaemon> {
  const daemon = new VrrpDaemon(options);
  await daemon.start(config);
  return daemon;
}
