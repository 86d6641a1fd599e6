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

/**
 * The batch line after each command: an object ip does not know, so `ip -force` reports "Command
 * failed -:2" on stderr, unbuffered, the moment the command before it has finished, without a
 * system call of its own.
 */
const MARKER_LINE = 'vrrpd-marker';
/** How batch mode reports the marker (line 2), and the command (line 1) when it failed. */
const MARKER_REPORTED = /^Command failed -:2$/m;
const COMMAND_FAILED = /^Command failed -:1$/m;

/** ip's message for a failed command (what it printed before batch mode's report), or undefined. */
function commandFailure(stderr: string): string | undefined {
  const failed = COMMAND_FAILED.exec(stderr);
  return failed ? stderr.slice(0, failed.index) : undefined;
}

interface SpareIp {
  child: ChildProcess;
  /** Settles when the command's verdict is known: at the marker, or when ip exits (whichever first). */
  verdict: Promise<CommandResult & { marker: boolean }>;
}

/**
 * `ip` started before it is needed: a spare `ip -force -4 -batch -` waits on its stdin, and a command
 * is one line written to it, followed by a marker line whose error message says, on stderr, that the
 * command is done. A takeover then waits neither for fork, exec and iproute2's start-up (2 ms on an
 * idle host, 20-40 ms on a loaded one) nor for the process to exit (~0.5 ms) between the advert and
 * the gratuitous ARP; keepalived gets the same from its in-process netlink socket. Still `ip`, still no
 * shell, and still one command per process: a long-lived ip would keep interface indexes cached
 * across an interface being re-created.
 * Only `ip -4 addr add|del <words>` qualifies (their answer is the exit status and stderr; global
 * options cannot appear in batch lines); anything else, and any word batch parsing could split, goes to
 * `fallback`. An `ip` whose batch mode does not answer as iproute2's does is used once: the command is
 * then retried through `fallback` (add and del are idempotent) and spares are no longer kept.
 * It never keeps the process alive, and a spare exits by itself (end of input) when its parent dies.
 */
export function warmIpRunner(ipPath: string, fallback: CommandRunner = execFileRunner(), timeoutMs = 10_000): CommandRunner & { close(): void } {
  let spare: SpareIp | undefined;
  let closed = false;
  let batchWorks = true;

  const start = (): SpareIp => {
    const child = spawn(ipPath, ['-force', '-4', '-batch', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stdin!.on('error', () => undefined); // EPIPE if ip died first: its exit status tells
    const verdict = new Promise<CommandResult & { marker: boolean }>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
        const done = MARKER_REPORTED.exec(stderr);
        if (!done) return;
        const failure = commandFailure(stderr.slice(0, done.index));
        resolve({ code: failure === undefined ? 0 : 1, stdout, stderr: failure ?? '', marker: true });
      });
      child.once('error', reject); // spawn failure: not an answer from the program
      child.once('close', (code, signal) => {
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: commandFailure(stderr) ?? stderr, marker: false });
      });
    });
    verdict.catch(() => undefined); // a spare that failed to start is noticed when used
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) handle?.unref?.();
    return { child, verdict };
  };

  const take = (): SpareIp => {
    const ready = spare && spare.child.exitCode === null && spare.child.signalCode === null ? spare : undefined;
    spare = undefined;
    return ready ?? start();
  };

  let running = 0;
  const keepSpare = () => {
    // The next spare once the current work (the GARP follows the add) has gone out; a command still
    // running starts one itself when it ends.
    if (!closed && batchWorks) setImmediate(() => { if (!closed && batchWorks && !spare && running === 0) spare = start(); });
  };

  const runner = async (file: string, args: readonly string[]): Promise<CommandResult> => {
    const qualifies = file === ipPath && args[0] === '-4' && (args[1] === 'addr' || args[1] === 'address') && (args[2] === 'add' || args[2] === 'del')
      && args.every((a) => BATCH_WORD.test(a));
    if (!qualifies || !batchWorks) return fallback(file, args);
    running++;
    const ip = take();
    const timer = setTimeout(() => ip.child.kill('SIGKILL'), timeoutMs);
    try {
      // Written, not ended: ip acts on each line as it reads it, and ending the stream (a shutdown of
      // the pipe) is slower than the write; the end of input follows the verdict.
      ip.child.stdin!.write(`${args.slice(1).join(' ')}\n${MARKER_LINE}\n`);
      const { marker, ...result } = await ip.verdict.finally(() => ip.child.stdin!.end());
      if (ip.child.signalCode === 'SIGKILL') throw new Error(`${file} ${args.join(' ')} timed out after ${timeoutMs} ms`);
      if (!marker && result.code !== 0) {
        // No marker: ip gave up on the command (a bad argument ends batch mode) or its batch mode is not
        // iproute2's. Asking again the ordinary way tells which; only the latter stops the spares.
        const plain = await fallback(file, args);
        if (plain.code === 0) batchWorks = false;
        return plain;
      }
      return result;
    } finally {
      running--;
      clearTimeout(timer);
      keepSpare();
    }
  };

  keepSpare();
  return Object.assign(runner, {
    close: () => {
      closed = true;
      spare?.child.stdin!.end();
      spare = undefined;
    },
  });
}
