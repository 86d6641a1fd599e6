import { describe, expect, it } from 'vitest';
import { measureOutage, segments, servedSteadilyBy, tally } from '../../src/timeline.js';
import type { Sample } from '../../src/types.js';

const A = 'edu-proxy-01';
const B = 'edu-proxy-02';
/** Compact samples: [start, end, host or error]. */
function S(rows: [number, number, string][]): Sample[] {
  return rows.map(([t, end, who]) => (who === A || who === B ? { t, end, host: who } : { t, end, error: who }));
}

describe('segments', () => {
  it('merges runs of the same answer, ordered by start time even when replies finished out of order', () => {
    const samples = S([
      [0, 2, A],
      [15, 17, A],
      [30, 1030, 'timeout'],
      [45, 46, 'ECONNREFUSED'],
      [60, 62, B],
      [75, 77, B],
    ]);
    const shuffled = [samples[3], samples[0], samples[5], samples[2], samples[1], samples[4]];
    expect(segments(shuffled)).toEqual([
      { key: A, from: 0, to: 30, count: 2, errors: [] },
      { key: 'error', from: 30, to: 60, count: 2, errors: ['timeout', 'ECONNREFUSED'] },
      { key: B, from: 60, to: 77, count: 2, errors: [] },
    ]);
  });

  it('keeps only requests started inside the window', () => {
    expect(segments(S([[0, 2, A], [15, 17, B], [30, 32, B]]), 10, 20)).toEqual([{ key: B, from: 15, to: 17, count: 1, errors: [] }]);
  });

  it('is empty without samples', () => {
    expect(segments([])).toEqual([]);
  });
});

describe('measureOutage', () => {
  const cases: { name: string; samples: Sample[]; fault: number; expect: string; until?: number; want: Partial<ReturnType<typeof measureOutage>> }[] = [
    {
      name: 'failover: errors then the backup',
      samples: S([[90, 92, A], [105, 107, A], [120, 1120, 'timeout'], [135, 136, 'ECONNREFUSED'], [150, 152, B], [165, 167, B]]),
      fault: 100,
      expect: B,
      want: { firstReplyAt: 152, outageMs: 52, failedRequests: 2, requests: 5, noAnswerMs: 152 - 107 },
    },
    {
      name: 'failback without a failed request: the outage is the switch time, no-answer is 0',
      samples: S([[0, 2, B], [15, 17, B], [30, 32, B], [45, 47, A]]),
      fault: 10,
      expect: A,
      want: { outageMs: 37, noAnswerMs: 0, failedRequests: 0, requests: 3 },
    },
    {
      name: 'a reply from the expected host to a request started before the fault does not end it',
      samples: S([[95, 110, B], [115, 117, 'ECONNREFUSED'], [130, 132, B]]),
      fault: 100,
      expect: B,
      want: { firstReplyAt: 132, outageMs: 32 },
    },
    {
      name: 'restart in place: the same host answering just after the fault does not end the outage',
      samples: S([[90, 92, A], [101, 103, A], [115, 116, 'ECONNREFUSED'], [130, 131, 'ECONNREFUSED'], [145, 147, A]]),
      fault: 100,
      expect: A,
      want: { firstReplyAt: 147, outageMs: 47, failedRequests: 2, noAnswerMs: 147 - 103 },
    },
    {
      name: 'restart in place without a failed request: no outage',
      samples: S([[90, 92, A], [101, 103, A], [115, 117, A]]),
      fault: 100,
      expect: A,
      want: { firstReplyAt: 103, outageMs: 0, failedRequests: 0, noAnswerMs: 0 },
    },
    {
      name: 'never answered: no outage time, the no-answer stretch runs to the last failure',
      samples: S([[100, 102, A], [115, 1115, 'timeout'], [130, 1130, 'timeout']]),
      fault: 110,
      expect: B,
      want: { firstReplyAt: undefined, outageMs: undefined, noAnswerMs: 1130 - 110 - (0), failedRequests: 2 },
    },
    {
      name: 'requests started after the window are ignored',
      samples: S([[100, 101, 'x'], [200, 202, B]]),
      fault: 100,
      expect: B,
      until: 150,
      want: { outageMs: undefined, requests: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(measureOutage(c.samples, c.fault, c.expect, c.until)).toMatchObject({ faultAt: c.fault, expectHost: c.expect, ...c.want });
    });
  }
});

describe('servedSteadilyBy', () => {
  const samples = S([[0, 2, A], [15, 17, B], [30, 32, B], [45, 47, 'timeout'], [60, 62, B], [75, 77, B], [90, 92, B]]);
  it('needs the streak unbroken, after `from`', () => {
    expect(servedSteadilyBy(samples, B, 0, 3)).toBe(92);
    expect(servedSteadilyBy(samples, B, 0, 2)).toBe(32);
    expect(servedSteadilyBy(samples, B, 20, 2)).toBe(77);
    expect(servedSteadilyBy(samples, A, 0, 1)).toBe(2);
    expect(servedSteadilyBy(samples, A, 1, 1)).toBeUndefined();
  });
  it('tally counts answers per host in a window', () => {
    expect(tally(samples, 10, 80)).toEqual({ [B]: 4, error: 1 });
  });
});
