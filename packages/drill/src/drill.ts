/**
 * Runs the drill: learns which page each proxy serves and their MACs, starts the client probe, runs the
 * selected steps in order (restoring the master after a failed one), and writes the timeline (SVG) and
 * the result (JSON). Knows nothing of inventories or the CLI: the caller hands it hosts and a client.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import pc from 'picocolors';
import { join, resolve } from 'node:path';
import type { ClientSide } from './client-side.js';
import type { HostOps } from './host-ops.js';
import { macOf, systemClock, vipHolders, type Clock } from './observe.js';
import { ProbeSession, probeOnce, type Probe } from './probe/session.js';
import { summaryTable } from './report.js';
import { measureOutage } from './timeline.js';
import {
  ALL_STEPS,
  DEFAULT_TIMEOUTS,
  restoreMaster,
  restoreNginxScript,
  runStep,
  type DrillContext,
  type DrillLayout,
  type DrillTimeouts,
  type RerunHook,
} from './steps.js';
import { timelineSvg } from './svg.js';
import type { DrillEvent, DrillResult, StepResult } from './types.js';
import { handoverBoundMs, judgeDualWindows, VIP_MOVING_STEPS, VIP_WATCH_PERIOD_MS, watchVip, type VipWatcher } from './vip-watch.js';

export interface DrillOptions {
  layout: DrillLayout;
  hosts: HostOps;
  client: ClientSide;
  /** Host → its own address (each proxy is asked directly which page it serves). */
  addresses: Record<string, string>;
  /** Steps to run (default 1-7; 7 is skipped without `rerun`). */
  steps?: number[];
  timeouts?: Partial<DrillTimeouts>;
  rerun?: RerunHook;
  /** Where drill-timeline.svg and drill-result.json go (none written when absent). */
  outDir?: string;
  log?: (line: string) => void;
  /** Color PASS/FAIL in the summary table (for a terminal). */
  color?: boolean;
  /** Page number → host, when known (skips asking the hosts). */
  pages?: Record<string, string>;
  /** For tests: the probe and the clock, and the VIP watcher (default: `ip -4 addr show` on both proxies every 200 ms). */
  startProbe?: (pages: Record<string, string>) => Promise<Probe>;
  startVipWatch?: (holders: () => Promise<string[]>) => VipWatcher;
  clock?: Clock;
}

/**
 * Page number → host, by asking each proxy directly from the client. A proxy that does not answer
 * falls back to the seed's numbering (master 1, backup 2), said so in the log.
 */
export async function discoverPages(
  client: ClientSide,
  layout: DrillLayout,
  addresses: Record<string, string>,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const proxies = [layout.master, layout.backup];
  const answers = await probeOnce(client, proxies.map((h) => ({ address: addresses[h] ?? h, port: layout.port })));
  const pages: Record<string, string> = {};
  for (const h of proxies) {
    const a = answers.get(addresses[h] ?? h);
    if (a?.page !== undefined) {
      if (pages[String(a.page)]) throw new Error(`${pages[String(a.page)]} and ${h} both serve "Welcome to nginx! ${a.page}": the drill cannot tell them apart`);
      pages[String(a.page)] = h;
      log(`  ${h} (${addresses[h]}:${layout.port}) serves "Welcome to nginx! ${a.page}"`);
    } else {
      log(`  ${h} (${addresses[h]}:${layout.port}) did not answer directly (${a?.error ?? 'no reply'})`);
    }
  }
  proxies.forEach((h, i) => {
    if (!Object.values(pages).includes(h) && !pages[String(i + 1)]) {
      pages[String(i + 1)] = h;
      log(`  assuming ${h} serves "Welcome to nginx! ${i + 1}" (the seed's numbering)`);
    }
  });
  return pages;
}

async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** Writes the timeline picture and the result (with every sample) into `dir`; returns the paths. */
export async function writeDrillFiles(result: DrillResult, dir: string): Promise<string[]> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const svg = join(out, 'drill-timeline.svg');
  const json = join(out, 'drill-result.json');
  await writeAtomic(svg, timelineSvg(result));
  await writeAtomic(json, JSON.stringify({ ...result, files: [svg, json] }, null, 1) + '\n');
  return [svg, json];
}

