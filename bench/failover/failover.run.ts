/**
 * Failover benchmark: client-observed outage for vrrpd pairs and keepalived pairs in the same lab,
 * same configs (the seed's: priority 100/90, chk_nginx interval 2 weight -20), same run.
 *
 * A prober in the lab's client namespace opens a new HTTP connection to the VIP every 10 ms. For each
 * fault on the master we record the time from the fault to the first HTTP reply from the new master
 * ("switch"), and the longest time without any successful reply around it ("gap"). Faults: graceful
 * stop, kill -9 (keepalived: both of its processes; vrrpd: its VRRP worker, the supervisor stays),
 * master link down, nginx check failure (the master's HTTP responder is stopped and the check script
 * fails), and failback (the master's daemon started again). Variants: VRRPv2 advert_int 1 and VRRPv3
 * advert_int 0.1. Idle RSS and CPU of each daemon (all its processes, master side) over 30 s.
 *
 * A tiny Node HTTP responder (responder.mjs) stands in for nginx in each host's namespace.
 * Run as root from the repo root, after building @haweb/vrrp and @haweb/lab:
 *   npx vitest run --config bench/failover/vitest.config.ts
 * Knobs: BENCH_REPS (default 3), BENCH_KINDS (default "keepalived,vrrpd"), BENCH_IDLE_S (default 30),
 * VRRP_KEEP_LAB=1 (leave the private lab `vrrpio` up afterwards).
 * Results: bench/failover/results/<time>.json and the "Failover" section of docs/BENCHMARKS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import type { LabState } from '@haweb/lab';
import {
  Daemon, hasAddress, inNs, nsArgv, privateLab, releasePrivateLab, removeAddress, vrrpConfig, waitUntil, type DaemonKind,
} from '../../packages/vrrp/test/integration/support/lab-vrrp.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PORT = 8080;
const REPS = Number(process.env.BENCH_REPS ?? 3);
const KINDS = (process.env.BENCH_KINDS ?? 'keepalived,vrrpd').split(',') as DaemonKind[];
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const VARIANTS = [
  { id: 'v2', label: 'VRRPv2, advert_int 1', version: 2 as const, advertInt: '1', intervalMs: 1000 },
  { id: 'v3', label: 'VRRPv3, advert_int 0.1', version: 3 as const, advertInt: '0.1', intervalMs: 100 },
];
const SCENARIOS = ['graceful stop', 'kill -9', 'link down', 'nginx failure', 'failback'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Sample {
  kind: DaemonKind;
  variant: string;
  scenario: Scenario;
  rep: number;
  /** ms from the fault to the first reply from the new master; undefined if none within the window. */
  switchMs?: number;
  /** Longest stretch without a successful reply, ms, from the last reply before the fault. */
  gapMs?: number;
  /** VIP holders (host indexes) at the end of the window. */
  holdersAfter: number[];
  newMaster: number;
}

class Background {
  readonly exited: Promise<void>;
  output = '';
  constructor(readonly child: ChildProcess) {
    child.stderr?.on('data', (c) => (this.output += c));
    this.exited = new Promise((r) => child.on('exit', () => r()));
  }
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * Resolves just after the backup's interface receives the next VRRP advert from `from` (a raw
 * protocol-112 socket in the backup's namespace, via python3: no capture pipeline in between; tshark
 * hands packets on only every ~100 ms). A fault injected then meets both daemons at the same point
 * of the advert cycle (the worst case: a full Master_Down_Interval after the last advert); injected at
 * an arbitrary moment, the phase of the master's adverts, which the preceding scenario leaves at a
 * different but repeatable place for each daemon, would bias the comparison by up to one interval.
 */
const ADVERT_WATCH = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)',
  "print('ready', flush=True)",
  'while True:',
  '    data, (source, _) = s.recvfrom(2048)',
  "    if source == sys.argv[1]: print('advert', flush=True)",
].join('\n');

function nextAdvert(ns: string, from: string, timeoutMs = 5000): Promise<void> {
  const [file, ...args] = nsArgv(ns, ['timeout', String(Math.ceil(timeoutMs / 1000) + 1), 'python3', '-c', ADVERT_WATCH, from]);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise<void>((resolve, reject) => {
    let ready = false;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no VRRP advert from ${from} seen in ${ns} within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') ready = true;
      else if (line === 'advert' && ready) finish();
    });
    child.on('exit', () => finish(new Error(`the advert watcher in ${ns} ended before an advert from ${from}`)));
  });
}

