import { describe, expect, it } from 'vitest';
import { masterDownIntervalMs, skewTimeMs } from '../../../src/state/index.js';
import { effectivePriority, evaluateTracking } from '../../../src/state/priority.js';

describe('RFC timers', () => {
  it.each([
    [2, 100, 1000, 609.375, 3609.375],
    [2, 90, 1000, 648.4375, 3648.4375],
    [2, 100, 3000, 609.375, 9609.375], // v2 skew does not scale with the interval
    [3, 100, 100, 60.9375, 360.9375],
    [3, 254, 1000, 7.8125, 3007.8125],
    [3, 255, 100, 0.390625, 300.390625],
  ] as const)('v%i priority %i interval %i ms: skew %f, down %f', (version, priority, interval, skew, down) => {
    expect(skewTimeMs(version, priority, interval)).toBe(skew);
    expect(masterDownIntervalMs(version, priority, interval)).toBe(down);
  });
});

describe('tracking arithmetic (keepalived rules)', () => {
  it.each([
    ['negative weight applies while down', [{ label: 's', weight: -20, status: 'down' as const }], -20, []],
    ['negative weight ignored while up', [{ label: 's', weight: -20, status: 'up' as const }], 0, []],
    ['positive weight applies while up', [{ label: 's', weight: 10, status: 'up' as const }], 10, []],
    ['positive weight ignored while down', [{ label: 's', weight: 10, status: 'down' as const }], 0, []],
    ['weight 0 down means FAULT', [{ label: 'script chk', weight: 0, status: 'down' as const }], 0, ['script chk is down']],
    ['a script that has not run counts for nothing', [{ label: 's', weight: -20, status: 'init' as const }, { label: 't', weight: 0, status: 'init' as const }], 0, []],
  ])('%s', (_, tracks, delta, faults) => {
    expect(evaluateTracking(tracks)).toEqual({ delta, faults });
  });
  it('effective priority is clamped to 1..254 and the owner is untouched', () => {
    expect(effectivePriority(100, -200)).toBe(1);
    expect(effectivePriority(200, 100)).toBe(254);
    expect(effectivePriority(255, -100)).toBe(255);
    expect(effectivePriority(100, -20)).toBe(80);
  });
});
