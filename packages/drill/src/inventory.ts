/**
 * What the drill needs from an inventory: the proxies with their connection details and variables,
 * and the layout (VIP, port, master/backup, engine, health-check interval). Loaded with the
 * provisioner's loader; flags always win over what the inventory says.
 */
import { dirname, resolve } from 'node:path';
import { inventoryVars, loadInventory as loadCoreInventory, type Inventory } from '@haweb/core';

export type Vars = Record<string, unknown>;

export interface DrillHost {
  name: string;
  /** The inventory's variables for the host: groups (outer to inner, group_vars/ included), then its own. */
  vars: Vars;
}

export interface DrillInventory {
  /** The inventory sources, for messages. */
  file: string;
  hosts: Map<string, DrillHost>;
  /** Variables of `all`. */
  allVars: Vars;
}

/** The drill's view of a loaded inventory. */
export function fromInventory(inv: Inventory): DrillInventory {
  const hosts = new Map<string, DrillHost>();
  for (const name of inv.hosts.keys()) hosts.set(name, { name, vars: inventoryVars(inv, name) });
  return { file: inv.sources.map((f) => resolve(f)).join(', '), hosts, allVars: inv.groups.get('all')?.vars ?? {} };
}

/**
 * Loads inventories with the provisioner's own loader (YAML or INI, files or folders, group_vars/ and
 * host_vars/ beside them and, when given, beside the playbook): the drill reads what the playbook reads.
 */
export function loadInventory(sources: string | readonly string[], options: { playbookDir?: string } = {}): DrillInventory {
  return fromInventory(loadCoreInventory(sources, options));
}

const SIMPLE_TEMPLATE = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*default\(\s*(.*?)\s*\))?\s*\}\}$/;

/**
 * A variable's value with the simplest Jinja2 forms resolved (`{{ other }}`,
 * `{{ other | default('x') }}`), as layouts often point one variable at another (`vip: "{{ lab_vip }}"`).
 * Anything more templated is undefined: the drill does not guess.
 */
export function resolveValue(value: unknown, vars: Vars, depth = 0): unknown {
  if (typeof value !== 'string' || !value.includes('{{')) return value;
  const m = SIMPLE_TEMPLATE.exec(value.trim());
  if (!m || depth > 5) return undefined;
  const ref = vars[m[1]];
  if (ref !== undefined && ref !== null && ref !== '') return resolveValue(ref, vars, depth + 1);
  if (m[2] === undefined) return undefined;
  const lit = m[2].trim();
  const quoted = /^(['"])(.*)\1$/.exec(lit);
  if (quoted) return quoted[2];
  return /^-?\d+(\.\d+)?$/.test(lit) ? Number(lit) : undefined;
}

/** First defined variable among `names`, looked up in the host's vars then all's. */
export function pick(inv: DrillInventory, host: string | undefined, names: readonly string[]): unknown {
  const sources = [host ? inv.hosts.get(host)?.vars : undefined, inv.allVars];
  for (const vars of sources) {
    if (!vars) continue;
    for (const n of names) {
      const v = resolveValue(vars[n], vars);
      if (v !== undefined && v !== null && v !== '') return v;
    }
  }
  return undefined;
}

/** Variable names the drill understands, most specific first. Documented in docs/drill.md. */
export const VAR_NAMES = {
  vip: ['drill_vip', 'lab_vip', 'vrrp_vip', 'vip', 'virtual_ipaddress'],
  port: ['drill_port', 'nginx_port', 'nginx_listen_port', 'http_port'],
  engine: ['drill_engine', 'vrrp_engine'],
  checkInterval: ['drill_check_interval', 'nginx_check_interval', 'vrrp_script_interval', 'health_check_interval'],
  advertInt: ['drill_advert_int', 'ha_advert_int', 'vrrp_advert_int', 'advert_int'],
  priority: ['vrrp_priority', 'priority'],
  state: ['vrrp_state', 'state'],
  clientAddress: ['lab_client_address', 'drill_client_address'],
  nginxPrefix: ['nginx_prefix'],
} as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

/** An inventory value that may be "1.2.3.4", "1.2.3.4/24", "1.2.3.4/24 dev eth1" or a list of them. */
export function firstAddress(v: unknown): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'string' && typeof first !== 'number') return undefined;
  const addr = String(first).trim().split(/[\s/]/)[0];
  return isIpv4(addr) ? addr : undefined;
}

export interface LayoutFlags {
  vip?: string;
  port?: number;
  engine?: string;
  master?: string;
  backup?: string;
  checkIntervalMs?: number;
  advertIntMs?: number;
  nginxPrefix?: string;
}

export interface ResolvedLayout {
  vip: string;
  port: number;
  engine: string;
  master: string;
  backup: string;
  checkIntervalMs: number;
  /** VRRP advert interval (bounds the handover in which both proxies may hold the VIP). */
  advertIntMs: number;
  nginxPrefix: string;
  /** Where each value came from, for the header the drill prints. */
  sources: Record<string, string>;
}

