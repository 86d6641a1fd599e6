/**
 * Host patterns as Ansible reads them: `all` or `*`, a group, a host, globs (`edu-proxy-*`), `~regex`,
 * and combinations separated by `:` or `,`: `a:b` union, `a:&b` intersection, `a:!b` exclusion.
 * Unions are taken first, then intersections, then exclusions (order of writing does not matter);
 * the result keeps inventory order.
 */
import type { Inventory } from '../model.js';
import { groupsMap } from '../vars/precedence.js';
import { isImplicitLocalhost } from './localhost.js';

export interface PatternResult {
  hosts: string[];
  /** Terms that matched no host or group (each is an error at validation). */
  unmatched: string[];
  /** Terms that are malformed (an empty term, a bad regex). */
  invalid: { term: string; reason: string }[];
}

/** Split on `,` and on `:` (but not inside a `~regex` or an IPv6-looking `[...]`). */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',').map((s) => s.trim());
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ':' && depth === 0 && !cur.startsWith('~')) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function globToRegExp(glob: string): RegExp {
  const src = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`);
}

/**
 * Hosts matched by one term (without its & or ! prefix); undefined when it matches nothing at all.
 * A trailing subscript selects by position, as in Ansible: `lb[0]`, `lb[-1]`, `lb[0:1]` (inclusive).
 */
function matchTerm(inv: Inventory, groups: Record<string, string[]>, term: string): string[] | undefined | Error {
  const sub = /^(.+)\[(-?\d+)(?::(-?\d*))?\]$/.exec(term);
  if (sub && !term.startsWith('~')) {
    const base = matchPlain(inv, groups, sub[1]);
    if (base instanceof Error || base === undefined) return base;
    const at = (i: number) => (i < 0 ? base.length + i : i);
    const start = at(Number(sub[2]));
    if (sub[3] === undefined) return start >= 0 && start < base.length ? [base[start]] : undefined;
    const end = sub[3] === '' ? base.length - 1 : at(Number(sub[3]));
    const picked = base.slice(Math.max(0, start), end + 1);
    return picked.length ? picked : undefined;
  }
  return matchPlain(inv, groups, term);
}

function matchPlain(inv: Inventory, groups: Record<string, string[]>, term: string): string[] | undefined | Error {
  if (term === 'all' || term === '*') return [...inv.hosts.keys()];
  if (term in groups) return groups[term];
  if (inv.hosts.has(term)) return [term];
  // Named only, never by `all`, a group or a glob: Ansible's implicit localhost.
  if (isImplicitLocalhost(inv, term)) return [term];
  let re: RegExp | undefined;
  if (term.startsWith('~')) {
    try {
      re = new RegExp(term.slice(1));
    } catch (e) {
      return new Error(`bad regular expression: ${(e as Error).message}`);
    }
  } else if (/[*?[]/.test(term)) {
    re = globToRegExp(term);
  }
  if (!re) return undefined;
  const hosts = new Set<string>();
  for (const [g, members] of Object.entries(groups)) if (re.test(g)) members.forEach((h) => hosts.add(h));
  for (const h of inv.hosts.keys()) if (re.test(h)) hosts.add(h);
  return hosts.size ? [...hosts] : undefined;
}

export function resolvePattern(inv: Inventory, pattern: string): PatternResult {
  const groups = groupsMap(inv);
  const result: PatternResult = { hosts: [], unmatched: [], invalid: [] };
  const union = new Set<string>();
  const intersections: Set<string>[] = [];
  const exclusions = new Set<string>();
  let anyPositive = false;
  for (const raw of splitPattern(pattern.trim())) {
    if (raw === '') {
      result.invalid.push({ term: raw, reason: `empty term in host pattern '${pattern}'` });
      continue;
    }
    const kind = raw[0] === '&' ? '&' : raw[0] === '!' ? '!' : '';
    const term = kind ? raw.slice(1) : raw;
    const matched = matchTerm(inv, groups, term);
    if (matched instanceof Error) {
      result.invalid.push({ term: raw, reason: matched.message });
      continue;
    }
    if (matched === undefined) result.unmatched.push(raw);
    const hosts = matched ?? [];
    if (kind === '&') intersections.push(new Set(hosts));
    else if (kind === '!') hosts.forEach((h) => exclusions.add(h));
    else {
      anyPositive = true;
      hosts.forEach((h) => union.add(h));
    }
  }
  // A pattern of only exclusions/intersections (`!web`) starts from all hosts, as Ansible does.
  const base = anyPositive ? union : new Set(inv.hosts.keys());
  const implicit = [...union].filter((h) => isImplicitLocalhost(inv, h));
  result.hosts = [...inv.hosts.keys(), ...implicit].filter(
    (h) => base.has(h) && intersections.every((s) => s.has(h)) && !exclusions.has(h),
  );
  return result;
}

/** The hosts of a play after `--limit` (itself a pattern). */
export function selectHosts(inv: Inventory, pattern: string, limit?: string): string[] {
  const hosts = resolvePattern(inv, pattern).hosts;
  if (!limit) return hosts;
  const allowed = new Set(resolvePattern(inv, limit).hosts);
  return hosts.filter((h) => allowed.has(h));
}