export async function runDrill(opts: DrillOptions): Promise<DrillResult> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const clock = opts.clock ?? systemClock;
  const timeouts: DrillTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const layout = opts.layout;
  const selected = new Set(opts.steps ?? ALL_STEPS.map((s) => s.step));
  for (const n of selected) if (!ALL_STEPS.some((s) => s.step === n)) throw new Error(`no step ${n} (steps are 1-${ALL_STEPS.length})`);

  const startedAt = clock.now();
  log(`HA drill: VIP ${layout.vip}:${layout.port}, master ${layout.master}, backup ${layout.backup}, engine ${layout.engine}, client ${opts.client.description}`);
  log('discovering the proxies');
  const pages = opts.pages ?? (await discoverPages(opts.client, layout, opts.addresses, log));
  const macs: Record<string, string> = {};
  for (const h of [layout.master, layout.backup]) {
    macs[h] = await macOf(opts.hosts, h, opts.addresses[h]);
    log(`  ${h} MAC ${macs[h]}`);
  }
  // A drill interrupted in step 3 may have left the nginx binary set aside: put it back first.
  const leftover = await opts.hosts.run(layout.master, restoreNginxScript(layout), 15_000);
  if (leftover.code !== 0) log(`  could not check for a binary left aside: ${leftover.stderr.trim()}`);

  const events: DrillEvent[] = [];
  const maxMs = Math.min(3_600_000, 60_000 + timeouts.settleMs * 6 + timeouts.failoverMs * 4 + timeouts.failbackMs * 6 + timeouts.rebootMs * 2);
  const probe = opts.startProbe
    ? await opts.startProbe(pages)
    : await (async () => {
        const p = new ProbeSession(opts.client, { vip: layout.vip, port: layout.port, pages, maxMs });
        await p.start();
        return p;
      })();
  log(`client probe started (${opts.client.description}): a new connection to ${layout.vip}:${layout.port} every 10-20 ms`);
  // The split-brain rule is checked for the whole drill, between steps too. Timestamps on the drill's
  // clock (the steps' clock), pacing on real time.
  const proxies = [layout.master, layout.backup];
  const holders = async () => (await vipHolders(opts.hosts, proxies, layout.vip)).holders;
  const watcher = opts.startVipWatch
    ? opts.startVipWatch(holders)
    : watchVip(holders, { periodMs: VIP_WATCH_PERIOD_MS, maxSamples: Math.ceil(maxMs / VIP_WATCH_PERIOD_MS), clock: { now: () => clock.now(), sleep: systemClock.sleep } });
  log(`VIP watch started: which proxies hold ${layout.vip}, every ${VIP_WATCH_PERIOD_MS} ms`);

  const ctx: DrillContext = {
    layout,
    timeouts,
    hosts: opts.hosts,
    client: opts.client,
    probe,
    clock,
    macs,
    pages,
    rerun: opts.rerun,
    log,
    event(step, kind, label, t) {
      const e = { t: t ?? clock.now(), step, kind, label };
      events.push(e);
      log(`  ${kind === 'fault' ? '>>' : kind === 'repair' ? '<<' : '--'} ${kind}: ${label}`);
      return e;
    },
  };

  const steps: StepResult[] = [];
  // Put the master back after a failed step; if the loop itself dies (an exception), once more.
  let interrupted = true;
  try {
    for (const def of ALL_STEPS) {
      if (!selected.has(def.step)) continue;
      const r = await runStep(ctx, def);
      steps.push(r);
      if (!r.ok && !r.skipped) {
        log(`  restoring ${layout.master} (nginx binary, nginx, ${layout.engine})`);
        await restoreMaster(ctx);
      }
    }
    interrupted = false;
  } finally {
    await probe.stop();
    if (interrupted) await restoreMaster(ctx).catch(() => false);
  }
  const watched = await watcher.stop();
  const boundMs = handoverBoundMs(layout.advertIntMs ?? 1000);
  const windows = judgeDualWindows(watched.dual, steps, boundMs);
  const vipWatch = { ok: windows.every((w) => w.ok), samples: watched.samples, periodMs: VIP_WATCH_PERIOD_MS, boundMs, windows };
  // A window inside a step is one of its checks: the step fails when the rule is broken there.
  for (const w of windows) {
    const s = steps.find((x) => x.step === w.step);
    if (!s) continue;
    s.checks.push({
      what: `VIP on one proxy at a time (both only for a handover of at most ${(boundMs / 1000).toFixed(2)} s)`,
      ok: w.ok,
      seen: `VIP on ${w.holders.join(' and ') || 'both'} for ${(w.ms / 1000).toFixed(2)} s`,
    });
    if (!w.ok) {
      s.ok = false;
      s.error ??= `VIP on both proxies for ${(w.ms / 1000).toFixed(2)} s${w.step !== undefined && !VIP_MOVING_STEPS.includes(w.step) ? ', in a step that does not move it' : ''}`;
    }
  }

  // Measure the outages again with every sample: requests that were still in flight when a step
  // looked (a timeout takes up to a second) belong to its outage too. Each window ends at the next
  // step's start at the latest.
  const samples = [...probe.samples()];
  for (const [i, s] of steps.entries()) {
    const next = steps[i + 1]?.startedAt ?? Infinity;
    s.outages = s.outages.map((o) => ({ ...o, ...measureOutage(samples, o.faultAt, o.expectHost, Math.min(o.until ?? Infinity, next)) }));
  }

  const result: DrillResult = {
    ok: steps.length > 0 && steps.every((s) => s.ok || s.skipped) && vipWatch.ok,
    startedAt,
    endedAt: clock.now(),
    vip: layout.vip,
    port: layout.port,
    master: layout.master,
    backup: layout.backup,
    engine: layout.engine,
    pages,
    steps,
    events,
    vipWatch,
    samples,
    files: [],
  };
  if (opts.outDir) result.files = await writeDrillFiles(result, opts.outDir);
  log('');
  log(summaryTable(result, opts.color ? (v) => (v === 'PASS' ? pc.green(v) : v === 'FAIL' ? pc.red(v) : pc.dim(v)) : undefined));
  for (const f of result.files) log(`wrote ${f}`);
  return result;
}
