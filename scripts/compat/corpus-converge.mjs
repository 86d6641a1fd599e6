#!/usr/bin/env node
/**
 * Host-state comparison for entries of the public corpus (scripts/compat/corpus.json): each entry is
 * applied to two identical fresh lab hosts, by Debian's `ansible-playbook` on one and by `provision
 * run` on the other, as its authors wrote it (a role through a generated one-play playbook with its own
 * defaults, like corpus.mjs). Then the two hosts are compared:
 *   - every path either host changed (the union of the two hosts' overlay upper layers, so nothing
 *     the image already had and neither run touched): type, mode, owner, group, symlink target and
 *     content (SHA-256, with each host's own name and address replaced by placeholders first); this
 *     covers the rc links (/etc/rc?.d) and systemd's unit links (/etc/systemd/system);
 *   - the running processes (user and command name; SSH sessions and the probe itself left out);
 *   - the listening TCP/UDP sockets.
 * Then both tools run the same playbook a second time on their host and their recaps are recorded:
 * `provision` must report changed=0.
 *
 * Offline: the packages the entries install (and python3-apt, which Ansible's apt module needs, and
 * cron, which a Debian server has) are downloaded once with the machine's apt configuration (Debian's
 * registry) into /var/cache/haweb/corpus-repo/<key>/, indexed as a flat repository and served from
 * the lab's bridge namespace at the gateway address; the hosts name it as their only apt source.
 * Both hosts get the same preparation (the source, `apt-get update`, python3-apt and cron without their
 * recommended packages) before the runs.
 *
 *   node scripts/compat/corpus-converge.mjs [--lab cor] [--subnet 198.18.66.0/24] [--jobs 3] [--init systemd] [--json out.json] [--keep] [id-substring...]
 *
 * Without names it runs the entries of CONVERGE that converge on the hosts' init (SYSTEMD_ONLY with
 * --init systemd, the others without). Some entries get play variables or role parameters (PLAY_VARS,
 * ROLE_PARAMS), the same for both tools, each with why.
 *
 * Needs root (the lab). Brings the lab up with two hosts per entry and takes it down at the end
 * (--keep leaves it up to look at the hosts).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_PORT, ensureRepo, startRepoServer } from './lab-repo.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const provisionJs = join(root, 'packages/cli/dist/provision.js');
const labCli = join(root, 'packages/lab/dist/cli.js');
const lab = await import(join(root, 'packages/lab/dist/index.js'));
const mirror = process.env.HAWEB_CORPUS_MIRROR ?? '/work/.mirror';
const scratch = process.env.HAWEB_CORPUS_DIR ?? '/tmp/haweb-corpus';
const RUN_TIMEOUT_MS = 15 * 60_000;

/**
 * The entries that can converge on a Debian bookworm lab host without the internet, and why others
 * cannot (recorded in docs/compatibility/corpus.md). Each lists the packages it installs there.
 */
export const CONVERGE = {
  'geerlingguy.nginx': ['nginx'],
  'geerlingguy.apache': ['apache2', 'apache2-utils'],
  'geerlingguy.memcached': ['memcached'],
  'geerlingguy.postfix': ['postfix'],
  'geerlingguy.firewall': ['iptables'],
  'geerlingguy.haproxy': ['haproxy'],
  'mrlesmithjr.keepalived': ['keepalived'],
  'geerlingguy.ntp': ['ntpsec', 'tzdata'],
  'geerlingguy.redis': ['redis-server'],
  'geerlingguy.php': ['php8.2-common', 'php8.2-cli', 'php8.2-dev', 'php8.2-fpm', 'libpcre3-dev', 'php8.2-gd', 'php8.2-curl', 'php8.2-imap', 'php8.2-opcache', 'php8.2-xml', 'php8.2-mbstring', 'php8.2-apcu', 'php8.2-sqlite3'],
  'geerlingguy.java': ['openjdk-17-jdk'],
  'geerlingguy.postgresql': ['postgresql', 'postgresql-contrib', 'libpq-dev', 'python3-psycopg2', 'locales'],
  'Oefenweb.keepalived': ['keepalived', 'procps'],
  'evrardjp.keepalived': ['keepalived'],
  'geerlingguy.swap': [],
  // Alone, with the role's defaults only, both tools fail on its first task (it needs the `user` role
  // parameter kubespray's own roles give it); applied as kubespray applies it (ROLE_PARAMS), it runs.
  'kubespray.adduser': [],
};
/** Not in the default run (only when named). */
export const CONVERGE_LARGE = {
  // Refused by `provision check` until other branches merge (unarchive `copy`, file `setype`); run them
  // by name then. Their packages (Debian 12): git; MariaDB as default-mysql-server and the role's
  // mysql_python_package_debian.
  'geerlingguy.git': ['git'],
  'geerlingguy.mysql': ['default-mysql-server', 'python3-mysqldb'],
};

