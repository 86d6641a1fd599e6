/**
 * One SSH connection to one host, reused for every task: a Remote over node-ssh.
 * - at most `maxChannels` channels at once (OpenSSH's MaxSessions defaults to 10; one long-lived
 *   SFTP session takes one of ours permanently once opened);
 * - every command line is built by buildCommandLine (quoting, `cd X &&`, env, timeout, sudo);
 * - output is never trimmed; stdout is kept as raw bytes so readFile is binary-safe.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { NodeSSH } from 'node-ssh';
import {
  UnreachableError,
  shellQuote,
  type Command,
  type Connection,
  type Become,
  type FileAttributes,
  type RunOptions,
  type RunResult,
} from '@haweb/core';
import { buildCommandLine, effectiveBecome, readsBecomePassword } from './command-line.js';
import { ABSENT_EXIT, atomicWriteScript, finishUploadScript, readFileScript, tempPathFor } from './file-scripts.js';
import { Semaphore } from './semaphore.js';

export const DEFAULT_MAX_CHANNELS = 8;
/** Grace after timeoutMs before the controller gives up on the channel itself (timeout(1) should win). */
const TIMEOUT_GRACE_MS = 10_000;
const CHANNEL_OPEN_RETRIES = 4;

/** The parts of ssh2's objects we use (ssh2 ships no type declarations here). */
interface ClientChannel {
  signal(name: string): unknown;
  close(): unknown;
}
interface SFTPWrapper {
  fastPut(local: string, remote: string, opts: { mode?: number }, cb: (err: Error | null | undefined) => void): void;
  end(): void;
}

interface RawResult {
  code: number;
  signal?: string;
  stdout: Buffer;
  stderr: string;
}

export class SshConnection implements Connection {
  private readonly channels: Semaphore;
  private sftpPromise?: Promise<SFTPWrapper>;
  private lost?: string;
  private closed = false;

  constructor(
    readonly hostName: string,
    private readonly ssh: NodeSSH,
    private readonly user: string,
    maxChannels = DEFAULT_MAX_CHANNELS,
  ) {
    this.channels = new Semaphore(maxChannels);
    const conn = ssh.connection;
    // node-ssh drops its connect-time error listener: without ours, a reset would crash the process.
    conn?.on('error', (err: Error) => {
      this.lost ??= err.message;
    });
    conn?.on('close', () => {
      if (!this.closed) this.lost ??= 'connection closed by the remote host';
    });
  }

  /** Channels in use right now (for tests). */
  get channelsInUse(): number {
    return this.channels.inUse;
  }

  async run(command: Command, options: RunOptions = {}): Promise<RunResult> {
    const become = effectiveBecome(options.become, this.user);
    if (!become) {
      const raw = await this.exec(buildCommandLine(command, { ...options, user: this.user }), options);
      return { code: raw.code, stdout: raw.stdout.toString('utf8'), stderr: raw.stderr, ...(raw.signal ? { signal: raw.signal } : {}) };
    }
    // The command says on stderr that it started as the become user: without that line, becoming
    // failed (no sudo, a wrong or missing password) and the task fails as a module failure would,
    // not as the command's own exit code.
    const marker = `BECOME-SUCCESS-${randomBytes(8).toString('hex')}`;
    const markerLine = `${marker}\n`;
    const onOutput = options.onOutput;
    const raw = await this.exec(buildCommandLine(command, { ...options, user: this.user, becomeMarker: marker }), {
      ...options,
      stdin: this.becomeStdin(options.become, options.stdin),
      onOutput: onOutput && ((chunk, stream) => {
        const text = stream === 'stderr' ? chunk.replace(markerLine, '') : chunk;
        if (text) onOutput(text, stream);
      }),
    });
    const at = raw.stderr.indexOf(markerLine);
    if (at < 0) {
      const why = raw.stderr.trim() || `exit ${raw.code}`;
      throw new Error(`becoming ${become.user} with ${become.method} failed on ${this.hostName}: ${why}`);
    }
    const stderr = raw.stderr.slice(0, at) + raw.stderr.slice(at + markerLine.length);
    return { code: raw.code, stdout: raw.stdout.toString('utf8'), stderr, ...(raw.signal ? { signal: raw.signal } : {}) };
  }

