#!/usr/bin/env node
/**
 * Runs Ansible's own integration targets (ansible/ansible, test/integration/targets/<module>) against one
 * lab host with `provision` and with `ansible-playbook`, and prints the share of each target's asserts
 * that pass: every `assert` task written in the target's own task files counts in the denominator (an
 * assert never reached is a failure); an assert passes when it ran and every run of it on the host was
 * ok. The targets' text is exported from a local git mirror into a temporary folder only (never into
 * this repository) and deleted afterwards.
 *
 *   npx --no-install lab up --name tg --subnet 198.18.40.0/24 --hosts 1
 *   node scripts/compat/ansible-targets.mjs --ansible /work/.mirror/ansible+ansible/repo@v2.14.17 \
 *        --lab tg [--targets lineinfile,copy,...] [--engines provision,ansible] [--json out.json] [--keep] [--failures]
 *
 * As ansible-test's inventory does, the play sets ansible_python_interpreter (/usr/bin/python3).
 * Only the setup roles the targets depend on are adapted (the same adapted copy for both tools, so the
 * comparison is fair): setup_remote_tmp_dir makes its folder with mktemp instead of the tempfile module
 * and a handler, prepare_tests does nothing. `output_dir` is a fresh folder on the host per run, also
 * given as the environment variable OUTPUT_DIR, which ansible-test sets and some targets read with
 * `lookup('env', 'OUTPUT_DIR')` (template); the same path on the controller is a link to the host's folder
 * (ansible-test's output_dir is one folder for controller and target; template writes a source there with
 * delegate_to and reads results with lookup('file')). Commands a target runs that the lab image lacks
 * (template's hexdump) are installed on the host from Debian packages before each tool's run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(root, 'packages/cli/dist/provision.js');
// The role-shaped targets of the modules shipped before issue 15's new ones (assert, debug and set_fact's
// targets are runme.sh scripts of their own playbooks, not a role: not run here).
const SHIPPED = ['blockinfile', 'command_shell', 'copy', 'file', 'lineinfile', 'shell', 'stat', 'template', 'unarchive'];

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const mirrorArg = opt('--ansible');
if (!mirrorArg) {
  console.error('usage: ansible-targets.mjs --ansible MIRROR@REF --lab NAME [--targets a,b] [--engines provision,ansible] [--json FILE] [--keep]');
  process.exit(2);
}
const [mirror, ref = 'HEAD'] = mirrorArg.split('@');
const gitDir = existsSync(join(mirror, '.git')) ? join(mirror, '.git') : mirror;
const labName = opt('--lab', 'tg');
const labDir = join(process.env.HAWEB_LAB_STATE_DIR ?? '/var/lib/haweb/lab', labName);
const inventory = join(labDir, 'inventory.yml');
if (!existsSync(inventory)) throw new Error(`no lab ${labName} (${inventory}): bring it up first`);
const state = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'));
const host = opt('--host', state.hosts[0].name);
const targets = opt('--targets', SHIPPED.join(',')).split(',');
const engines = opt('--engines', 'provision,ansible').split(',');

const work = mkdtempSync(join(tmpdir(), 'haweb-ansible-targets-'));
const targetsDir = join(work, 'test/integration/targets');

function sh(cmd, argv, o = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...o });
  if (r.error) throw r.error;
  return r;
}

/** The adapted setup roles: same for both tools. */
function adaptSetupRoles() {
  const write = (role, tasks) => {
    const dir = join(targetsDir, role);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'tasks'), { recursive: true });
    writeFileSync(join(dir, 'tasks/main.yml'), tasks);
  };
  write(
    'setup_remote_tmp_dir',
    ['- name: make the remote tmp dir (adapted, mktemp)', '  command: mktemp -d /tmp/ansible-targets.XXXXXXXX', '  register: haweb_remote_tmp', '- set_fact:', '    remote_tmp_dir: "{{ haweb_remote_tmp.stdout }}"', ''].join('\n'),
  );
  write('prepare_tests', '[]\n');
}

