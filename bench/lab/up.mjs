#!/usr/bin/env node
// Benchmark of `lab up` (run as root after `npm run build`):
//   node bench/lab/up.mjs [--runs N] [--cold]
//   node bench/lab/up.mjs --kinds [--runs N] [--subnet CIDR] [--name NAME]
// Measures, each on its own throw-away lab (never the default `haweb`):
//   - up with 2 hosts and with 20 hosts from the cached, unpacked image (target < 10 s and < 60 s);
//   - up with 2 systemd hosts (the EL9-shaped kind: systemd, firewalld, minimal image) from the cached
//     image (target < 15 s), beside the sysvinit figure;
//   - up with 2 hosts from the cached tarball only (unpack included);
//   - with --cold: the first-time image build (debootstrap into an empty cache, prepare, pack) + up.
// --kinds measures only the two 2-host figures (sysvinit and systemd), alternating in one run, on one
// lab name and subnet (default hlbench, 198.18.19.0/24), one lab at a time.
// Times are wall-clock of the CLI (`node packages/lab/dist/cli.js up`), Node start-up included.
// Results: printed as Markdown rows, and saved as JSON under bench/results/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'packages/lab/dist/cli.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const cold = args.includes('--cold');
const kindsOnly = args.includes('--kinds');
const option = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const EL9_KIND = ['--init', 'systemd', '--firewall', 'firewalld', '--image', 'minimal'];
const defaultCache = process.env.HAWEB_CACHE_DIR ?? '/var/cache/haweb';

function lab(argv, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...argv], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`lab ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return seconds;
}

function timeUp({ name, subnet, hosts, env, kind = [] }) {
  lab(['down', '--name', name], env);
  const seconds = lab(['up', '--name', name, '--subnet', subnet, '--hosts', String(hosts), ...kind], env);
  const again = lab(['up', '--name', name], env);
  lab(['down', '--name', name], env);
  return { seconds, idempotentUp: again };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
function record(what, samples, target) {
  const row = { what, runs: samples.length, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), target };
  results.push(row);
  console.log(`| ${what} | ${row.median.toFixed(1)} s | ${row.min.toFixed(1)}-${row.max.toFixed(1)} s (${row.runs} runs) | ${target ?? ''} |`);
}

function saveResults() {
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: +(totalmem() / 2 ** 30).toFixed(1), loadavg: loadavg() };
  console.log(`\nmachine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memGiB} GiB RAM, load ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const file = join(root, 'bench/results', `lab-up-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2));
  console.log(`saved ${file}`);
}

if (kindsOnly) {
  const name = option('--name', 'hlbench');
  const subnet = option('--subnet', '198.18.19.0/24');
  // Both images cached and unpacked before timing "from the cached image".
  for (const kind of [[], EL9_KIND]) {
    lab(['up', '--name', name, '--subnet', subnet, '--hosts', '1', ...kind]);
    lab(['down', '--name', name]);
  }
  console.log('| measurement | median | range | target |\n|---|---|---|---|');
  const sysv = [];
  const systemd = [];
  for (let i = 0; i < runs; i++) {
    sysv.push(timeUp({ name, subnet, hosts: 2 }).seconds);
    systemd.push(timeUp({ name, subnet, hosts: 2, kind: EL9_KIND }).seconds);
  }
  record('up, 2 hosts, cached image, sysvinit (default kind)', sysv, '< 10 s');
  record('up, 2 hosts, cached image, systemd + firewalld + minimal (EL9-shaped kind)', systemd, '< 15 s');
  saveResults();
  process.exit(0);
}

// Make sure the cached images exist before timing "from the cached image".
lab(['up', '--name', 'benchwarm', '--subnet', '198.18.110.0/24', '--hosts', '1']);
lab(['down', '--name', 'benchwarm']);
lab(['up', '--name', 'benchwarm', '--subnet', '198.18.110.0/24', '--hosts', '1', ...EL9_KIND]);
lab(['down', '--name', 'benchwarm']);

console.log('| measurement | median | range | target |\n|---|---|---|---|');
const two = [];
const twoAgain = [];
for (let i = 0; i < runs; i++) {
  const r = timeUp({ name: 'benchtwo', subnet: '198.18.111.0/24', hosts: 2 });
  two.push(r.seconds);
  twoAgain.push(r.idempotentUp);
}
record('up, 2 hosts, cached image', two, '< 10 s');
record('up again on a running 2-host lab (idempotent)', twoAgain);

const twoSystemd = [];
for (let i = 0; i < runs; i++) twoSystemd.push(timeUp({ name: 'benchsysd', subnet: '198.18.115.0/24', hosts: 2, kind: EL9_KIND }).seconds);
record('up, 2 hosts, cached image, systemd + firewalld + minimal (EL9-shaped kind)', twoSystemd, '< 15 s');

const twenty = [];
for (let i = 0; i < Math.min(runs, 2); i++) twenty.push(timeUp({ name: 'benchtwenty', subnet: '198.18.112.0/24', hosts: 20 }).seconds);
record('up, 20 hosts, cached image', twenty, '< 60 s');

// Only the tarball cached: unpack + up.
{
  const cache = mkdtempSync('/var/cache/haweb-bench-tarball-');
  mkdirSync(join(cache, 'images'));
  for (const f of readdirSync(join(defaultCache, 'images')).filter((n) => n.endsWith('.tar.zst'))) {
    copyFileSync(join(defaultCache, 'images', f), join(cache, 'images', f));
  }
  try {
    record('up, 2 hosts, image unpacked from cached tarball', [timeUp({ name: 'benchtar', subnet: '198.18.113.0/24', hosts: 2, env: { HAWEB_CACHE_DIR: cache } }).seconds]);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

if (cold) {
  const cache = mkdtempSync('/var/cache/haweb-bench-cold-');
  try {
    record('first-time image build (debootstrap, empty cache) + up, 2 hosts', [timeUp({ name: 'benchcold', subnet: '198.18.114.0/24', hosts: 2, env: { HAWEB_CACHE_DIR: cache } }).seconds]);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

saveResults();
