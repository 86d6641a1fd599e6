import type { Inventory, Vars } from '../model.js';

/**
 * Fallback host pattern engine and inventory variable merge, used when the caller does not pass the
 * loader's. Patterns: `all`/`*`, host or group names, globs (`web*`), joined by `:` or `,`;
 * `!x` removes, `&x` intersects.
 */
export function matchHostsDefault(inventory: Inventory, pattern: string): string[] {
  const order = [...inventory.hosts.keys()];
  let selected = new Set<string>();
  const terms = pattern.split(/[:,]/).map((t) => t.trim()).filter(Boolean);
  for (const term of terms) {
    if (term.startsWith('!')) {
      for (const h of resolveTerm(inventory, term.slice(1))) selected.delete(h);
    } else if (term.startsWith('&')) {
      const keep = new Set(resolveTerm(inventory, term.slice(1)));
      selected = new Set([...selected].filter((h) => keep.has(h)));
    } else {
      for (const h of resolveTerm(inventory, term)) selected.add(h);
    }
  }
  return order.filter((h) => selected.has(h));
}

function resolveTerm(inventory: Inventory, term: string): string[] {
  if (term === 'all' || term === '*') return [...inventory.hosts.keys()];
  if (inventory.groups.has(term)) return groupHosts(inventory, term);
  if (inventory.hosts.has(term)) return [term];
  if (term.includes('*') || term.includes('?')) {
    const re = new RegExp(`^${term.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const out = new Set<string>();
    for (const g of inventory.groups.keys()) if (re.test(g)) groupHosts(inventory, g).forEach((h) => out.add(h));
    for (const h of inventory.hosts.keys()) if (re.test(h)) out.add(h);
    return [...out];
  }
  return [];
}

/** Every host in a group, its children included. */
export function groupHosts(inventory: Inventory, group: string, seen = new Set<string>()): string[] {
  if (group === 'all') return [...inventory.hosts.keys()];
  if (seen.has(group)) return [];
  seen.add(group);
  const g = inventory.groups.get(group);
  if (!g) return [];
  const out = new Set(g.hosts);
  for (const child of g.children) for (const h of groupHosts(inventory, child, seen)) out.add(h);
  return [...out];
}

/** Groups a host belongs to, directly or through children, with their depth below `all`. */
export function groupsOfHost(inventory: Inventory, host: string): { name: string; depth: number }[] {
  const depth = new Map<string, number>();
  const visit = (name: string, d: number, path: Set<string>): void => {
    if (path.has(name)) return;
    if ((depth.get(name) ?? -1) < d) depth.set(name, d);
    const g = inventory.groups.get(name);
    if (!g) return;
    const next = new Set(path).add(name);
    for (const child of g.children) visit(child, d + 1, next);
  };
  visit('all', 0, new Set());
  for (const g of inventory.groups.values()) {
    // Top-level groups not listed as children of `all` hang below it implicitly.
    if (g.name !== 'all' && !depth.has(g.name)) visit(g.name, 1, new Set(['all']));
  }
  const member = (name: string): boolean => name === 'all' || groupHosts(inventory, name).includes(host);
  return [...depth.entries()]
    .filter(([name]) => member(name))
    .map(([name, d]) => ({ name, depth: d }))
    .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
}

/** all < shallower groups < deeper groups (alphabetical within a depth) < the host's own vars. */
export function inventoryVarsDefault(inventory: Inventory, host: string): Vars {
  const out: Vars = {};
  for (const { name } of groupsOfHost(inventory, host)) Object.assign(out, inventory.groups.get(name)?.vars ?? {});
  Object.assign(out, inventory.hosts.get(host)?.vars ?? {});
  return out;
}
