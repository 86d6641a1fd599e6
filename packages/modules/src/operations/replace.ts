/**
 * Ansible's replace as a pure function of the file's text: every match of a Python regular
 * expression (multi-line mode) replaced, optionally only in the section after/before other patterns
 * (matched across lines, non-greedy between the two), with Python's \1 / \g<name> references.
 */
import { compileRegexp } from './lines.js';

export interface ReplaceArgs {
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
}

export type ReplaceOutcome =
  | { kind: 'replaced'; content: string; count: number }
  | { kind: 'unchanged' }
  /** after/before matched nothing: Ansible reports it and changes nothing. */
  | { kind: 'no-section'; msg: string };

function withFlags(source: string, flags: string, what: string): RegExp {
  return new RegExp(compileRegexp(source, what).source, flags);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Python's re template expansion: \1, \g<1>, \g<name>, and the escapes \n \t \\ ...; other backslashes stay. */
export function expandTemplate(template: string, numbered: readonly (string | undefined)[], groups?: Record<string, string | undefined>): string {
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|(.))/gs, (all, num: string | undefined, name: string | undefined, esc: string | undefined) => {
    if (esc !== undefined) return ESCAPES[esc] ?? all;
    const key = num ?? name!;
    return (/^\d+$/.test(key) ? numbered[Number(key)] : groups?.[key]) ?? '';
  });
}

export function planReplace(contents: string, args: ReplaceArgs): ReplaceOutcome {
  let pattern = '';
  if (args.after && args.before) pattern = `${args.after}(?P<subsection>.*?)${args.before}`;
  else if (args.after) pattern = `${args.after}(?P<subsection>.*)`;
  else if (args.before) pattern = `(?P<subsection>.*)${args.before}`;
  let section = contents;
  let indices: [number, number] | undefined;
  if (pattern) {
    const m = withFlags(pattern, 'sd', 'after/before').exec(contents);
    if (!m) return { kind: 'no-section', msg: `Pattern for before/after params did not match the given file: ${pattern}` };
    indices = m.indices!.groups!.subsection!;
    section = m.groups!.subsection!;
  }
  let count = 0;
  const replaced = section.replace(withFlags(args.regexp, 'gm', 'regexp'), (...all) => {
    count++;
    // Rebuild the match array expandBackrefs reads: the text and its groups.
    const groups = typeof all[all.length - 1] === 'object' ? (all[all.length - 1] as Record<string, string>) : undefined;
    const numbered = all.slice(0, groups ? -3 : -2) as string[];
    return expandTemplate(args.replace, numbered, groups);
  });
  if (count === 0 || replaced === section) return { kind: 'unchanged' };
  const content = indices ? contents.slice(0, indices[0]) + replaced + contents.slice(indices[1]) : replaced;
  return { kind: 'replaced', content, count };
}
