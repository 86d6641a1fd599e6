import type { Inventory } from '../model.js';

/**
 * Fallback host pattern engine, used when the caller does not pass the loader's. Patterns: `all`/`*`, host or group names, globs (`web*`), joined by `:` or `,`;
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
