/**
 * The `module_defaults` keyword, as Ansible 2.14 applies it (executor/module_common.py's
 * get_action_args_with_defaults): the mappings written from the play down to the task form one list;
 * each key names a module (short name, `ansible.builtin.x`, an alias) and is resolved to the module
 * it names, and the list is merged mapping by mapping with a plain update, so for one module the
 * nearest value wins whole (its arguments are not merged with a farther one's). The task's own
 * arguments then win over the defaults, and an argument set to `omit` drops the default too (Ansible
 * removes omitted arguments after the merge).
 */
import type { ModuleDefaultsEntry, SourcePos, Vars } from '../model.js';
import { isPlainObject } from '../vars/secret.js';

/** The defaults written for a module: the value as written (a mapping or a template) and where. */
export interface ModuleDefaultsMatch {
  key: string;
  value: Vars | string;
  pos?: SourcePos;
}

/**
 * The defaults that apply to `module` (its primary name), the last matching key of the list winning.
 * `resolve` maps a written key to the primary name of the module it names (undefined: no such module).
 */
export function moduleDefaultsFor(
  entries: readonly ModuleDefaultsEntry[] | undefined,
  module: string,
  resolve: (key: string) => string | undefined,
): ModuleDefaultsMatch | undefined {
  let found: ModuleDefaultsMatch | undefined;
  for (const entry of entries ?? []) {
    for (const [key, value] of Object.entries(entry.defaults)) {
      if (resolve(key) === module) found = { key, value, pos: entry.keyPos[key] };
    }
  }
  return found;
}

/**
 * The module's arguments with its defaults under them (`defaults` rendered). Arguments equal to the
 * omit placeholder are dropped after the merge, so they drop the default as well; `omitted` names the
 * arguments a templater already dropped for the same reason.
 */
export function withModuleDefaults(args: unknown, defaults: unknown, key: string, omit: string | undefined, omitted: readonly string[] = []): unknown {
  if (defaults !== undefined && defaults !== null && !isPlainObject(defaults)) {
    throw new Error(`module_defaults for '${key}' must give a mapping of arguments, got ${JSON.stringify(defaults)}`);
  }
  // Arguments the templater already dropped as omitted drop their defaults as well.
  const kept = Object.fromEntries(Object.entries(defaults ?? {}).filter(([k]) => !omitted.includes(k)));
  const merged = isPlainObject(args) ? { ...kept, ...args } : args;
  if (omit === undefined || !isPlainObject(merged)) return merged;
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== omit));
}