/**
 * Variables some entries need to run on a lab host, given to both tools identically as play `vars`
 * (the precedence of inventory group_vars over role defaults), each with why. Only variables the role
 * documents (README or its own tests) and only where its defaults cannot run offline or on a lab host.
 */
export const PLAY_VARS = {
  // Its default (`git`) clones keepalived from GitHub and builds it: no internet in the lab. `native`
  // is the README's other install method (Debian's package).
  'Oefenweb.keepalived': { keepalived_install_method: 'native' },
  // swapon on a lab host would act on the machine's kernel (swap is not per namespace): the role's own
  // tests (molecule/default/converge.yml) set swap_test_mode for containers, which skips only swapon.
  'geerlingguy.swap': { swap_test_mode: true },
  // ntpd (ntpsec) exits on a lab host: it keeps CAP_SYS_TIME when it drops root ("cap_set_proc() failed
  // to drop root privs"), and lab hosts lack that capability on purpose (the clock is the machine's,
  // not a namespace's). The README's own advice for hosts that share their host's clock (containers):
  // `ntp_enabled: false`, so the role configures ntp and keeps the daemon stopped and disabled.
  'geerlingguy.ntp': { ntp_enabled: false },
  // With the role's defaults (keepalived_config: false) the configuration has nothing to run: keepalived
  // says "no configuration to run" and never tells systemd it is ready (Type=notify), so the start
  // times out on any systemd host (measured on lab hosts, both tools). The role's own test play
  // (molecule/shared/converge.yml) gives it one VRRP instance: these are its variables. The VIP
  // (TEST-NET-1) and VRRP stay on the lab LAN, in each host's own network namespace.
  // The README calls keepalived_instances mandatory (its default, {}, leaves keepalived nothing to run:
  // the same systemd start timeout). One instance in the shape of the role's gated example
  // (tests/molecule-basic-scenario-vars.yml), with its per-host choices (first host of a `keepalived`
  // group MASTER) fixed, so that both hosts are given the same configuration.
  'evrardjp.keepalived': {
    keepalived_instances: {
      internal: {
        interface: '{{ ansible_default_ipv4.interface }}', state: 'MASTER', virtual_router_id: 42, priority: '200',
        vips: ['192.0.2.100/24 dev {{ ansible_default_ipv4.interface }}'],
      },
    },
  },
  'mrlesmithjr.keepalived': {
    keepalived_config: true,
    keepalived_sysctl_config: true,
    keepalived_router_info: [{
      name: 'vrrp_1', master_node: '{{ inventory_hostname }}', router_id: 50, router_pri_backup: 100, router_pri_master: 150,
      vip_int: '{{ ansible_default_ipv4.interface }}', vip_addresses: ['192.0.2.100'],
    }],
  },
};

/**
 * Entries that converge on systemd hosts only (`--init systemd`), as Debian servers boot, with why
 * they do not on the lab's default sysvinit hosts.
 */
export const SYSTEMD_ONLY = {
  // Debian's keepalived init script has no `status` action: it exits 1 (usage), which Ansible's sysvinit
  // module (and provision, alike) reads as LSB "not running", so both start the running daemon again
  // at every run (changed=1), measured 2026-12-05 on sysvinit lab hosts. Debian servers run systemd.
  'mrlesmithjr.keepalived': 'the keepalived init script has no status action',
  // Their tasks branch on ansible_service_mgr: on sysvinit Oefenweb's writes an upstart job into
  // /etc/init (missing: fails); evrardjp's service task passes daemon_reload/masked, which the sysvinit
  // module refuses (Ansible fails; provision the same).
  'Oefenweb.keepalived': 'upstart tasks on a non-systemd host',
  'evrardjp.keepalived': 'service daemon_reload/masked unsupported by sysvinit',
};

/**
 * Role parameters, for roles that are only ever applied with them: each item is one application of the
 * role. kubespray.adduser is applied by kubespray's own roles (etcd, kubernetes/preinstall: meta
 * dependencies) as `user: "{{ addusers.etcd }}"` and `user: "{{ addusers.kube }}"` (the role's defaults).
 */
