#!/usr/bin/env node
// Installer benchmarks: `node bench/installers/run.mjs [--runs N] [--full]` as root after `npm run build`.
// Uses the installers' own lab `inst` (198.18.52.0/24; brought up if needed, never the default lab) and
// the real CLI (`provision run --json`), reading each installer task's time on each host.
//   --full   first wipes nginx, keepalived and vrrpd from both hosts and times the full install
//            (both hosts build at the same time, as a playbook run does).
// Prints Markdown rows for docs/BENCHMARKS.md and saves the raw numbers under bench/results/.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAB = 'inst';
const SUBNET = '198.18.52.0/24';
const inventory = `/var/lib/haweb/lab/${LAB}/inventory.yml`;
const playbook = join(root, 'bench/installers/bench.yml');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const full = args.includes('--full');
const INSTALLERS = ['nginx_source', 'keepalived_source', 'vrrp_service'];

function lab(...a) {
  return execFileSync(process.execPath, [join(root, 'packages/lab/dist/cli.js'), ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function provision() {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'packages/cli/dist/provision.js'), 'run', playbook, '-i', inventory, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Date.now() - t0;
  if (r.status !== 0) throw new Error(`provision exited ${r.status}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  const report = JSON.parse(r.stdout);
  const times = {};
  for (const task of report.plays[0].tasks) {
    if (!INSTALLERS.includes(task.name)) continue;
    for (const [host, v] of Object.entries(task.hosts)) {
      if (v.status === 'failed') throw new Error(`${task.name} failed on ${host}: ${v.result?.msg}`);
      times[`${task.name} ${host}`] = { ms: v.durationMs, changed: v.result?.changed === true };
    }
  }
  return { wall, times };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

lab('up', '--name', LAB, '--subnet', SUBNET, '--hosts', '2');
const load = () => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0];
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const result = { date, runs, load: [], full: undefined, noop: [] };
const rows = [];

if (full) {
  for (const host of ['edu-proxy-01', 'edu-proxy-02']) {
    lab('exec', '--name', LAB, host, '--', 'sh', '-c',
      'for s in vrrpd keepalived; do [ -x /etc/init.d/$s ] && /etc/init.d/$s stop; update-rc.d -f $s remove; done >/dev/null 2>&1; ' +
      '[ -s /usr/local/nginx/logs/nginx.pid ] && /usr/local/nginx/sbin/nginx -s stop; ' +
      'rm -rf /usr/local/nginx /usr/local/keepalived /usr/local/vrrpd /usr/local/src/* /etc/init.d/vrrpd /etc/init.d/keepalived /usr/sbin/keepalived; true');
  }
  result.load.push(load());
  const first = provision();
  result.full = first;
  for (const name of INSTALLERS) {
    const per = ['edu-proxy-01', 'edu-proxy-02'].map((h) => first.times[`${name} ${h}`].ms);
    rows.push(`| ${date} | ${name}: full install, 2 hosts at once (load ${result.load[0]}) | ${s(Math.max(...per))} | ${per.map(s).join(' / ')} | |`);
  }
  rows.push(`| ${date} | whole bench playbook, fresh hosts (facts + 3 installers) | ${s(first.wall)} | 1 run | |`);
}

// Converge first (the runtime changes whenever someone rebuilds packages/vrrp or packages/core), untimed.
const warm = provision();
for (const [k, v] of Object.entries(warm.times)) if (v.changed) console.error(`warm-up: ${k} changed (${(v.ms / 1000).toFixed(1)} s)`);
// A run in which something changed is not a no-op run: on this shared machine that happens when another
// engineer rebuilds packages/vrrp (a new runtime digest, so vrrp_service upgrades). Such runs are
// retried, bounded.
let discarded = 0;
for (let attempt = 0; result.noop.length < runs && attempt < runs * 3; attempt += 1) {
  result.load.push(load());
  const r = provision();
  const changed = Object.entries(r.times).filter(([, v]) => v.changed).map(([k]) => k);
  if (changed.length > 0) {
    discarded += 1;
    console.error(`run discarded (not a no-op): ${changed.join(', ')} changed`);
    continue;
  }
  result.noop.push(r);
}
if (result.noop.length < runs) throw new Error(`only ${result.noop.length} of ${runs} runs were no-ops`);
result.discarded = discarded;
for (const name of INSTALLERS) {
  const all = result.noop.flatMap((r) => ['edu-proxy-01', 'edu-proxy-02'].map((h) => r.times[`${name} ${h}`].ms));
  const max = Math.max(...all);
  rows.push(`| ${date} | ${name}: no-op re-run (changed=0), per host, 2 hosts | ${s(median(all))} | ${s(Math.min(...all))}-${s(max)} (${runs} runs × 2 hosts) | < 0.5 s ${max < 500 ? '✔' : '✘'} |`);
}
const walls = result.noop.map((r) => r.wall);
rows.push(`| ${date} | whole no-op \`provision run\` of the bench playbook (Node start, SSH, facts, 3 installers) | ${s(median(walls))} | ${s(Math.min(...walls))}-${s(Math.max(...walls))} | |`);

mkdirSync(join(root, 'bench/results'), { recursive: true });
const out = join(root, 'bench/results', `installers-${date.replace(/[: ]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(rows.join('\n'));
console.log(`\nraw: ${out}; load average during the runs: ${result.load.join(', ')}`);
