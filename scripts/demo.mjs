#!/usr/bin/env node
// `npm run demo [-- --engine keepalived] [--lab NAME] [--out DIR]`: the product in one command.
// Brings up the lab (two proxies and a client; reused when up), fetches the upstream sources, runs
// `provision run playbooks/ha-nginx.yml` against the lab, then the drill (the seed's test plan),
// and ends with a summary table and the path of the failover timeline (SVG).
// Exit 0 only when every step passed. Plain Node (no build of its own): it runs the packages' dist/.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINES = ['vrrpd', 'keepalived'];

function usage(message) {
  if (message) console.error(`demo: ${message}`);
  console.error('usage: npm run demo [-- --engine vrrpd|keepalived] [--lab NAME] [--out DIR (default demo-out/<engine>)] [--no-drill]');
  process.exit(2);
}

export function parseArgs(argv) {
  const opts = { engine: 'vrrpd', lab: process.env.HAWEB_LAB_NAME || 'haweb', out: undefined, drill: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--engine') opts.engine = value();
    else if (a.startsWith('--engine=')) opts.engine = a.slice('--engine='.length);
    else if (a === '--lab') opts.lab = value();
    else if (a === '--out') opts.out = value();
    else if (a === '--no-drill') opts.drill = false;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!ENGINES.includes(opts.engine)) usage(`--engine must be one of ${ENGINES.join(', ')}`);
  if (!/^[a-z0-9-]{1,12}$/.test(opts.lab)) usage('--lab: a short lab name (a-z, 0-9, -)');
  return opts;
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s) => (color ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s) => (color ? `\x1b[31m${s}\x1b[0m` : s);

/** Run a command from the repo root with its output shown; resolves to {code, seconds, output}. */
function run(argv, { capture = false, timeoutMs = 60 * 60_000 } = {}) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const forward = (stream) => (chunk) => {
      if (output.length < 4_000_000) output += chunk;
      if (!capture) stream.write(chunk);
    };
    child.stdout.setEncoding('utf8').on('data', forward(process.stdout));
    child.stderr.setEncoding('utf8').on('data', forward(process.stderr));
    // Every step is bounded: a hung step fails the demo instead of hanging it.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), seconds: (performance.now() - started) / 1000, output });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ code: 127, seconds: (performance.now() - started) / 1000, output: e.message });
    });
  });
}

const node = process.execPath;
const bin = {
  lab: join(ROOT, 'packages/lab/dist/cli.js'),
  provision: join(ROOT, 'packages/cli/dist/provision.js'),
  drill: join(ROOT, 'packages/drill/dist/cli.js'),
};

const results = [];
function record(step, ok, seconds, detail) {
  results.push({ step, ok, seconds, detail });
  const mark = ok ? green('ok') : red('FAILED');
  console.log(`${bold(`==> ${step}:`)} ${mark} (${seconds.toFixed(1)} s)${detail ? `  ${detail}` : ''}\n`);
  return ok;
}

function banner(text) {
  console.log(`\n${bold(`==> ${text}`)}`);
}

function summary(extra = []) {
  const rows = results.map((r) => [r.step, r.ok ? 'ok' : 'FAILED', `${r.seconds.toFixed(1)} s`, r.detail ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['step', 'result', 'time'][i].length));
  const line = (r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  ');
  console.log(bold('\nDemo summary'));
  console.log(line(['step', 'result', 'time', 'detail']));
  for (const r of rows) console.log(line(r));
  for (const e of extra) console.log(e);
}

function finish(code, extra) {
  summary(extra);
  process.exit(code);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const inventory = `/var/lib/haweb/lab/${opts.lab}/inventory.yml`;
  const out = resolve(ROOT, opts.out ?? join('demo-out', opts.engine));
  const provisionArgv = [node, bin.provision, 'run', 'playbooks/ha-nginx.yml', '-i', inventory, '-e', `ha_engine=${opts.engine}`];
  console.log(bold(`haweb demo: lab ${opts.lab}, engine ${opts.engine}`));

  // 0. The packages must be built (the README's set-up does it; done here when it was not).
  if (!Object.values(bin).every((p) => existsSync(p))) {
    banner('build the packages (npx turbo run build)');
    const r = await run(['npx', 'turbo', 'run', 'build', '--filter=@haweb/cli...', '--filter=@haweb/lab...', '--filter=@haweb/drill...']);
    if (!record('build', r.code === 0, r.seconds)) finish(1);
  }

  // 1. The lab: reused when every host answers, else brought up (or completed) by `lab up`.
  banner(`lab ${opts.lab}: two proxies and a client`);
  const status = await run([node, bin.lab, 'status', '--name', opts.lab], { capture: true });
  if (status.code === 0) {
    process.stdout.write(status.output);
    record('lab', true, status.seconds, 'reused (already up)');
  } else {
    const up = await run([node, bin.lab, 'up', '--hosts', '2', '--name', opts.lab], { timeoutMs: 30 * 60_000 });
    if (!record('lab', up.code === 0, up.seconds, up.code === 0 ? 'brought up' : `lab up exited ${up.code}`)) finish(1);
  }

  // 2. Upstream sources (cached in /var/cache/haweb/sources after the first time).
  banner('upstream sources (lab sources)');
  const sources = await run([node, bin.lab, 'sources'], { timeoutMs: 20 * 60_000 });
  if (!record('sources', sources.code === 0, sources.seconds, sources.output.trim().split('\n').slice(-2).join('; '))) finish(1);

  // 3. The playbook.
  banner(`provision run playbooks/ha-nginx.yml (engine ${opts.engine})`);
  const prov = await run(provisionArgv, { timeoutMs: 45 * 60_000 });
  const recap = recapLine(prov.output);
  if (!record('provision', prov.code === 0, prov.seconds, recap)) finish(1);
  if (!opts.drill) finish(0);

  // 4. The drill: the seed's test plan, with the playbook re-run (changed=0) as its step 7.
  banner(`drill: the seed's test plan through the VIP (engine ${opts.engine})`);
  // -v: a re-run that does change something says what (e.g. `runtime a1b2 -> c3d4; restart the daemon`).
  const rerun = [...provisionArgv, '-v'].map(shellQuote).join(' ');
  const drill = await run(
    [node, bin.drill, '--lab', opts.lab, '--playbook-dir', 'playbooks', '--engine', opts.engine, '--out', out, '--rerun-command', rerun],
    { timeoutMs: 30 * 60_000 },
  );
  const ok = record('drill', drill.code === 0, drill.seconds, drill.code === 0 ? 'every step passed' : `drill exited ${drill.code}`);
  finish(ok ? 0 : 1, [`\nTimeline (open in a browser): ${join(out, 'drill-timeline.svg')}`, `Drill result (JSON):         ${join(out, 'drill-result.json')}`]);
}

/** The provisioner's recap, condensed: "changed=N on each host". */
function recapLine(output) {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const hosts = [...plain.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  return hosts.map((m) => `${m[1]} ok=${m[2]} changed=${m[3]}${m[4] !== '0' ? ` unreachable=${m[4]}` : ''}${m[5] !== '0' ? ` failed=${m[5]}` : ''}`).join(', ');
}

function shellQuote(s) {
  return /^[A-Za-z0-9_./=:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

main().catch((e) => {
  console.error(`demo: ${e.stack ?? e}`);
  process.exit(1);
});
