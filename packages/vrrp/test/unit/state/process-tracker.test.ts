import { describe, expect, it } from 'vitest';
import { ProcessTracker, type ProcessTrackerSettings } from '../../../src/state/process-tracker.js';
import { FakeClock } from '../helpers/fake-clock.js';

function tracker(settings: Partial<ProcessTrackerSettings> = {}) {
  const clock = new FakeClock();
  const changes: Array<[number, string, number]> = [];
  const t = new ProcessTracker({ name: 'nginx', quorum: 1, forkDelayMs: 0, terminateDelayMs: 0, fastRecovery: false, ...settings }, clock, (s, n) => changes.push([clock.now(), s, n]), () => {});
  return { clock, t, changes };
}

describe('ProcessTracker: quorum', () => {
  it.each([
    // [quorum, quorum_max, count, status]
    [1, undefined, 0, 'down'],
    [1, undefined, 1, 'up'],
    [1, undefined, 5, 'up'],
    [2, undefined, 1, 'down'],
    [1, 1, 2, 'down'],
    [1, 4, 4, 'up'],
  ] as const)('quorum %s..%s with %s running is %s', (quorum, quorumMax, count, status) => {
    const { t } = tracker({ quorum, quorumMax });
    t.update(count);
    expect(t.status).toBe(status);
  });
});

describe('ProcessTracker: delays', () => {
  it('without delays every change is reported at once, and only changes', () => {
    const { t, changes } = tracker();
    t.update(1); t.update(2); t.update(0); t.update(0); t.update(1);
    expect(changes).toEqual([[0, 'up', 1], [0, 'down', 0], [0, 'up', 1]]);
  });
  it('terminate_delay: a loss undone within the delay is never reported', () => {
    const { t, clock, changes } = tracker({ terminateDelayMs: 500 });
    t.update(1);
    t.update(0);
    clock.advance(400);
    t.update(1);
    clock.advance(1000);
    expect(changes).toEqual([[0, 'up', 1]]);
    t.update(0);
    clock.advance(1000);
    expect(changes.at(-1)).toEqual([1900, 'down', 0]);
  });
  it('fork_delay holds "up" back; fast_recovery does not', () => {
    for (const [fastRecovery, upAt] of [[false, 300], [true, 0]] as const) {
      const { t, clock, changes } = tracker({ forkDelayMs: 300, fastRecovery });
      t.update(0);
      t.update(1);
      clock.advance(1000);
      expect(changes).toEqual([[0, 'down', 0], [upAt, 'up', 1]]);
    }
  });
});
