/**
 * vrrp_track_process without the netlink process connector (it only serves the initial pid namespace,
 * and every lab host, container or chroot'ed init has its own): each matching process is held by a
 * pidfd registered with the poller, so its exit is seen the moment it happens (a pidfd turns readable when its process exits);
 * new instances are found by a bounded scan of /proc every `scanIntervalMs` (and on demand after a
 * repair). Reads only /proc/PID/stat (name, state) and, when parameters matter, /proc/PID/cmdline.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Libc } from './libc.js';
import type { Poller } from './poller.js';
import type { ProcessMatch, ProcessMonitor, ProcessWatch } from './types.js';

/** The kernel keeps 15 characters of a process name (TASK_COMM_LEN 16 with the NUL). */
const COMM_LENGTH = 15;

export interface ProcessInfo {
  comm: string;
  /** stat's state letter: Z (zombie) and X (dead) no longer run. */
  state: string;
}

/** Name and state from /proc/PID/stat text; the name may hold spaces and parentheses, so the last ')' ends it. */
export function parseStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const state = text.slice(close + 2, close + 3);
  return { comm: text.slice(open + 1, close), state };
}

/** /proc/PID/cmdline: NUL-separated words (a trailing NUL ends the last). */
export function parseCmdline(text: string): string[] {
  const words = text.split('\0');
  if (words.at(-1) === '') words.pop();
  return words;
}

/** keepalived's rules: the name alone against comm; with parameters (or full_command) the command line. */
export function processMatches(m: ProcessMatch, info: ProcessInfo, cmdline: () => string[]): boolean {
  const byCommandLine = m.fullCommand || m.params.length > 0 || m.paramMatchGiven;
  if (!byCommandLine) return info.comm === m.process.slice(0, COMM_LENGTH);
  const [command, ...args] = cmdline();
  if (command === undefined) return false; // kernel threads have no command line
  if (m.fullCommand ? command !== m.process : command !== m.process && info.comm !== m.process.slice(0, COMM_LENGTH)) return false;
  if (m.params.length === 0) return m.paramMatchGiven ? args.length === 0 : true;
  if (m.paramMatch === 'exact') return args.length === m.params.length && m.params.every((p, i) => args[i] === p);
  if (args.length < m.params.length) return false;
  const last = m.params.length - 1;
  return m.params.every((p, i) => (m.paramMatch === 'initial' && i === last ? args[i].startsWith(p) : args[i] === p));
}

export interface ProcfsOptions {
  /** Where proc is mounted (tests point it elsewhere). */
  procRoot?: string;
  /** How often /proc is scanned for new instances. */
  scanIntervalMs?: number;
  /** At most this many /proc entries are looked at per scan: a bound on the cost of one scan. */
  maxEntries?: number;
  onError?: (error: Error) => void;
}

interface Watched {
  match: ProcessMatch;
  onCount: (count: number) => void;
  /** pid → pidfd of every running match. */
  pids: Map<number, number>;
  lastCount?: number;
}

export class ProcfsProcessMonitor implements ProcessMonitor {
  private readonly watches = new Set<Watched>();
  private timer?: NodeJS.Timeout;
  private readonly procRoot: string;
  private readonly scanIntervalMs: number;
  private readonly maxEntries: number;
  private readonly onError: (error: Error) => void;

  constructor(private readonly libc: Libc, private readonly poller: Poller, options: ProcfsOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.scanIntervalMs = options.scanIntervalMs ?? 1000;
    this.maxEntries = options.maxEntries ?? 65_536;
    this.onError = options.onError ?? ((error) => process.emitWarning(error));
  }

  watch(match: ProcessMatch, onCount: (count: number) => void): ProcessWatch {
    const w: Watched = { match, onCount, pids: new Map() };
    this.watches.add(w);
    this.scan([w]);
    this.schedule();
    return {
      rescan: async () => {
        if (this.watches.has(w)) this.scan([w]);
        return w.pids.size;
      },
      stop: () => {
        this.watches.delete(w);
        for (const [pid] of w.pids) this.forget(w, pid);
        if (this.watches.size === 0 && this.timer) { clearInterval(this.timer); this.timer = undefined; }
      },
    };
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.scan([...this.watches]), this.scanIntervalMs);
    this.timer.unref();
  }

  /** One pass over /proc for these watches: every new match gets a pidfd. */
  private scan(watches: Watched[]): void {
    let entries: string[];
    try {
      entries = readdirSync(this.procRoot);
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    let seen = 0;
    for (const entry of entries) {
      if (seen >= this.maxEntries) break;
      if (!/^\d+$/.test(entry)) continue;
      seen++;
      const pid = Number(entry);
      if (watches.every((w) => w.pids.has(pid))) continue;
      const info = this.info(pid);
      if (!info || info.state === 'Z' || info.state === 'X') continue;
      let cmdline: string[] | undefined;
      const readCmdline = () => (cmdline ??= this.cmdline(pid));
      for (const w of watches) {
        if (w.pids.has(pid) || !processMatches(w.match, info, readCmdline)) continue;
        this.hold(w, pid);
      }
    }
    for (const w of watches) this.report(w);
  }

  /** Opens a pidfd and checks it is still the process we matched (the pid may have been reused). */
  private hold(w: Watched, pid: number): void {
    let fd: number;
    try {
      fd = this.libc.pidfdOpen(pid);
    } catch {
      return; // exited between the scan and now
    }
    const info = this.info(pid);
    if (!info || info.state === 'Z' || !processMatches(w.match, info, () => this.cmdline(pid))) {
      this.libc.close(fd);
      return;
    }
    w.pids.set(pid, fd);
    this.poller.register(fd, () => {
      // Readable: the process has exited.
      this.forget(w, pid);
      this.report(w);
    });
  }

  private forget(w: Watched, pid: number): void {
    const fd = w.pids.get(pid);
    if (fd === undefined) return;
    w.pids.delete(pid);
    this.poller.unregister(fd, () => {
      try { this.libc.close(fd); } catch (error) { this.onError(error as Error); }
    });
  }

  private report(w: Watched): void {
    if (!this.watches.has(w) || w.lastCount === w.pids.size) return;
    w.lastCount = w.pids.size;
    w.onCount(w.pids.size);
  }

  private info(pid: number): ProcessInfo | undefined {
    try {
      return parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private cmdline(pid: number): string[] {
    try {
      return parseCmdline(readFileSync(`${this.procRoot}/${pid}/cmdline`, 'utf8'));
    } catch {
      return [];
    }
  }
}
