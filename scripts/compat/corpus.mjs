#!/usr/bin/env node
/**
 * The public corpus (scripts/compat/corpus.json): each playbook or role, as its authors wrote it, put
 * through `ansible-playbook --syntax-check` and `provision check`. A role goes through a generated
 * one-play playbook that applies it with its own defaults. Prints, per entry, pass/refuse for both
 * tools with provision's refusals (file:line:col and reason; the first on the entry's line, the others
 * below it), then the totals and the refusal reasons counted by the entries they block.
 *
 * The repositories are read from the search tool's snapshots (/work/.mirror/<owner>+<name>/repo, or
 * $HAWEB_CORPUS_MIRROR) at the recorded commit and exported to a scratch folder ($HAWEB_CORPUS_DIR,
 * default /tmp/haweb-corpus); nothing of their text lands in this repository.
 *
 * An entry whose project ships its own Ansible collection (`collection`: the collection's folder in the
 * repository, as DebOps' ansible/collections/ansible_collections/debops/debops) gets it as its users do:
 * a collections folder built in the scratch folder from the exported files (the collection's galaxy.yml,
 * meta/ and plugins/, symbolic links followed), given to both tools by ANSIBLE_COLLECTIONS_PATH.
 *
 *   node scripts/compat/corpus.mjs [--json out.json] [id-substring...]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const provisionJs = join(root, 'packages/cli/dist/provision.js');
const mirror = process.env.HAWEB_CORPUS_MIRROR ?? '/work/.mirror';
const scratch = process.env.HAWEB_CORPUS_DIR ?? '/tmp/haweb-corpus';
const TIMEOUT_MS = 120_000;

const args = process.argv.slice(2);
let jsonOut;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') jsonOut = args[++i];
  else filters.push(args[i]);
}

const { entries } = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8'));

/** The repository at the recorded commit, exported once into the scratch folder. */
function exportRepo(repo, commit) {
  const dir = join(scratch, `${repo.replace('/', '+')}@${commit.slice(0, 12)}`);
  if (existsSync(join(dir, '.exported'))) return dir;
  const git = join(mirror, repo.replace('/', '+'), 'repo');
  if (!existsSync(git)) throw new Error(`no snapshot of ${repo} under ${mirror} (fetch it with the search tool)`);
  mkdirSync(dir, { recursive: true });
  // Some snapshots lack their largest blobs (a .war, an image): export every file that is there.
  const files = execFileSync('git', ['-C', git, 'ls-tree', '-r', '--format=%(objectname) %(path)', commit], { encoding: 'utf8', maxBuffer: 1 << 30 })
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ oid: l.slice(0, l.indexOf(' ')), path: l.slice(l.indexOf(' ') + 1) }));
  const present = execFileSync('git', ['-C', git, 'cat-file', '--batch-check'], { input: files.map((f) => f.oid).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 })
    .split('\n')
    .filter(Boolean)
    .map((l) => !l.endsWith(' missing'));
  const paths = files.filter((_, i) => present[i]).map((f) => f.path);
  const tar = execFileSync('git', ['-C', git, 'archive', commit, '--', ...paths], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar, maxBuffer: 1 << 30 });
  writeFileSync(join(dir, '.exported'), `${repo} ${commit}\n`);
  return dir;
}

/**
 * The project's own collection as a collections folder (…/ansible_collections/<namespace>/<name>),
 * built once per exported commit from the exported files; its path, for ANSIBLE_COLLECTIONS_PATH.
 */
function collectionsPath(entry, dir) {
  const src = join(dir, entry.collection);
  const name = basename(src);
  const namespace = basename(dirname(src));
  const top = join(scratch, 'collections', `${basename(dir)}`);
  const dest = join(top, 'ansible_collections', namespace, name);
  if (existsSync(join(top, '.built'))) return top;
  rmSync(top, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const part of ['galaxy.yml', 'meta', 'plugins']) {
    if (existsSync(join(src, part))) cpSync(join(src, part), join(dest, part), { recursive: true, dereference: true });
  }
  writeFileSync(join(top, '.built'), `${entry.repo} ${entry.commit} ${entry.collection}\n`);
  return top;
}

/** The playbook and inventory to check for an entry, generated for a role. */
function target(entry, dir) {
  if (entry.kind === 'playbook') {
    const inventory = entry.inventory ? join(dir, entry.inventory) : undefined;
    return { playbook: join(dir, entry.path), inventory, cwd: dirname(join(dir, entry.path)) };
  }
  const roleDir = join(dir, entry.path);
  const gen = join(scratch, 'generated', entry.id.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(gen, { recursive: true });
  const playbook = join(gen, 'site.yml');
  writeFileSync(playbook, `- hosts: all\n  roles:\n    - role: ${JSON.stringify(roleDir)}\n`);
  const inventory = join(gen, 'hosts');
  writeFileSync(inventory, 'corpus-host ansible_host=192.0.2.10\n');
  return { playbook, inventory, cwd: roleDir, rolesPath: entry.rolesPath ? join(dir, entry.rolesPath) : undefined };
}

function run(cmd, argv, opts) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 1 << 26, ...opts });
  return { code: r.status ?? (r.signal ? 128 : 1), out: `${r.stdout ?? ''}${r.stderr ?? ''}`, timedOut: r.error?.code === 'ETIMEDOUT' };
}