function startResponder(ns: string, name: string): Background {
  const [file, ...args] = nsArgv(ns, ['timeout', '3600', process.execPath, join(HERE, 'responder.mjs'), name, String(PORT)]);
  return new Background(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
}

interface Reply {
  s: number;
  e: number;
  ok: boolean;
  body: string;
}

class Prober extends Background {
  readonly replies: Reply[] = [];
  constructor(lab: LabState, durationMs: number) {
    super(
      spawn('ip', ['netns', 'exec', lab.client.netns, process.execPath, join(HERE, 'prober.mjs'), lab.vip, String(PORT), String(durationMs), '10', '1000'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.replies.push(JSON.parse(line)));
  }
  firstOkAfter(t: number, body?: string): Reply | undefined {
    return this.replies.filter((r) => r.ok && r.e >= t && (body === undefined || r.body === body)).sort((a, b) => a.e - b.e)[0];
  }
  longestGap(from: number, to: number): number {
    const oks = this.replies.filter((r) => r.ok).map((r) => r.e).sort((a, b) => a - b);
    const before = oks.filter((e) => e <= from).pop() ?? from;
    const points = [before, ...oks.filter((e) => e > from && e <= to)];
    let gap = 0;
    for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i] - points[i - 1]);
    return gap;
  }
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** RSS (kB) and CPU ticks summed over a process and its descendants. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8').trim();
      if (kids) out.push(...kids.split(/\s+/).map(Number));
    } catch {
      // gone
    }
  }
  return out;
}
function usage(pids: number[]): { rssKb: number; ticks: number } {
  let rssKb = 0;
  let ticks = 0;
  for (const pid of pids) {
    try {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // gone
    }
  }
  return { rssKb, ticks };
}

it.runIf(process.env.BENCH_RENDER)('re-render docs/BENCHMARKS.md from a saved run (BENCH_RENDER=results/<file>.json)', () => {
  const saved = JSON.parse(readFileSync(join(HERE, process.env.BENCH_RENDER!), 'utf8'));
  writeBenchmarksSection(renderSection(saved.when, saved.samples, saved.idle, saved.reps, saved.load));
});

