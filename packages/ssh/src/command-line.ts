/**
 * Turning a Remote `Command` plus RunOptions into the one command line sent over SSH. Pure, so the
 * quoting is unit-tested: every argv element and every value (cwd, env) goes through shellQuote and
 * reaches the host as data.
 */
import { shellJoin, shellQuote, type Command, type RunOptions } from '@haweb/core';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface BuildOptions extends Pick<RunOptions, 'cwd' | 'env' | 'timeoutMs' | 'become'> {
  /** The SSH login user: become uses sudo only when it is not root. */
  user: string;
}

/** Seconds for timeout(1), rounded up so a short timeout never becomes 0 (which disables it). */
function timeoutSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

export function buildCommandLine(command: Command, opts: BuildOptions): string {
  // A script always runs under POSIX sh, whatever the login shell is.
  let line = 'argv' in command ? argvLine(command.argv) : `sh -c ${shellQuote(command.script)}`;
  if (opts.env && Object.keys(opts.env).length > 0) {
    const pairs = Object.entries(opts.env).map(([k, v]) => {
      if (!ENV_NAME.test(k)) throw new Error(`invalid environment variable name ${JSON.stringify(k)}`);
      return shellQuote(`${k}=${v}`);
    });
    line = `env ${pairs.join(' ')} ${line}`;
  }
  if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
    // timeout(1) exits 124 when it had to stop the command; -k makes sure it dies.
    line = `timeout -k 5 ${timeoutSeconds(opts.timeoutMs)} ${line}`;
  }
  if (opts.cwd !== undefined) {
    // node-ssh's own cwd is `cd X ; cmd`, which runs cmd in $HOME when X is missing: we need `&&`.
    line = `cd ${shellQuote(opts.cwd)} && ${line}`;
  }
  if (opts.become && opts.user !== 'root') {
    line = `sudo -n -H -- sh -c ${shellQuote(line)}`;
  }
  return line;
}

function argvLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty argv');
  return shellJoin(argv);
}
