import { formatDiagnostic } from './diagnostics.js';
import { loadConfig, type LoadOptions } from './load.js';
import type { VrrpConfig } from './model.js';
import { fileSystemSource, type ConfigSource } from './source.js';

/** Where the daemon's start and reload write what the reader found. */
export interface ConfigLog {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

/**
 * The daemon's reading of its configuration, at start and on SIGHUP: the same reader as `vrrpd -t`,
 * every diagnostic logged, and a configuration returned only when it has no error (so it is runnable).
 */
export function readRunnableConfig(file: string, options: LoadOptions, log: ConfigLog, source: ConfigSource = fileSystemSource): VrrpConfig | undefined {
  const loaded = loadConfig(file, source, options);
  for (const d of loaded.diagnostics) (d.severity === 'error' ? log.error : log.warn)(formatDiagnostic(d));
  if (loaded.config?.ignoredKeywords) log.info(`${file}: keepalived keywords with no effect on a VRRP speaker, ignored: ${loaded.config.ignoredKeywords.join(', ')}`);
  return loaded.ok ? loaded.config : undefined;
}

/**
 * SIGHUP: reads the file again and hands the new configuration to `apply` only if it is valid. A bad
 * edit leaves the running configuration in place, and the log says why (each error with file:line:col).
 * Resolves true when the new configuration was applied.
 */
export async function reloadConfig(file: string, options: LoadOptions, log: ConfigLog, apply: (config: VrrpConfig) => Promise<void>, source: ConfigSource = fileSystemSource): Promise<boolean> {
  log.info(`Reloading configuration ${file}`);
  const next = readRunnableConfig(file, options, log, source);
  if (!next) {
    log.error(`new configuration ${file} has errors (above); keeping the running one`);
    return false;
  }
  await apply(next);
  return true;
}
