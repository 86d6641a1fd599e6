/**
 * The controller itself as a host (Ansible's `connection: local`): the same Remote as over SSH, with
 * each command line (built by buildCommandLine, the same quoting, cwd, env, timeout and sudo) run by a
 * child `sh` on this machine instead of an SSH channel. File writes use the same atomic scripts.
 */
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import type { Command, Connection, ConnectionTarget, Connector, FileAttributes, RunOptions, RunResult } from '@haweb/core';
import { buildCommandLine } from './command-line.js';
import { ABSENT_EXIT, atomicWriteScript, readFileScript } from './file-scripts.js';

/** Grace after timeoutMs before the controller kills the shell itself (timeout(1) should win). */
const TIMEOUT_GRACE_MS = 10_000;

interface RawResult {
  code: number;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

/** Runs one command line under /bin/sh on the controller, feeding stdin and streaming output. */
function runLine(line: string, options: Pick<RunOptions, 'stdin' | 'onOutput' | 'timeoutMs'>): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let killer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs + TIMEOUT_GRACE_MS);
    }
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      options.onOutput?.(chunk.toString('utf8'), 'stdout');
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err += chunk;
      options.onOutput?.(chunk, 'stderr');
    });
    child.on('error', (e) => {
      if (killer) clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: err, ...(signal ? { signal } : {}) });
    });
    // A command that does not read its stdin closes the pipe early: that is not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

export class LocalConnection implements Connection {
  constructor(
    readonly hostName: string,
    /** The controller's user: `become` goes through sudo only when it is not root, as over SSH. */
    private readonly user: string = userInfo().username,
  ) {}

  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const raw = await runLine(buildCommandLine(command, { ...options, user: this.user }), options);
    return { code: raw.code, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr, ...(raw.signal ? { signal: raw.signal } : {}) };
  }

  async writeFile(path: string, content: string | Buffer, attrs: FileAttributes & { become?: boolean } = {}): Promise<void> {
    const { become, ...fileAttrs } = attrs;
    const res = await runLine(buildCommandLine({ script: atomicWriteScript(path, fileAttrs) }, { become, user: this.user }), { stdin: content });
    if (res.code !== 0) throw new Error(`writing ${path} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
  }

  async putFile(localPath: string, remotePath: string, attrs: FileAttributes & { become?: boolean } = {}): Promise<void> {
    const { become, ...fileAttrs } = attrs;
    // The source is on this machine already: the atomic script copies it next to the destination.
    const res = await runLine(buildCommandLine({ script: atomicWriteScript(remotePath, fileAttrs, localPath) }, { become, user: this.user }), {});
    if (res.code !== 0) throw new Error(`installing ${remotePath} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
  }

  async readFile(path: string, options: { become?: boolean } = {}): Promise<Buffer | undefined> {
    const res = await runLine(buildCommandLine({ script: readFileScript(path) }, { become: options.become, user: this.user }), {});
    if (res.code === ABSENT_EXIT) return undefined;
    if (res.code !== 0) throw new Error(`reading ${path} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
    return res.stdout;
  }

  async close(): Promise<void> {
    // Nothing stays open between commands.
  }
}

export class LocalConnector implements Connector {
  async connect(target: ConnectionTarget): Promise<LocalConnection> {
    return new LocalConnection(target.hostName);
  }
}

/**
 * The connector a run uses: each target goes to the connector of its transport (`local` runs on the
 * controller, anything else over SSH).
 */
export class TransportConnector implements Connector {
  constructor(
    private readonly ssh: Connector,
    private readonly local: Connector = new LocalConnector(),
  ) {}

  connect(target: ConnectionTarget): Promise<Connection> {
    return (target.transport === 'local' ? this.local : this.ssh).connect(target);
  }
}
