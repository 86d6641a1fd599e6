import type { HostStats } from '../executor/events.js';

const COLUMNS: (keyof HostStats)[] = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'];

/** Ansible-like PLAY RECAP rows: `host : ok=2 changed=1 ...`, columns aligned. */
export function recapRows(stats: Record<string, HostStats>): { host: string; text: string; stats: HostStats }[] {
  const hosts = Object.keys(stats).sort();
  const width = Math.max(0, ...hosts.map((h) => h.length));
  return hosts.map((host) => ({
    host,
    stats: stats[host],
    text: `${host.padEnd(width)} : ${COLUMNS.map((c) => `${c}=${stats[host][c]}`.padEnd(c.length + 6)).join('')}`.trimEnd(),
  }));
}

export { COLUMNS as RECAP_COLUMNS };