/**
 * unarchive's own setup, adapted to a lab without a reachable mirror (the same for both tools):
 *  - the archivers its prepare_tests installs with `package` (zip, unzip; zstd for its .tar.zst case)
 *    are installed before each tool's run from the controller's apt cache (/var/cache/apt/archives), so
 *    that task finds them installed (its test_missing_binaries removes them, and its handler cannot
 *    reinstall them without a mirror);
 *  - test_download's pip tasks (CentOS 6 only, skipped elsewhere) are left out: `pip` is not a module
 *    this provisioner ships, and its refusal would stop the whole target;
 *  - the archive test_download fetches from releases.ansible.com comes from the controller's address
 *    in the lab instead (a small .tar.gz served over http for the run).
 */
/**
 * The Debian packages each target's tasks call as commands and ansible-test's test images have, but the
 * lab image lacks: installed on the host before each tool's run (the same for both). template dumps its
 * results with `hexdump -C` (bsdextrautils) before comparing them; a missing hexdump stopped the play.
 * A package not in the controller's apt cache is downloaded once with `apt-get download` (the machine
 * reaches Debian's mirror; the host never does) into DEB_CACHE.
 */
const TARGET_DEBS = { unarchive: ['zip', 'unzip', 'zstd'], template: ['bsdextrautils'] };
const DEB_CACHE = '/var/cache/haweb/ansible-targets-debs';
function debFiles(names) {
  const found = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.deb')).map((f) => join(dir, f)) : []);
  const pick = (name) => [...found('/var/cache/apt/archives'), ...found(DEB_CACHE)].find((f) => f.split('/').pop().startsWith(`${name}_`));
  const missing = names.filter((n) => !pick(n));
  if (missing.length) {
    mkdirSync(DEB_CACHE, { recursive: true });
    const r = sh('apt-get', ['-q', '-o', 'APT::Sandbox::User=root', 'download', ...missing], { cwd: DEB_CACHE, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`apt-get download ${missing.join(' ')}: ${r.stderr}`);
  }
  return names.map(pick).filter(Boolean);
}
function installDebs(target) {
  for (const file of debFiles(TARGET_DEBS[target] ?? [])) {
    const deb = file.split('/').pop();
    onHost(`cat > /tmp/${deb} && dpkg -i /tmp/${deb} >/dev/null && rm -f /tmp/${deb}`, readFileSync(file));
  }
}
function adaptUnarchive() {
  const file = join(targetsDir, 'unarchive/tasks/test_download.yml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const walk = (node) => {
    if (!isSeq(node)) return;
    node.items = node.items.filter((item) => !(isMap(item) && item.has('pip')));
    for (const item of node.items) if (isMap(item)) for (const k of ['block', 'rescue', 'always']) walk(item.get(k, true));
  };
  walk(doc.contents);
  const url = `http://${state.controllerAddress}:${servePort}/ansible-latest.tar.gz`;
  writeFileSync(file, String(doc).replace('https://releases.ansible.com/ansible/ansible-latest.tar.gz', url));
}

/** The archive test_download fetches, served from the controller's lab address (python3 http.server, stopped at the end). */
const servePort = 18000 + Math.floor(Math.random() * 1000);
let server;
function serveDownloads() {
  const dir = join(work, 'serve');
  mkdirSync(join(dir, 'ansible-latest'), { recursive: true });
  writeFileSync(join(dir, 'ansible-latest/README'), 'served inside the lab for test_download\n');
  sh('tar', ['-czf', join(dir, 'ansible-latest.tar.gz'), '-C', dir, 'ansible-latest']);
  server = spawn('python3', ['-m', 'http.server', String(servePort), '--bind', state.controllerAddress, '--directory', dir], { stdio: 'ignore' });
}

/** Every assert task of the target's own task files, by file (relative to the target) and line. */
function staticAsserts(target) {
  const tasksDir = join(targetsDir, target, 'tasks');
  const found = [];
  const walkTasks = (node, file, lc) => {
    if (!isSeq(node)) return;
    for (const item of node.items) {
      if (!isMap(item)) continue;
      const keys = item.items.map((p) => String(p.key?.value ?? p.key));
      if (keys.includes('assert') || keys.includes('ansible.builtin.assert')) {
        found.push(`${file}:${lc.linePos(item.range[0]).line}`);
      }
      for (const k of ['block', 'rescue', 'always']) {
        const pair = item.items.find((p) => String(p.key?.value ?? p.key) === k);
        if (pair) walkTasks(pair.value, file, lc);
      }
    }
  };
  const files = [];
  const collect = (dir) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) collect(p);
      else if (/\.ya?ml$/.test(e)) files.push(p);
    }
  };
  if (existsSync(tasksDir)) collect(tasksDir);
  for (const f of files.sort()) {
    const lc = new LineCounter();
    const doc = parseDocument(readFileSync(f, 'utf8'), { lineCounter: lc, uniqueKeys: false });
    walkTasks(doc.contents, relative(join(targetsDir, target), f), lc);
  }
  return found;
}

