#!/usr/bin/env node
/**
 * The configuration fuzzer at benchmark size: `node bench/vrrp-config-fuzz/run.mjs [--mutants N] [--seed S]`
 * after `npm run build`. Runs N mutants (default 10,000) of packages/vrrp/test/fuzz/seeds through
 * vrrpd's reader, each in a child bounded to 10 s and a 512 MB heap (the acceptance bound), and
 * prints the figures for docs/BENCHMARKS.md; exits 1 on any crash, hang or unbounded memory.
 */
import { runFuzz } from '../../packages/vrrp/test/fuzz/fuzz-configs.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mutants = arg('mutants', 10_000);
const seed = arg('seed', 1);
const started = new Date();
const result = await runFuzz({
  mutants, seed, timeoutMs: 10_000, memoryMb: 512,
  onProgress: (done) => { if (done % 1000 === 0) process.stderr.write(`${done}/${mutants}\n`); },
});
const perMutant = result.durationMs / mutants;
console.log(JSON.stringify({ date: started.toISOString(), ...result, msPerMutant: Math.round(perMutant * 10) / 10 }, null, 2));
console.log(`${mutants} mutants (seed ${seed}): ${result.findings.length} findings (crash/hang/memory), verdicts ${result.verdicts.ok} OK / ${result.verdicts.failed} refused, ` +
  `slowest read ${result.slowestMs} ms, max child RSS ${result.maxRssMb} MB, ${(result.durationMs / 1000).toFixed(0)} s in all`);
process.exit(result.findings.length === 0 ? 0 : 1);
