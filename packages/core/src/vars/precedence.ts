/**
 * Variable precedence, lowest first (later layers replace earlier ones key by key, as Ansible's
 * default `hash_behaviour=replace`: a dict is replaced whole, not merged):
 *
 *   1. role defaults            roles/<name>/defaults/main.yml (every role of the play, in order)
 *   2. inventory group vars     `all` first, then parent groups before child groups (by depth from
 *                               `all`), groups of the same depth in alphabetical order; a group's
 *                               inline vars < group_vars/ next to the inventory < group_vars/ next to
 *                               the playbook
 *   3. inventory host vars      inline < host_vars/ next to the inventory < host_vars/ next to the playbook
 *   4. play vars                `vars:` of the play
 *   5. play vars_files          in the order listed
 *   6. role and task vars       role vars/main.yml and role params, then block vars (outer to inner),
 *                               then the task's own `vars:`
 *   7. host facts               gathered facts, `set_fact`, `register` (the latest assignment wins)
 *   8. extra vars               `-e`, always win
 *
 * Magic variables (inventory_hostname, group_names, groups, playbook_dir) are added under everything;
 * they cannot be overridden by accident from an inventory because they are set last only when absent.
 */
import type { Inventory, Play, Vars } from '../model.js';

/** Depth of each group: `all` is 0, a child is one deeper than its deepest parent. */
export function groupDepths(inv: Inventory): Map<string, number> {
  const depth = new Map<string, number>();
  const visit = (name: string, d: number, path: Set<string>) => {
    if (path.has(name)) return; // a cycle is reported by the loader; do not loop here
    if ((depth.get(name) ?? -1) >= d) return;
    depth.set(name, d);
    const g = inv.groups.get(name);
    if (!g) return;
    path.add(name);
    for (const c of g.children) visit(c, d + 1, path);
    path.delete(name);
  };
  visit('all', 0, new Set());
  for (const name of inv.groups.keys()) if (!depth.has(name)) visit(name, 1, new Set());
  return depth;
}

/** Every group the host belongs to, directly or through child groups (including `all`). */
export function groupsContainingHost(inv: Inventory, host: string): Set<string> {
  const direct = new Set<string>();
  for (const g of inv.groups.values()) if (g.hosts.includes(host)) direct.add(g.name);
  const parents = new Map<string, string[]>();
  for (const g of inv.groups.values()) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  const out = new Set<string>();
  const stack = [...direct];
  while (stack.length) {
    const g = stack.pop()!;
    if (out.has(g)) continue;
    out.add(g);
    stack.push(...(parents.get(g) ?? []));
  }
  if (inv.hosts.has(host)) out.add('all');
  return out;
}

/** The host's groups in the order their vars apply (lowest precedence first). */
export function groupsInPrecedenceOrder(inv: Inventory, host: string): string[] {
  const depth = groupDepths(inv);
  return [...groupsContainingHost(inv, host)].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Layer 2 + 3: what the inventory says about a host. */
export function inventoryVars(inv: Inventory, host: string): Vars {
  const out: Vars = {};
  for (const g of groupsInPrecedenceOrder(inv, host)) Object.assign(out, inv.groups.get(g)?.vars);
  Object.assign(out, inv.hosts.get(host)?.vars);
  return out;
}

/** `group_names` as Ansible gives it: sorted, without `all` and `ungrouped`. */
export function groupNames(inv: Inventory, host: string): string[] {
  return [...groupsContainingHost(inv, host)].filter((g) => g !== 'all' && g !== 'ungrouped').sort();
}

/** `groups`: every group with all its hosts (through children), in inventory order. */
export function groupsMap(inv: Inventory): Record<string, string[]> {
  const order = [...inv.hosts.keys()];
  const out: Record<string, string[]> = {};
  for (const name of inv.groups.keys()) {
    const members = new Set<string>();
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length) {
      const g = inv.groups.get(stack.pop()!);
      if (!g || seen.has(g.name)) continue;
      seen.add(g.name);
      g.hosts.forEach((h) => members.add(h));
      stack.push(...g.children);
    }
    out[name] = order.filter((h) => members.has(h));
  }
  return out;
}

export function magicVars(inv: Inventory, host: string, playbookDir?: string): Vars {
  return {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    group_names: groupNames(inv, host),
    groups: groupsMap(inv),
    ...(playbookDir ? { playbook_dir: playbookDir } : {}),
  };
}

export interface HostVarsInput {
  inventory: Inventory;
  host: string;
  /** The play: its roleDefaults, vars and varsFiles layers. */
  play?: Pick<Play, 'roleDefaults' | 'vars' | 'varsFiles' | 'baseDir'>;
  /** Layer 6, outermost first: role vars, block vars..., the task's vars. */
  scopes?: Vars[];
  /** Layer 7: facts, set_fact and registered results of this host. */
  hostFacts?: Vars;
  /** Layer 8. */
  extraVars?: Vars;
  /** Extra magic variables the executor knows (hostvars, ansible_play_hosts, ansible_check_mode...). */
  magic?: Vars;
}

/** All variables of one host at one point of the play, merged by precedence (see the top of this file). */
export function hostVars(input: HostVarsInput): Vars {
  const out: Vars = { ...magicVars(input.inventory, input.host, input.play?.baseDir), ...input.magic };
  const layers: (Vars | undefined)[] = [
    input.play?.roleDefaults,
    inventoryVars(input.inventory, input.host),
    input.play?.vars,
    ...(input.play?.varsFiles.map((f) => f.vars) ?? []),
    ...(input.scopes ?? []),
    input.hostFacts,
    input.extraVars,
  ];
  for (const layer of layers) if (layer) Object.assign(out, layer);
  return out;
}

/** Merge layers lowest-first (top-level keys replace). */
export function mergeVars(...layers: (Vars | undefined)[]): Vars {
  return Object.assign({}, ...layers.filter(Boolean));
}
