/** The summary table printed at the end of a drill (pure: results in, text out). */
import type { DrillResult, LabeledOutage, StepResult } from './types.js';
import { describeVipWatch, type VipWatchResult } from './vip-watch.js';

export function seconds(ms: number | undefined, digits = 3): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(digits)} s`;
}

function verdict(s: StepResult): string {
  if (s.skipped) return 'SKIP';
  return s.ok ? 'PASS' : 'FAIL';
}

export function describeOutage(o: LabeledOutage): string {
  const to = o.outageMs === undefined ? `no reply from ${o.expectHost}` : `${seconds(o.outageMs)} to ${o.expectHost}`;
  const gap = o.failedRequests > 0 ? `, no answer ${seconds(o.noAnswerMs)} (${o.failedRequests} failed)` : ', no failed request';
  return `${o.label} ${to}${gap}`;
}

/** Why a step failed, in one line: its error or its first failed check. */
export function failureReason(s: StepResult): string {
  if (s.error) return s.error;
  const c = s.checks.find((x) => !x.ok);
  return c ? `${c.what}: ${c.seen}` : '';
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function summaryTable(result: DrillResult, color: (verdict: string) => string = (v) => v): string {
  const rows: string[][] = [['step', 'what', 'result', 'time', 'client-observed outage']];
  for (const s of result.steps) {
    const outage = s.outages.length ? s.outages.map(describeOutage).join('; ') : '';
    rows.push([String(s.step), s.title, verdict(s), seconds(s.endedAt - s.startedAt, 1), s.ok || s.skipped ? outage : failureReason(s)]);
  }
  const widths = rows[0].map((_, i) => Math.min(i === 1 ? 60 : 200, Math.max(...rows.map((r) => r[i].length))));
  const line = (r: string[], isHeader = false) =>
    r
      .map((cell, i) => {
        const text = i === 1 && cell.length > widths[1] ? cell.slice(0, widths[1] - 1) + '…' : cell;
        const padded = pad(text, widths[i]);
        return i === 2 && !isHeader ? color(cell) + padded.slice(cell.length) : padded;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const failed = result.steps.filter((s) => !s.ok && !s.skipped).length;
  const total = result.steps.filter((s) => !s.skipped).length;
  const tail = failed ? `${failed} of ${total} steps FAILED` : `all ${total} steps passed`;
  return [
    line(rows[0], true),
    rule,
    ...rows.slice(1).map((r) => line(r)),
    rule,
    `${tail} (VIP ${result.vip}, master ${result.master}, backup ${result.backup}, engine ${result.engine})`,
    ...(result.vipWatch ? [describeVipWatch(result.vipWatch)] : []),
  ].join('\n');
}

/** The two-holder windows of one run, for the comparison: how long (in which step), and any not allowed. */
function dualCells(w: VipWatchResult | undefined): [string, string] {
  if (!w) return ['-', '-'];
  if (w.windows.length === 0) return ['never', ''];
  const bad = w.windows.filter((x) => !x.ok).length;
  return [w.windows.map((x) => `${seconds(x.ms, 2)} (step ${x.step ?? '-'})`).join(', '), bad ? `${bad} NOT ALLOWED` : 'handover'];
}

/**
 * The same steps run with several VRRP engines on the same pair, side by side: per step and engine
 * the verdict, the main outage and its failed requests (pure: results in, text out).
 */
export function comparisonTable(results: readonly DrillResult[]): string {
  const stepNumbers = [...new Set(results.flatMap((r) => r.steps.map((s) => s.step)))];
  const header = ['step', 'what', ...results.flatMap((r) => [`${r.engine} outage`, `${r.engine} failed`])];
  const rows: string[][] = [header];
  for (const n of stepNumbers) {
    const title = results.flatMap((r) => r.steps).find((s) => s.step === n)!.title;
    const cells = results.flatMap((r) => {
      const s = r.steps.find((x) => x.step === n);
      if (!s || s.skipped) return ['-', '-'];
      if (!s.ok) return ['FAIL', failureReason(s).slice(0, 40)];
      const main = s.outages[0];
      if (!main) return ['-', '-'];
      const failed = s.outages.map((o) => `${o.failedRequests}/${o.requests}`).join(' + ');
      return [s.outages.map((o) => `${o.label} ${seconds(o.outageMs)}`).join('; '), failed];
    });
    rows.push([String(n), title.length > 48 ? `${title.slice(0, 47)}…` : title, ...cells]);
  }
  if (results.some((r) => r.vipWatch)) rows.push(['', 'VIP on both proxies', ...results.flatMap((r) => dualCells(r.vipWatch))]);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), rule, ...rows.slice(1).map(line), rule, `same pair, same client probe, engines run one after the other: ${results.map((r) => r.engine).join(', ')}`].join('\n');
}
