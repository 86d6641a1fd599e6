#!/usr/bin/env node
// Provisioner benchmark (run as root after `npm run build`):
//   node bench/provision/run.mjs [--hosts 2,10] [--runs 3] [--lab NAME] [--keep]
// The same ~20-task playbook (bench/provision/playbook) is run by `provision`, by Debian's
// `ansible-playbook` (tuned: pipelining, ControlPersist, forks 20) and by the same ansible-playbook with
// Mitogen (Debian's ansible-mitogen, strategy mitogen_linear, through an ansible.cfg written in the
// scratch folder) against the same hosts of a throw-away lab (never the default `haweb`), in one run:
// a first converge on clean hosts, then a no-op re-run, for each host count (the first N hosts of the
// lab, via --limit).
// Times are wall-clock of each command, process start-up included. Results: Markdown rows on stdout
// and JSON under bench/results/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const provisionCli = join(root, 'packages/cli/dist/provision.js');
const labCli = join(root, 'packages/lab/dist/cli.js');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const sizes = opt('--hosts', '2,10').split(',').map(Number);
const runs = Number(opt('--runs', '3'));
const labName = opt('--lab', 'benchprov');
const subnet = opt('--subnet', '198.18.120.0/24');
const keep = args.includes('--keep');
if (labName === 'haweb') throw new Error('the benchmark never uses the shared default lab');

function sh(cmd, argv, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}:\n${r.stdout?.slice(-3000)}\n${r.stderr?.slice(-3000)}`);
  return { seconds, stdout: r.stdout };
}

// A lab big enough for the largest size.
const maxHosts = Math.max(...sizes);
sh(process.execPath, [labCli, 'up', '--name', labName, '--subnet', subnet, '--hosts', String(maxHosts)], { stdio: ['ignore', 'inherit', 'inherit'] });
const labDir = `/var/lib/haweb/lab/${labName}`;
const state = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8'));
const inventory = join(labDir, 'inventory.yml');
if (state.hosts.length < maxHosts) throw new Error(`lab ${labName} has ${state.hosts.length} hosts, need ${maxHosts}`);

// The playbook in a scratch folder, with the archive it unpacks.
const work = mkdtempSync(join(tmpdir(), 'bench-provision-'));
cpSync(join(root, 'bench/provision/playbook'), work, { recursive: true });
mkdirSync(join(work, 'src/app'), { recursive: true });
writeFileSync(join(work, 'src/app/VERSION'), '1.0.0\n');
for (let i = 0; i < 50; i++) writeFileSync(join(work, `src/app/file${i}.txt`), `file ${i}\n`.repeat(20));
sh('tar', ['czf', join(work, 'files/app.tar.gz'), '-C', join(work, 'src'), 'app']);
const playbook = join(work, 'site.yml');

const ansibleEnv = {
  ...process.env,
  ANSIBLE_PIPELINING: 'True',
  ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=120s',
  ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, 'cp'),
  ANSIBLE_FORKS: '20',
  ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  ANSIBLE_HOST_KEY_CHECKING: 'True',
  ANSIBLE_RETRY_FILES_ENABLED: 'False',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
};

// Mitogen runs each host's modules in one Python interpreter it keeps over one SSH connection, so
// pipelining and ControlPersist do not apply to it; the rest of the tuning is the same. Its strategy is
// configured the way its documentation says (an ansible.cfg), so the file is what a user would write.
const mitogenPlugins = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';
if (!existsSync(join(mitogenPlugins, 'mitogen_linear.py'))) throw new Error(`no ${mitogenPlugins}/mitogen_linear.py: install Debian's ansible-mitogen (scripts/setup.sh does)`);
const mitogenCfg = join(work, 'ansible.cfg');
writeFileSync(
  mitogenCfg,
  [
    '[defaults]',
    `strategy_plugins = ${mitogenPlugins}`,
    'strategy = mitogen_linear',
    'forks = 20',
    'interpreter_python = /usr/bin/python3',
    'host_key_checking = True',
    'retry_files_enabled = False',
    'nocolor = True',
    `local_tmp = ${join(work, 'mitogen-tmp')}`,
    '',
  ].join('\n'),
);
// Only ANSIBLE_CONFIG: no ANSIBLE_* variable from the caller's environment overrides the file.
const mitogenEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANSIBLE_')));
mitogenEnv.ANSIBLE_CONFIG = mitogenCfg;
// Make sure Ansible reads that file and picks the strategy (a typo would silently run linear).
const mitogenConfig = sh('ansible-config', ['dump', '--only-changed'], { env: mitogenEnv }).stdout;
if (!/DEFAULT_STRATEGY\(.*\) = mitogen_linear/.test(mitogenConfig)) throw new Error(`ansible does not use mitogen_linear with ${mitogenCfg}:\n${mitogenConfig}`);

