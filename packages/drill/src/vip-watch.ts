/**
 * The drill's split-brain rule: the VIP may be on both proxies only during a planned handover inside
 * a step that moves it (make before break: the stopping master keeps the VIP until it hears the new
 * master, at most Skew_Time plus one advert interval), and never longer than that bound. A watcher
 * samples which proxies hold the VIP for the whole drill; the pure judge turns its two-holder
 * intervals into verdicts per step.
 */
import type { Clock } from './observe.js';

/** Drill steps in which the VIP moves between the nodes (nginx down, engine stop/start, crash reboot, graceful reboot). */
export const VIP_MOVING_STEPS: readonly number[] = [3, 4, 5, 6, 8];

/** How often the watcher asks the proxies, by default. */
export const VIP_WATCH_PERIOD_MS = 200;

/**
 * The longest two-holder window a handover may show: the stopping master's Skew_Time
 * ((256 - priority) / 256 x advert) plus one advert interval, plus 1 s for a sample seeing it a
 * period (and an `ip` command under load) late. 2.61 s at the seed's advert_int 1 and priority 100.
 */
export function handoverBoundMs(advertMs = 1000, masterPriority = 100): number {
  return Math.round(((256 - masterPriority) / 256) * advertMs) + advertMs + 1000;
}

/** An interval in which more than one proxy held the VIP (epoch ms; `to` = first sample with at most one). */
export interface DualHolding {
  from: number;
  to: number;
  holders: string[];
}

export interface DualWindow extends DualHolding {
  /** The drill step it started in, if any. */
  step?: number;
  ms: number;
  /** Inside a step that moves the VIP and within the bound. */
  ok: boolean;
}

/** What the drill's watcher saw, as the result carries it. */
export interface VipWatchResult {
  /** No two-holder window broke the rule. */
  ok: boolean;
  samples: number;
  periodMs: number;
  boundMs: number;
  windows: DualWindow[];
}

/** Pure: each two-holder interval with its drill step and length, and whether it breaks the rule. */
export function judgeDualWindows(
  dual: readonly DualHolding[] | readonly { from: number; to: number }[],
  steps: readonly { step: number; startedAt: number; endedAt: number }[],
  boundMs = handoverBoundMs(),
): DualWindow[] {
  return dual.map((d) => {
    const step = steps.find((s) => d.from >= s.startedAt && d.from <= s.endedAt)?.step;
    const ms = d.to - d.from;
    const holders = 'holders' in d ? d.holders : [];
    return { from: d.from, to: d.to, holders, step, ms, ok: step !== undefined && VIP_MOVING_STEPS.includes(step) && ms <= boundMs };
  });
}

export interface VipWatcher {
  /** Stops sampling (waits for the sample under way); the count and the two-holder intervals. */
  stop(): Promise<{ samples: number; dual: DualHolding[] }>;
}

/**
 * Samples `holders()` every `periodMs` until stopped, at most `maxSamples` times (bounded whatever
 * happens). A sample that throws counts as no holder seen (a rebooting host).
 */
export function watchVip(
  holders: () => Promise<string[]>,
  { periodMs = VIP_WATCH_PERIOD_MS, maxSamples = 20_000, clock }: { periodMs?: number; maxSamples?: number; clock?: Clock } = {},
): VipWatcher {
  const now = clock ? () => clock.now() : () => Date.now();
  const sleep = clock ? (ms: number) => clock.sleep(ms) : (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  let stopped = false;
  let samples = 0;
  const dual: DualHolding[] = [];
  const loop = (async () => {
    let open: DualHolding | undefined;
    while (!stopped && samples < maxSamples) {
      const t = now();
      const seen = await holders().catch(() => [] as string[]);
      samples++;
      if (seen.length > 1 && !open) open = { from: t, to: t, holders: seen };
      if (seen.length <= 1 && open) {
        dual.push({ ...open, to: t });
        open = undefined;
      }
      if (!stopped) await sleep(periodMs);
    }
    if (open) dual.push({ ...open, to: now() });
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, dual };
    },
  };
}

/** One line for the summary: never on both, or each window with its step and verdict. */
export function describeVipWatch(w: VipWatchResult): string {
  if (w.windows.length === 0) return `VIP on both proxies: never (${w.samples} samples, every ${w.periodMs} ms)`;
  const parts = w.windows.map(
    (x) => `${(x.ms / 1000).toFixed(2)} s in ${x.step === undefined ? 'no step' : `step ${x.step}`}${x.ok ? '' : ' (NOT ALLOWED)'}`,
  );
  return `VIP on both proxies: ${parts.join(', ')}; allowed: a handover inside steps ${VIP_MOVING_STEPS.join(', ')}, at most ${(w.boundMs / 1000).toFixed(2)} s (${w.samples} samples, every ${w.periodMs} ms)`;
}
