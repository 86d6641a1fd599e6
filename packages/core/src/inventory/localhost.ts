/**
 * Ansible's implicit localhost: a playbook may name `localhost` (or 127.0.0.1, ::1) without an inventory
 * entry; it is then the controller itself, reached with a local connection. It belongs to no group
 * (`all` does not match it) but takes the `all` group's variables.
 */
import type { Inventory, Vars } from '../model.js';

/** The names Ansible treats as the controller when the inventory does not list them (C.LOCALHOST). */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** True for `localhost` (or 127.0.0.1, ::1) when the inventory does not list it: the implicit localhost. */
export function isImplicitLocalhost(inventory: Inventory, name: string): boolean {
  return LOCALHOST_NAMES.includes(name) && !inventory.hosts.has(name);
}

/**
 * The inventory variables of a host the inventory does not list (a delegate_to target given by name or
 * address, or the implicit localhost): the `all` group's variables, as Ansible gives them, and for
 * localhost a local connection and its host_vars/ file.
 */
export function outsideHostVars(inventory: Inventory, name: string): Vars {
  const all = inventory.groups.get('all')?.vars ?? {};
  if (!LOCALHOST_NAMES.includes(name)) return { ...all };
  // Its own host_vars/ file applies, as Ansible's vars plugins read it for the implicit localhost.
  return { ...all, ansible_connection: 'local', ...inventory.implicitHostVars?.get(name) };
}

