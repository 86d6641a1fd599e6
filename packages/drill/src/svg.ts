/**
 * The drill's timeline picture (pure: result in, SVG text out). An overview of the whole drill, then
 * one row per step on its own time scale: which host answered each client request (colored bands, red
 * where requests failed), the faults and repairs as marked lines, and each outage as a labeled bracket.
 */
import { failureReason } from './report.js';
import { segments, ERROR_KEY, type Segment } from './timeline.js';
import type { DrillEvent, DrillResult, LabeledOutage, StepResult } from './types.js';

const WIDTH = 1200;
const LEFT = 230;
const RIGHT = 30;
const PLOT = WIDTH - LEFT - RIGHT;
const BAND = 22;
const ROW = 92;
/** Vertical room of one outage bracket with its label. */
const SLOT = 24;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

const HOST_COLORS = ['#2f6fb5', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#9c755f'];
const ERROR_COLOR = '#d62728';
const FAULT_COLOR = '#c0392b';
const REPAIR_COLOR = '#1e8449';
const OBSERVE_COLOR = '#555555';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Colors by host: master first, backup second, then any other host that answered. */
export function hostColors(result: Pick<DrillResult, 'master' | 'backup' | 'pages'>): Map<string, string> {
  const order = [result.master, result.backup, ...Object.values(result.pages)].filter((h, i, a) => h && a.indexOf(h) === i);
  return new Map(order.map((h, i) => [h, HOST_COLORS[i % HOST_COLORS.length]]));
}

/** A tick spacing that gives about 5-10 ticks over `spanMs`. */
export function tickStep(spanMs: number): number {
  const candidates = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  return candidates.find((c) => spanMs / c <= 10) ?? 1_200_000;
}

function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

class Scale {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  x(t: number): number {
    const span = Math.max(1, this.to - this.from);
    return LEFT + (Math.min(Math.max(t, this.from), this.to) - this.from) / span * PLOT;
  }
}

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function band(out: string[], segs: Segment[], scale: Scale, y: number, colors: Map<string, string>): void {
  out.push(`<rect x="${LEFT}" y="${y}" width="${PLOT}" height="${BAND}" fill="#eeeeee"/>`);
  for (const s of segs) {
    const x0 = scale.x(s.from);
    const w = Math.max(1, scale.x(s.to) - x0);
    const fill = s.key === ERROR_KEY ? ERROR_COLOR : (colors.get(s.key) ?? '#999999');
    const what = s.key === ERROR_KEY ? `no answer (${s.errors.join(', ')})` : `answered by ${s.key}`;
    out.push(
      `<rect x="${n(x0)}" y="${y}" width="${n(w)}" height="${BAND}" fill="${fill}"><title>${escapeXml(`${what}: ${s.count} requests, ${fmtSeconds(s.to - s.from)}`)}</title></rect>`,
    );
  }
}

function axis(out: string[], scale: Scale, y: number, origin: number): void {
  const step = tickStep(scale.to - scale.from);
  out.push(`<line x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT}" y2="${y}" stroke="#888" stroke-width="1"/>`);
  const first = Math.ceil((scale.from - origin) / step) * step + origin;
  for (let t = first, i = 0; t <= scale.to && i < 50; t += step, i++) {
    const x = n(scale.x(t));
    out.push(`<line x1="${x}" y1="${y}" x2="${x}" y2="${y + 4}" stroke="#888"/>`);
    out.push(`<text x="${x}" y="${y + 15}" font-size="10" text-anchor="middle" fill="#555" ${FONT}>${escapeXml(fmtSeconds(t - origin))}</text>`);
  }
}

function eventMarks(out: string[], events: DrillEvent[], scale: Scale, top: number, bottom: number, labels: boolean): void {
  events.forEach((e, i) => {
    if (e.t < scale.from || e.t > scale.to) return;
    const x = n(scale.x(e.t));
    const color = e.kind === 'fault' ? FAULT_COLOR : e.kind === 'repair' ? REPAIR_COLOR : OBSERVE_COLOR;
    const dash = e.kind === 'observe' ? ' stroke-dasharray="2,3"' : e.kind === 'repair' ? ' stroke-dasharray="6,3"' : '';
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${color}" stroke-width="2"${dash}><title>${escapeXml(e.label)}</title></line>`);
    if (labels) {
      const mark = e.kind === 'fault' ? '✖ ' : e.kind === 'repair' ? '✔ ' : '';
      // Alternate label heights so a fault and a quick repair do not print over each other.
      const ly = top - 4 - (i % 2) * 11;
      const anchor = scale.x(e.t) > LEFT + PLOT * 0.75 ? 'end' : 'start';
      const dx = anchor === 'end' ? -3 : 3;
      out.push(`<text x="${n(scale.x(e.t) + dx)}" y="${ly}" font-size="10" fill="${color}" text-anchor="${anchor}" ${FONT}>${escapeXml(mark + e.label)}</text>`);
    }
  });
}

function outageBracket(out: string[], o: LabeledOutage, scale: Scale, y: number, slot: number): void {
  const x0 = scale.x(o.faultAt);
  const end = o.firstReplyAt ?? scale.to;
  const x1 = Math.max(x0 + 2, scale.x(end));
  const yy = y + slot * SLOT;
  const text = o.outageMs === undefined ? `${o.label}: no reply from ${o.expectHost}` : `${o.label} ${(o.outageMs / 1000).toFixed(3)} s → ${o.expectHost}, ${o.failedRequests} failed of ${o.requests}`;
  out.push(`<path d="M${n(x0)},${yy - 4} V${yy} H${n(x1)} V${yy - 4}" fill="none" stroke="#222" stroke-width="1.2"/>`);
  const anchor = x0 > LEFT + PLOT * 0.7 ? 'end' : 'start';
  const tx = anchor === 'end' ? x1 : x0;
  out.push(`<text x="${n(tx)}" y="${yy + 11}" font-size="10.5" font-weight="bold" text-anchor="${anchor}" fill="#222" ${FONT}>${escapeXml(text)}</text>`);
}

function stepRow(out: string[], s: StepResult, result: DrillResult, colors: Map<string, string>, y: number): void {
  const pad = Math.max(300, (s.endedAt - s.startedAt) * 0.03);
  const scale = new Scale(s.startedAt - pad, s.endedAt + pad);
  const verdict = s.skipped ? 'skipped' : s.ok ? 'PASS' : 'FAIL';
  const vcolor = s.skipped ? '#777' : s.ok ? REPAIR_COLOR : FAULT_COLOR;
  out.push(`<text x="12" y="${y + 28}" font-size="13" font-weight="bold" fill="#222" ${FONT}>${escapeXml(`${s.step}.`)}</text>`);
  out.push(`<text x="30" y="${y + 28}" font-size="11" fill="#222" ${FONT}>${wrapTitle(s.title, 30, y + 28)}</text>`);
  out.push(`<text x="30" y="${y + 70}" font-size="11" font-weight="bold" fill="${vcolor}" ${FONT}>${verdict}</text>`);
  const bandY = y + 24;
  band(out, segments(result.samples, scale.from, scale.to), scale, bandY, colors);
  const events = result.events.filter((e) => e.step === s.step);
  eventMarks(out, events, scale, bandY - 2, bandY + BAND + 2, true);
  axis(out, scale, bandY + BAND + 2, s.startedAt);
  s.outages.forEach((o, i) => outageBracket(out, o, scale, bandY + BAND + 26, i));
  if (!s.ok && !s.skipped) {
    const reason = failureReason(s);
    const text = reason.length > 150 ? reason.slice(0, 149) + '…' : reason;
    const y2 = bandY + BAND + 26 + s.outages.length * SLOT + 11;
    out.push(`<text x="${LEFT}" y="${y2}" font-size="10.5" fill="${FAULT_COLOR}" ${FONT}>${escapeXml(`FAIL: ${text}`)}</text>`);
  }
}

/** Splits a step title over up to three lines of a tspan block. */
function wrapTitle(title: string, x: number, y: number, width = 34): string {
  const words = title.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if ((cur + ' ' + w).trim().length > width && cur) {
      lines.push(cur);
      cur = w;
    } else cur = (cur + ' ' + w).trim();
  }
  if (cur) lines.push(cur);
  const shown = lines.slice(0, 3);
  if (lines.length > 3) shown[2] = shown[2] + '…';
  return shown.map((l, i) => `<tspan x="${x}" y="${y + i * 13}">${escapeXml(l)}</tspan>`).join('');
}

