import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../../src/os/clock.js';

const fireAfter = (clock: SystemClock, ms: number, precise: boolean) =>
  new Promise<number>((resolve) => {
    const start = performance.now();
    clock.setTimer(ms, () => resolve(performance.now() - start), { precise });
  });

describe('SystemClock', () => {
  it('a precise timer never fires before its fractional deadline', async () => {
    const clock = new SystemClock({ keepAlive: true });
    for (const ms of [3.3, 12.7, 40.25, 648.4375 / 10]) {
      const waited = await fireAfter(clock, ms, true);
      expect(waited).toBeGreaterThanOrEqual(ms);
      expect(waited).toBeLessThan(ms + 100); // generous: only "it did fire, soon after" on a loaded machine
    }
  });

  it('an unref\'d precise timer still fires on time while only a distant timer keeps the loop alive (the daemon\'s case)', async () => {
    const clock = new SystemClock(); // protocol timers are unref'd in the daemon
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      const waited = await fireAfter(clock, 30.5, true);
      expect(waited).toBeGreaterThanOrEqual(30.5);
      expect(waited).toBeLessThan(130);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('a cancelled precise timer does not fire, also when cancelled in its last milliseconds', async () => {
    const clock = new SystemClock({ keepAlive: true });
    let fired = 0;
    const early = clock.setTimer(20, () => fired++, { precise: true });
    early.cancel();
    const late = clock.setTimer(20, () => fired++, { precise: true });
    await new Promise((r) => setTimeout(r, 19)); // inside the busy-check window (or just before it)
    late.cancel();
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(0);
  });

  it('plain timers still fire', async () => {
    const clock = new SystemClock({ keepAlive: true });
    expect(await fireAfter(clock, 5, false)).toBeGreaterThanOrEqual(4);
  });
});
