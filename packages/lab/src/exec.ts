/** Running external commands with errors that say which lab step failed and why. */
import { spawn } from 'node:child_process';

export class LabError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`lab: ${step} failed: ${reason}`);
    this.name = 'LabError';
  }
}

export interface RunOptions {
  /** What the lab was doing, for the error message ("create bridge namespace haweb-lan"). */
  step: string;
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function run(argv: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? { ...process.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ''}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new LabError(options.step, `cannot run ${argv[0]}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const exit = code ?? 128 + (signal ? 9 : 0);
      if (timedOut) {
        reject(new LabError(options.step, `\`${argv.join(' ')}\` timed out after ${options.timeoutMs} ms`));
      } else if (exit !== 0 && !options.allowFailure) {
        const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n');
        reject(new LabError(options.step, `\`${argv.join(' ')}\` exited ${exit}${detail ? `: ${detail}` : ''}`));
      } else {
        resolve({ code: exit, stdout, stderr });
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a step, turning any failure into a LabError naming the step. */
export async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError(name, err instanceof Error ? err.message : String(err));
  }
}
