#!/usr/bin/env node
/**
 * Ansible's script-shaped integration targets of assert, debug and set_fact (test/integration/targets/
 * <name>/runme.sh runs playbooks of the target's folder): each playbook runme.sh runs, with the
 * environment it sets, run by `provision` and by `ansible-playbook` against one lab host, and the
 * assert tasks passed by each counted. The playbooks name `localhost` and `testhost`: both are the lab
 * host here (reached over SSH). An assert task passes when it ran on the host and every result of it
 * there was ok; every assert task written in the playbook counts in the denominator (one never reached
 * is a failure), once per run of the playbook. The targets' text is exported from a local git mirror
 * into a temporary folder only, and deleted afterwards. runme.sh's checks on output text (grep of the
 * debug lines, diff of assert's expected stdout) are not counted: asserts only.
 *
 *   node scripts/compat/ansible-script-targets.mjs --ansible /work/.mirror/ansible+ansible/repo@v2.14.17 --lab NAME [--host H]
 *     [--engines provision,ansible] (one tool only: the other's column shows '-')
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(root, 'packages/cli/dist/provision.js');

/** What each runme.sh runs (v2.14.17): playbook, extra options, environment. */
const RUNS = [
  { target: 'assert', playbook: 'quiet.yml', env: { ANSIBLE_STDOUT_CALLBACK: 'default' } },
  { target: 'assert', playbook: 'nested_tmpl.yml' },
  { target: 'debug', playbook: 'main.yml' },
  { target: 'debug', playbook: 'main_fqcn.yml' },
  { target: 'debug', playbook: 'nosetfacts.yml' },
  { target: 'debug', playbook: 'unsafe.yml' },
  { target: 'set_fact', playbook: 'incremental.yml', env: { ANSIBLE_INJECT_FACT_VARS: '0' } },
  { target: 'set_fact', playbook: 'incremental.yml', env: { ANSIBLE_INJECT_FACT_VARS: '1' } },
  { target: 'set_fact', playbook: 'nowarn_clean_facts.yml' },
  { target: 'set_fact', playbook: 'set_fact_cached_1.yml', cache: true },
  { target: 'set_fact', playbook: 'set_fact_cached_2.yml', cache: true },
  { target: 'set_fact', playbook: 'set_fact_no_cache.yml', cache: true, args: ['--flush-cache'] },
  { target: 'set_fact', playbook: 'set_fact_bool_conv.yml', env: { ANSIBLE_JINJA2_NATIVE: '0' } },
  { target: 'set_fact', playbook: 'set_fact_bool_conv_jinja2_native.yml', env: { ANSIBLE_JINJA2_NATIVE: '1' } },
  { target: 'set_fact', playbook: 'set_fact_empty_str_key.yml' },
  { target: 'set_fact', playbook: 'set_fact_auto_unsafe.yml' },
];

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const [mirror, ref = 'HEAD'] = (opt('--ansible') ?? '').split('@');
if (!mirror) {
  console.error('usage: ansible-script-targets.mjs --ansible MIRROR@REF --lab NAME [--host H]');
  process.exit(2);
}
const gitDir = existsSync(join(mirror, '.git')) ? join(mirror, '.git') : mirror;
const labDir = join(process.env.HAWEB_LAB_STATE_DIR ?? '/var/lib/haweb/lab', opt('--lab', 'tg'));
const state = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'));
const host = state.hosts.find((h) => h.name === opt('--host', state.hosts[0].name));

