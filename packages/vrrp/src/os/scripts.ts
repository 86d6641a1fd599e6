/**
 * ScriptRunner for track and notify scripts. Each script runs in its own process group (detached),
 * so a timeout can kill everything it started: SIGTERM to the group, then SIGKILL 2 s later, as
 * keepalived does. stdout is discarded, stderr captured up to a bound for the log. Our sockets are
 * close-on-exec, so the script inherits none of them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ScriptResult, ScriptRunner } from './types.js';

export const STDERR_LIMIT = 4096;
export const KILL_GRACE_MS = 2000;

export interface Credentials {
  uid: number;
  gid: number;
}

/** Finds a name or number in passwd(5)/group(5) text: field 0 is the name, `idField` the number. */
export function lookupDatabase(text: string, nameOrId: string, idField: number): { id: number; primaryGid?: number } | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length <= idField) continue;
    if (fields[0] === nameOrId || fields[idField] === nameOrId) {
      return { id: Number(fields[idField]), primaryGid: fields.length > 3 ? Number(fields[3]) : undefined };
    }
  }
  return undefined;
}

/**
 * Resolves keepalived's `user USERNAME [GROUPNAME]` (names or numbers) from passwd/group text. The
 * group defaults to the user's primary group.
 */
export function resolveCredentials(user: string, passwd: string, group: string): Credentials {
  const [userName, groupName] = user.trim().split(/\s+/);
  const entry = lookupDatabase(passwd, userName, 2);
  if (!entry && !/^\d+$/.test(userName)) throw new Error(`unknown script user ${JSON.stringify(userName)}`);
  const uid = entry?.id ?? Number(userName);
  let gid = entry?.primaryGid ?? uid;
  if (groupName) {
    const g = lookupDatabase(group, groupName, 2);
    if (!g && !/^\d+$/.test(groupName)) throw new Error(`unknown script group ${JSON.stringify(groupName)}`);
    gid = g?.id ?? Number(groupName);
  }
  return { uid, gid };
}

/** Appends to a capture, keeping the first `limit` bytes and noting how much was cut. */
export class BoundedCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;
  constructor(private readonly limit = STDERR_LIMIT) {}
  push(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }
  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped > 0 ? `${body}... [${this.dropped} more bytes]` : body;
  }
}

export interface ProcessScriptRunnerOptions {
  killGraceMs?: number;
  stderrLimit?: number;
  /** Where users and groups are looked up (tests point these at fixtures). */
  passwdPath?: string;
  groupPath?: string;
}

export class ProcessScriptRunner implements ScriptRunner {
  private readonly killGraceMs: number;
  private readonly stderrLimit: number;
  private readonly passwdPath: string;
  private readonly groupPath: string;

  constructor(options: ProcessScriptRunnerOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? KILL_GRACE_MS;
    this.stderrLimit = options.stderrLimit ?? STDERR_LIMIT;
    this.passwdPath = options.passwdPath ?? '/etc/passwd';
    this.groupPath = options.groupPath ?? '/etc/group';
  }

  run(argv: readonly string[], options: { timeoutMs: number; user?: string }): Promise<ScriptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (argv.length === 0) {
      return Promise.resolve({ code: 127, timedOut: false, stderr: 'empty command', durationMs: 0 });
    }
    let credentials: Credentials | undefined;
    try {
      if (options.user) {
        credentials = resolveCredentials(
          options.user,
          readFileSync(this.passwdPath, 'utf8'),
          readFileSync(this.groupPath, 'utf8'),
        );
      }
    } catch (error) {
      return Promise.resolve({ code: 126, timedOut: false, stderr: (error as Error).message, durationMs: elapsed() });
    }

    return new Promise((resolve) => {
      const stderr = new BoundedCapture(this.stderrLimit);
      let timedOut = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const child = spawn(argv[0], argv.slice(1), {
        detached: true, // own process group: the timeout kills the script and its children
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: '/',
        uid: credentials?.uid,
        gid: credentials?.gid,
      });
      const finish = (result: Omit<ScriptResult, 'durationMs' | 'stderr' | 'timedOut'>) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        resolve({ ...result, timedOut, stderr: stderr.text(), durationMs: elapsed() });
      };
      const killGroup = (signal: NodeJS.Signals) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // The group is already gone.
        }
      };
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        stderr.push(Buffer.from(`${argv[0]}: ${error.message}`));
        finish({ code: error.code === 'ENOENT' ? 127 : 126 });
      });
      child.on('exit', (code, signal) => {
        // Wait briefly for stderr to flush; a background grandchild may hold the pipe open forever.
        const flush = setTimeout(() => finish({ code: code ?? undefined, signal: signal ?? undefined }), 50);
        child.stderr!.once('close', () => {
          clearTimeout(flush);
          finish({ code: code ?? undefined, signal: signal ?? undefined });
        });
        if (timedOut || signal) killGroup('SIGKILL'); // leftovers of a killed script
      });
      if (options.timeoutMs > 0) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            killGroup('SIGTERM');
            timers.push(setTimeout(() => killGroup('SIGKILL'), this.killGraceMs));
          }, options.timeoutMs),
        );
      }
    });
  }
}
