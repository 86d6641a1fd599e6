/**
 * How old the host's APT cache is, read where Ansible's apt module reads it: the mtime of
 * /var/lib/apt/periodic/update-success-stamp if it exists, else of /var/lib/apt/lists, else 0; with
 * the host's clock, since `cache_valid_time` is measured there.
 */
import type { Fact } from '@haweb/core';

export interface AptCacheTime {
  /** Seconds since the epoch of the last cache update as APT records it (0: never). */
  updated: number;
  /** The host's clock, seconds since the epoch. */
  now: number;
}

const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const LISTS = '/var/lib/apt/lists';

export function parseAptCacheTime(stdout: string): AptCacheTime {
  const [updated, now] = stdout.trim().split(/\s+/).map((s) => Number(s));
  if (!Number.isFinite(now)) throw new Error(`cannot read the apt cache time from ${JSON.stringify(stdout)}`);
  return { updated: Number.isFinite(updated) ? updated : 0, now };
}

export const aptCacheTime: Fact<Record<string, never>, AptCacheTime> = {
  name: 'apt.cache_time',
  command: () =>
    `if [ -e ${STAMP} ]; then t=$(stat -c %Y ${STAMP}); elif [ -e ${LISTS} ]; then t=$(stat -c %Y ${LISTS}); else t=0; fi; echo "$t $(date +%s)"`,
  parse: (stdout) => parseAptCacheTime(stdout),
};

/** Ansible's rule: update when asked (update_cache, or a cache_valid_time) and the cache is older than cache_valid_time seconds. */
export function aptCacheStale(time: AptCacheTime, validSeconds: number): boolean {
  return !(time.updated + validSeconds >= time.now);
}

/**
 * The interpreter that can import Python's apt bindings (python3-apt), probed as Ansible's apt module
 * probes before it runs (probe_interpreters_for_module): /usr/bin/python3, /usr/bin/python2,
 * /usr/bin/python in that order, the first one that exists and imports `apt`. Undefined: none does.
 */
export const aptPythonBindings: Fact<Record<string, never>, { interpreter?: string }> = {
  name: 'apt.python_bindings',
  command: () =>
    `for p in /usr/bin/python3 /usr/bin/python2 /usr/bin/python; do [ -e "$p" ] && "$p" -c 'import apt' >/dev/null 2>&1 && { echo "$p"; exit 0; }; done; true`,
  parse: (stdout) => {
    const interpreter = stdout.trim().split('\n').pop();
    return interpreter ? { interpreter } : {};
  },
};
