/**
 * The drill's vocabulary: what the client probe saw (samples), what the drill did (events), and what
 * each step concluded. Times are milliseconds since the Unix epoch (the probe and the controller share
 * one kernel clock, in the lab and with `--client local`).
 */

import type { VipWatchResult } from './vip-watch.js';

/** One HTTP request made by the client probe through the VIP, on a new connection. */
export interface Sample {
  /** When the request was started. */
  t: number;
  /** When it ended (reply complete, error or timeout). */
  end: number;
  /** Host that answered (from `Welcome to nginx! N`), absent when the request failed. */
  host?: string;
  /** The number N of the page that answered, as read from the body. */
  page?: number;
  /** Why the request failed: ECONNREFUSED, EHOSTUNREACH, timeout, http-502, unknown-body ... */
  error?: string;
}

export type EventKind = 'fault' | 'repair' | 'observe';

/** Something the drill did (a fault or a repair) or saw (the VIP moved), placed on the timeline. */
export interface DrillEvent {
  t: number;
  step: number;
  kind: EventKind;
  label: string;
}

/** One check inside a step: what was expected, what was seen. */
export interface Check {
  what: string;
  ok: boolean;
  seen: string;
  /** How long until it held, when it was waited for. */
  afterMs?: number;
}

export interface OutageMeasure {
  /** The fault it is measured from. */
  faultAt: number;
  /** Host whose first reply ends the outage. */
  expectHost: string;
  /** First successful reply from expectHost after the fault (request end time), if any. */
  firstReplyAt?: number;
  /** firstReplyAt - faultAt: the seed's notion of the step's outage, as the client saw it. */
  outageMs?: number;
  /** Longest run with no successful reply at all, from the fault on (0 when none failed). */
  noAnswerMs: number;
  /** Requests that failed in the measured window. */
  failedRequests: number;
  /** Requests made in the measured window. */
  requests: number;
}

export interface LabeledOutage extends OutageMeasure {
  /** What caused it: "failover" (fault → backup answers), "failback", "restart". */
  label: string;
  /** End of the measured window (requests started later are not counted); absent: the drill's end. */
  until?: number;
}

export interface StepResult {
  step: number;
  title: string;
  ok: boolean;
  /** The step was not run (not selected or no hook given). */
  skipped?: boolean;
  startedAt: number;
  endedAt: number;
  checks: Check[];
  /** Client-observed outages of the step's faults and repairs, the main one first. */
  outages: LabeledOutage[];
  /** Why the step failed, in one line. */
  error?: string;
}

export interface DrillResult {
  ok: boolean;
  startedAt: number;
  endedAt: number;
  vip: string;
  port: number;
  master: string;
  backup: string;
  engine: string;
  /** Page number → host, as discovered by asking each host directly. */
  pages: Record<string, string>;
  steps: StepResult[];
  events: DrillEvent[];
  /**
   * Which proxies held the VIP, sampled for the whole drill: every interval in which both did, with
   * its step and verdict (allowed only as a bounded handover inside a step that moves the VIP).
   */
  vipWatch?: VipWatchResult;
  samples: Sample[];
  /** Files written (timeline SVG, JSON). */
  files: string[];
}
