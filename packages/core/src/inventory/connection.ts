/**
 * Connection variables: the `ansible_*` names, or Ansible's old `ansible_ssh_*` spelling, which the
 * loader copies to the `ansible_*` name when that is not set in the same source. As in Ansible, plain
 * `host`, `port`, `user` are the author's own variables (roles use `user:` and `port:` for their own
 * ends) and never choose how the host is reached.
 */
import type { Vars } from '../model.js';
import { SecretString } from '../vars/secret.js';

/** Passwords are secrets even without the `!secret` tag: the reporter must never print them. */
const PASSWORD_VARS = ['ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password', 'ansible_become_password', 'ansible_become_pass'];

const ALIASES: Record<string, string[]> = {
  ansible_host: ['ansible_ssh_host'],
  ansible_port: ['ansible_ssh_port'],
  ansible_user: ['ansible_ssh_user'],
  ansible_ssh_private_key_file: ['ansible_private_key_file'],
  ansible_password: ['ansible_ssh_pass', 'ansible_ssh_password'],
};

export const CONNECTION_VARS = Object.keys(ALIASES);

export function normalizeConnectionVars(vars: Vars): Vars {
  const out: Vars = { ...vars };
  for (const [canonical, aliases] of Object.entries(ALIASES)) {
    if (canonical in out) continue;
    const alias = aliases.find((a) => a in out);
    if (alias !== undefined) out[canonical] = out[alias];
  }
  for (const key of PASSWORD_VARS) {
    const v = out[key];
    if (typeof v === 'string' || typeof v === 'number') out[key] = new SecretString(String(v));
  }
  return out;
}

export interface HostConnection {
  address: string;
  port: number;
  user?: string;
  privateKeyFile?: string;
  password?: string;
}

/** Where to connect for a host, from its merged (and rendered) variables. */
export function connectionOf(hostName: string, vars: Vars): HostConnection {
  const v = normalizeConnectionVars(vars);
  const port = v.ansible_port === undefined || v.ansible_port === null ? 22 : Number(String(v.ansible_port));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`host ${hostName}: ansible_port must be a port number, got ${JSON.stringify(v.ansible_port)}`);
  }
  const str = (x: unknown) => (x === undefined || x === null || x === '' ? undefined : String(x));
  return {
    address: str(v.ansible_host) ?? hostName,
    port,
    user: str(v.ansible_user),
    privateKeyFile: str(v.ansible_ssh_private_key_file),
    password: str(v.ansible_password),
  };
}
