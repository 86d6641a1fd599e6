import type { InstanceConfig, VrrpConfig } from '../config/model.js';

/** Drops source positions so two configurations compare by meaning only. */
function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'at').map(([k, v]) => [k, withoutLocations(v)]));
  }
  return value;
}

/**
 * Everything that shapes an instance's behaviour, including the scripts it tracks and its sync group.
 * Two equal signatures mean a reload can leave the running instance alone.
 */
export function instanceSignature(instance: InstanceConfig, config: VrrpConfig): string {
  const scripts = instance.trackScripts.map((ref) => config.scripts.find((s) => s.name === ref.name));
  const group = config.syncGroups.find((g) => g.members.includes(instance.name));
  return JSON.stringify(withoutLocations({ instance, scripts, group: group?.name }));
}

/** Whether a change only needs a new state machine (keeping the role) or is a different router. */
export function sameVirtualRouter(a: InstanceConfig, b: InstanceConfig): boolean {
  return a.vrid === b.vrid && a.interface === b.interface && a.version === b.version;
}

export function scriptSignature(config: VrrpConfig, name: string): string {
  return JSON.stringify(withoutLocations(config.scripts.find((s) => s.name === name)));
}