  /**
   * The command's stdin when it runs as another user: the become password first (the line reads it,
   * see becomeLine), then the caller's input; else the caller's input as given.
   */
  private becomeStdin(become: boolean | Become | undefined, stdin: string | Buffer | undefined): string | Buffer | undefined {
    const b = effectiveBecome(become, this.user);
    if (!b) return stdin;
    if (b.method === 'su' && b.password === undefined && this.user !== 'root') {
      // su would read its password from the command's input: refuse before anything is sent.
      throw new Error(`Missing su password: becoming ${b.user} with su from login user ${this.user} needs ansible_become_password or --ask-become-pass`);
    }
    if (!readsBecomePassword(b, this.user)) return stdin;
    const first = Buffer.from(`${b.password}\n`, 'utf8');
    return Buffer.concat([first, stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8')]);
  }

  async writeFile(path: string, content: string | Buffer, attrs: FileAttributes & { become?: boolean | Become } = {}): Promise<void> {
    const { become, ...fileAttrs } = attrs;
    const line = buildCommandLine({ script: atomicWriteScript(path, fileAttrs) }, { become, user: this.user });
    const res = await this.exec(line, { stdin: this.becomeStdin(become, content) });
    if (res.code !== 0) throw new Error(`writing ${path} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
  }

  async putFile(localPath: string, remotePath: string, attrs: FileAttributes & { become?: boolean | Become } = {}): Promise<void> {
    const { become, ...fileAttrs } = attrs;
    const as = effectiveBecome(become, this.user);
    if (as && as.user !== 'root') {
      // An unprivileged become user could not read an upload of the login user's: the bytes go
      // through the command's stdin, and the file is created by that user (owned by it, as Ansible's
      // copy run as become_user leaves it).
      await this.writeFile(remotePath, await readFile(localPath), attrs);
      return;
    }
    const sudo = as !== undefined;
    // Without sudo, upload straight next to the destination; with sudo the login user may not write
    // there, so upload to /tmp and let root copy it into a temp file next to the destination.
    const upload = sudo ? `/tmp/.haweb-upload-${randomBytes(6).toString('hex')}` : tempPathFor(remotePath);
    let installed = false;
    try {
      try {
        // Uploaded private (0600): it may be a secret; the finishing script sets the final mode.
        await this.fastPut(localPath, upload, 0o600);
      } catch (err) {
        if (err instanceof UnreachableError) throw err;
        // No SFTP subsystem (or it failed): send the bytes through a command's stdin instead.
        await this.writeFile(remotePath, await readFile(localPath), attrs);
        installed = true;
        return;
      }
      const script = sudo ? atomicWriteScript(remotePath, fileAttrs, upload) : finishUploadScript(upload, remotePath, fileAttrs);
      const res = await this.exec(buildCommandLine({ script }, { become, user: this.user }), { stdin: this.becomeStdin(become, undefined) });
      if (res.code !== 0) {
        throw new Error(`installing ${remotePath} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
      }
      installed = true;
    } finally {
      // Remove the /tmp upload always; the temp file next to the destination is gone unless we failed.
      if (sudo || !installed) await this.exec(`rm -f ${shellQuote(upload)}`, {}).catch(() => undefined);
    }
  }

  async readFile(path: string, options: { become?: boolean | Become } = {}): Promise<Buffer | undefined> {
    const line = buildCommandLine({ script: readFileScript(path) }, { become: options.become, user: this.user });
    const res = await this.exec(line, { stdin: this.becomeStdin(options.become, undefined) });
    if (res.code === ABSENT_EXIT) return undefined;
    if (res.code !== 0) throw new Error(`reading ${path} on ${this.hostName} failed (exit ${res.code}): ${res.stderr.trim()}`);
    return res.stdout;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sftpPromise) {
      await this.sftpPromise.then((s) => s.end()).catch(() => undefined);
    }
    this.ssh.dispose();
  }