const work = mkdtempSync(join(tmpdir(), 'haweb-script-targets-'));
try {
  // Both names the playbooks use are the lab host, over SSH.
  const hostLine = (name) =>
    `${name} ansible_connection=ssh ansible_host=${host.address} ansible_user=root ansible_ssh_private_key_file=${join(labDir, 'id_ed25519')} ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args="-o UserKnownHostsFile=${join(labDir, 'known_hosts')} -o StrictHostKeyChecking=yes"`;
  const inventory = join(work, 'inventory');
  writeFileSync(inventory, `${hostLine('localhost')}\n${hostLine('testhost')}\n\n[testgroup]\ntesthost\nlocalhost\n`);
  for (const target of new Set(RUNS.map((r) => r.target))) {
    const dir = join(work, target);
    mkdirSync(dir);
    const tar = spawnSync('sh', ['-c', `git --git-dir="${gitDir}" archive ${ref} test/integration/targets/${target} | tar -x -C "${dir}" --strip-components=4`], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`cannot export ${target}: ${tar.stderr}`);
  }
  const totals = { provision: 0, ansible: 0, asserts: 0 };
  const rows = [];
  const engines = opt('--engines', 'provision,ansible').split(',');
  for (const engine of ['provision', 'ansible'].filter((e) => engines.includes(e))) {
    const cache = join(work, `cache-${engine}`);
    for (const run of RUNS) {
      const dir = join(work, run.target);
      const file = join(dir, run.playbook);
      const written = assertTasks(file);
      const env = { ...process.env, ...(run.env ?? {}), ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_NOCOLOR: '1', NO_COLOR: '1' };
      if (run.cache) Object.assign(env, { ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: cache, ANSIBLE_CACHE_PLUGIN_PREFIX: 'prefix_' });
      const started = Date.now();
      const results = engine === 'provision' ? runProvision(file, inventory, dir, env, run.args ?? []) : runAnsible(file, inventory, dir, env, run.args ?? []);
      const passed = written.filter((at) => results.get(at) === true).length;
      rows.push({ engine, run: `${run.target}/${run.playbook}${run.env ? ` ${Object.entries(run.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`, passed, total: written.length, seconds: (Date.now() - started) / 1000 });
      totals[engine] += passed;
      if (engine === engines[0]) totals.asserts += written.length;
    }
  }
  console.log(`date: ${new Date().toISOString()}  host: ${host.name}`);
  const cell = (x) => (x ? `${x.passed}/${x.total} (${x.seconds.toFixed(1)} s)` : '-');
  for (const run of [...new Set(rows.map((x) => x.run))]) {
    const p = rows.find((x) => x.engine === 'provision' && x.run === run);
    const a = rows.find((x) => x.engine === 'ansible' && x.run === run);
    console.log(`${run.padEnd(70)} provision ${cell(p)}  ansible ${cell(a)}`);
  }
  for (const target of new Set(RUNS.map((r) => r.target))) {
    const of = (engine) => rows.filter((x) => x.engine === engine && x.run.startsWith(`${target}/`));
    const sum = (list, k) => list.reduce((n, x) => n + x[k], 0);
    console.log(`${target}: provision ${sum(of('provision'), 'passed')}/${sum(of('provision'), 'total')}, ansible ${sum(of('ansible'), 'passed')}/${sum(of('ansible'), 'total')}`);
  }
  console.log(`total: provision ${totals.provision}/${totals.asserts}, ansible ${totals.ansible}/${totals.asserts}`);
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}

/** `file:line` of every assert task written in a playbook (tasks, pre/post_tasks, handlers, blocks). */
function assertTasks(file) {
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lc });
  const out = [];
  const walk = (seq) => {
    if (!isSeq(seq)) return;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const keys = item.items.map((p) => String(p.key?.value ?? p.key));
      if (keys.some((k) => k === 'assert' || k === 'ansible.builtin.assert' || k === 'ansible.legacy.assert')) out.push(`${file}:${lc.linePos(item.range[0]).line}`);
      for (const k of ['block', 'rescue', 'always']) walk(item.get(k, true));
    }
  };
  const plays = doc.contents;
  if (isSeq(plays)) for (const play of plays.items) if (isMap(play)) for (const k of ['pre_tasks', 'tasks', 'post_tasks', 'handlers']) walk(play.get(k, true));
  return out;
}

/** file:line of each task that ran on a host → true when every result of it was ok (or changed). */
function collect(tasks, posOf, statusesOf) {
  const seen = new Map();
  for (const t of tasks) {
    const at = posOf(t);
    const statuses = statusesOf(t);
    if (statuses.length === 0) continue;
    const ok = statuses.every((s) => s === 'ok' || s === 'changed');
    seen.set(at, (seen.get(at) ?? true) && ok);
  }
  return seen;
}

function runProvision(file, inventory, cwd, env, extra) {
  const r = spawnSync(process.execPath, [CLI, 'run', file, '-i', inventory, '--json', ...extra], { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 << 20 });
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return new Map();
  }
  return collect(
    doc.plays.flatMap((p) => p.tasks),
    (t) => `${t.pos?.file?.startsWith('/') ? '' : cwd + '/'}${t.pos?.file}:${t.pos?.line}`,
    (t) => Object.values(t.hosts ?? {}).map((h) => h.status),
  );
}

function runAnsible(file, inventory, cwd, env, extra) {
  const r = spawnSync('ansible-playbook', ['-i', inventory, file, ...extra], { cwd, env: { ...env, ANSIBLE_STDOUT_CALLBACK: 'json' }, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 << 20 });
  let doc;
  try {
    doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    return new Map();
  }
  const status = (h) => (h.failed ? 'failed' : h.skipped ? 'skipped' : h.unreachable ? 'unreachable' : h.changed ? 'changed' : 'ok');
  return collect(
    doc.plays.flatMap((p) => p.tasks),
    (t) => t.task.path,
    (t) => Object.values(t.hosts ?? {}).map(status),
  );
}
