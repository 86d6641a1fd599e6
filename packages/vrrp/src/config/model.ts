import type { SourceLocation } from './diagnostics.js';

export type VrrpVersion = 2 | 3;

/** Gratuitous ARP schedule of a master (keepalived's garp_master_* and garp_lower_prio_*). */
export interface GarpConfig {
  /** Second burst this long after becoming master (0 = none). keepalived default 5 s. */
  masterDelayMs: number;
  /** GARPs per burst. keepalived default 5. */
  masterRepeat: number;
  /** Periodic refresh while master (0 = off, the default). */
  masterRefreshMs: number;
  masterRefreshRepeat: number;
  /** After a lower-priority advert (split-brain recovery): same defaults as the master values. */
  lowerPrioDelayMs: number;
  lowerPrioRepeat: number;
  /** Minimum gap between GARPs on one interface (vrrp_garp_interval), 0 = back to back. */
  intervalMs: number;
}

export interface GlobalDefs {
  routerId?: string;
  vrrpVersion: VrrpVersion;
  garp: GarpConfig;
  enableScriptSecurity: boolean;
  scriptUser?: string;
}

export interface VrrpScriptConfig {
  name: string;
  at: SourceLocation;
  /** The script line as written. */
  command: string;
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  /** keepalived semantics: 0 = FAULT on failure; > 0 added while OK; < 0 added while failing. */
  weight: number;
  rise: number;
  fall: number;
  user?: string;
  initFail: boolean;
}

export interface TrackScriptRef {
  name: string;
  /** Per-instance override of the script's weight. */
  weight?: number;
  at: SourceLocation;
}

export interface TrackInterfaceRef {
  name: string;
  /** 0 = FAULT while down; otherwise added while up (> 0) or while down (< 0). */
  weight: number;
  at: SourceLocation;
}

export interface VipConfig {
  address: string;
  prefixLength: number;
  /** `dev X`, else the instance's interface. */
  interface: string;
  label?: string;
  broadcast?: string;
  at: SourceLocation;
}

export interface NotifyConfig {
  master?: string[];
  backup?: string[];
  fault?: string[];
  stop?: string[];
  /** The generic `notify` script: called with TYPE "NAME" STATE PRIORITY. */
  generic?: string[];
  /** A master heard a lower-priority master (a healed split brain) and re-asserted itself. */
  masterRxLowerPri?: string[];
  /** `notify_* SCRIPT USER [GROUP]`: the script runs as this user ("USER" or "USER GROUP"), not script_user. */
  users?: Partial<Record<NotifyScriptKey, string>>;
}

export type NotifyScriptKey = 'master' | 'backup' | 'fault' | 'stop' | 'generic' | 'masterRxLowerPri';

export interface InstanceConfig {
  name: string;
  at: SourceLocation;
  /** As written (`state`); keepalived always starts in BACKUP, this only shortens the first wait. */
  initialState?: 'MASTER' | 'BACKUP';
  interface: string;
  vrid: number;
  priority: number;
  advertIntervalMs: number;
  version: VrrpVersion;
  nopreempt: boolean;
  preemptDelayMs: number;
  auth?: { type: 'PASS'; password: string };
  trackScripts: TrackScriptRef[];
  trackInterfaces: TrackInterfaceRef[];
  dontTrackPrimary: boolean;
  vips: VipConfig[];
  mcastSrcIp?: string;
  unicastSrcIp?: string;
  unicastPeers: string[];
  notify: NotifyConfig;
  garp: GarpConfig;
  /** track_process references (issue 13). */
  trackProcesses?: TrackProcessRef[];
  /** vrrpd-only handover keywords (issue 13). */
  handover?: HandoverConfig;
}

export interface SyncGroupConfig {
  name: string;
  at: SourceLocation;
  members: string[];
  notify: NotifyConfig;
}

export interface VrrpConfig {
  /** The main file. */
  file: string;
  globals: GlobalDefs;
  scripts: VrrpScriptConfig[];
  instances: InstanceConfig[];
  syncGroups: SyncGroupConfig[];
  /** vrrp_track_process blocks (issue 13). */
  trackProcesses?: TrackProcessConfig[];
  /** keepalived keywords read and ignored because they have no effect on a VRRP speaker (SMTP, LVS, SNMP). */
  ignoredKeywords?: string[];
}

export const DEFAULT_GARP: GarpConfig = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelayMs: 5000,
  lowerPrioRepeat: 5,
  intervalMs: 0,
};

// ---- Failover additions (issue 13): kept apart from the types above so the reader can change freely.

/** How a tracked process's parameters must match (keepalived's param_match; exact when not given). */
export type ParamMatch = 'exact' | 'initial' | 'partial';

/**
 * keepalived's vrrp_track_process: the number of running processes that match decides up (within
 * quorum..quorum_max) or down. vrrpd watches each match through a pidfd, so an exit is seen at once.
 */
export interface TrackProcessConfig {
  name: string;
  at: SourceLocation;
  /** The process name (as /proc/PID/comm), or with full_command the command's first word. */
  process: string;
  /** Parameters that must match (none: any parameters, unless param_match asks for none). */
  params: string[];
  paramMatch: ParamMatch;
  /** Whether param_match was given (with no params it means "no parameters at all"). */
  paramMatchGiven: boolean;
  fullCommand: boolean;
  /** keepalived's default is 1. 0 = FAULT while down. */
  weight: number;
  quorum: number;
  quorumMax?: number;
  /** Quorum regained: wait this long before "up" (fork_delay). */
  forkDelayMs: number;
  /** Quorum lost: wait this long before "down" (terminate_delay). */
  terminateDelayMs: number;
  /** Quorum regained after a loss: up at once, without fork_delay. */
  fastRecovery: boolean;
}

export interface TrackProcessRef {
  name: string;
  /** Per-instance override of the vrrp_track_process weight. */
  weight?: number;
  at: SourceLocation;
}

/** A peer's priority as this node's configuration states it (vrrpd's `peer_priority ADDRESS N`). */
export interface PeerPriority {
  address: string;
  priority: number;
  at: SourceLocation;
}

/**
 * vrrpd-only instance keywords for handing the VIP over without dropped requests. keepalived does not
 * know them, so a shared template renders them only for vrrpd.
 */
export interface HandoverConfig {
  /**
   * `resign`: a master whose effective priority falls below a peer's priority sends priority 0 at once
   * (the peer takes over after Skew_Time instead of Master_Down_Interval).
   */
  resign: boolean;
  /** The other nodes' priorities, for `resign` (adverts heard from them count too). */
  peerPriorities: PeerPriority[];
}

/** The failover additions of an instance, whatever the reader filled in (absent = keepalived's behaviour). */
export function handoverOf(instance: { handover?: HandoverConfig }): HandoverConfig {
  return instance.handover ?? { resign: false, peerPriorities: [] };
}
