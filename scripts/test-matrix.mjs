#!/usr/bin/env node
/**
 * `npm run test:matrix`: the HA playbook and the drill on every lab host kind with both engines, as
 * one command. Per kind, on a fresh lab of its own: `provision run playbooks/ha-nginx.yml` with vrrpd,
 * the drill's seven steps (step 7: the re-run changes nothing), then the switch to keepalived and the
 * drill again; while each drill runs, both hosts' addresses are sampled: the VIP may be on both nodes
 * only in a bounded handover inside a step that moves it (scripts/lib/vip-watch.mjs). Prints a table
 * and writes test/.artifacts/matrix.json; exit 0 only when every row passed.
 *
 *   npm run test:matrix [-- --kinds today,el9,c6] [--engines vrrpd,keepalived] [--parallel N] [--keep]
 *                       [--lab KIND=NAME@SUBNET ...]   (another lab for a kind)
 *
 * Labs (RFC 2544's benchmarking range, never the default lab): today = he3 (198.18.23.0/24),
 * el9 = he1 (198.18.21.0/24, also test/e2e/host-kinds.test.ts's: do not run both at once), c6 = he2
 * (198.18.22.0/24). Bounded: every command has a timeout, the whole run a deadline (--max-minutes).
 * Needs root and a build (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeDualWindows, watchVip } from './lib/vip-watch.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROVISION = join(ROOT, 'packages/cli/dist/provision.js');
const DRILL = join(ROOT, 'packages/drill/dist/cli.js');
const PLAYBOOK = join(ROOT, 'playbooks/ha-nginx.yml');

const KINDS = {
  today: { lab: 'he3', subnet: '198.18.23.0/24', kind: { init: 'sysvinit', firewall: 'open', image: 'full' }, label: "today's (sysvinit, open, full)" },
  el9: { lab: 'he1', subnet: '198.18.21.0/24', kind: { init: 'systemd', firewall: 'firewalld', image: 'minimal' }, label: 'EL9-shaped (systemd, firewalld, minimal)' },
  c6: { lab: 'he2', subnet: '198.18.22.0/24', kind: { init: 'sysvinit', firewall: 'rhel6-iptables', image: 'full' }, label: 'C6-shaped (sysvinit, rhel6-iptables, full)' },
};
const ENGINES = ['vrrpd', 'keepalived'];

function parseArgs(argv) {
  const opts = { kinds: Object.keys(KINDS), engines: ENGINES, parallel: 1, keep: false, maxMinutes: 90 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--kinds') opts.kinds = value().split(',');
    else if (a === '--engines') opts.engines = value().split(',');
    else if (a === '--parallel') opts.parallel = Number(value());
    else if (a === '--max-minutes') opts.maxMinutes = Number(value());
    else if (a === '--keep') opts.keep = true;
    else if (a === '--lab') {
      const m = /^(\w+)=([a-z0-9-]+)@(\d+\.\d+\.\d+\.0\/24)$/.exec(value());
      if (!m || !KINDS[m[1]]) throw new Error(`--lab is KIND=NAME@SUBNET, e.g. el9=he2@198.18.22.0/24`);
      KINDS[m[1]] = { ...KINDS[m[1]], lab: m[2], subnet: m[3] };
    }
    else throw new Error(`unknown option ${a} (see the header of scripts/test-matrix.mjs)`);
  }
  for (const k of opts.kinds) if (!KINDS[k]) throw new Error(`unknown kind ${k}: use ${Object.keys(KINDS).join(', ')}`);
  for (const e of opts.engines) if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e}: use ${ENGINES.join(', ')}`);
  if (!(opts.parallel >= 1)) throw new Error('--parallel must be 1 or more');
  if (!(opts.maxMinutes > 0)) throw new Error('--max-minutes must be positive');
  return opts;
}

let deadline = Infinity;

/** Run node with argv (bounded by its timeout and the run's deadline); output goes to the log file. */
function run(argv, timeoutMs, logFile) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1000, Math.min(timeoutMs, deadline - Date.now())));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      writeFileSync(logFile, `$ node ${argv.join(' ')}\n--- stdout\n${stdout}\n--- stderr\n${stderr}\n--- exit ${code ?? signal}\n`);
      done({ code: code ?? -1, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function firstFailure(provisionJson) {
  for (const p of provisionJson.plays ?? [])
    for (const t of p.tasks ?? [])
      for (const [host, h] of Object.entries(t.hosts ?? {})) if (h.status === 'failed') return `${host}: ${t.name}: ${(h.msg ?? '').slice(0, 160)}`;
  return undefined;
}

async function runKind(name, opts, logDir, log) {
  const { lab: labName, subnet, kind, label } = KINDS[name];
  const lab = await import('@haweb/lab');
  const rows = [];
  const inventory = `/var/lib/haweb/lab/${labName}/inventory.yml`;
  let state;
  try {
    if (await lab.readLabState(labName)) await lab.labDown(labName);
    const upStarted = Date.now();
    state = await lab.labUp({ name: labName, subnet, hosts: 2, kind });
    log(`${name}: lab ${labName} up in ${((Date.now() - upStarted) / 1000).toFixed(1)} s`);
    await lab.ensureSources();
  } catch (err) {
    for (const engine of opts.engines) rows.push({ kind: name, label, engine, ok: false, note: `lab up failed: ${err.message.split('\n')[0]}` });
    return rows;
  }
  for (const engine of opts.engines) {
    const row = { kind: name, label, engine, lab: labName, ok: false };
    rows.push(row);
    if (Date.now() > deadline) {
      row.note = 'not run: the matrix deadline passed';
      continue;
    }
    log(`${name}/${engine}: provision`);
    const p = await run([PROVISION, 'run', PLAYBOOK, '-i', inventory, '-e', `ha_engine=${engine}`, '--json'], 40 * 60_000, join(logDir, `${name}-${engine}-provision.log`));
    row.provisionSeconds = Number(p.seconds.toFixed(1));
    let doc;
    try {
      doc = JSON.parse(p.stdout);
    } catch {
      row.note = `provision printed no JSON (exit ${p.code})`;
      continue;
    }
    row.provisionExit = doc.exitCode;
    if (doc.exitCode !== 0) {
      row.note = `provision failed: ${firstFailure(doc) ?? `exit ${doc.exitCode}`}`;
      continue;
    }
    log(`${name}/${engine}: drill`);
    const out = mkdtempSync(join(tmpdir(), `matrix-${name}-${engine}-`));
    const rerun = `${process.execPath} ${PROVISION} run ${PLAYBOOK} -i ${inventory} -e ha_engine=${engine}`;
    const watch = watchVip(state);
    const d = await run(
      [DRILL, '--lab', labName, '--playbook-dir', join(ROOT, 'playbooks'), '--engine', engine, '--out', out, '--json', '--rerun-command', rerun],
      20 * 60_000,
      join(logDir, `${name}-${engine}-drill.log`),
    );
    row.drillSeconds = Number(d.seconds.toFixed(1));
    const vip = await watch.stop();
    let result;
    try {
      result = JSON.parse(d.stdout);
    } catch {
      row.note = `drill printed no JSON (exit ${d.code})`;
      continue;
    }
    const steps = result.steps ?? [];
    row.steps = steps.filter((s) => s.ok && !s.skipped).map((s) => s.step);
    row.stepCount = steps.length;
    row.failedSteps = steps.filter((s) => !s.ok).map((s) => `${s.step}: ${s.error ?? ''}`);
    const failover = steps.find((s) => s.step === 4)?.outages?.[0];
    row.failoverMs = failover?.outageMs === undefined ? undefined : Math.round(failover.outageMs);
    // Split brain: the VIP on both nodes outside a bounded handover of a step that moves it.
    row.vipSamples = vip.samples;
    row.vipOnBoth = judgeDualWindows(vip.dual, steps);
    const splitBrain = row.vipOnBoth.filter((w) => !w.ok);
    row.ok = d.code === 0 && result.ok === true && steps.length >= 7 && row.steps.length === steps.length && vip.samples > 10 && splitBrain.length === 0;
    if (!row.ok) {
      const notes = [...row.failedSteps];
      if (splitBrain.length > 0) notes.push(`VIP on both nodes: ${splitBrain.map((w) => `${w.ms} ms in step ${w.step ?? 'none'}`).join(', ')}`);
      if (vip.samples <= 10) notes.push(`only ${vip.samples} VIP samples`);
      row.note = notes.join('; ') || `drill exit ${d.code}`;
    }
  }
  if (!opts.keep) await lab.labDown(labName).catch((err) => log(`${name}: down failed: ${err.message}`));
  else if (state) log(`${name}: lab ${labName} kept (--keep)`);
  return rows;
}

function table(rows) {
  const head = ['kind', 'engine', 'provision', 'drill steps', 'failover', 'VIP on both', 'result'];
  const lines = rows.map((r) => [
    r.label,
    r.engine,
    r.provisionExit === undefined ? '-' : `exit ${r.provisionExit}, ${r.provisionSeconds} s`,
    r.steps ? `${r.steps.length}/${r.stepCount}${r.drillSeconds ? ` (${r.drillSeconds} s)` : ''}` : '-',
    r.failoverMs === undefined ? '-' : `${(r.failoverMs / 1000).toFixed(2)} s`,
    r.vipOnBoth === undefined ? '-' : `${r.vipOnBoth.length ? r.vipOnBoth.map((w) => `${w.ms} ms (step ${w.step ?? '-'})`).join(', ') : 'never'} / ${r.vipSamples} samples`,
    r.ok ? 'PASS' : `FAIL${r.note ? `: ${r.note}` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the matrix runs on lab hosts and needs root');
  const started = Date.now();
  deadline = started + opts.maxMinutes * 60_000;
  const artifacts = join(ROOT, 'test/.artifacts');
  const logDir = join(artifacts, 'matrix');
  mkdirSync(logDir, { recursive: true });
  const log = (m) => process.stderr.write(`[matrix ${((Date.now() - started) / 1000).toFixed(0)} s] ${m}\n`);
  log(`kinds ${opts.kinds.join(',')} × engines ${opts.engines.join(',')}, ${opts.parallel} at a time, deadline ${opts.maxMinutes} min; logs in ${logDir}`);
  const queue = [...opts.kinds];
  const byKind = {};
  await Promise.all(
    Array.from({ length: Math.min(opts.parallel, queue.length) }, async () => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) byKind[k] = await runKind(k, opts, logDir, log);
    }),
  );
  const rows = opts.kinds.flatMap((k) => byKind[k]);
  const summary = { date: new Date(started).toISOString(), minutes: Number(((Date.now() - started) / 60_000).toFixed(1)), ok: rows.every((r) => r.ok), rows };
  writeFileSync(join(artifacts, 'matrix.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\nhost-kind matrix, ${summary.date}, ${summary.minutes} min\n\n${table(rows)}\n`);
  process.exitCode = summary.ok ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`test:matrix: ${err.message}\n`);
  process.exitCode = 2;
});