const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;
const SAFE_PATH = /^\/[A-Za-z0-9_.\/-]+$/;

/**
 * Chooses master and backup among the inventory's proxies: flags; else `vrrp_state` MASTER/BACKUP;
 * else the two highest `vrrp_priority`; else the first two hosts that are not the client.
 */
export function chooseRoles(inv: DrillInventory, flags: LayoutFlags, clientAddress?: string): { master: string; backup: string; how: string } {
  const names = [...inv.hosts.keys()];
  const isClient = (h: string) =>
    /client/i.test(h) || (clientAddress !== undefined && String(inv.hosts.get(h)?.vars.ansible_host ?? '') === clientAddress);
  const candidates = names.filter((h) => !isClient(h));
  const known = (h: string | undefined, flag: string) => {
    if (h !== undefined && !inv.hosts.has(h)) throw new Error(`${flag} ${h}: no such host in ${inv.file} (hosts: ${names.join(', ')})`);
    return h;
  };
  let master = known(flags.master, '--master');
  let backup = known(flags.backup, '--backup');
  let how = master || backup ? 'flags' : '';
  if (!master || !backup) {
    const byState = (s: string) => candidates.filter((h) => String(pick(inv, h, VAR_NAMES.state) ?? '').toUpperCase() === s);
    const prio = candidates
      .map((h) => ({ h, p: Number(pick(inv, h, VAR_NAMES.priority)) }))
      .filter((x) => Number.isFinite(x.p))
      .sort((a, b) => b.p - a.p)
      .map((x) => x.h);
    const ordered = byState('MASTER').length ? [...byState('MASTER'), ...byState('BACKUP')] : prio.length >= 2 ? prio : candidates;
    how ||= byState('MASTER').length ? 'vrrp_state' : prio.length >= 2 ? 'vrrp_priority' : 'inventory order';
    const rest = ordered.filter((h) => h !== master && h !== backup);
    master ??= rest.shift();
    backup ??= rest.filter((h) => h !== master).shift();
  }
  if (!master || !backup) throw new Error(`${inv.file}: need two proxies for the drill, found ${candidates.join(', ') || 'none'}`);
  if (master === backup) throw new Error(`master and backup are both ${master}`);
  return { master, backup, how };
}

export function resolveLayout(inv: DrillInventory, flags: LayoutFlags): ResolvedLayout {
  const sources: Record<string, string> = {};
  const clientAddress = firstAddress(pick(inv, undefined, VAR_NAMES.clientAddress));
  const roles = chooseRoles(inv, flags, clientAddress);
  sources.roles = roles.how;

  const vip = flags.vip ?? firstAddress(pick(inv, roles.master, VAR_NAMES.vip));
  sources.vip = flags.vip ? '--vip' : 'inventory';
  if (!vip) throw new Error(`no VIP: give --vip or set one of ${VAR_NAMES.vip.join(', ')} in ${inv.file}`);
  if (!isIpv4(vip)) throw new Error(`VIP ${vip} is not an IPv4 address`);

  const portVar = pick(inv, roles.master, VAR_NAMES.port);
  const port = flags.port ?? (portVar !== undefined ? Number(portVar) : 88);
  sources.port = flags.port ? '--port' : portVar !== undefined ? 'inventory' : 'the seed (88)';
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${String(portVar ?? flags.port)}`);

  const engine = flags.engine ?? String(pick(inv, roles.master, VAR_NAMES.engine) ?? 'vrrpd');
  if (!SAFE_NAME.test(engine)) throw new Error(`bad engine/service name ${engine}`);

  const ci = pick(inv, roles.master, VAR_NAMES.checkInterval);
  const checkIntervalMs = flags.checkIntervalMs ?? (ci !== undefined ? Number(ci) * 1000 : 2000);
  if (!Number.isFinite(checkIntervalMs) || checkIntervalMs <= 0) throw new Error(`bad health-check interval ${String(ci)}`);

  const ai = pick(inv, roles.master, VAR_NAMES.advertInt);
  const advertIntMs = flags.advertIntMs ?? (ai !== undefined ? Math.round(Number(ai) * 1000) : 1000);
  if (!Number.isFinite(advertIntMs) || advertIntMs <= 0) throw new Error(`bad advert interval ${String(ai)}`);

  const nginxPrefix = flags.nginxPrefix ?? String(pick(inv, roles.master, VAR_NAMES.nginxPrefix) ?? '/usr/local/nginx');
  if (!SAFE_PATH.test(nginxPrefix)) throw new Error(`bad nginx prefix ${nginxPrefix}`);

  return { vip, port, engine, master: roles.master, backup: roles.backup, checkIntervalMs, advertIntMs, nginxPrefix, sources };
}

/** Resolves a path written in the inventory relative to the inventory's folder. */
export function inventoryPath(inv: DrillInventory, p: string): string {
  return resolve(dirname(inv.file.split(', ')[0]), p);
}
