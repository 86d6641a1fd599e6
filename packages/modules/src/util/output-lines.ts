/**
 * Ansible's task executor adds `stdout_lines` / `stderr_lines` to any module result that carries
 * `stdout` / `stderr` (Python's splitlines()); modules that return output through their own results
 * (not the command helpers) add them here.
 */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function withOutputLines<R extends Record<string, unknown>>(result: R): R {
  const out: Record<string, unknown> = { ...result };
  if (typeof out.stdout === 'string' && out.stdout_lines === undefined) out.stdout_lines = splitLines(out.stdout);
  if (typeof out.stderr === 'string' && out.stderr_lines === undefined) out.stderr_lines = splitLines(out.stderr);
  return out as R;
}