export const ROLE_PARAMS = {
  'kubespray.adduser': [{ user: '{{ addusers.etcd }}' }, { user: '{{ addusers.kube }}' }],
};
/** What every host gets before the runs, identically. */
const BASELINE = ['python3-apt', 'cron'];

/** Paths whose changes say nothing of the entry: caches, logs, run state, Ansible's own temp files, host identity. */
const VOLATILE = [
  /^\/(proc|sys|dev|run|tmp)(\/|$)/, /^\/var\/(log|cache|tmp|backups)(\/|$)/, /^\/var\/lib\/apt\/lists(\/|$)/,
  /^\/root\/\.ansible(\/|$)/, /^\/root\/\.cache(\/|$)/, /^\/root\/\.bash_history$/, /^\/root\/\.lesshst$/, /^\/root\/\.ssh\/known_hosts$/,
  /^\/var\/lib\/dpkg\/[^/]+-old$/, /^\/var\/lib\/dpkg\/(lock|lock-frontend|triggers\/Lock)$/, /^\/var\/lib\/apt\/(daily_lock|periodic)/,
  /^\/etc\/ssh\/ssh_host_/, /^\/etc\/(hostname|hosts|mtab|resolv\.conf)$/, /^\/var\/lib\/ucf\/cache(\/|$)/,
  /^\/var\/run(\/|$)/, /^\/var\/lock(\/|$)/, /^\/var\/spool\/postfix\/(pid|public|private|maildrop)(\/|$)/, /\/__pycache__(\/|$)/,
  // The hash-named link to ssl-cert's snakeoil certificate: its name is the hash of a certificate made at random.
  /^\/etc\/ssl\/certs\/[0-9a-f]{8}\.\d$/,
  // Postfix's chroot: copies of /etc files its init script refreshes at every start.
  /^\/var\/spool\/postfix\/(etc|lib|usr)(\/|$)/,
];

/**
 * Content that packages generate at random when they are installed (keys, machine ids): compared by
 * type, mode and owner only, never by content, and listed in the report.
 */
const RANDOM_CONTENT = [
  /^\/etc\/ssl\/private\/ssl-cert-snakeoil\.key$/, /^\/etc\/ssl\/certs\/ssl-cert-snakeoil\.pem$/,
  /^\/etc\/machine-id$/, /^\/var\/lib\/dbus\/machine-id$/, /^\/var\/lib\/systemd\/random-seed$/,
  /^\/var\/lib\/postfix\/(master\.lock|prng_exch)$/, /^\/etc\/postfix\/sasl_passwd\.db$/,
  // Berkeley DB files (newaliases, postmap): unused bytes of their pages are not zeroed.
  /^\/etc\/aliases\.db$/,
  // Redis's snapshot of its data, written when it stops, with the time and memory use inside.
  /^\/var\/lib\/redis\/dump\.rdb$/,
  // Java's CA keystore, made by ca-certificates-java at install with the time in each entry.
  /^\/etc\/ssl\/certs\/java\/cacerts$/,
  // geerlingguy.swap's swap file: mkswap writes a random UUID into its header.
  /^\/swapfile$/,
  // A database server's own storage (MariaDB's, PostgreSQL's cluster): pages carry log sequence
  // numbers, timestamps and server ids. What the entry put in them is compared by LOGICAL_STATE.
  /^\/var\/lib\/mysql\//, /^\/var\/lib\/postgresql\/\d+\/main\//,
];

/**
 * The logical content of the storage RANDOM_CONTENT leaves out, read by a command on each host: its
 * output must be the same on both (users, their hosts and authentication plugins, databases, grants).
 */
const LOGICAL_STATE = {
  'geerlingguy.mysql': [
    'mysql', '-NBe',
    "SELECT user, host, plugin, authentication_string FROM mysql.user ORDER BY 1, 2; SELECT schema_name, default_character_set_name, default_collation_name FROM information_schema.schemata ORDER BY 1; SELECT * FROM mysql.db ORDER BY 1, 2, 3",
  ],
  'geerlingguy.postgresql': [
    'su', 'postgres', '-c',
    "psql -AtX -c 'SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolpassword FROM pg_authid ORDER BY 1' -c 'SELECT datname, pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datacl FROM pg_database ORDER BY 1'",
  ],
};

