/**
 * Running helper programs (`ip`) without a shell. The runner is injectable so tests can record the
 * exact argv and feed canned output.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandResult>;

/** execFile with a timeout; a non-zero exit is a result, not an exception; a missing program is. */
export function execFileRunner(timeoutMs = 10_000): CommandRunner {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === 'string') {
          reject(error); // spawn failure (ENOENT, EACCES): not an answer from the program
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && error.killed) {
          reject(new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms`));
          return;
        }
        resolve({ code, stdout, stderr });
      });
    });
}

export interface RecordedCommand {
  file: string;
  args: string[];
}

/** A runner for tests: records every call and answers from a function. */
export function recordingRunner(answer: (file: string, args: readonly string[]) => CommandResult | Promise<CommandResult>): CommandRunner & {
  calls: RecordedCommand[];
} {
  const calls: RecordedCommand[] = [];
  const runner = async (file: string, args: readonly string[]) => {
    calls.push({ file, args: [...args] });
    return answer(file, args);
  };
  return Object.assign(runner, { calls });
}

/** A word `ip -batch` reads as one argument: no blanks, quotes, backslashes or comment marks. */
const BATCH_WORD = /^[\w.:/+@%-]+$/;

interface SpareIp {
  child: ChildProcess;
  result: Promise<CommandResult>;
}

/**
 * `ip` started before it is needed: a spare `ip -4 -batch -` waits on its stdin, and a command is one
 * line written to it. A takeover then does not wait for fork, exec and iproute2's start-up between
 * the advert and the gratuitous ARP (2 ms on an idle host, 20-40 ms on a loaded one); keepalived gets
 * the same from its in-process netlink socket. Still `ip`, still no shell.
 * Only `ip -4 <words>` qualifies (global options cannot appear in batch lines); anything else, and any
 * word batch parsing could split, goes to `fallback`. One spare at a time, replaced after each use;
 * it never keeps the process alive, and it exits by itself (end of input) when its parent dies.
 */
export function warmIpRunner(ipPath: string, fallback: CommandRunner = execFileRunner(), timeoutMs = 10_000): CommandRunner & { close(): void } {
  let spare: SpareIp | undefined;
  let closed = false;

  const start = (): SpareIp => {
    const child = spawn(ipPath, ['-4', '-batch', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdin!.on('error', () => undefined); // EPIPE if ip died first: its exit status tells
    const result = new Promise<CommandResult>((resolve, reject) => {
      child.once('error', reject); // spawn failure: not an answer from the program
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
    result.catch(() => undefined); // a spare that failed to start is noticed when used
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) handle?.unref?.();
    return { child, result };
  };

  const take = (): SpareIp => {
    const ready = spare && spare.child.exitCode === null && spare.child.signalCode === null ? spare : undefined;
    spare = undefined;
    return ready ?? start();
  };

  const runner = async (file: string, args: readonly string[]): Promise<CommandResult> => {
    if (file !== ipPath || args[0] !== '-4' || args.length < 2 || !args.slice(1).every((a) => BATCH_WORD.test(a))) return fallback(file, args);
    const ip = take();
    const timer = setTimeout(() => ip.child.kill('SIGKILL'), timeoutMs);
    try {
      ip.child.stdin!.end(`${args.slice(1).join(' ')}\n`);
      const result = await ip.result;
      if (ip.child.signalCode === 'SIGKILL') throw new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms`);
      // In batch mode ip adds "Command failed -:1" after the message; the message is the answer.
      return { ...result, stderr: result.stderr.replace(/^Command failed -:\d+\n?/m, '') };
    } finally {
      clearTimeout(timer);
      // The next spare after the current work (the GARP follows the add) has gone out.
      if (!closed) setImmediate(() => { if (!closed && !spare) spare = start(); });
    }
  };

  setImmediate(() => { if (!closed && !spare) spare = start(); });
  return Object.assign(runner, {
    close: () => {
      closed = true;
      spare?.child.stdin!.end();
      spare = undefined;
    },
  });
}