it.skipIf(process.env.BENCH_RENDER)('failover benchmark', async () => {
  const lab = await privateLab();
  const hosts = lab.hosts.slice(0, 2);
  const names = hosts.map((h) => h.name);
  const scriptCommand = `/usr/bin/curl -s -o /dev/null -m 1 http://127.0.0.1:${PORT}/`;
  const samples: Sample[] = [];
  const idle: Array<{ kind: DaemonKind; variant: string; rssMb: number; cpuPercent: number; seconds: number }> = [];
  const clkTck = 100; // Linux USER_HZ on x86_64/aarch64
  const responders = hosts.map((h) => startResponder(h.netns, h.name));
  const holders = () => hosts.flatMap((h, i) => (hasAddress(h.netns, lab.interface, lab.vip) ? [i] : []));
  const soleHolder = (i: number, ms: number) =>
    waitUntil(() => JSON.stringify(holders()) === `[${i}]`, ms, () => `VIP holders ${JSON.stringify(holders())}, expected [${i}]`);
  const daemons: Daemon[] = [];
  const cleanupVip = () => hosts.forEach((h) => removeAddress(h.netns, lab.interface, `${lab.vip}/${lab.prefix}`));

  try {
    for (const variant of VARIANTS) {
      for (const kind of KINDS) {
        const config = (i: number) =>
          vrrpConfig({
            ifname: lab.interface,
            vrid: 91,
            priority: i === 0 ? 100 : 90,
            state: i === 0 ? 'MASTER' : 'BACKUP',
            version: variant.version,
            advertInt: variant.advertInt,
            vip: lab.vip,
            prefixLength: lab.prefix,
            check: { script: scriptCommand, interval: 2, weight: -20 },
          });
        const start = (i: number) => (daemons[i] = Daemon.start(kind, hosts[i].netns, config(i), { tag: `bench-${kind}-${variant.id}-${i}`, maxSeconds: 3000 }));
        cleanupVip();
        start(1);
        start(0);
        await soleHolder(0, 20_000);
        await new Promise((r) => setTimeout(r, 2000));

        // Idle resources of the master's daemon (all its processes).
        const pids = processTree(daemons[0].mainPid()!);
        const before = usage(pids);
        await new Promise((r) => setTimeout(r, IDLE_S * 1000));
        const after = usage(processTree(daemons[0].mainPid()!));
        idle.push({
          kind,
          variant: variant.id,
          rssMb: Math.round((after.rssKb / 1024) * 10) / 10,
          cpuPercent: Math.round(((after.ticks - before.ticks) / clkTck / IDLE_S) * 100 * 100) / 100,
          seconds: IDLE_S,
        });

        const measure = async (
          scenario: Scenario, rep: number, newMaster: number, windowMs: number, fault: () => Promise<void> | void, sync?: () => Promise<void>,
        ) => {
          const prober = new Prober(lab, windowMs + 6000);
          try {
            await waitUntil(() => prober.replies.some((r) => r.ok), 5000, () => `no HTTP reply through the VIP before ${scenario}: ${prober.output}`);
            if (sync) await sync();
            const t0 = Date.now();
            await fault();
            await waitUntil(() => prober.firstOkAfter(t0, names[newMaster]), windowMs, () => '').catch(() => undefined);
            if (scenario === 'kill -9') await new Promise((r) => setTimeout(r, Math.max(0, t0 + windowMs - Date.now())));
            const first = prober.firstOkAfter(t0, names[newMaster]);
            const end = Date.now();
            samples.push({
              kind,
              variant: variant.id,
              scenario,
              rep,
              switchMs: first ? first.e - t0 : undefined,
              gapMs: prober.longestGap(t0, end),
              holdersAfter: holders(),
              newMaster,
            });
          } finally {
            await prober.stop();
          }
        };

        for (let rep = 0; rep < REPS; rep++) {
          // graceful stop, then failback (restart of the master's daemon)
          await measure('graceful stop', rep, 1, 8000, () => {
            void daemons[0].stop();
          });
          await daemons[0].exited;
          await measure('failback', rep, 0, 12_000, () => {
            start(0);
          });
          await soleHolder(0, 15_000);

          // kill -9: keepalived's two processes / vrrpd's worker
          await measure('kill -9', rep, kind === 'keepalived' ? 1 : 0, 3 * variant.intervalMs + 6000, () => {
            const worker = daemons[0].workerPid();
            const main = daemons[0].mainPid();
            if (worker) process.kill(worker, 'SIGKILL');
            if (kind === 'keepalived' && main) process.kill(main, 'SIGKILL');
          });
          if (kind === 'keepalived') {
            await daemons[0].exited;
            removeAddress(hosts[0].netns, lab.interface, `${lab.vip}/${lab.prefix}`); // what an operator must do
            start(0);
          }
          await soleHolder(0, 20_000);

          // master link down
          await measure('link down', rep, 1, 10_000, () => {
            inNs(hosts[0].netns, ['ip', 'link', 'set', lab.interface, 'down']);
          }, () => nextAdvert(hosts[1].netns, hosts[0].address));
          inNs(hosts[0].netns, ['ip', 'link', 'set', lab.interface, 'up']);
          await soleHolder(0, 20_000);

          // nginx failure: the master's responder stops, its check fails (weight -20: 80 < 90)
          await measure('nginx failure', rep, 1, 12_000, () => responders[0].stop());
          responders[0] = startResponder(hosts[0].netns, hosts[0].name);
          await soleHolder(0, 20_000);
          await new Promise((r) => setTimeout(r, 1000));
        }
        await Promise.all(daemons.map((d) => d.stop()));
        cleanupVip();
      }
    }
  } finally {
    await Promise.all(daemons.map((d) => d?.stop()));
    await Promise.all(responders.map((r) => r.stop()));
    cleanupVip();
    hosts.forEach((h) => {
      try {
        inNs(h.netns, ['ip', 'link', 'set', lab.interface, 'up']);
      } catch {
        // best effort
      }
    });
  }

  const when = new Date().toISOString();
  const resultsDir = join(HERE, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  writeFileSync(join(resultsDir, `${when.replace(/[:.]/g, '-')}.json`), `${JSON.stringify({ when, reps: REPS, load, samples, idle }, null, 2)}\n`);
  writeBenchmarksSection(renderSection(when, samples, idle, REPS, load));
  await releasePrivateLab(); // VRRP_KEEP_LAB=1 keeps the private lab up
});

/**
 * Where the graceful-stop scenarios stand, from packet captures on the backup: written next to the
 * table because the medians there differ by less than the prober's 10 ms connection spacing.
 */
const GRACEFUL_GAP =
  'Graceful stop is a dead heat decided by milliseconds, which the prober\'s 10 ms spacing cannot resolve; ' +
  '`bash bench/failover/graceful-capture.sh` captures it on the backup\'s interface instead (VRRPv2, ' +
  'priority 100/90, 6 stops per daemon, medians, 2026-11-25 09:50). Both backups send their first advert ' +
  'Skew_Time (648.44 ms at priority 90) after the priority-0 advert: vrrpd 0.2-0.25 ms after it (its ' +
  'Master_Down timer runs from the kernel\'s arrival timestamp and is precise to a fraction of a ' +
  'millisecond), keepalived 0.25 ms after it without -D and 0.8 ms with -D. keepalived\'s gratuitous ARP ' +
  'follows its advert by 0.2-0.5 ms, vrrpd\'s by 1.4-2 ms: the issue has vrrpd add the VIP with the `ip` ' +
  'command, whose own netlink work and process wake-up take 0.4-0.8 ms (keepalived uses its own netlink ' +
  'socket). From SIGTERM to the backup\'s first gratuitous ARP: without -D keepalived 651.8 ms, vrrpd 654.3 ms; ' +
  'with -D (as in the table above) keepalived 652.0 ms, vrrpd 652.5 ms. So on a graceful stop vrrpd is ' +
  'within 0.5-2.5 ms of keepalived (0.1-0.4% at advert_int 1, 1-3% at 0.1 s): the table\'s ratios below 1.0 ' +
  'for graceful stop are within that margin, not a lead.';

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
}