  private assertUsable(): void {
    if (this.closed) throw new UnreachableError(this.hostName, `connection to ${this.hostName} was closed`, 'lost');
    if (this.lost) throw new UnreachableError(this.hostName, `connection to ${this.hostName} lost: ${this.lost}`, 'lost');
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpPromise) {
      this.sftpPromise = (async () => {
        // The SFTP session is one channel for the connection's whole life.
        const release = await this.channels.acquire();
        try {
          return (await this.ssh.requestSFTP()) as unknown as SFTPWrapper;
        } catch (err) {
          release();
          throw err;
        }
      })();
      this.sftpPromise.catch(() => {
        this.sftpPromise = undefined;
      });
    }
    return this.sftpPromise;
  }

  private async fastPut(local: string, remote: string, mode?: number): Promise<void> {
    this.assertUsable();
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(local, remote, mode === undefined ? {} : { mode }, (err) => (err ? reject(new Error(`uploading ${local} to ${this.hostName}:${remote} failed: ${err.message}`)) : resolve()));
    });
  }

  private async exec(line: string, options: Pick<RunOptions, 'stdin' | 'onOutput' | 'timeoutMs'>): Promise<RawResult> {
    for (let attempt = 1; ; attempt++) {
      this.assertUsable();
      try {
        return await this.channels.with(() => this.execOnce(line, options));
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        // A server with a lower MaxSessions than our limit refuses the channel: back off and retry.
        if (/Channel open failure/i.test(message) && attempt < CHANNEL_OPEN_RETRIES) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        if (this.lost) throw new UnreachableError(this.hostName, `connection to ${this.hostName} lost: ${this.lost}`, 'lost');
        throw err;
      }
    }
  }

  private async execOnce(line: string, options: Pick<RunOptions, 'stdin' | 'onOutput' | 'timeoutMs'>): Promise<RawResult> {
    const stdout: Buffer[] = [];
    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    let stderr = '';
    let channel: ClientChannel | undefined;
    let timedOut = false;
    const guard =
      options.timeoutMs && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            channel?.signal('KILL');
            channel?.close();
          }, options.timeoutMs + TIMEOUT_GRACE_MS)
        : undefined;
    try {
      const stdin =
        options.stdin === undefined ? undefined : typeof options.stdin === 'string' ? options.stdin : Readable.from([options.stdin]);
      const res = await this.ssh.execCommand(line, {
        stdin,
        noTrim: true,
        onChannel: (c: unknown) => {
          channel = c as ClientChannel;
        },
        onStdout: (chunk: Buffer) => {
          stdout.push(chunk);
          if (options.onOutput) {
            const text = outDecoder.write(chunk);
            if (text) options.onOutput(text, 'stdout');
          }
        },
        onStderr: (chunk: Buffer) => {
          const text = errDecoder.write(chunk);
          stderr += text;
          if (options.onOutput && text) options.onOutput(text, 'stderr');
        },
      });
      stderr += errDecoder.end();
      if (timedOut) return { code: 124, stdout: Buffer.concat(stdout), stderr };
      const code = res.code ?? (res.signal ? 128 + signalNumber(res.signal) : 255);
      return { code, stdout: Buffer.concat(stdout), stderr, ...(res.signal ? { signal: res.signal } : {}) };
    } finally {
      if (guard) clearTimeout(guard);
    }
  }
}

function signalNumber(signal: string): number {
  const numbers: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };
  return numbers[signal.replace(/^SIG/, '')] ?? 0;
}
