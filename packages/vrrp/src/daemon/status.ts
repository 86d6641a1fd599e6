import type { InstanceRuntime } from './runtime.js';
import { describeVip } from './runtime.js';
import type { ScriptTracker } from '../state/script-tracker.js';
import type { ProcessTracker } from '../state/process-tracker.js';
import type { SyncGroup } from '../state/sync-group.js';

/** keepalived's numeric states in its JSON dump. */
const STATE_CODE: Record<string, number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 98 };

export interface InstanceStatus {
  data: {
    iname: string;
    ifp_ifname: string;
    vrid: number;
    state: number;
    wantstate: number;
    state_name: string;
    last_transition: number | null;
    vipset: boolean;
    interface: string;
    version: number;
    base_priority: number;
    effective_priority: number;
    source_address: string;
    master_address: string | null;
    master_priority: number | null;
    adver_int: number;
    master_adver_int: number;
    nopreempt: boolean;
    preempt_delay: number;
    auth_type: number;
    vips: string[];
    unicast_peers: string[];
    fault_reasons: string[];
    track_script: Array<{ name: string; status: string; weight: number }>;
    garp_delay: number;
    garp_rep: number;
    garp_refresh: number;
    garp_refresh_rep: number;
    garp_lower_prio_delay: number;
    garp_lower_prio_rep: number;
  };
  stats: Record<string, number>;
}

export interface DaemonStatus {
  vrrpd: { pid: number; router_id: string | null; config_file: string; updated: string };
  vrrp: InstanceStatus[];
  sync_groups: Array<{ name: string; state: string; members: string[] }>;
  track_script: Array<{ name: string; status: string; last_exit_code: number | null; timed_out: boolean }>;
  /** vrrp_track_process: status and how many matching processes run (null: not counted yet). */
  track_process?: Array<{ name: string; status: string; running: number | null }>;
}

export function instanceStatus(r: InstanceRuntime, trackers: ReadonlyMap<string, ScriptTracker>): InstanceStatus {
  const i = r.instance;
  const c = r.config;
  const s = (ms: number) => ms / 1000;
  return {
    data: {
      iname: c.name, ifp_ifname: c.interface, vrid: c.vrid, state: STATE_CODE[r.stateName] ?? -1, wantstate: STATE_CODE[r.stateName] ?? -1,
      state_name: r.stateName, last_transition: r.lastTransition ?? null, vipset: i.state === 'Master', interface: c.interface, version: c.version,
      base_priority: c.priority, effective_priority: i.priority, source_address: r.source,
      master_address: i.state === 'Master' ? r.source : i.masterAddress ?? null,
      master_priority: i.state === 'Master' ? i.priority : i.masterPriority ?? null,
      adver_int: s(c.advertIntervalMs), master_adver_int: s(i.masterAdverIntervalMs), nopreempt: c.nopreempt, preempt_delay: s(c.preemptDelayMs),
      auth_type: c.version === 2 && c.auth ? 1 : 0, vips: c.vips.map(describeVip), unicast_peers: [...c.unicastPeers], fault_reasons: i.faultReasons,
      track_script: c.trackScripts.map((ref) => {
        const t = trackers.get(ref.name);
        return { name: ref.name, status: t?.status ?? 'unknown', weight: ref.weight ?? r.vrrpConfig.scripts.find((x) => x.name === ref.name)?.weight ?? 0 };
      }),
      garp_delay: s(c.garp.masterDelayMs), garp_rep: c.garp.masterRepeat, garp_refresh: s(c.garp.masterRefreshMs), garp_refresh_rep: c.garp.masterRefreshRepeat,
      garp_lower_prio_delay: s(c.garp.lowerPrioDelayMs), garp_lower_prio_rep: c.garp.lowerPrioRepeat,
    },
    stats: { ...i.counters, ...r.drops, dropped_total: Object.entries(r.drops).filter(([k]) => k !== 'addr_list_err' && !(k === 'advert_interval_err' && c.version === 3)).reduce((n, [, v]) => n + v, 0) },
  };
}

export function daemonStatus(configFile: string, routerId: string | undefined, runtimes: Iterable<InstanceRuntime>, groups: Iterable<SyncGroup>, trackers: ReadonlyMap<string, ScriptTracker>, now = new Date(), processes: ReadonlyMap<string, ProcessTracker> = new Map()): DaemonStatus {
  return {
    vrrpd: { pid: process.pid, router_id: routerId ?? null, config_file: configFile, updated: now.toISOString() },
    vrrp: [...runtimes].map((r) => instanceStatus(r, trackers)),
    sync_groups: [...groups].map((g) => ({ name: g.name, state: g.state, members: g.members.map((m) => m.name) })),
    track_script: [...trackers.values()].map((t) => ({ name: t.settings.name, status: t.status, last_exit_code: t.lastExit?.code ?? null, timed_out: t.lastExit?.timedOut ?? false })),
    ...(processes.size > 0 ? { track_process: [...processes.values()].map((t) => ({ name: t.settings.name, status: t.status, running: t.count ?? null })) } : {}),
  };
}

/** A human-readable dump (SIGUSR1), in the spirit of keepalived's /tmp/keepalived.data. */
export function formatDump(status: DaemonStatus): string {
  const lines = [`------< vrrpd state dump, pid ${status.vrrpd.pid}, ${status.vrrpd.updated} >------`, `router_id = ${status.vrrpd.router_id ?? '(none)'}`, `config = ${status.vrrpd.config_file}`];
  for (const { data: d, stats } of status.vrrp) {
    lines.push(` VRRP Instance = ${d.iname}`, `   State = ${d.state_name}`, `   Interface = ${d.interface}`, `   Virtual Router ID = ${d.vrid}`, `   VRRP version = ${d.version}`,
      `   Base priority = ${d.base_priority}`, `   Effective priority = ${d.effective_priority}`, `   Source address = ${d.source_address}`,
      `   Master = ${d.master_address ?? '(unknown)'}${d.master_priority !== null ? ` priority ${d.master_priority}` : ''}`,
      `   Advert interval = ${d.adver_int} s (master's ${d.master_adver_int} s)`, `   Preempt = ${d.nopreempt ? 'disabled' : 'enabled'}, preempt delay ${d.preempt_delay} s`,
      `   Virtual IP = ${d.vips.length}`, ...d.vips.map((v) => `     ${v}`));
    if (d.fault_reasons.length) lines.push(`   Fault = ${d.fault_reasons.join('; ')}`);
    for (const t of d.track_script) lines.push(`   Tracked script = ${t.name} ${t.status} weight ${t.weight}`);
    lines.push(`   Stats = ${Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  for (const g of status.sync_groups) lines.push(` VRRP Sync Group = ${g.name}, ${g.state}: ${g.members.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
