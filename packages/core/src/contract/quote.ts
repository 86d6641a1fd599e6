/** POSIX shell quoting: the result is always a single word whose value is exactly `value`. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quote every element of argv and join them into one command line. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * A path on the host as one shell word, a leading `~/` left to the host (`"$HOME"/rest`): for
 * settings written as Ansible writes them (remote_tmp, async_dir).
 */
export function hostPathWord(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}
