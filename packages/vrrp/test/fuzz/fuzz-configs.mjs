/**
 * A mutation fuzzer for vrrpd's configuration reader (what `vrrpd -t`, the daemon's start and its
 * SIGHUP reload run). Mutants of the seed configurations in ./seeds are written to a scratch directory
 * (with an include directory beside them) and read, one at a time, by a child process with a heap limit;
 * the parent kills the child when one read takes longer than the time limit. A crash (the child dies
 * or `configTest` throws), a hang (time limit) or unbounded memory (the heap limit, or RSS above it) is
 * a finding. Plain JavaScript, so the unit test and bench/vrrp-config-fuzz share it.
 *
 * The child reads the compiled reader (dist/): build the package first.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');
export const SEEDS_DIR = join(here, 'seeds');

/** Throws when dist/ is missing or older than src/, so a stale build cannot hide a finding. */
export function checkBuildIsFresh() {
  const newest = (dir) => readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((m, e) => Math.max(m, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);
  const dist = join(packageDir, 'dist', 'config');
  let distTime;
  try { distTime = newest(dist); } catch { throw new Error(`no ${dist}: run \`npm run build\` in packages/vrrp first`); }
  const srcTime = newest(join(packageDir, 'src', 'config'));
  if (srcTime > distTime) throw new Error('packages/vrrp/dist is older than src/config: run `npm run build` in packages/vrrp first');
}

/** mulberry32: a small deterministic PRNG, so a finding can be replayed from its seed and index. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters and words that have broken readers before, or are keepalived syntax. */
const INTERESTING = [
  '\u00a0', '\u2028', '\u2029', '\u3000', '\ufeff', '\u200b', '\r', '\0', '\t', '{', '}', '"', "'", '\\', '$', '@', '@^', '~', '#', '!', ' ', '\n',
  'a'.repeat(5000), '9'.repeat(30), '-1', '0', '255', '256', '0.001', '/24/24', '${', '$X', '\\\n', '\ud800', '\u{1f600}', 'include',
];
const LINES = [
  'include conf.d/*.conf', 'include /', 'include .', 'include main.conf', 'include conf.d', 'include {a,b,c}.conf', 'include conf.d/{05,10}-*.conf',
  'include ../*', 'include /dev/zero', 'include /proc/self/*', 'includer *.conf', '$A=$A$A', '$A=${A}x', '$X=\\', '$X=1', '$Y=$X $X $X $X', '$Y',
  '~SEQ(i, 1, 100000) priority $i', '~SEQ(i, 1, 5) ~SEQ(j, 1, 5) ~SEQ(k, 1, 5) 192.0.2.${i}', '~LST(x, 1, 2, 3) $x', '~LST({a,b}, {1,2}) ${a}${b}', '~SEQ(',
  '~LST(', '@lb-a priority 250', '@^lb-a', '@', '{'.repeat(5000), '}'.repeat(100), '{ '.repeat(200), 'vrrp_instance X {', 'vrrp_script s {', 'global_defs {',
  'track_script { chk weight 10 reverse }', 'track_interface { eth1 weight -254 }', 'notify_master "/bin/x', 'notify_master /bin/x nobody nogroup extra',
  'virtual_ipaddress { 192.0.2.1/24/24 }', 'interface abcdefghijklmnopq', 'interval 0.001', 'vrrp_garp_interval 0', 'vrrp_strict', 'virtual_server 1.2.3.4 80 {',
  'unicast_peer { 300.1.1.1 }', 'advert_int 0.001', 'priority 0', 'virtual_router_id 999', 'authentication { auth_type AH }', 'vrrp_sync_group G { group { X X } }',
];

function pick(rand, list) { return list[Math.floor(rand() * list.length)]; }

/** One random edit of a text; every edit keeps the text below ~200 KiB. */
function mutateOnce(rand, text) {
  const pos = Math.floor(rand() * (text.length + 1));
  const lines = text.split('\n');
  const line = Math.floor(rand() * lines.length);
  switch (Math.floor(rand() * 10)) {
    case 0: case 1: return text.slice(0, pos) + pick(rand, INTERESTING) + text.slice(pos);
    case 2: return text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rand() * 50));
    case 3: { const len = 1 + Math.floor(rand() * 200); return text.slice(0, pos + len) + text.slice(pos, pos + len) + text.slice(pos + len); }
    case 4: case 5: lines.splice(line, 0, pick(rand, LINES)); return lines.join('\n');
    case 6: { const other = Math.floor(rand() * lines.length); [lines[line], lines[other]] = [lines[other], lines[line]]; return lines.join('\n'); }
    case 7: return text.replace(/\d+/g, (m) => (rand() < 0.2 ? pick(rand, ['0', '-1', '256', '4294967296', '0.0000001', '99999999999999999999', m + m]) : m));
    case 8: return rand() < 0.5 ? text.slice(0, pos) : rand() < 0.5 ? text.replace(/\n/g, '\r') : text.replace(/\n/g, '\r\n');
    default: { const copies = 1 + Math.floor(rand() * 300); lines.splice(line, 0, ...Array(copies).fill(lines[line] ?? '')); return lines.join('\n').slice(0, 200_000); }
  }
}