function renderSection(
  when: string,
  samples: Sample[],
  idle: Array<{ kind: DaemonKind; variant: string; rssMb: number; cpuPercent: number; seconds: number }>,
  reps = REPS,
  load?: string,
): string {
  const lines: string[] = [];
  lines.push('## Failover', '');
  lines.push(`Measured ${when} by \`npx vitest run --config bench/failover/vitest.config.ts\` (bench/failover/), ${reps} repetitions per cell, both daemons in the same run on the same two lab hosts (the private lab \`vrrpio\`), same configuration (the seed's: priority 100/90, \`chk_nginx\` every 2 s with weight -20). keepalived is Debian's 2.2.7; vrrpd is this repository's build. A tiny Node HTTP responder stands in for nginx in each host (nginx is not built in the bench hosts).`);
  lines.push('');
  lines.push(`Machine: 2 vCPU, shared with the other engineers' builds, labs and tests while measuring${load ? ` (load average ${load} at the end of the run)` : ' (load average 10-18 during the run)'}; both daemons suffer it alike, since their runs interleave within minutes.`);
  lines.push('');
  lines.push('*switch*: from the fault to the first HTTP reply from the new master through the VIP (new connection every 10 ms from the client namespace). *gap*: the longest time without any successful reply. Medians; ratio = vrrpd / keepalived (switch).');
  lines.push('');
  for (const variant of VARIANTS) {
    lines.push(`### ${variant.label}`, '');
    lines.push('| scenario | keepalived switch | vrrpd switch | ratio | keepalived gap | vrrpd gap | VIP holders after (keepalived / vrrpd) |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const scenario of SCENARIOS) {
      const cell = (kind: DaemonKind) => samples.filter((s) => s.kind === kind && s.variant === variant.id && s.scenario === scenario);
      const k = cell('keepalived');
      const v = cell('vrrpd');
      const ks = median(k.flatMap((s) => (s.switchMs === undefined ? [] : [s.switchMs])));
      const vs = median(v.flatMap((s) => (s.switchMs === undefined ? [] : [s.switchMs])));
      const kg = median(k.flatMap((s) => (s.gapMs === undefined ? [] : [s.gapMs])));
      const vg = median(v.flatMap((s) => (s.gapMs === undefined ? [] : [s.gapMs])));
      const ratio = ks !== undefined && vs !== undefined && ks > 0 ? (vs / ks).toFixed(2) : 'n/a';
      const holderText = (c: Sample[]) => [...new Set(c.map((s) => s.holdersAfter.map((h) => `h${h}`).join('+') || 'none'))].join(', ') || 'n/a';
      const missing = (c: Sample[]) => c.filter((s) => s.switchMs === undefined).length;
      const note = (c: Sample[], m: number | undefined) => `${fmt(m)}${missing(c) ? ` (${missing(c)}/${c.length} never)` : ''}`;
      lines.push(`| ${scenario} | ${note(k, ks)} | ${note(v, vs)} | ${ratio} | ${fmt(kg)} | ${fmt(vg)} | ${holderText(k)} / ${holderText(v)} |`);
    }
    lines.push('');
  }
  lines.push('Notes: for kill -9, keepalived loses both of its processes and leaves the VIP on the old master (two hosts then hold it until an operator removes it; the new master is the backup); vrrpd loses only its VRRP worker, its supervisor removes the VIP at once and respawns the worker, which takes the master role back, so its "new master" is the original one. "failback" starts the master\'s daemon again after the graceful stop (node start-up included for vrrpd). vrrpd\'s processes: the `vrrpd` command (Node) claims the pid file and execs a POSIX sh supervisor in its place (same pid, ~1.8 MB RSS) that runs the one Node VRRP worker; until 2026-11-25T04:36 the supervisor was a second Node process (idle RSS 105.1 MB then, v3 failback 0.54 s = 1.19x keepalived). The worker keeps one `ip -force -4 -batch -` waiting (~2.3 MB, counted in its RSS: 54.7 MB before) so that adding the VIP on takeover does not wait for fork/exec, and reads ip\'s verdict from a marker line instead of waiting for its exit; its Master_Down timer is precise to a fraction of a millisecond (since 2026-11-25T07:10) and, since 2026-11-25T09:45, runs from the kernel\'s arrival timestamp of the advert (SIOCGSTAMPNS), not from when the event loop got to it (0.4-1.8 ms later); a dry-run rehearsal at start compiles the takeover path (kept by `--no-flush-bytecode`, +0.9 MB RSS). "link down" is injected right after an advert from the master reached the backup (a raw socket there), so both daemons meet it at the same phase of the advert cycle, the worst case (before 2026-11-25T07:10 it was injected at an arbitrary moment, and the preceding scenarios left the adverts at a different but repeatable phase for each daemon: v2 link down showed keepalived 3.54 s / vrrpd 3.58 s for that reason).');
  lines.push('');
  // Against the issue's targets: median ratio <= 1.0 in every scenario, idle vrrpd < 60 MB and < 0.5%.
  const misses: string[] = [];
  for (const variant of VARIANTS) {
    for (const scenario of SCENARIOS) {
      if (scenario === 'kill -9') continue; // different semantics (see the notes), no ratio target
      const med = (kind: DaemonKind) =>
        median(samples.filter((s) => s.kind === kind && s.variant === variant.id && s.scenario === scenario && s.switchMs !== undefined).map((s) => s.switchMs!));
      const k = med('keepalived');
      const v = med('vrrpd');
      if (k === undefined || v === undefined || v > k) misses.push(`${variant.id} ${scenario}`);
    }
  }
  const idleV2 = idle.find((r) => r.kind === 'vrrpd' && r.variant === 'v2');
  const idleText = idleV2
    ? `idle vrrpd at advert_int 1: RSS ${idleV2.rssMb} MB (target < 60 MB: ${idleV2.rssMb < 60 ? 'met' : 'not met'}), CPU ${idleV2.cpuPercent}% (target < 0.5%: ${idleV2.cpuPercent < 0.5 ? 'met' : 'not met'})`
    : 'idle vrrpd not measured';
  lines.push(`Against the targets: switch ratio <= 1.0 ${misses.length === 0 ? 'in every scenario' : `everywhere except ${misses.join(', ')}`}; ${idleText}.`);
  lines.push('');
  lines.push(GRACEFUL_GAP);
  lines.push('');
  lines.push('### Idle resources (master side, all processes of the daemon)', '');
  lines.push('| daemon | variant | RSS | CPU (share of one core) | window |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const r of idle) lines.push(`| ${r.kind} | ${r.variant} | ${r.rssMb} MB | ${r.cpuPercent}% | ${r.seconds} s |`);
  lines.push('');
  return lines.join('\n');
}

/** Replaces (or appends) the "## Failover" section of docs/BENCHMARKS.md, keeping other sections. */
function writeBenchmarksSection(section: string): void {
  const file = join(REPO, 'docs', 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf('\n## Failover');
  let next: string;
  if (start < 0) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const after = text.indexOf('\n## ', start + 1);
    next = `${text.slice(0, start)}\n${section}${after < 0 ? '' : text.slice(after)}`;
  }
  mkdirSync(join(REPO, 'docs'), { recursive: true });
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}
