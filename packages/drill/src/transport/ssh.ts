/**
 * SSH to the proxies: connection targets from the inventory (ansible_host, ansible_port, ansible_user,
 * ansible_ssh_private_key_file, a known_hosts file), connector from @haweb/ssh.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionTarget, Connector } from '@haweb/core';
import { ConnectorHostOps } from '../host-ops.js';
import { inventoryPath, pick, type DrillInventory } from '../inventory.js';

/** The known_hosts file named by the inventory: its own variable, or -o UserKnownHostsFile= in ssh args. */
export function knownHostsOf(inv: DrillInventory, host: string): string | undefined {
  const direct = pick(inv, host, ['ansible_ssh_known_hosts_file', 'lab_known_hosts']);
  if (typeof direct === 'string') return inventoryPath(inv, direct);
  const args = pick(inv, host, ['ansible_ssh_common_args', 'ansible_ssh_extra_args']);
  const m = typeof args === 'string' ? /UserKnownHostsFile=(\S+)/.exec(args) : null;
  return m ? inventoryPath(inv, m[1]) : undefined;
}

export interface SshDefaults {
  /** known_hosts to use instead of the inventory's. */
  knownHostsFile?: string;
  /** Used when the inventory names no key (the lab's key with --lab). */
  privateKeyFile?: string;
  /** Host → address, used when the inventory has no ansible_host (the lab's addresses with --lab). */
  addresses?: Record<string, string>;
}

export function connectionTarget(inv: DrillInventory, host: string, overrides: SshDefaults = {}): ConnectionTarget {
  const h = inv.hosts.get(host);
  if (!h) throw new Error(`no host ${host} in ${inv.file}`);
  const key = pick(inv, host, ['ansible_ssh_private_key_file', 'ansible_private_key_file']);
  const port = Number(pick(inv, host, ['ansible_port', 'ansible_ssh_port']) ?? 22);
  return {
    hostName: host,
    address: String(pick(inv, host, ['ansible_host']) ?? overrides.addresses?.[host] ?? host),
    port,
    user: String(pick(inv, host, ['ansible_user', 'ansible_ssh_user']) ?? 'root'),
    privateKeyFile: typeof key === 'string' ? inventoryPath(inv, key) : overrides.privateKeyFile,
    knownHostsFile: overrides.knownHostsFile ?? knownHostsOf(inv, host) ?? join(homedir(), '.ssh', 'known_hosts'),
    // The drill never learns keys: it acts as root on the hosts, so an unknown key is refused.
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 5000,
  };
}

/** Loads @haweb/ssh's SshConnector at run time (the drill compiles without the SSH package's types). */
export async function loadSshConnector(): Promise<Connector> {
  const spec = '@haweb/ssh';
  const mod = (await import(spec)) as { SshConnector?: new () => Connector };
  if (typeof mod.SshConnector !== 'function') throw new Error('@haweb/ssh does not export SshConnector (build it: npx turbo run build --filter=@haweb/ssh)');
  return new mod.SshConnector();
}

export async function sshHostOps(inv: DrillInventory, hosts: string[], overrides: SshDefaults & { connector?: Connector } = {}): Promise<ConnectorHostOps> {
  const targets = new Map(hosts.map((h) => [h, connectionTarget(inv, h, overrides)]));
  return new ConnectorHostOps(overrides.connector ?? (await loadSshConnector()), targets);
}
