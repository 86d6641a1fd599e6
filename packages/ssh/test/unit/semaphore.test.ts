import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/index.js';

describe('Semaphore', () => {
  it('never lets more than capacity run at once, and runs everything', async () => {
    const s = new Semaphore(8);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.with(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2 + (i % 3)));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(8);
    expect(done).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(s.inUse).toBe(0);
  });
});