const args = process.argv.slice(2);
let jsonOut;
let labName = process.env.HAWEB_LAB_NAME ?? 'cor';
let subnet = process.env.HAWEB_LAB_SUBNET ?? '198.18.66.0/24';
let keep = false;
let jobs = 3;
// The hosts' init: sysvinit (the lab's default) or systemd (as Debian servers boot; see SYSTEMD_ONLY).
let init = 'sysvinit';
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') jsonOut = args[++i];
  else if (args[i] === '--lab') labName = args[++i];
  else if (args[i] === '--subnet') subnet = args[++i];
  else if (args[i] === '--keep') keep = true;
  else if (args[i] === '--jobs') jobs = Number(args[++i]);
  else if (args[i] === '--init') init = args[++i];
  else filters.push(args[i]);
}

const { entries } = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8'));
const candidates = { ...CONVERGE, ...(filters.length ? CONVERGE_LARGE : {}) };
// Without names: the entries of the hosts' init (the systemd-only ones with --init systemd, the others without).
const chosen = entries.filter((e) => e.id in candidates && (filters.length ? filters.some((f) => e.id.includes(f)) : (e.id in SYSTEMD_ONLY) === (init === 'systemd')));
if (chosen.length === 0) throw new Error(`no entry to converge (known: ${Object.keys({ ...CONVERGE, ...CONVERGE_LARGE }).join(', ')})`);

const log = (m) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

// ---------------------------------------------------------------------------------------------
// Entries: the repository exported at the recorded commit, the playbook to run.

function exportRepo(repo, commit) {
  const dir = join(scratch, `${repo.replace('/', '+')}@${commit.slice(0, 12)}`);
  if (existsSync(join(dir, '.exported'))) return dir;
  const git = join(mirror, repo.replace('/', '+'), 'repo');
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', git, 'archive', commit], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar, maxBuffer: 1 << 30 });
  writeFileSync(join(dir, '.exported'), `${repo} ${commit}\n`);
  return dir;
}

