/**
 * Turning a Remote `Command` plus RunOptions into the one command line sent over SSH. Pure, so the
 * quoting is unit-tested: every argv element and every value (cwd, env) goes through shellQuote and
 * reaches the host as data.
 */
import { becomeOf, shellJoin, shellQuote, type Become, type Command, type RunOptions } from '@haweb/core';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface BuildOptions extends Pick<RunOptions, 'cwd' | 'env' | 'timeoutMs' | 'become'> {
  /** The SSH login user: becoming that same user needs no wrapping. */
  user: string;
  /**
   * Under become: a line the command prints on stderr once it runs as the become user, so a failure
   * to become (no such sudo, a refused password) is told apart from the command's own failure, as
   * Ansible's BECOME-SUCCESS marker does.
   */
  becomeMarker?: string;
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
  const become = effectiveBecome(opts.become, opts.user);
  if (!become) return line;
  if (opts.becomeMarker !== undefined) line = `printf '%s\\n' ${shellQuote(opts.becomeMarker)} >&2; ${line}`;
  return becomeLine(line, become, opts.user);
}

/**
 * The become that applies to a call, or undefined when the command runs as the login user: no become,
 * or becoming the login user itself (root becoming root needs no sudo, so hosts without sudo work).
 */
export function effectiveBecome(become: boolean | Become | undefined, loginUser: string): Become | undefined {
  const b = becomeOf(become);
  return b && b.user !== loginUser ? b : undefined;
}

/** Whether the line built for `become` reads the become password as the first line of its stdin. */
export function readsBecomePassword(become: Become, loginUser: string): boolean {
  // root's su never asks; sudo may (the line finds out on the host, see becomeLine).
  return become.password !== undefined && !(become.method === 'su' && loginUser === 'root');
}

/** Ansible's default become_flags per method. */
const DEFAULT_FLAGS: Record<Become['method'], string> = { sudo: '-H -S -n', su: '' };

/** Words of become_flags, each quoted: flags are options, never shell code. */
function flagWords(flags: string): string[] {
  return flags.split(/\s+/).filter((w) => w !== '');
}

/**
 * sudo's flags when a password is given: without -n (also inside a cluster like -Hn), as Ansible's
 * sudo plugin rewrites them, so sudo may read the password.
 */
export function interactiveSudoFlags(flags: string): string[] {
  return flagWords(flags)
    .filter((f) => f !== '-n' && f !== '--non-interactive')
    .map((f) => (f.startsWith('--') ? f : f.replace(/^(-\w*)n(\w*.*)$/, '$1$2')))
    .filter((f) => f !== '-');
}

/**
 * Wrap a command line so it runs as `become.user`. Without a password this is Ansible's command
 * (`sudo -H -S -n -u USER`, `su USER -c`). With one, the password is the first line of stdin (never in
 * the command line, where ps would show it): the line reads it into a shell variable and
 *  - sudo: first asks `sudo -n` whether a password is needed at all (NOPASSWD, or no prompt: the
 *    password must not become the command's input); if it is, checks it once with `sudo -k -S`, so a
 *    wrong one fails with "Incorrect sudo password" instead of sudo reading the command's own input as
 *    further attempts; then runs the command with `sudo -k -S`, the password first on its stdin and
 *    the caller's input after it. -k: no cached credential decides whether sudo reads stdin.
 *  - su: su always asks a non-root user; the password goes first on its stdin, the caller's input
 *    after it; su's own messages (its prompt) are kept apart from the command's stderr and turned
 *    into "Incorrect su password" when it refused.
 */
export function becomeLine(line: string, become: Become, loginUser: string): string {
  const q = shellQuote;
  const exe = q(become.exe ?? become.method);
  const flags = become.flags ?? DEFAULT_FLAGS[become.method];
  const user = q(become.user);
  const withPassword = readsBecomePassword(become, loginUser);
  if (become.method === 'su') {
    const words = flagWords(flags).map(q);
    if (!withPassword) return [exe, ...words, user, '-c', q(`sh -c ${q(line)}`)].join(' ');
    // fd 3: the caller's stderr, for the command; fd 4: its stdout. su's own stderr is captured.
    const su = [exe, ...words, user, '-c', q(`exec 2>&3 3>&- 4>&-; sh -c ${q(line)}`)].join(' ');
    const body = [
      'IFS= read -r p',
      'exec 4>&1',
      `e=$( { printf '%s\\n' "$p"; exec cat; } | ${su} 3>&2 2>&1 >&4 )`,
      'rc=$?',
      `case "$e" in *'Authentication failure'*|*'incorrect password'*) echo 'Incorrect su password' >&2;; esac`,
      'exit $rc',
    ].join('\n');
    return `sh -c ${q(body)}`;
  }
  if (!withPassword) return [exe, ...flagWords(flags).map(q), '-u', user, '--', 'sh', '-c', q(line)].join(' ');
  const interactive = interactiveSudoFlags(flags).map(q).join(' ');
  const sudo = (extra: string) => [exe, interactive, extra, '-u', user].filter((w) => w !== '').join(' ');
  const body = [
    'IFS= read -r p',
    `if ${sudo('-n')} true 2>/dev/null; then exec ${sudo('-n')} -- sh -c ${q(line)}; fi`,
    `printf '%s\\n' "$p" | ${sudo("-k -S -p ''")} true 2>/dev/null || { echo 'Incorrect sudo password' >&2; exit 1; }`,
    `{ printf '%s\\n' "$p"; exec cat; } | ${sudo("-k -S -p ''")} -- sh -c ${q(line)}`,
  ].join('\n');
  return `sh -c ${q(body)}`;
}

function argvLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty argv');
  return shellJoin(argv);
}
