import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript shared with bench/vrrp-config-fuzz, no type declarations
import { runFuzz } from '../../fuzz/fuzz-configs.mjs';

interface FuzzResult { mutants: number; findings: Array<{ index: number; kind: string; detail: string }>; verdicts: { ok: number; failed: number } }

/**
 * 500 mutants of the seed configurations, each read by `vrrpd -t`'s function in a child with a 512 MB
 * heap and a 10 s limit: any crash, hang or unbounded memory fails the test, with the mutant's index to
 * replay (makeMutant(1, index)). The 10,000-mutant run is bench/vrrp-config-fuzz.
 */
describe('configuration fuzzing (CI size)', () => {
  it('500 mutants: no crash, no hang, no unbounded memory', async () => {
    const result = (await runFuzz({ mutants: 500, seed: 1, timeoutMs: 10_000, memoryMb: 512 })) as FuzzResult;
    expect(result.findings).toEqual([]);
    expect(result.verdicts.ok + result.verdicts.failed).toBe(500);
    // The mutants must exercise both verdicts, or the fuzzer is not reaching the builder.
    expect(result.verdicts.ok).toBeGreaterThan(20);
    expect(result.verdicts.failed).toBeGreaterThan(20);
  }, 240_000);
});
