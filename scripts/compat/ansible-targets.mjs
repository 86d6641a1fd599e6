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
 *        [--log DIR]   (each tool's output per target, DIR/<target>.<engine>.json, to see why a task failed)
 *        [--dev-action FILE=MODULE]   (development only: a templated module name in FILE replaced, a partial run)
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
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { GROUP_REPO } from './targets/group.mjs';
import { userTargetCleanup } from './targets/user.mjs';
import { setupGitTarget } from './targets/git.mjs';
import { prepareAptTargets } from './targets/apt.mjs';
import { setupRebootTarget } from './targets/reboot.mjs';
import { adaptHttptesterRoles, HTTP_TARGETS, resetHttptesterTarget, startHttptester } from './targets/httptester.mjs';

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
/**
 * Development only, never an official figure: --dev-action FILE=MODULE (FILE relative to the target's
 * tasks folder) replaces each templated module name (`action: "{{ ... }}"`) in FILE by MODULE, on its
 * own line (line numbers unchanged), in the exported copy both tools run. The printed summary says the
 * run is partial.
 */
const devActions = args.flatMap((a, i) => (a === '--dev-action' ? [args[i + 1]] : [])).map((v) => v.split('='));

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
 *  - the host's only apt source is a small flat repository served from the controller's lab address
 *    for the run: the archivers its prepare_tests installs with `package` (zip, unzip; zstd for its
 *    .tar.zst case), and python3-apt with the two packages it needs that the lab image lacks (Ansible's
 *    apt module, what `package` runs on Debian, imports it on the host). Before each tool's run they are
 *    installed from it (the same preparation for both tools), and test_missing_binaries' removal and
 *    reinstall of zip and unzip (a task and a handler) install them from it as from a mirror. The .debs
 *    come from the controller's apt cache (/var/cache/apt/archives); one it lacks is downloaded once
 *    by the controller's apt (Debian's mirror) into /var/cache/haweb/ansible-targets/debs; the host
 *    itself never reaches a mirror;
 *  - test_different_language_var installs Ubuntu's language-pack-fr with `apt` (when os_family is
 *    Debian). Debian has no such package (its tar carries its own French messages): the repository
 *    serves an empty placeholder package of that name, removed before each run, so that task installs
 *    it as on Ubuntu instead of ending the play on a Debian host;
 *  - test_download's pip tasks (CentOS 6 only, skipped elsewhere) are left out: `pip` is not a module
 *    this provisioner ships, and its refusal would stop the whole target;
 *  - the archive test_download fetches from releases.ansible.com comes from the controller's address
 *    in the lab instead (a small .tar.gz served over http for the run).
 */
const UNARCHIVE_DEBS = ['zip', 'unzip', 'zstd', 'distro-info-data', 'python-apt-common', 'python3-apt'];
/**
 * Other targets whose setup installs Debian packages with `package`/`apt` get the same served repository
 * (the same for both tools), with python3-apt installed from it before each run (Ansible's apt module
 * imports it on the host; without it ansible-playbook fails every such setup task on this image):
 * cron's setup_cron installs cron (the systemd image lacks it) and libfaketime (its faketime tests), package's tests install and remove `at`,
 * iptables and package_facts install packages the image already has (iptables; python3-apt), user's
 * test_local.yml installs libuser (Ansible's local: true runs luseradd) with the package manager.
 */
const REPO_TARGETS = { unarchive: ['zip', 'unzip', 'zstd', 'python3-apt'], cron: ['python3-apt'], iptables: ['python3-apt'], package_facts: ['python3-apt'], package: ['python3-apt'], user: ['python3-apt'] };
const REPO_DEBS = [...UNARCHIVE_DEBS, 'libfaketime', 'faketime', 'at', 'cron', 'cron-daemon-common', 'libuser', 'libuser1', 'libglib2.0-0', 'libpopt0'];
REPO_TARGETS.group = GROUP_REPO.install;
REPO_DEBS.push(...GROUP_REPO.debs);
const DEB_CACHES = ['/var/cache/apt/archives', '/var/cache/haweb/ansible-targets/debs'];
function debFiles(names) {
  const find = (p) => {
    for (const dir of DEB_CACHES) {
      const f = existsSync(dir) ? readdirSync(dir).find((e) => e.startsWith(`${p}_`) && e.endsWith('.deb')) : undefined;
      if (f) return join(dir, f);
    }
    return undefined;
  };
  const missing = names.filter((p) => !find(p));
  if (missing.length) {
    mkdirSync(DEB_CACHES[1], { recursive: true });
    const r = sh('apt-get', ['download', '-q', ...missing], { cwd: DEB_CACHES[1] });
    if (r.status !== 0) throw new Error(`apt-get download ${missing.join(' ')}: ${r.stderr}`);
  }
  return names.map((p) => find(p) ?? (() => { throw new Error(`no ${p}_*.deb in ${DEB_CACHES.join(' or ')}`); })());
}
/**
 * Debian packages a target's tasks call as commands that ansible-test's images have and the lab image
 * lacks, installed on the host with dpkg before each tool's run (the same for both): template dumps its
 * results with `hexdump -C` (bsdextrautils), copy's acls.yml runs getfacl/setfacl (acl). unarchive's come from the served repository instead
 * (installArchivers), because its tasks remove and reinstall them with apt.
 */
