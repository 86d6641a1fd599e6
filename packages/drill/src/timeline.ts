/**
 * Pure timeline arithmetic over what the client probe saw: who answered when (segments), and the
 * outage a fault caused. No I/O, no clock: unit-tested with tables of samples.
 */
import type { OutageMeasure, Sample } from './types.js';

/** The key a sample is drawn and grouped by: the host that answered, or "error". */
export const ERROR_KEY = 'error';

export function sampleKey(s: Sample): string {
  return s.host ?? ERROR_KEY;
}

/** Samples sorted by start time (the probe prints them as they finish, which is not start order). */
export function byStart(samples: readonly Sample[]): Sample[] {
  return [...samples].sort((a, b) => a.t - b.t || a.end - b.end);
}

/** A stretch of time in which every request got the same kind of answer. */
export interface Segment {
  key: string;
  /** Start time of the first request of the stretch. */
  from: number;
  /** Start time of the first request of the next stretch, or the last request's end. */
  to: number;
  count: number;
  /** Distinct error reasons seen (error segments only), most frequent first. */
  errors: string[];
}

export function segments(samples: readonly Sample[], from = -Infinity, to = Infinity): Segment[] {
  const sorted = byStart(samples).filter((s) => s.t >= from && s.t <= to);
  const out: Segment[] = [];
  let counts = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i];
    const key = sampleKey(s);
    const last = out[out.length - 1];
    if (last && last.key === key) {
      last.count++;
    } else {
      if (last) {
        last.to = s.t;
        last.errors = rankErrors(counts);
      }
      counts = new Map();
      out.push({ key, from: s.t, to: s.end, count: 1, errors: [] });
    }
    if (s.error) counts.set(s.error, (counts.get(s.error) ?? 0) + 1);
    out[out.length - 1].to = Math.max(out[out.length - 1].to, s.end);
  }
  const last = out[out.length - 1];
  if (last) last.errors = rankErrors(counts);
  return out;
}

function rankErrors(counts: Map<string, number>): string[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([e]) => e);
}

/**
 * The outage caused by a fault at `faultAt`, as the client saw it in the requests it started from the
 * fault until `until`:
 * - outageMs: from the fault to the first successful reply from `expectHost` to a request started
 *   after the fault (the seed's "the VIP moved and the other host answers"); when `expectHost` was
 *   already answering before the fault, to its first reply after the first failed request;
 * - noAnswerMs: the longest stretch, from the fault on, between a successful reply and the next one
 *   that had failed requests in between (0 when no request failed): what a user actually waited.
 */
export function measureOutage(samples: readonly Sample[], faultAt: number, expectHost: string, until = Infinity): OutageMeasure {
  const sorted = byStart(samples);
  const inWindow = sorted.filter((s) => s.t >= faultAt && s.t <= until);
  // When the expected host is the one that was answering (nginx restarted in place), its replies to
  // requests made before the fault took effect say nothing: the outage ends with its first reply after
  // the first failed request, and is 0 when no request failed.
  const before = sorted.filter((s) => s.t < faultAt).pop();
  const sameHost = before?.host === expectHost;
  const firstFailure = inWindow.find((s) => !s.host);
  const from = sameHost && firstFailure ? firstFailure.t : faultAt;
  const first = inWindow
    .filter((s) => s.t >= from && s.host === expectHost)
    .reduce<Sample | undefined>((best, s) => (best === undefined || s.end < best.end ? s : best), undefined);
  const outageMs = first === undefined ? undefined : sameHost && !firstFailure ? 0 : first.end - faultAt;

  // Runs of failed requests (in start order) between two answered ones: the stretch a user waited
  // is from the answer before the run to the answer after it. A run still going at the window's end
  // lasts until its last failure was known.
  let lastOkAt = faultAt;
  let runEnd: number | undefined;
  let noAnswerMs = 0;
  for (const s of inWindow) {
    if (s.host) {
      if (runEnd !== undefined) noAnswerMs = Math.max(noAnswerMs, s.end - lastOkAt);
      lastOkAt = Math.max(lastOkAt, s.end);
      runEnd = undefined;
    } else {
      runEnd = Math.max(runEnd ?? 0, s.end);
    }
  }
  if (runEnd !== undefined) noAnswerMs = Math.max(noAnswerMs, runEnd - lastOkAt);

  return {
    faultAt,
    expectHost,
    firstReplyAt: first?.end,
    outageMs,
    noAnswerMs,
    failedRequests: inWindow.filter((s) => !s.host).length,
    requests: inWindow.length,
  };
}

/**
 * The first request started at or after `from` from which on the last `streak` requests were all
 * answered by `host`: "the client now gets host's page". Returns that reply's end time.
 */
export function servedSteadilyBy(samples: readonly Sample[], host: string, from: number, streak = 5): number | undefined {
  let run = 0;
  for (const s of byStart(samples)) {
    if (s.t < from) continue;
    run = s.host === host ? run + 1 : 0;
    if (run >= streak) return s.end;
  }
  return undefined;
}

/** Count of answers per host (and failures) among requests started in [from, to]. */
export function tally(samples: readonly Sample[], from: number, to: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.t < from || s.t > to) continue;
    const k = sampleKey(s);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
