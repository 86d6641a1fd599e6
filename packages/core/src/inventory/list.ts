/** The JSON `ansible-inventory --list` prints: `_meta.hostvars` plus every group with hosts/children. */
import type { Inventory, Vars } from '../model.js';
import { inventoryVars } from '../vars/precedence.js';
import { revealSecrets, SECRET_MASK, isSecret, isPlainObject } from '../vars/secret.js';

export interface InventoryListJson {
  _meta: { hostvars: Record<string, Vars> };
  [group: string]: { hosts?: string[]; children?: string[]; vars?: Vars } | { hostvars: Record<string, Vars> };
}

function maskSecrets(value: unknown): unknown {
  if (isSecret(value)) return SECRET_MASK;
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  return value;
}

/**
 * Like Ansible, hostvars are each host's merged inventory variables (group vars by precedence, then
 * host vars) and groups list only their direct hosts and children; empty keys are left out.
 * Secrets are masked unless `revealSecrets` is set.
 */
export function inventoryList(inv: Inventory, options: { revealSecrets?: boolean } = {}): InventoryListJson {
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.keys()) {
    const v = inventoryVars(inv, h);
    hostvars[h] = (options.revealSecrets ? revealSecrets(v) : maskSecrets(v)) as Vars;
  }
  const out: InventoryListJson = { _meta: { hostvars } };
  for (const g of inv.groups.values()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.length) entry.children = [...g.children];
    if (g.name === 'ungrouped' && !entry.hosts) continue;
    out[g.name] = entry;
  }
  return out;
}
