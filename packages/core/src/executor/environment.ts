/**
 * The `environment` keyword: entries from the play, its blocks and the task, in that order, each
 * rendered with the host's variables (per loop item) and merged key by key, the later (nearer) one
 * winning, as Ansible merges them. Values reach the host as text (Python's str(): True, False, None).
 */
import type { Remote } from '../contract/remote.js';
import type { EnvironmentEntry, Vars } from '../model.js';
import { isPlainObject } from '../vars/secret.js';
import type { Templater } from './types.js';
import { renderValue } from './vars.js';

function envText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function renderEnvironment(templater: Templater, entries: readonly EnvironmentEntry[] | undefined, vars: Vars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries ?? []) {
    let rendered: unknown;
    try {
      rendered = renderValue(templater, entry, vars);
    } catch (err) {
      throw new Error(`error in "environment": ${(err as Error).message}`);
    }
    if (!isPlainObject(rendered)) {
      throw new Error(`"environment" must be a mapping of variable names to values, got ${JSON.stringify(rendered)}`);
    }
    for (const [k, v] of Object.entries(rendered)) out[k] = envText(v);
  }
  return out;
}

/** A Remote whose commands run with `env` (a module's own variables for a command win over it). */
export function withEnvironment(remote: Remote, env: Record<string, string>): Remote {
  if (Object.keys(env).length === 0) return remote;
  return {
    hostName: remote.hostName,
    run: (command, options) => remote.run(command, { ...options, env: { ...env, ...options?.env } }),
    writeFile: (path, content, attrs) => remote.writeFile(path, content, attrs),
    putFile: (local, path, attrs) => remote.putFile(local, path, attrs),
    readFile: (path, options) => remote.readFile(path, options),
  };
}