const TARGET_DEBS = { template: ['bsdextrautils'], copy: ['acl'] };
function installDebs(target) {
  for (const file of debFiles(TARGET_DEBS[target] ?? [])) {
    const deb = file.split('/').pop();
    onHost(`cat > /tmp/${deb} && dpkg -i /tmp/${deb} >/dev/null && rm -f /tmp/${deb}`, readFileSync(file));
  }
}
const REPO_SOURCE = '/etc/apt/sources.list.d/haweb-ansible-targets.list';
function installArchivers(target = 'unarchive') {
  const source = `deb [trusted=yes] http://${state.controllerAddress}:${servePort}/debs/ ./`;
  const install = REPO_TARGETS[target];
  onHost(
    `echo '${source}' > ${REPO_SOURCE} && apt-get update -q >/dev/null && ` +
      `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${install.join(' ')} >/dev/null && ` +
      'dpkg -r language-pack-fr >/dev/null 2>&1; true',
  );
}

/** The flat repository installArchivers names: the .debs above and the placeholder, indexed. */
function buildRepo(dir) {
  mkdirSync(dir, { recursive: true });
  for (const deb of debFiles(REPO_DEBS)) copyFileSync(deb, join(dir, deb.split('/').pop()));
  const pkg = join(work, 'language-pack-fr');
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(pkg, 'DEBIAN/control'),
    'Package: language-pack-fr\nVersion: 0.0-haweb1\nArchitecture: all\nMaintainer: haweb lab <lab@invalid>\n' +
      'Description: placeholder for Ubuntu\'s French language pack (ansible-targets.mjs)\n',
  );
  const built = sh('dpkg-deb', ['--build', '--root-owner-group', pkg, join(dir, 'language-pack-fr_0.0-haweb1_all.deb')]);
  if (built.status !== 0) throw new Error(`dpkg-deb: ${built.stderr}`);
  const index = sh('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir });
  if (index.status !== 0) throw new Error(`dpkg-scanpackages: ${index.stderr}`);
  writeFileSync(join(dir, 'Packages'), index.stdout);
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
  buildRepo(join(dir, 'debs'));
  server = spawn('python3', ['-m', 'http.server', String(servePort), '--bind', state.controllerAddress, '--directory', dir], { stdio: 'ignore' });
  // The host's apt-get update comes next: wait (at most 10 s) until the server answers.
  for (let i = 0; i < 100; i++) {
    if (sh('bash', ['-c', `exec 3<>/dev/tcp/${state.controllerAddress}/${servePort}`]).status === 0) return;
    sh('sleep', ['0.1']);
  }
  throw new Error(`the download server on ${state.controllerAddress}:${servePort} does not answer`);
}

