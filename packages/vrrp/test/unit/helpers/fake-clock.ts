import type { Clock, TimerHandle } from '../../../src/os/types.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** A manual clock: timers fire only inside advance()/runUntil(), in time order, then in creation order. */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.time;
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const entry: Pending = { at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  /** Runs every timer due up to now + ms (including ones those timers create), then sets now + ms. */
  advance(ms: number): void {
    this.runUntil(this.time + ms);
  }

  runUntil(target: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.reduce<Pending | undefined>((best, p) => (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq) ? p : best), undefined);
      if (!next || next.at > target) {
        this.time = Math.max(this.time, target);
        return;
      }
      this.time = next.at;
      next.cancelled = true;
      next.callback();
    }
    throw new Error('FakeClock: timer storm (more than a million timers)');
  }

  /**
   * Like advance(), but lets promise chains (the daemon's queued side effects, fake scripts) run to
   * completion after every timer, so async work happens at the fake time that caused it.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.time + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      await new Promise((resolve) => setImmediate(resolve));
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.reduce<Pending | undefined>((best, p) => (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq) ? p : best), undefined);
      if (!next || next.at > target) {
        this.time = Math.max(this.time, target);
        await new Promise((resolve) => setImmediate(resolve));
        return;
      }
      this.time = next.at;
      next.cancelled = true;
      next.callback();
    }
    throw new Error('FakeClock: timer storm');
  }

  /** Lets promise callbacks (a fake script's result) run. */
  async flush(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}
