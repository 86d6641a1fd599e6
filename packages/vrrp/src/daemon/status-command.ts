import { readFileSync } from 'node:fs';
import type { DaemonStatus } from './status.js';

/** `vrrpd status`: one line per instance from the status file the daemon keeps up to date. */
export function formatStatus(status: DaemonStatus): string {
  const rows = status.vrrp.map(({ data: d, stats }) => {
    const master = d.state_name === 'MASTER' ? 'this node' : d.master_address ?? 'unknown';
    const drops = stats.dropped_total ? `, ${stats.dropped_total} dropped` : '';
    const fault = d.fault_reasons.length ? ` fault: ${d.fault_reasons.join('; ')}` : '';
    return `${d.iname} vrid ${d.vrid} ${d.state_name} priority ${d.effective_priority}/${d.base_priority} master ${master} vips ${d.vips.join(', ') || '-'} (adverts ${stats.advert_sent} sent, ${stats.advert_rcvd} received${drops})${fault}`;
  });
  const groups = status.sync_groups.map((g) => `sync group ${g.name} ${g.state}: ${g.members.join(' ')}`);
  return [`vrrpd pid ${status.vrrpd.pid}, router_id ${status.vrrpd.router_id ?? '-'}, updated ${status.vrrpd.updated}`, ...rows, ...groups].join('\n');
}

export function readStatusFile(path: string): DaemonStatus {
  return JSON.parse(readFileSync(path, 'utf8')) as DaemonStatus;
}