/** `file:line:col: error: reason` lines of provision's output. */
function refusals(out) {
  const list = [];
  for (const line of out.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): error: (.*)$/.exec(line.trim());
    if (m) list.push({ where: `${m[1]}:${m[2]}:${m[3]}`, reason: m[4] });
  }
  return list;
}

/** A reason with its particulars dropped, to count reasons across entries. */
export function reasonKind(reason) {
  let m = /^module '([^']+)' is provided by Ansible/.exec(reason);
  if (m) return `module not shipped: ${m[1].replace(/^ansible\.(builtin|legacy)\./, '')}`;
  m = /^(unknown|unsupported) (?:option|argument|parameter)s? '?([\w.-]+)'? (?:for|of|in) (?:module )?'?([\w.]+)'?/.exec(reason);
  if (m) return `${m[1]} option: ${m[3]}.${m[2]}`;
  m = /^keyword '(\w+)' on include_tasks/.exec(reason);
  if (m) return `${m[1]} on include_tasks`;
  m = /^'([\w]+)' is not supported by this provisioner/.exec(reason) ?? /keyword '([\w]+)'.*not supported/.exec(reason);
  if (m) return `keyword not supported: ${m[1]}`;
  return reason
    .replace(/\(task "[^"]*"\)/g, '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*\/[^']*'/g, "'…'")
    .trim();
}

const results = [];
for (const entry of entries) {
  if (filters.length && !filters.some((f) => entry.id.includes(f))) continue;
  let dir;
  try {
    dir = exportRepo(entry.repo, entry.commit);
  } catch (err) {
    results.push({ id: entry.id, category: entry.category, ansible: 'error', provision: 'error', first: { where: '-', reason: err.message }, all: [] });
    continue;
  }
  const t = target(entry, dir);
  const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' };
  if (t.rolesPath) env.ANSIBLE_ROLES_PATH = t.rolesPath;
  if (entry.collection) env.ANSIBLE_COLLECTIONS_PATH = collectionsPath(entry, dir);
  const inv = t.inventory ? ['-i', t.inventory] : [];
  const a = run('ansible-playbook', ['--syntax-check', ...inv, t.playbook], { cwd: t.cwd, env });
  const p = run(process.execPath, [provisionJs, 'check', ...inv, t.playbook], { cwd: t.cwd, env });
  const all = refusals(p.out);
  const first = p.code === 0 ? undefined : (all[0] ?? { where: '-', reason: (p.timedOut ? 'timed out' : p.out.trim().split('\n').slice(-1)[0]) || `exit ${p.code}` });
  results.push({
    id: entry.id,
    category: entry.category,
    ansible: a.code === 0 ? 'pass' : 'refuse',
    ansibleReason: a.code === 0 ? undefined : a.out.trim().split('\n').find((l) => /ERROR/.test(l)) ?? a.out.trim().split('\n').slice(-1)[0],
    provision: p.code === 0 ? 'pass' : 'refuse',
    first,
    all,
  });
  const r = results.at(-1);
  const tail = r.first ? `  ${r.first.where}: ${r.first.reason}` : '';
  console.log(`${r.id.padEnd(46)} ansible ${r.ansible.padEnd(6)} provision ${r.provision.padEnd(6)}${tail}`);
  // Every refusal, not only the first: what a user would have to change (or wait for).
  for (const x of r.all.slice(1)) console.log(`${''.padEnd(48)}${x.where}: ${x.reason}`);
}

const count = (f) => results.filter(f).length;
console.log('');
console.log(`entries: ${results.length}`);
console.log(`ansible-playbook --syntax-check: ${count((r) => r.ansible === 'pass')} pass, ${count((r) => r.ansible !== 'pass')} refuse`);
console.log(`provision check:                 ${count((r) => r.provision === 'pass')} pass, ${count((r) => r.provision !== 'pass')} refuse`);

// Every reason, counted once per entry it blocks (an entry refused for three reasons counts in three rows).
const byReason = new Map();
for (const r of results) {
  const kinds = new Set((r.all.length ? r.all : r.first ? [r.first] : []).map((x) => reasonKind(x.reason)));
  for (const k of kinds) byReason.set(k, [...(byReason.get(k) ?? []), r.id]);
}
console.log('');
console.log('refusal reasons, by the number of entries they block:');
for (const [k, ids] of [...byReason].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]))) {
  console.log(`${String(ids.length).padStart(4)}  ${k}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), results, byReason: Object.fromEntries(byReason) }, null, 2));