function applyDevActions(target) {
  for (const [file, module] of devActions) {
    const path = join(targetsDir, target, 'tasks', file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const changed = text.replace(/^(\s*(?:- )?action:\s*)(["'])\{\{.*\}\}\2\s*$/gm, `$1${module}`);
    if (changed === text) throw new Error(`--dev-action: no templated action in ${target}/tasks/${file}`);
    writeFileSync(path, changed);
    console.log(`PARTIAL RUN (development, --dev-action): ${target}/tasks/${file}: templated action -> ${module}, for both tools; not the unmodified target`);
  }
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
      `    output_dir: ${aptPrep?.outputDirFor(target) ?? outputDir}`,
      // ansible-test's inventory names the interpreter; some targets read the variable (command_shell)
      '    ansible_python_interpreter: /usr/bin/python3',
      ...(aptPrep?.playKeys(target) ?? []),
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
  // The host's init as its supervisor records it now (a target that reboots the host, reboot, leaves it with another one).
  const pidFile = h?.dir ? join(h.dir, 'init.pid') : undefined;
  const initPid = (pidFile && existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '') || h?.initPid;
  for (const base of [initPid ? `/proc/${initPid}/root` : undefined, h?.dir ? join(h.dir, 'root') : undefined]) {
    if (base && existsSync(join(base, path))) return join(base, path);
  }
  return undefined;
}

function onHost(script, input, on = host) {
  let r;
  // A host a target has just rebooted (reboot) may be between two inits: wait for it, at most 60 s.
  for (let i = 0; i < 60; i++) {
    r = sh(process.execPath, [join(root, 'packages/lab/dist/cli.js'), 'exec', '--name', labName, on, '--', 'sh', '-c', script], input === undefined ? {} : { input });
    if (r.status === 0 || !/is not running/.test(r.stderr)) break;
    sh('sleep', ['1']);
  }
  if (r.status !== 0) throw new Error(`on ${on}: ${script}: ${r.stderr}`);
  return r.stdout;
}

/** `file:line` (relative to the target) → the statuses of each run of that task. */
function keepLog(target, engine, r) {
  const dir = opt('--log');
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${target}.${engine}.json`), r.stdout ?? '');
  if (r.stderr) writeFileSync(join(dir, `${target}.${engine}.stderr`), r.stderr);
}

function runProvision(target, play, outputDir) {
  const r = sh(process.execPath, [CLI, 'run', play, '-i', inventory, '--limit', host, '--json'], {
    cwd: work,
    timeout: 900_000,
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_ROLES_PATH: targetsDir, OUTPUT_DIR: outputDir },
  });
  keepLog(target, 'provision', r);
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
  keepLog(target, 'ansible', r);
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
// Targets whose setup lives in scripts/compat/targets/<target>.mjs: started once, prepare() before each tool's run.
const targetSetups = {};
let aptPrep;
let httptester;
try {
  const archive = sh('sh', ['-c', 'git --git-dir "$1" archive --format=tar "$2" test/integration/targets | tar -x -C "$3"', 'sh', gitDir, ref, work]);
  if (archive.status !== 0) throw new Error(`git archive: ${archive.stderr}`);
  adaptSetupRoles();
  if (targets.some((t) => REPO_TARGETS[t])) serveDownloads();
  if (targets.includes('unarchive')) adaptUnarchive();
  if (targets.includes('git')) targetSetups.git = setupGitTarget({ state, work, targetsDir, onHost });
  // reboot: a lab host comes back in 1-3 s; its sshd starts 12 s into the boot, as a VM's comes back (targets/reboot.mjs)
  if (targets.includes('reboot')) targetSetups.reboot = setupRebootTarget({ onHost });
  // apt, apt_key, reboot: their own served repository and downloads (scripts/compat/targets/apt.mjs)
  aptPrep = prepareAptTargets({ targets, targetsDir, work, state, onHost });
  // needs/httptester targets (get_url, uri): ansible-test's HTTP test container, rebuilt in the lab (targets/httptester.mjs)
  if (targets.some((t) => HTTP_TARGETS.includes(t))) {
    adaptHttptesterRoles(targetsDir);
    httptester = startHttptester({ state, target: host, work, exec: (on, script, input) => onHost(script, input, on) });
    Object.assign(process.env, httptester.env);
  }
  for (const target of targets) {
    applyDevActions(target);
    const asserts = staticAsserts(target);
    const row = { target, asserts: asserts.length };
    for (const engine of engines) {
      if (REPO_TARGETS[target]) installArchivers(target);
      else if (aptPrep?.targets.includes(target)) aptPrep.before(target);
      else installDebs(target);
      if (target === 'user') onHost(userTargetCleanup());
      targetSetups[target]?.prepare();
      if (httptester && HTTP_TARGETS.includes(target)) resetHttptesterTarget((on, script) => onHost(script, undefined, on), host);
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
      if (target === 'user') onHost(userTargetCleanup());
      const leftInHome = onHost('ls -A "$HOME"').split('\n').filter((e) => e && !homeBefore.has(e));
      if (leftInHome.length) onHost(`cd "$HOME" && rm -rf -- ${leftInHome.map((e) => `'${e.replace(/'/g, "'\\''")}'`).join(' ')}`);
      rmSync(outputDir, { recursive: true, force: true });
      if (aptPrep?.targets.includes(target)) aptPrep.after();
    }
    results.push(row);
    const cell = (e) => (row[e] ? `${row[e].passed}/${row.asserts}${row[e].refused ? ` (refused: ${row[e].refused.slice(0, 160)})` : ''}` : '-');
    console.log(`${target.padEnd(12)} asserts ${String(row.asserts).padStart(3)}  ${engines.map((e) => `${e} ${cell(e)}`).join('  ')}`);
  }
  const total = (e) => results.reduce((n, r) => n + (r[e]?.passed ?? 0), 0);
  const all = results.reduce((n, r) => n + r.asserts, 0);
  console.log(`${devActions.length ? 'PARTIAL RUN (--dev-action)  ' : ''}date: ${new Date().toISOString()}  ref: ${ref}  host: ${host}  total asserts: ${all}  ${engines.map((e) => `${e}: ${total(e)} (${all ? ((100 * total(e)) / all).toFixed(1) : 0}%)`).join('  ')}`);
  const out = opt('--json');
  if (out) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ref, results }, null, 2));
} finally {
  httptester?.stop();
  if (server) server.kill();
  for (const s of Object.values(targetSetups)) s.stop();
  aptPrep?.stop();
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  else console.error(`kept ${work}`);
}