const tools = {
  provision: (limit) => sh(process.execPath, [provisionCli, 'run', playbook, '-i', inventory, '--limit', limit, '--forks', '20'], { env: { ...process.env, NO_COLOR: '1' } }),
  ansible: (limit) => sh('ansible-playbook', ['-i', inventory, playbook, '--limit', limit], { env: ansibleEnv }),
  mitogen: (limit) => sh('ansible-playbook', ['-i', inventory, playbook, '--limit', limit], { env: mitogenEnv }),
};

/** changed=N summed over the recap lines of either tool. */
function changedOf(stdout) {
  return [...stdout.matchAll(/changed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

function clean(hosts) {
  for (const h of hosts) sh(process.execPath, [labCli, 'exec', '--name', labName, h.name, '--', 'rm', '-rf', '/srv/bench']);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
console.log(`machine: ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| hosts | tool | first converge | no-op re-run | changed (converge / re-run) |\n|---|---|---|---|---|');
for (const n of sizes) {
  const hosts = state.hosts.slice(0, n);
  const limit = hosts.map((h) => h.name).join(':');
  const row = {};
  for (const [tool, run] of Object.entries(tools)) {
    const converge = [];
    const noop = [];
    let changed = [];
    for (let i = 0; i < runs; i++) {
      clean(hosts);
      const a = run(limit);
      const b = run(limit);
      converge.push(a.seconds);
      noop.push(b.seconds);
      changed = [changedOf(a.stdout), changedOf(b.stdout)];
      if (changed[1] !== 0) throw new Error(`${tool}: the re-run changed ${changed[1]} things:\n${b.stdout}`);
    }
    row[tool] = { converge: median(converge), noop: median(noop), convergeAll: converge, noopAll: noop, changed };
    console.log(`| ${n} | ${tool} | ${median(converge).toFixed(2)} s | ${median(noop).toFixed(2)} s | ${changed.join(' / ')} | load ${loadavg()[0].toFixed(1)}`);
  }
  const speedup = { converge: row.ansible.converge / row.provision.converge, noop: row.ansible.noop / row.provision.noop };
  const speedupMitogen = { converge: row.mitogen.converge / row.provision.converge, noop: row.mitogen.noop / row.provision.noop };
  console.log(`| ${n} | speed-up vs ansible | ${speedup.converge.toFixed(1)}x | ${speedup.noop.toFixed(1)}x | |`);
  console.log(`| ${n} | speed-up vs mitogen | ${speedupMitogen.converge.toFixed(1)}x | ${speedupMitogen.noop.toFixed(1)}x | |`);
  results.push({ hosts: n, ...row, speedup, speedupMitogen, load: loadavg() });
}
clean(state.hosts.slice(0, maxHosts));
if (!keep) sh(process.execPath, [labCli, 'down', '--name', labName], { stdio: ['ignore', 'inherit', 'inherit'] });

mkdirSync(join(root, 'bench/results'), { recursive: true });
const out = join(root, `bench/results/provision-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), runs, cpus: cpus().length, load: loadavg(), ansible: sh('ansible-playbook', ['--version']).stdout.split('\n')[0], results }, null, 2));
console.log(`saved ${out}`);