function playbookFor(target, outputDir) {
  const file = join(work, `play-${target}.yml`);
  writeFileSync(
    file,
    [
      `- hosts: ${host}`,
      '  gather_facts: true',
      '  vars:',
      `    output_dir: ${outputDir}`,
      // ansible-test's inventory names the interpreter; some targets read the variable (command_shell)
      '    ansible_python_interpreter: /usr/bin/python3',
      '  roles:',
      `    - ${target}`,
      '',
    ].join('\n'),
  );
  return file;
}

/** Where `path` of the lab host shows on the controller: through its init's /proc root, else the host's `root` folder. */
function hostRootFor(name, path) {
  const h = state.hosts.find((x) => x.name === name);
  for (const base of [h?.initPid ? `/proc/${h.initPid}/root` : undefined, h?.dir ? join(h.dir, 'root') : undefined]) {
    if (base && existsSync(join(base, path))) return join(base, path);
  }
  return undefined;
}

function onHost(script, input) {
  const r = sh(process.execPath, [join(root, 'packages/lab/dist/cli.js'), 'exec', '--name', labName, host, '--', 'sh', '-c', script], input === undefined ? {} : { input });
  if (r.status !== 0) throw new Error(`on ${host}: ${script}: ${r.stderr}`);
  return r.stdout;
}

/** `file:line` (relative to the target) → the statuses of each run of that task. */
function runProvision(target, play, outputDir) {
  const r = sh(process.execPath, [CLI, 'run', play, '-i', inventory, '--limit', host, '--json'], {
    cwd: work,
    timeout: 900_000,
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_ROLES_PATH: targetsDir, OUTPUT_DIR: outputDir },
  });
  const runs = new Map();
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return { runs, refused: (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ') };
  }
  for (const p of doc.plays) {
    for (const t of p.tasks) {
      if (!t.pos) continue;
      const key = `${relative(join(targetsDir, target), resolve(work, t.pos.file))}:${t.pos.line}`;
      const h = t.hosts[host];
      if (!h) continue;
      runs.set(key, [...(runs.get(key) ?? []), h.status]);
    }
  }
  return { runs, exit: r.status };
}

