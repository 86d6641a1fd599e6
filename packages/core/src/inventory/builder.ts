/** Accumulates hosts and groups from any inventory source, then completes the `all`/`ungrouped` shape. */
import type { Diagnostic, Inventory, InventoryGroup, SourcePos, Vars } from '../model.js';
import { normalizeConnectionVars } from './connection.js';

export class InventoryBuilder {
  readonly inventory: Inventory = { sources: [], hosts: new Map(), groups: new Map() };
  readonly diagnostics: Diagnostic[] = [];

  group(name: string, pos?: SourcePos): InventoryGroup {
    let g = this.inventory.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], vars: {}, pos };
      this.inventory.groups.set(name, g);
    } else if (!g.pos && pos) g.pos = pos;
    return g;
  }

  host(name: string, vars: Vars, pos?: SourcePos): void {
    const h = this.inventory.hosts.get(name);
    const normalized = normalizeConnectionVars(vars);
    if (h) {
      Object.assign(h.vars, normalized);
      if (!h.pos && pos) h.pos = pos;
    } else {
      this.inventory.hosts.set(name, { name, vars: normalized, pos });
    }
  }

  addHostToGroup(group: string, host: string, pos?: SourcePos): void {
    const g = this.group(group, pos);
    if (!g.hosts.includes(host)) g.hosts.push(host);
  }

  addChild(parent: string, child: string, pos?: SourcePos): void {
    const p = this.group(parent);
    this.group(child, pos);
    if (parent === child) {
      this.error(`group '${parent}' cannot be its own child`, pos);
      return;
    }
    if (!p.children.includes(child)) p.children.push(child);
  }

  groupVars(group: string, vars: Vars, pos?: SourcePos): void {
    Object.assign(this.group(group, pos).vars, normalizeConnectionVars(vars));
  }

  error(message: string, pos?: SourcePos): void {
    this.diagnostics.push({ severity: 'error', message, pos });
  }

  /**
   * Make the shape Ansible guarantees: `all` contains every top-level group and `ungrouped`; hosts that
   * belong to no group but `all` are in `ungrouped`; no cycles among children.
   */
  finish(): Inventory {
    const inv = this.inventory;
    const all = this.group('all');
    const ungrouped = this.group('ungrouped');
    const isChild = new Set<string>();
    for (const g of inv.groups.values()) for (const c of g.children) isChild.add(c);
    for (const g of inv.groups.values()) {
      if (g.name !== 'all' && !isChild.has(g.name) && !all.children.includes(g.name)) all.children.push(g.name);
    }
    // `ungrouped` is listed last, as Ansible does.
    all.children = [...all.children.filter((c) => c !== 'ungrouped'), 'ungrouped'];
    const inSomeGroup = new Set<string>();
    for (const g of inv.groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') g.hosts.forEach((h) => inSomeGroup.add(h));
    // Hosts written directly under `all` (or before any INI section) show up in `ungrouped`, as in Ansible.
    ungrouped.hosts = [...inv.hosts.keys()].filter((h) => !inSomeGroup.has(h));
    all.hosts = [];
    this.checkCycles();
    return inv;
  }

  private checkCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]): void => {
      const s = state.get(name);
      if (s === 'done') return;
      if (s === 'visiting') {
        const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
        this.error(`group cycle: ${cycle}`, this.inventory.groups.get(name)?.pos);
        return;
      }
      state.set(name, 'visiting');
      for (const c of this.inventory.groups.get(name)?.children ?? []) visit(c, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of this.inventory.groups.keys()) visit(name, []);
  }
}

/**
 * Expand Ansible host ranges: `web[01:03]` -> web01, web02, web03; `db-[a:c]`; `[1:10:2]` with a step.
 * Leading zeros in the start set the width.
 */
export function expandHostRange(name: string): string[] {
  const m = /^(.*?)\[([0-9a-zA-Z]+):([0-9a-zA-Z]+)(?::(\d+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, head, start, end, stepText, tail] = m;
  const step = stepText ? Number(stepText) : 1;
  if (step < 1) throw new Error(`bad host range step in '${name}'`);
  const out: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.startsWith('0') ? start.length : 0;
    const a = Number(start);
    const b = Number(end);
    if (a > b) throw new Error(`bad host range in '${name}': start is after end`);
    if ((b - a) / step > 100_000) throw new Error(`host range too large in '${name}'`);
    for (let i = a; i <= b; i += step) out.push(String(i).padStart(width, '0'));
  } else if (/^[a-zA-Z]$/.test(start) && /^[a-zA-Z]$/.test(end)) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    if (a > b) throw new Error(`bad host range in '${name}': start is after end`);
    for (let i = a; i <= b; i += step) out.push(String.fromCharCode(i));
  } else {
    throw new Error(`bad host range in '${name}'`);
  }
  return out.flatMap((part) => expandHostRange(head + part + tail));
}
