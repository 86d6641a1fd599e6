/** The real Clock: monotonic time from performance.now() and plain Node timers. */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from './types.js';

/** How early a precise timer wakes before its deadline to finish on the clock. */
const PRECISE_LEAD_MS = 2;

export interface SystemClockOptions {
  /**
   * Whether a pending timer keeps the process alive. The daemon's sockets already do, so protocol
   * timers default to unref'd: a forgotten timer never delays exit after everything is closed.
   */
  keepAlive?: boolean;
}

export class SystemClock implements Clock {
  private readonly keepAlive: boolean;
  constructor(options: SystemClockOptions = {}) {
    this.keepAlive = options.keepAlive ?? false;
  }

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, callback: () => void, options: { precise?: boolean } = {}): TimerHandle {
    if (!options.precise || ms <= PRECISE_LEAD_MS) {
      const timer = setTimeout(callback, Math.max(0, ms));
      if (!this.keepAlive) timer.unref();
      return { cancel: () => clearTimeout(timer) };
    }
    // Node's timers work in whole milliseconds: they fire up to ~1 ms early or late. A precise timer
    // wakes PRECISE_LEAD_MS early and then checks the monotonic clock once per event-loop turn
    // (sockets are still served in between) until the deadline: at most that much busy time, and
    // only when the timer really expires, which for the Master_Down timer means a failover.
    const deadline = performance.now() + ms;
    let cancelled = false;
    let immediate: NodeJS.Immediate | undefined;
    const check = (): void => {
      immediate = undefined;
      if (cancelled) return;
      if (performance.now() >= deadline) {
        callback();
        return;
      }
      // Referenced on purpose: an unref'd immediate lets the loop block in poll until other I/O.
      immediate = setImmediate(check);
    };
    const timer = setTimeout(check, ms - PRECISE_LEAD_MS);
    if (!this.keepAlive) timer.unref();
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
      },
    };
  }
}
