/**
 * A file's ext2-style attributes (`lsattr -d`), and the plan that gives it the attributes Ansible's
 * `attributes` option asks for: "+i" adds, "-i" removes, "i" (or "=i") makes the set exactly these.
 */
import { shellQuote, type Fact } from '@haweb/core';
import type { PlannedCommand } from '@haweb/hostkit';

/** The attribute letters set on a path, from `lsattr -d` ("----i---------e------- /path"). */
export function parseLsattr(stdout: string, code: number, path: string): string {
  if (code !== 0) throw new Error(`cannot read the attributes of ${path}: ${stdout.trim() || `lsattr exited ${code}`}`);
  const flags = stdout.trim().split(/\s+/)[0] ?? '';
  return [...new Set(flags.replace(/-/g, ''))].sort().join('');
}

export const fileAttributes: Fact<{ path: string }, string> = {
  name: 'file.attributes',
  command: ({ path }) => `lsattr -d -- ${shellQuote(path)} 2>&1`,
  parse: (stdout, code, { path }) => parseLsattr(stdout, code, path),
};

/**
 * Letters that are only reported, never set with chattr (e: extents, E/h/I/N/V...), left out of an
 * exact ("=") request, as Ansible's comparison does not fight the filesystem over them.
 */
const REPORT_ONLY = new Set(['e', 'E', 'h', 'I', 'N', 'V', 'Z', 'F']);

/** The chattr command needed (none when the attributes already match). */
export function planAttributesFlags(path: string, current: string, wanted: string): { commands: PlannedCommand[]; after: string } {
  const spec = wanted.trim();
  const op = spec[0] === '+' || spec[0] === '-' || spec[0] === '=' ? spec[0] : '=';
  const letters = new Set((op === spec[0] ? spec.slice(1) : spec).replace(/[\s-]/g, ''));
  const have = new Set(current);
  let after: Set<string>;
  if (op === '+') after = new Set([...have, ...letters]);
  else if (op === '-') after = new Set([...have].filter((l) => !letters.has(l)));
  else after = new Set([...[...have].filter((l) => REPORT_ONLY.has(l)), ...letters]);
  const same = after.size === have.size && [...after].every((l) => have.has(l));
  const text = [...after].sort().join('');
  if (same) return { commands: [], after: text };
  const arg = op === '=' ? `=${[...letters].sort().join('')}` : `${op}${[...letters].sort().join('')}`;
  return { commands: [{ argv: ['chattr', arg, '--', path] }], after: text };
}
