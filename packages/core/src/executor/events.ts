import type { FileDiff } from '../contract/module.js';
import type { SourcePos } from '../model.js';

/** What a host's task ended as, in Ansible's words. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** PLAY RECAP counters for one host (Ansible's: `ok` counts changed tasks too). */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/** Identifies a task in events. */
export interface TaskRef {
  name: string;
  module: string;
  pos?: SourcePos;
  role?: string;
  kind: 'task' | 'handler' | 'setup';
}

/** One loop item's outcome. */
export interface ItemOutcome {
  label: string;
  status: HostStatus;
  msg?: string;
  diff?: FileDiff[];
  result: Record<string, unknown>;
  /** The host this item ran on, when delegated (delegate_to, local_action). */
  delegatedTo?: string;
}

export interface HostResultEvent {
  type: 'host-result';
  task: TaskRef;
  host: string;
  status: HostStatus;
  /** A failure that ignore_errors let through. */
  ignored?: boolean;
  /** Short reason: why skipped, what failed. */
  msg?: string;
  diff?: FileDiff[];
  items?: ItemOutcome[];
  /** The module's result (censored when no_log). */
  result: Record<string, unknown>;
  durationMs: number;
  /** The host the module ran on, when delegated (delegate_to, local_action). */
  delegatedTo?: string;
}

export type RunEvent =
  | { type: 'run-start'; playbook: string; check: boolean; diff: boolean }
  | { type: 'play-start'; play: string; pos?: SourcePos; hosts: string[]; batch?: { index: number; count: number } }
  | { type: 'task-start'; task: TaskRef; hosts: string[] }
  | HostResultEvent
  | { type: 'progress'; task: TaskRef; host: string; message: string }
  | { type: 'log'; task?: TaskRef; host?: string; message: string }
  | { type: 'warning'; message: string; host?: string; task?: TaskRef }
  | { type: 'no-hosts'; play: string; reason: string }
  | { type: 'play-end'; play: string }
  | { type: 'recap'; stats: Record<string, HostStats> }
  | { type: 'run-end'; summary: RunSummary };

/** The outcome of a whole run. */
export interface RunSummary {
  stats: Record<string, HostStats>;
  /** Hosts that failed (not rescued, not ignored). */
  failedHosts: string[];
  unreachableHosts: string[];
  durationMs: number;
}

/** Ansible's exit codes: 4 when a host was unreachable, 2 when one failed, else 0. */
export function exitCodeOf(summary: RunSummary): number {
  if (summary.unreachableHosts.length > 0) return 4;
  if (summary.failedHosts.length > 0) return 2;
  return 0;
}

export type EventSink = (event: RunEvent) => void;
