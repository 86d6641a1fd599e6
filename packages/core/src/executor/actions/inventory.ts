/**
 * add_host and group_by on the run's in-memory inventory, with Ansible's rules
 * (InventoryManager.add_dynamic_host / add_dynamic_group): a new host joins `all`; its variables merge
 * over the ones it had; `changed` says whether the inventory changed. Later plays match hosts on the
 * changed inventory; hosts whose groups changed get their inventory variables again.
 */
import type { ModuleResult } from '../../contract/module.js';
import type { Inventory, InventoryGroup, Vars } from '../../model.js';
import { inventoryVars as defaultInventoryVars } from '../../vars/precedence.js';
import type { PlayRun } from '../state.js';

/** The arguments add_host does not keep as host variables (Ansible's list: `host` and `group` stay). */
const SPECIAL = new Set(['name', 'hostname', 'groupname', 'groups']);

/** `name:port` (or `[v6]:port`): the host name and its port, as Ansible's parse_address reads them. */
export function splitHostPort(value: string): { name: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { name: v6[1], port: v6[2] ? Number(v6[2]) : undefined };
  const m = /^([^:]+):(\d+)$/.exec(value);
  if (m) return { name: m[1], port: Number(m[2]) };
  return { name: value };
}

/** What add_host's arguments ask for: the host, its groups in order (no duplicates), its variables. */
export function addHostRequest(args: Vars): { name: string; groups: string[]; hostVars: Vars } {
  const raw = String(args.name ?? args.hostname ?? args.host);
  const { name, port } = splitHostPort(raw);
  const g = args.groupname ?? args.groups ?? args.group ?? '';
  const list = Array.isArray(g) ? g.map(String) : String(g) === '' ? [] : String(g).split(',');
  const groups: string[] = [];
  for (const x of list) if (!groups.includes(x.trim())) groups.push(x.trim());
  const hostVars: Vars = {};
  for (const [k, v] of Object.entries(args)) if (!SPECIAL.has(k)) hostVars[k] = v;
  if (port !== undefined) hostVars.ansible_ssh_port = port;
  return { name, groups, hostVars };
}

function ensureGroup(inv: Inventory, name: string): { group: InventoryGroup; created: boolean } {
  const existing = inv.groups.get(name);
  if (existing) return { group: existing, created: false };
  const group: InventoryGroup = { name, hosts: [], children: [], vars: {} };
  inv.groups.set(name, group);
  // A new group is a child of `all`, as Ansible's reconcile_inventory makes it.
  const all = inv.groups.get('all');
  if (all && name !== 'all' && !all.children.includes(name)) all.children.push(name);
  return { group, created: true };
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The inventory changed: the play's group map and the hosts' inventory variables are read again. */
function refresh(run: PlayRun, hosts: readonly string[]): void {
  run.inventoryChanged?.();
  const resolver = run.rt.options.inventoryVars ?? defaultInventoryVars;
  for (const h of hosts) run.rt.state(h).inventoryVars = resolver(run.rt.options.inventory, h);
}

export function addDynamicHost(run: PlayRun, args: Vars): ModuleResult {
  const inv = run.rt.options.inventory;
  const { name, groups, hostVars } = addHostRequest(args);
  let changed = false;
  let host = inv.hosts.get(name);
  if (!host) {
    host = { name, vars: {} };
    inv.hosts.set(name, host);
    const ungrouped = inv.groups.get('ungrouped');
    if (ungrouped && groups.length === 0) ungrouped.hosts.push(name);
    changed = true;
  }
  const merged = { ...host.vars, ...hostVars };
  if (!deepEqual(merged, host.vars)) {
    host.vars = merged;
    changed = true;
  }
  for (const g of groups) {
    const { group, created } = ensureGroup(inv, g);
    if (created) changed = true;
    if (!group.hosts.includes(name)) {
      group.hosts.push(name);
      changed = true;
    }
  }
  if (changed) {
    // A host in a named group is no longer `ungrouped`.
    const ungrouped = inv.groups.get('ungrouped');
    if (ungrouped && groups.length > 0) ungrouped.hosts = ungrouped.hosts.filter((h) => h !== name);
    refresh(run, [name]);
  }
  return { changed, add_host: { host_name: name, groups, host_vars: hostVars } };
}

export function addDynamicGroup(run: PlayRun, host: string, key: string, parents: readonly string[]): ModuleResult {
  const inv = run.rt.options.inventory;
  const groupName = key.replace(/ /g, '-');
  const parentNames = parents.map((p) => p.replace(/ /g, '-'));
  let changed = false;
  const { group } = ensureGroup(inv, groupName);
  for (const p of parentNames) {
    const { group: parent, created } = ensureGroup(inv, p);
    if (created) changed = true;
    if (!parent.children.includes(groupName) && p !== groupName) {
      parent.children.push(groupName);
      changed = true;
    }
  }
  if (!group.hosts.includes(host)) {
    group.hosts.push(host);
    changed = true;
  }
  if (changed) refresh(run, [host]);
  return { changed, add_group: groupName, parent_groups: parentNames };
}
