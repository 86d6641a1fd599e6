/**
 * Shell scripts for atomic file writes on the host. The content is first put in a temporary file in
 * the destination's folder (same filesystem, so the final `mv -f` is an atomic rename): a reader sees
 * the old or the new file, never a partial one. Pure builders, unit-tested for quoting.
 */
import { shellQuote, type FileAttributes } from '@haweb/core';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A temp name next to the destination: hidden, unique, recognisable. */
export function tempPathFor(dest: string): string {
  const dir = posix.dirname(dest);
  return posix.join(dir, `.${posix.basename(dest)}.haweb-${randomBytes(6).toString('hex')}.tmp`);
}

const MODE = /^[0-7]{3,4}$/;

/**
 * Create the temp file private (umask 077) so content meant for a 0600 file is never readable by
 * others, and fresh (noclobber: never follows a planted file). `$u` keeps the session's umask.
 */
const PRIVATE_CREATE = ['u=$(umask)', 'umask 077', 'set -C'];

function attributeLines(dest: string, attrs: FileAttributes): string[] {
  const t = '"$t"';
  const d = shellQuote(dest);
  const lines: string[] = [];
  if (attrs.mode !== undefined && !MODE.test(attrs.mode)) throw new Error(`invalid file mode ${JSON.stringify(attrs.mode)}`);
  // Keep what the existing file had unless told otherwise; a new file gets the umask's usual mode
  // (the temp file itself was created private, see PRIVATE_CREATE).
  lines.push(`if [ -e ${d} ]; then`);
  if (attrs.mode === undefined) lines.push(`  chmod --reference=${d} ${t}`);
  if (attrs.owner === undefined || attrs.group === undefined) lines.push(`  chown --reference=${d} ${t} 2>/dev/null || true`);
  lines.push(`  :`);
  if (attrs.mode === undefined) lines.push(`else`, `  chmod "$(printf '%o' $(( 0666 & ~0$u )))" ${t}`);
  lines.push(`fi`);
  if (attrs.mode !== undefined) lines.push(`chmod ${attrs.mode} ${t}`);
  if (attrs.owner !== undefined && attrs.group !== undefined) {
    lines.push(`chown ${shellQuote(`${attrs.owner}:${attrs.group}`)} ${t}`);
  } else if (attrs.owner !== undefined) {
    lines.push(`chown ${shellQuote(attrs.owner)} ${t}`);
  } else if (attrs.group !== undefined) {
    lines.push(`chgrp ${shellQuote(attrs.group)} ${t}`);
  }
  return lines;
}

/**
 * Write standard input to `dest` atomically. With `from`, the content comes from that host file
 * (an upload elsewhere) instead of stdin.
 */
export function atomicWriteScript(dest: string, attrs: FileAttributes = {}, from?: string): string {
  const tmp = tempPathFor(dest);
  return [
    'set -e',
    `t=${shellQuote(tmp)}`,
    `trap 'rm -f "$t"' EXIT`,
    ...PRIVATE_CREATE,
    from === undefined ? `cat > "$t"` : `cat -- ${shellQuote(from)} > "$t"`,
    `set +C`,
    `umask "$u"`,
    ...attributeLines(dest, attrs),
    `mv -f "$t" ${shellQuote(dest)}`,
    `trap - EXIT`,
  ].join('\n');
}

/** Move an already uploaded temp file (in the destination's folder, created 0600) into place. */
export function finishUploadScript(tmp: string, dest: string, attrs: FileAttributes = {}): string {
  return [
    'set -e',
    `t=${shellQuote(tmp)}`,
    `trap 'rm -f "$t"' EXIT`,
    `u=$(umask)`,
    ...attributeLines(dest, attrs),
    `mv -f "$t" ${shellQuote(dest)}`,
    `trap - EXIT`,
  ].join('\n');
}

/** Exit code the read script uses for "no such file". */
export const ABSENT_EXIT = 44;

export function readFileScript(path: string): string {
  const p = shellQuote(path);
  // Only "no such file" means absent: a permission problem must be an error, not a missing file.
  return [
    'exec 3>&1',
    `err=$(LC_ALL=C cat -- ${p} 2>&1 >&3)`,
    'rc=$?',
    '[ $rc -eq 0 ] && exit 0',
    `case "$err" in *"No such file or directory"*|*"Not a directory"*) exit ${ABSENT_EXIT};; esac`,
    `printf '%s\\n' "$err" >&2`,
    'exit $rc',
  ].join('\n');
}