function target(entry) {
  const dir = exportRepo(entry.repo, entry.commit);
  if (entry.kind === 'playbook') return { playbook: join(dir, entry.path), cwd: dirname(join(dir, entry.path)) };
  const roleDir = join(dir, entry.path);
  const gen = join(scratch, 'converge', entry.id.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(gen, { recursive: true });
  const playbook = join(gen, 'site.yml');
  const vars = PLAY_VARS[entry.id];
  const roles = (ROLE_PARAMS[entry.id] ?? [{}]).map((params) => `    - ${JSON.stringify({ role: roleDir, ...params })}\n`).join('');
  writeFileSync(playbook, `- hosts: all\n${vars ? `  vars: ${JSON.stringify(vars)}\n` : ''}  roles:\n${roles}`);
  return { playbook, cwd: roleDir, rolesPath: entry.rolesPath ? join(dir, entry.rolesPath) : undefined };
}

/** spawnSync's result shape, without blocking: entries run side by side. */
function runAsync(cmd, argv, opts) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ status: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

async function runAnsible(t, inventory, host) {
  const env = {
    ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_HOST_KEY_CHECKING: 'True', ...(t.rolesPath ? { ANSIBLE_ROLES_PATH: t.rolesPath } : {}),
  };
  const r = await runAsync('ansible-playbook', ['-i', inventory, '-l', host, t.playbook], { cwd: t.cwd, env, timeout: RUN_TIMEOUT_MS });
  let stats;
  let failedTasks = [];
  let changedTasks = [];
  try {
    const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    const s = doc.stats[host] ?? {};
    stats = { ok: s.ok, changed: s.changed, failed: s.failures, unreachable: s.unreachable, skipped: s.skipped };
    failedTasks = doc.plays.flatMap((p) => p.tasks).filter((t2) => t2.hosts[host]?.failed && !t2.hosts[host]?.ignore_errors).map((t2) => `${t2.task.name}: ${String(t2.hosts[host].msg ?? '').slice(0, 300)}`);
    changedTasks = doc.plays.flatMap((p) => p.tasks).filter((t2) => t2.hosts[host]?.changed).map((t2) => t2.task.name);
  } catch {
    stats = undefined;
  }
  return { code: r.status, stats, failedTasks, changedTasks, tail: r.status === 0 ? undefined : `${r.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ') };
}

async function runProvision(t, inventory, host) {
  const env = { ...process.env, NO_COLOR: '1', ...(t.rolesPath ? { ANSIBLE_ROLES_PATH: t.rolesPath } : {}) };
  const r = await runAsync(process.execPath, [provisionJs, 'run', '-i', inventory, '-l', host, '--json', t.playbook], { cwd: t.cwd, env, timeout: RUN_TIMEOUT_MS });
  let stats;
  let failedTasks = [];
  let changedTasks = [];
  try {
    const doc = JSON.parse(r.stdout);
    const s = doc.stats[host] ?? {};
    stats = { ok: s.ok, changed: s.changed, failed: s.failed, unreachable: s.unreachable, skipped: s.skipped };
    failedTasks = doc.plays.flatMap((p) => p.tasks).filter((t2) => t2.hosts[host]?.status === 'failed' && !t2.hosts[host]?.ignored).map((t2) => `${t2.name}: ${String(t2.hosts[host].msg ?? t2.hosts[host].result?.msg ?? '').slice(0, 300)}`);
    changedTasks = doc.plays.flatMap((p) => p.tasks).filter((t2) => t2.hosts[host]?.status === 'changed').map((t2) => t2.name);
  } catch {
    stats = undefined;
  }
  return { code: r.status, stats, failedTasks, changedTasks, tail: r.status === 0 ? undefined : `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ') };
}

// ---------------------------------------------------------------------------------------------
// Host state.

/** Every path under a host's overlay upper layer (what the host changed since the image), volatile ones left out. */
function changedPaths(upper) {
  const out = [];
  const walk = (dir, rel) => {
    let names;
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = `${rel}/${name}`;
      if (VOLATILE.some((re) => re.test(path))) continue;
      out.push(path);
      const st = lstatSync(join(dir, name));
      if (st.isDirectory()) walk(join(dir, name), path);
    }
  };
  walk(upper, '');
  return out;
}

/** Run on a host with python3: one JSON line per path, then the processes and listening sockets. */
const PROBE = String.raw`
import hashlib, json, os, pwd, grp, stat, sys
name, addr = sys.argv[1].encode(), sys.argv[2].encode()
def norm(b):
    return b.replace(name, b'@HOST@').replace(addr, b'@ADDR@')
def owner(uid):
    try: return pwd.getpwuid(uid).pw_name
    except KeyError: return str(uid)
def group(gid):
    try: return grp.getgrgid(gid).gr_name
    except KeyError: return str(gid)
files = {}
for p in sys.stdin.read().split('\0'):
    if not p: continue
    try: st = os.lstat(p)
    except FileNotFoundError:
        files[p] = {'type': 'absent'}; continue
    kind = 'file' if stat.S_ISREG(st.st_mode) else 'dir' if stat.S_ISDIR(st.st_mode) else 'link' if stat.S_ISLNK(st.st_mode) else 'other'
    rec = {'type': kind, 'mode': oct(stat.S_IMODE(st.st_mode)), 'owner': owner(st.st_uid), 'group': group(st.st_gid)}
    if kind == 'link': rec['target'] = norm(os.readlink(p).encode()).decode('utf8', 'replace')
    if kind == 'file':
        with open(p, 'rb') as f: rec['sha256'] = hashlib.sha256(norm(f.read())).hexdigest()
    files[p] = rec
procs = {}
for pid in os.listdir('/proc'):
    if not pid.isdigit(): continue
    try:
        with open('/proc/%s/stat' % pid) as f: s = f.read()
        comm = s[s.index('(') + 1:s.rindex(')')]
        ppid = int(s[s.rindex(')') + 2:].split()[1])
        uid = os.stat('/proc/%s' % pid).st_uid
    except (FileNotFoundError, ProcessLookupError, ValueError):
        continue
    procs[int(pid)] = (comm, ppid, owner(uid))
def session(pid):
    # The probe's own chain, and anything under an sshd that is not the listener (SSH sessions).
    seen = 0
    while pid in procs and seen < 64:
        comm, ppid, _ = procs[pid]
        if pid == os.getpid(): return True
        if comm == 'sshd' and ppid != 1: return True
        pid, seen = ppid, seen + 1
    return False
me = os.getpid()
chain = set()
p = me
while p in procs and p not in chain:
    chain.add(p); p = procs[p][1]
# (sd-pam): the user manager pam_systemd starts for an SSH login on a systemd host (user@0.service), a
# child of PID 1 that lingers after the session; Ansible's persistent SSH connection keeps it longer.
running = sorted(set('%s %s' % (u, c) for pid, (c, pp, u) in procs.items() if pid not in chain and not session(pid) and c not in ('kworker', '(sd-pam)')))
socks = []
for proto in ('tcp', 'tcp6', 'udp', 'udp6'):
    try:
        with open('/proc/net/' + proto) as f: lines = f.read().splitlines()[1:]
    except FileNotFoundError: continue
    for l in lines:
        parts = l.split()
        if proto.startswith('tcp') and parts[3] != '0A': continue
        if proto.startswith('udp') and parts[2] != '00000000:0000': continue
        socks.append('%s port %d' % (proto, int(parts[1].split(':')[1], 16)))
print(json.dumps({'files': files, 'running': running, 'listening': sorted(set(socks))}))
`;

async function hostState(state, host, paths) {
  const h = state.hosts.find((x) => x.name === host);
  const r = await lab.hostExec(state, host, ['python3', '-c', PROBE, host, h.address], { input: paths.join('\0'), timeoutMs: 300_000 });
  return JSON.parse(r.stdout);
}

function compareStates(a, b) {
  const differences = [];
  const randomOnly = [];
  for (const path of [...new Set([...Object.keys(a.files), ...Object.keys(b.files)])].sort()) {
    const x = a.files[path] ?? { type: 'absent' };
    const y = b.files[path] ?? { type: 'absent' };
    const random = RANDOM_CONTENT.some((re) => re.test(path));
    const fields = ['type', 'mode', 'owner', 'group', 'target', ...(random ? [] : ['sha256'])];
    const diff = fields.filter((f) => x[f] !== y[f]);
    if (diff.length) differences.push({ path, fields: diff, ansible: x, provision: y });
    else if (random && x.sha256 !== y.sha256) randomOnly.push(path);
  }
  const setDiff = (p, q) => p.filter((v) => !q.includes(v));
  return {
    differences,
    randomContent: randomOnly,
    running: { onlyAnsible: setDiff(a.running, b.running), onlyProvision: setDiff(b.running, a.running) },
    listening: { onlyAnsible: setDiff(a.listening, b.listening), onlyProvision: setDiff(b.listening, a.listening) },
  };
}

// ---------------------------------------------------------------------------------------------

function labCli_(argv) {
  const r = spawnSync(process.execPath, [labCli, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`lab ${argv.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const results = [];
let serverPid;
const stopServer = () => {
  if (serverPid) {
    try {
      process.kill(serverPid, 'SIGTERM');
    } catch {
      /* gone */
    }
    serverPid = undefined;
  }
};
process.on('exit', stopServer);
try {
  log(`lab ${labName} (${subnet}, ${init}): ${chosen.length * 2} hosts`);
  const wrongInit = chosen.filter((e) => SYSTEMD_ONLY[e.id] && init !== 'systemd');
  if (wrongInit.length) log(`warning: ${wrongInit.map((e) => e.id).join(', ')} converge on systemd hosts only (--init systemd): ${wrongInit.map((e) => SYSTEMD_ONLY[e.id]).join('; ')}`);
  labCli_(['up', '--name', labName, '--subnet', subnet, '--hosts', String(chosen.length * 2), '--init', init]);
  const state = await lab.readLabState(labName);
  const packages = [...new Set([...BASELINE, ...chosen.flatMap((e) => candidates[e.id])])];
  const repo = ensureRepo(state.image.rootfs, packages);
  serverPid = startRepoServer(state, repo);
  const inventory = state.paths.inventory;
  const hosts = state.hosts.map((h) => h.name);
  log('preparing every host the same way (apt source, apt-get update, python3-apt, cron)');
  const source = `deb [trusted=yes] http://${state.gateway}:${REPO_PORT}/ ./`;
  await Promise.all(
    hosts.map((h) =>
      lab.hostExec(state, h, ['sh', '-c', `echo '${source}' > /etc/apt/sources.list.d/haweb-corpus.list && apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${BASELINE.join(' ')} >/dev/null`], { timeoutMs: 600_000 }),
    ),
  );
  const one = async (entry, i) => {
    const [ansibleHost, provisionHost] = [hosts[2 * i], hosts[2 * i + 1]];
    const t = target(entry);
    log(`${entry.id}: ansible-playbook on ${ansibleHost}, provision on ${provisionHost}`);
    const [ansible, provision] = await Promise.all([runAnsible(t, inventory, ansibleHost), runProvision(t, inventory, provisionHost)]);
    const hostOf = (name) => state.hosts.find((h) => h.name === name);
    const upper = (name) => join(hostOf(name).dir, 'upper');
    const paths = [...new Set([...changedPaths(upper(ansibleHost)), ...changedPaths(upper(provisionHost))])];
    const [a, b] = await Promise.all([hostState(state, ansibleHost, paths), hostState(state, provisionHost, paths)]);
    const comparison = compareStates(a, b);
    if (LOGICAL_STATE[entry.id]) {
      const [x, y] = await Promise.all([ansibleHost, provisionHost].map((h) => lab.hostExec(state, h, LOGICAL_STATE[entry.id], { allowFailure: true, timeoutMs: 120_000 })));
      const out = (r) => `rc=${r.code} ${r.stdout}${r.stderr}`;
      if (out(x) !== out(y)) comparison.differences.push({ path: `(logical state: ${LOGICAL_STATE[entry.id].join(' ')})`, fields: ['output'], ansible: out(x), provision: out(y) });
      else comparison.logical = out(x);
    }
    log(`${entry.id}: second runs`);
    const [provisionAgain, ansibleAgain] = await Promise.all([runProvision(t, inventory, provisionHost), runAnsible(t, inventory, ansibleHost)]);
    const equal = comparison.differences.length === 0 && !comparison.running.onlyAnsible.length && !comparison.running.onlyProvision.length
      && !comparison.listening.onlyAnsible.length && !comparison.listening.onlyProvision.length;
    const r = {
      id: entry.id, paths: paths.length, ansible, provision, equal, ...comparison, provisionAgain, ansibleAgain,
      converged: ansible.code === 0 && provision.code === 0 && equal && provisionAgain.code === 0 && provisionAgain.stats?.changed === 0,
    };
    results[i] = r;
    const st = (s) => (s ? `ok=${s.ok} changed=${s.changed} failed=${s.failed}` : 'no recap');
    console.log(`${entry.id.padEnd(26)} ansible rc=${ansible.code} ${st(ansible.stats)} | provision rc=${provision.code} ${st(provision.stats)} | paths ${paths.length}, differ ${comparison.differences.length}, processes ${comparison.running.onlyAnsible.length}/${comparison.running.onlyProvision.length}, sockets ${comparison.listening.onlyAnsible.length}/${comparison.listening.onlyProvision.length} | again: provision ${st(provisionAgain.stats)}, ansible ${st(ansibleAgain.stats)} | ${equal ? 'EQUAL' : 'NOT EQUAL'}${r.converged ? ', provision re-run changed=0' : ''}`);
    for (const f of [...ansible.failedTasks.map((x) => `ansible failed: ${x}`), ...provision.failedTasks.map((x) => `provision failed: ${x}`)]) console.log(`    ${f}`);
    for (const d of comparison.differences.slice(0, 40)) console.log(`    differs ${d.path} [${d.fields.join(',')}] ansible=${JSON.stringify(d.ansible)} provision=${JSON.stringify(d.provision)}`);
    for (const k of ['running', 'listening']) {
      if (comparison[k].onlyAnsible.length) console.log(`    ${k} only after ansible: ${comparison[k].onlyAnsible.join(', ')}`);
      if (comparison[k].onlyProvision.length) console.log(`    ${k} only after provision: ${comparison[k].onlyProvision.join(', ')}`);
    }
    if (comparison.randomContent.length) console.log(`    random by design (content not compared): ${comparison.randomContent.join(', ')}`);
    if (provisionAgain.changedTasks.length || ansibleAgain.changedTasks.length) {
      console.log(`    changed on the second run: provision [${provisionAgain.changedTasks.join('; ')}], ansible [${ansibleAgain.changedTasks.join('; ')}]`);
    }
  };
  // A few entries side by side (their hosts are separate); bounded by --jobs.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, chosen.length) }, async () => {
      while (next < chosen.length) {
        const i = next++;
        await one(chosen[i], i);
      }
    }),
  );
} finally {
  stopServer();
  if (!keep) {
    try {
      labCli_(['down', '--name', labName]);
    } catch (err) {
      log(String(err));
    }
  }
}

console.log('');
results.splice(0, results.length, ...results.filter(Boolean));
console.log(`entries: ${results.length}; equal host states and provision's re-run changed=0: ${results.filter((r) => r.converged).length}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), lab: labName, results }, null, 2));
