import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSyslog, type SyslogSeverity } from './syslog.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  /** Only written with -D (log detail). */
  debug(message: string): void;
}

export interface LoggerOptions {
  /** -l: write to stderr instead of syslog. */
  console: boolean;
  /** -D: include detail (debug) lines. */
  detail: boolean;
  ident?: string;
  /** Where console lines go (tests capture them). */
  write?: (line: string) => void;
  /** The syslog socket (default /dev/log). */
  syslogPath?: string;
  /** -g FILE: append lines to FILE instead of syslog (keepalived's --log-file). */
  logFile?: string;
}

const SEVERITY: Record<LogLevel, SyslogSeverity> = { error: 3, warn: 4, info: 6, debug: 7 };

/** keepalived's console prefix: `Wed Nov 25 03:13:02 2026: `. */
export function consoleTimestamp(date = new Date()): string {
  const text = date.toString(); // "Wed Nov 25 2026 03:13:02 GMT+0000 (...)"
  const [day, month, dom, year, time] = text.split(' ');
  return `${day} ${month} ${dom} ${time} ${year}`;
}

/**
 * Logs to syslog through the /dev/log datagram socket when it exists (no `logger` process per line),
 * else, or with -l, to stderr with keepalived's timestamp prefix.
 */
export function createLogger(options: LoggerOptions): Logger & { close(): void } {
  const ident = options.ident ?? 'vrrpd';
  const path = options.syslogPath ?? '/dev/log';
  const fileFd = !options.console && options.logFile ? openLogFile(options.logFile) : undefined;
  const syslog = !options.console && fileFd === undefined && existsSync(path) ? openSyslog(path, ident) : undefined;
  // A reader that went away (a closed pipe) must not kill the daemon with EPIPE.
  if (!options.write) ignoreStderrErrors();
  const write = options.write ?? (fileFd !== undefined
    ? (line: string) => { try { writeSync(fileFd, `${line}\n`); } catch { process.stderr.write(`${line}\n`); } }
    : (line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string) => {
    if (level === 'debug' && !options.detail) return;
    if (syslog && syslog.send(SEVERITY[level], message)) return;
    write(`${consoleTimestamp()}: ${message}`);
  };
  return {
    error: (m) => emit('error', m),
    warn: (m) => emit('warn', m),
    info: (m) => emit('info', m),
    debug: (m) => emit('debug', m),
    close: () => {
      syslog?.close();
      if (fileFd !== undefined) closeSync(fileFd);
    },
  };
}

let stderrGuarded = false;
function ignoreStderrErrors(): void {
  if (stderrGuarded) return;
  stderrGuarded = true;
  process.stderr.on('error', () => {});
}

/** O_APPEND, so the supervisor and its worker can share one file line by line. */
function openLogFile(path: string): number | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a', 0o640);
  } catch (error) {
    process.stderr.write(`vrrpd: cannot open log file ${path}: ${(error as Error).message}; logging to syslog/stderr\n`);
    return undefined;
  }
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    error: (m) => lines.push(`error: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    debug: (m) => lines.push(`debug: ${m}`),
  };
}