function runAnsible(target, play, outputDir) {
  const r = sh('ansible-playbook', ['-i', inventory, '--limit', host, play], {
    cwd: work,
    timeout: 900_000,
    env: { ...process.env, OUTPUT_DIR: outputDir, ANSIBLE_ROLES_PATH: targetsDir, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_PIPELINING: 'True' },
  });
  const runs = new Map();
  let doc;
  try {
    doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    return { runs, refused: (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ') };
  }
  for (const p of doc.plays) {
    for (const t of p.tasks) {
      const m = /^(.*):(\d+)$/.exec(t.task.path ?? '');
      if (!m) continue;
      const key = `${relative(join(targetsDir, target), resolve(work, m[1]))}:${m[2]}`;
      const h = t.hosts[host];
      if (!h) continue;
      const status = h.failed ? (h.ignore_errors ? 'ignored' : 'failed') : h.skipped ? 'skipped' : h.changed ? 'changed' : 'ok';
      runs.set(key, [...(runs.get(key) ?? []), status]);
    }
  }
  return { runs, exit: r.status };
}

const results = [];
try {
  const archive = sh('sh', ['-c', 'git --git-dir "$1" archive --format=tar "$2" test/integration/targets | tar -x -C "$3"', 'sh', gitDir, ref, work]);
  if (archive.status !== 0) throw new Error(`git archive: ${archive.stderr}`);
  adaptSetupRoles();
  if (targets.includes('unarchive')) {
    serveDownloads();
    adaptUnarchive();
  }
  for (const target of targets) {
    const asserts = staticAsserts(target);
    const row = { target, asserts: asserts.length };
    for (const engine of engines) {
      installDebs(target);
      // What a run leaves in the login user's home (a target's relative paths land there) goes after it.
      const homeBefore = new Set(onHost('ls -A "$HOME"').split('\n').filter(Boolean));
      const outputDir = onHost('mktemp -d /tmp/ansible-targets-out.XXXXXXXX').trim();
      // ansible-test's controller and target share a filesystem: some tasks stat {{ role_path }}/files/...
      // on the host. The target's folder is put on the host at the same path for the run.
      const roleTar = sh('tar', ['-C', '/', '-cf', '-', relative('/', join(targetsDir, target))], { encoding: 'buffer' });
      onHost('tar -C / -xf -', roleTar.stdout);
      // The same folder on the controller: ansible-test's output_dir is shared by controller and target
      // (template writes a source there with delegate_to: localhost, and reads results with lookup('file')).
      // The lab host's root file system is visible on the controller: the folder is a link to it. The
      // host's overlay is mounted in the host's own mount namespace (its folder `root` is empty seen from
      // the controller), so the link goes through /proc/<host's init>/root, which shows that namespace's
      // root. Without it the folder was a separate empty one on the controller and lookup('file') of a
      // file the host wrote failed (tasks/main.yml:398, for both tools).
      const outOnController = hostRootFor(host, outputDir);
      if (!outOnController) throw new Error(`${outputDir} of ${host} is not visible from the controller`);
      symlinkSync(outOnController, outputDir);
      const play = playbookFor(target, outputDir);
      const started = Date.now();
      const run = engine === 'provision' ? runProvision(target, play, outputDir) : runAnsible(target, play, outputDir);
      const passed = asserts.filter((a) => (run.runs.get(a) ?? []).length > 0 && run.runs.get(a).every((s) => s === 'ok'));
      row[engine] = { passed: passed.length, seconds: (Date.now() - started) / 1000, exit: run.exit, refused: run.refused };
      // --failures: each assert that did not pass, with what happened to it (never reached: -)
      if (args.includes('--failures')) {
        for (const a of asserts) if (!passed.includes(a)) console.log(`  ${engine} ${target}/${a}: ${(run.runs.get(a) ?? ['-']).join(',')}`);
      }
      onHost(`rm -rf ${outputDir} /tmp/ansible-targets.* '${work}'`);
      const leftInHome = onHost('ls -A "$HOME"').split('\n').filter((e) => e && !homeBefore.has(e));
      if (leftInHome.length) onHost(`cd "$HOME" && rm -rf -- ${leftInHome.map((e) => `'${e.replace(/'/g, "'\\''")}'`).join(' ')}`);
      rmSync(outputDir, { recursive: true, force: true });
    }
    results.push(row);
    const cell = (e) => (row[e] ? `${row[e].passed}/${row.asserts}${row[e].refused ? ` (refused: ${row[e].refused.slice(0, 160)})` : ''}` : '-');
    console.log(`${target.padEnd(12)} asserts ${String(row.asserts).padStart(3)}  ${engines.map((e) => `${e} ${cell(e)}`).join('  ')}`);
  }
  const total = (e) => results.reduce((n, r) => n + (r[e]?.passed ?? 0), 0);
  const all = results.reduce((n, r) => n + r.asserts, 0);
  console.log(`date: ${new Date().toISOString()}  ref: ${ref}  host: ${host}  total asserts: ${all}  ${engines.map((e) => `${e}: ${total(e)} (${all ? ((100 * total(e)) / all).toFixed(1) : 0}%)`).join('  ')}`);
  const out = opt('--json');
  if (out) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ref, results }, null, 2));
} finally {
  if (server) server.kill();
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}
