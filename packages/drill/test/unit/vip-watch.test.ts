import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill.js';
import { comparisonTable, summaryTable } from '../../src/report.js';
import type { DrillLayout } from '../../src/steps.js';
import { describeVipWatch, handoverBoundMs, judgeDualWindows, watchVip, type DualHolding } from '../../src/vip-watch.js';
import { FakePair, GOOD_PAIR } from './fake-pair.js';

const STEPS = [
  { step: 2, startedAt: 1000, endedAt: 2000 },
  { step: 4, startedAt: 3000, endedAt: 6000 },
  { step: 8, startedAt: 7000, endedAt: 9000 },
];

describe('handoverBoundMs', () => {
  it.each([
    [1000, 100, 2609], // the seed: Skew_Time 0.609 s + advert 1 s + 1 s of sampling slack
    [100, 100, 1161], // VRRPv3 at 0.1 s
    [1000, 255, 2004],
  ])('advert %i ms, priority %i: %i ms', (advert, priority, bound) => {
    expect(handoverBoundMs(advert, priority)).toBe(bound);
  });
});

describe('judgeDualWindows', () => {
  const w = (from: number, to: number): DualHolding => ({ from, to, holders: ['a', 'b'] });
  it.each([
    ['a short handover in step 4 (planned stop)', w(3500, 3900), 4, true],
    ['a handover in step 8 (graceful reboot) at the bound', w(7000, 7000 + 2609), 8, true],
    ['longer than the bound in step 4', w(3100, 3100 + 2610), 4, false],
    ['any window in step 2 (the VIP must stay put)', w(1500, 1600), 2, false],
    ['between steps', w(2500, 2600), undefined, false],
    ['before the first step', w(10, 20), undefined, false],
  ])('%s', (_name, dual, step, ok) => {
    const [judged] = judgeDualWindows([dual], STEPS, 2609);
    expect(judged).toMatchObject({ step, ok, ms: dual.to - dual.from, holders: ['a', 'b'] });
  });
});

describe('watchVip', () => {
  it('records each interval in which more than one host held the VIP, from the first such sample to the first sample with one', async () => {
    const seen = [['a'], ['a', 'b'], ['a', 'b'], ['b'], [], ['a', 'b'], ['b']];
    let i = 0;
    let t = 0;
    const clock = { now: () => (t += 10), sleep: async () => undefined };
    const watch = watchVip(async () => seen[Math.min(i++, seen.length - 1)], { periodMs: 1, maxSamples: seen.length, clock });
    await new Promise((r) => setTimeout(r, 20));
    const r = await watch.stop();
    expect(r.samples).toBe(seen.length);
    expect(r.dual).toEqual([
      { from: 20, to: 40, holders: ['a', 'b'] },
      { from: 60, to: 70, holders: ['a', 'b'] },
    ]);
  });

  it('is bounded in samples, closes a window still open at the end, and counts a failed sample as no holder', async () => {
    let calls = 0;
    let t = 0;
    const clock = { now: () => (t += 5), sleep: async () => undefined };
    const watch = watchVip(
      async () => {
        calls++;
        if (calls === 2) throw new Error('host rebooting');
        return calls >= 3 ? ['a', 'b'] : ['a'];
      },
      { periodMs: 1, maxSamples: 5, clock },
    );
    await new Promise((r) => setTimeout(r, 20));
    const r = await watch.stop();
    expect(calls).toBe(5);
    expect(r.samples).toBe(5);
    expect(r.dual).toEqual([{ from: 15, to: 30, holders: ['a', 'b'] }]);
  });
});

const LAYOUT: DrillLayout = {
  vip: '198.51.100.50',
  port: 88,
  master: 'edu-proxy-01',
  backup: 'edu-proxy-02',
  engine: 'vrrpd',
  nginxPrefix: '/usr/local/nginx',
  checkIntervalMs: 2000,
};

/** The drill on a simulated pair with a watcher that reports the given two-holder intervals. */
async function drillSeeing(dualOf: (steps: { step: number; startedAt: number; endedAt: number }[]) => DualHolding[], steps: number[], known?: { step: number; startedAt: number; endedAt: number }[]) {
  const pair = new FakePair(GOOD_PAIR);
  return runDrill({
    layout: LAYOUT,
    hosts: pair.hostOps,
    client: pair.client,
    addresses: { 'edu-proxy-01': '198.51.100.51', 'edu-proxy-02': '198.51.100.52' },
    pages: { '1': 'edu-proxy-01', '2': 'edu-proxy-02' },
    steps,
    startProbe: async () => pair.probe,
    startVipWatch: () => ({ stop: async () => ({ samples: 42, dual: known ? dualOf(known) : [] }) }),
    clock: pair.clock,
    log: () => undefined,
  });
}

describe('the drill checks the split-brain rule on every run', () => {
  it('a bounded handover inside step 4 passes, is reported in the JSON, the step and the summary', async () => {
    // The simulated pair is deterministic: a first run gives the steps' times.
    const first = await drillSeeing(() => [], [1, 2, 4]);
    expect(first.vipWatch).toEqual({ ok: true, samples: 42, periodMs: 200, boundMs: 2609, windows: [] });
    expect(summaryTable(first)).toContain('VIP on both proxies: never (42 samples, every 200 ms)');
    const s4 = first.steps.find((s) => s.step === 4)!;
    const r = await drillSeeing((steps) => [{ from: steps[2].startedAt + 100, to: steps[2].startedAt + 500, holders: ['edu-proxy-01', 'edu-proxy-02'] }], [1, 2, 4], first.steps);
    expect(r.steps.find((s) => s.step === 4)!.startedAt).toBe(s4.startedAt);
    expect(r.ok).toBe(true);
    expect(r.vipWatch!.windows).toEqual([expect.objectContaining({ step: 4, ms: 400, ok: true })]);
    expect(r.steps.find((s) => s.step === 4)!.checks.at(-1)).toMatchObject({ ok: true, seen: 'VIP on edu-proxy-01 and edu-proxy-02 for 0.40 s' });
    expect(summaryTable(r)).toContain('VIP on both proxies: 0.40 s in step 4;');
    expect(comparisonTable([first, r])).toMatch(/VIP on both proxies +never +0\.40 s \(step 4\) +handover/);
  });

  it('the VIP on both in step 2 (it must stay put) fails that step and the drill', async () => {
    const first = await drillSeeing(() => [], [1, 2]);
    const r = await drillSeeing((steps) => [{ from: steps[1].startedAt + 10, to: steps[1].startedAt + 210, holders: ['edu-proxy-01', 'edu-proxy-02'] }], [1, 2], first.steps);
    expect(r.ok).toBe(false);
    const s2 = r.steps.find((s) => s.step === 2)!;
    expect(s2.ok).toBe(false);
    expect(s2.error).toBe('VIP on both proxies for 0.20 s, in a step that does not move it');
    expect(describeVipWatch(r.vipWatch!)).toContain('0.20 s in step 2 (NOT ALLOWED)');
  });

  it('the VIP on both between steps fails the drill though every step passed', async () => {
    const first = await drillSeeing(() => [], [1, 2]);
    const r = await drillSeeing((steps) => [{ from: steps[1].endedAt + 1, to: steps[1].endedAt + 2, holders: ['edu-proxy-01', 'edu-proxy-02'] }], [1, 2], first.steps);
    expect(r.steps.every((s) => s.ok)).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.vipWatch).toMatchObject({ ok: false, windows: [{ step: undefined, ok: false }] });
  });
});
