#!/usr/bin/env node
// Summarises a drill-compare.sh run: per step and engine, the main outage (median and range over the
// repetitions) and the failed requests (each repetition's count). Prints a Markdown table.
//   node bench/failover/drill-summary.mjs bench/failover/results/drill-<time>
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: drill-summary.mjs RESULTS_DIR');
  process.exit(2);
}
const reps = readdirSync(dir).filter((d) => /^rep-\d+$/.test(d)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
const runs = reps.map((r) => JSON.parse(readFileSync(join(dir, r, 'drill-compare.json'), 'utf8')).engines);
const engines = runs[0].map((e) => e.engine);
const steps = [...new Set(runs.flatMap((r) => r.flatMap((e) => e.steps.map((s) => s.step))))].filter((n) => n !== 1);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sec = (ms) => (ms / 1000).toFixed(2);

const header = ['step', ...engines.flatMap((e) => [`${e}: outage, median (range)`, `${e}: failed requests`])];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const n of steps) {
  const title = runs[0][0].steps.find((s) => s.step === n)?.title ?? `step ${n}`;
  const labels = runs[0][0].steps.find((s) => s.step === n)?.outages.map((o) => o.label) ?? [];
  for (const [i, label] of labels.entries()) {
    const cells = engines.flatMap((engine) => {
      const outs = runs.map((r) => r.find((e) => e.engine === engine).steps.find((s) => s.step === n)).map((s) => (s && s.ok ? s.outages[i] : undefined));
      const ms = outs.filter((o) => o?.outageMs !== undefined).map((o) => o.outageMs);
      const failed = outs.map((o) => (o ? `${o.failedRequests}/${o.requests}` : 'step failed'));
      return [ms.length ? `${sec(median(ms))} s (${sec(Math.min(...ms))}-${sec(Math.max(...ms))})` : '-', failed.join(', ')];
    });
    console.log(`| ${n}. ${title.split(':')[0]}${labels.length > 1 ? ` (${label})` : ''} | ${cells.join(' | ')} |`);
  }
}
// The drill's one-holder rule: each repetition's two-holder windows (handovers), per engine.
const dualCells = engines.flatMap((engine) => {
  const per = runs.map((r) => r.find((e) => e.engine === engine).vipWatch);
  if (per.every((w) => !w)) return ['-', '-'];
  const text = per.map((w) => (!w ? '?' : w.windows.length ? w.windows.map((x) => `${sec(x.ms)} s (step ${x.step ?? '-'})${x.ok ? '' : ' NOT ALLOWED'}`).join(' + ') : 'never')).join('; ');
  return [text, per.every((w) => w?.ok) ? 'rule kept' : 'RULE BROKEN'];
});
console.log(`| VIP on both proxies (per repetition) | ${dualCells.join(' | ')} |`);
try {
  console.log(`\n${readFileSync(join(dir, 'load.txt'), 'utf8').trim()}`);
} catch {
  // Runs before load.txt existed.
}