export function timelineSvg(result: DrillResult): string {
  const colors = hostColors(result);
  const steps = result.steps.filter((s) => !s.skipped || result.samples.some((x) => x.t >= s.startedAt && x.t <= s.endedAt));
  const top = 118;
  const rowHeight = (s: StepResult) => Math.max(ROW, 6 + 24 + BAND + 26 + s.outages.length * SLOT + (s.ok || s.skipped ? 0 : 16) + 4);
  const height = top + 70 + steps.reduce((h, s) => h + rowHeight(s), 0) + 20;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  const when = new Date(result.startedAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const verdict = result.ok ? 'all steps passed' : `${result.steps.filter((s) => !s.ok && !s.skipped).length} step(s) FAILED`;
  out.push(`<text x="12" y="24" font-size="17" font-weight="bold" fill="#222" ${FONT}>${escapeXml(`HA drill: VIP ${result.vip}:${result.port}, ${result.engine}, ${verdict}`)}</text>`);
  out.push(`<text x="12" y="42" font-size="11" fill="#555" ${FONT}>${escapeXml(`${when}. Each client request (a new HTTP connection every 10-20 ms) is drawn in the color of the host that answered it.`)}</text>`);

  // Legend.
  let lx = 12;
  const legend: [string, string][] = [...colors.entries()].map(([h, c]) => {
    const page = Object.entries(result.pages).find(([, host]) => host === h)?.[0];
    const role = h === result.master ? 'master' : h === result.backup ? 'backup' : 'host';
    return [c, `${h} (${role}${page ? `, page ${page}` : ''})`];
  });
  legend.push([ERROR_COLOR, 'no answer']);
  for (const [c, label] of legend) {
    out.push(`<rect x="${lx}" y="52" width="14" height="10" fill="${c}"/>`);
    out.push(`<text x="${lx + 18}" y="61" font-size="11" fill="#222" ${FONT}>${escapeXml(label)}</text>`);
    lx += 30 + label.length * 6.2;
  }
  out.push(`<line x1="${lx}" y1="57" x2="${lx + 16}" y2="57" stroke="${FAULT_COLOR}" stroke-width="2"/><text x="${lx + 20}" y="61" font-size="11" fill="#222" ${FONT}>fault</text>`);
  lx += 60;
  out.push(`<line x1="${lx}" y1="57" x2="${lx + 16}" y2="57" stroke="${REPAIR_COLOR}" stroke-width="2" stroke-dasharray="6,3"/><text x="${lx + 20}" y="61" font-size="11" fill="#222" ${FONT}>repair</text>`);
  lx += 66;
  out.push(`<path d="M${lx},53 V57 H${lx + 16} V53" fill="none" stroke="#222"/><text x="${lx + 20}" y="61" font-size="11" fill="#222" ${FONT}>outage: fault → first reply from the new master</text>`);

  // Overview: the whole drill on one scale, steps shaded.
  const overview = new Scale(result.startedAt, Math.max(result.endedAt, result.startedAt + 1000));
  out.push(`<text x="12" y="${top - 6}" font-size="12" font-weight="bold" fill="#222" ${FONT}>whole drill</text>`);
  steps.forEach((s, i) => {
    const x0 = overview.x(s.startedAt);
    const x1 = overview.x(s.endedAt);
    out.push(`<rect x="${n(x0)}" y="${top - 22}" width="${n(Math.max(1, x1 - x0))}" height="${BAND + 26}" fill="${i % 2 ? '#f4f4f4' : '#e6eef8'}"/>`);
    out.push(`<text x="${n((x0 + x1) / 2)}" y="${top - 10}" font-size="11" text-anchor="middle" fill="#222" ${FONT}>${s.step}</text>`);
  });
  band(out, segments(result.samples), overview, top, colors);
  eventMarks(out, result.events.filter((e) => e.kind !== 'observe'), overview, top - 2, top + BAND + 2, false);
  axis(out, overview, top + BAND + 2, result.startedAt);

  let y = top + 56;
  for (const s of steps) {
    out.push(`<line x1="0" y1="${y}" x2="${WIDTH}" y2="${y}" stroke="#dddddd"/>`);
    stepRow(out, s, result, colors, y + 6);
    y += rowHeight(s);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