function loadSeeds() {
  const seeds = [];
  for (const name of readdirSync(SEEDS_DIR)) if (name.endsWith('.conf')) seeds.push({ name, text: readFileSync(join(SEEDS_DIR, name), 'utf8') });
  const includes = readdirSync(join(SEEDS_DIR, 'conf.d')).map((name) => ({ name, text: readFileSync(join(SEEDS_DIR, 'conf.d', name), 'utf8') }));
  return { seeds, includes };
}

/** Mutant `index` of run `seed`: the main file and the include directory's files (deterministic). */
export function makeMutant(seed, index, corpus = loadSeeds()) {
  const rand = prng((seed * 1_000_003 + index) >>> 0);
  const base = pick(rand, corpus.seeds);
  let main = base.text;
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) main = mutateOnce(rand, main);
  const includes = corpus.includes.map((f) => ({ name: f.name, text: rand() < 0.3 ? mutateOnce(rand, f.text) : f.text }));
  // Fan-out and loops: sometimes every include file includes its siblings.
  if (rand() < 0.1) for (const f of includes) f.text += '\ninclude *.conf\n';
  return { base: base.name, main, includes };
}

/**
 * Runs `mutants` mutants. Options: seed (default 1), timeoutMs (CPU time per read, default 10 s), memoryMb (default 512),
 * onProgress(done). Resolves with the counts and every finding (its index, to replay with makeMutant).
 */
export async function runFuzz({ mutants, seed = 1, timeoutMs = 10_000, memoryMb = 512, onProgress } = {}) {
  checkBuildIsFresh();
  const corpus = loadSeeds();
  const scratch = mkdtempSync(join(tmpdir(), 'vrrpd-fuzz-'));
  const findings = [];
  const started = Date.now();
  let maxRssMb = 0;
  let slowestMs = 0;
  let slowestIndex = -1;
  let verdicts = { ok: 0, failed: 0 };
  let child;
  const startChild = () => {
    child = fork(join(here, 'fuzz-child.mjs'), [], { execArgv: [`--max-old-space-size=${memoryMb}`, '--stack-size=984'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    // Niced: the unit tests beside it include timing-sensitive ones, and the fuzzer is throughput only.
    try { setPriority(child.pid, 10); } catch { /* not allowed: run at normal priority */ }
    child.stderrText = '';
    child.stderr.on('data', (d) => { child.stderrText = (child.stderrText + d.toString()).slice(-4000); });
  };
  // The time limit is CPU time of the child (like `ulimit -t`), so a loaded machine does not turn a
  // slow read into a "hang"; wall time is capped too, at six times the limit, for a child that sleeps.
  const cpuMs = (pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 100 Hz ticks
    } catch { return 0; }
  };
  const readOne = (dir) => new Promise((resolve) => {
    const current = child;
    const startCpu = cpuMs(current.pid);
    const startWall = Date.now();
    const timer = setInterval(() => {
      if (cpuMs(current.pid) - startCpu > timeoutMs || Date.now() - startWall > 6 * timeoutMs) { clearInterval(timer); current.kill('SIGKILL'); resolve({ kind: 'hang' }); }
    }, 100);
    const onMessage = (m) => { clearInterval(timer); current.off('exit', onExit); resolve({ ...m, cpuMs: cpuMs(current.pid) - startCpu }); };
    const onExit = (code, signal) => { clearInterval(timer); current.off('message', onMessage); resolve({ kind: 'crash', detail: `child exited (${signal ?? code}): ${current.stderrText.trim().split('\n').slice(-3).join(' | ')}` }); };
    current.once('message', onMessage);
    current.once('exit', onExit);
    current.send({ file: join(dir, 'main.conf') });
  });
  try {
    startChild();
    for (let index = 0; index < mutants; index++) {
      const m = makeMutant(seed, index, corpus);
      const dir = join(scratch, String(index));
      mkdirSync(join(dir, 'conf.d'), { recursive: true });
      writeFileSync(join(dir, 'main.conf'), m.main);
      for (const f of m.includes) writeFileSync(join(dir, 'conf.d', f.name), f.text);
      const r = await readOne(dir);
      rmSync(dir, { recursive: true, force: true });
      if (r.kind === 'done') {
        maxRssMb = Math.max(maxRssMb, r.rssMb);
        if (r.cpuMs > slowestMs) { slowestMs = r.cpuMs; slowestIndex = index; }
        verdicts[r.errors > 0 ? 'failed' : 'ok']++;
        if (r.rssMb > memoryMb) findings.push({ index, base: m.base, kind: 'memory', detail: `RSS ${r.rssMb} MB after the read` });
      } else {
        findings.push({ index, base: m.base, kind: r.kind, detail: r.detail ?? `no answer within ${timeoutMs} ms of CPU time` });
        if (r.kind !== 'throw') { child.kill('SIGKILL'); startChild(); }
      }
      onProgress?.(index + 1);
    }
  } finally {
    child?.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
  return { mutants, seed, findings, verdicts, maxRssMb, slowestMs: Math.round(slowestMs), slowestIndex, durationMs: Date.now() - started };
}
