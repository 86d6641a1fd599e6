/**
 * Running helper programs (`ip`) without a shell. The runner is injectable so tests can record the
 * exact argv and feed canned output.
 */
import { execFile } from 'node:child_process';

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
