/** Tracking inputs and how they turn into an effective priority and FAULT, keepalived's rules. */

export type TrackStatus = 'init' | 'up' | 'down';

export interface WeightedTrack {
  /** For messages: "script chk_nginx" or "interface eth1". */
  label: string;
  /** 0: FAULT while down. > 0: added while up. < 0: added while down. */
  weight: number;
  status: TrackStatus;
}

export interface TrackingOutcome {
  /** Sum of the weights that currently apply. */
  delta: number;
  /** Why the instance must be in FAULT (empty when it need not). */
  faults: string[];
}

export function evaluateTracking(tracks: readonly WeightedTrack[]): TrackingOutcome {
  let delta = 0;
  const faults: string[] = [];
  for (const t of tracks) {
    // A script that has not reported yet counts for nothing, neither up nor down.
    if (t.status === 'init') continue;
    if (t.weight === 0) {
      if (t.status === 'down') faults.push(`${t.label} is down`);
    } else if (t.weight > 0 ? t.status === 'up' : t.status === 'down') {
      delta += t.weight;
    }
  }
  return { delta, faults };
}

/** The owner (255) is never changed; anyone else stays within 1..254 whatever the weights say. */
export function effectivePriority(base: number, delta: number): number {
  if (base === 255) return 255;
  return Math.min(254, Math.max(1, base + delta));
}
