/**
 * The setup of Ansible's apt, apt_key and reboot targets, adapted to a lab host without internet (the same
 * for both tools; ansible-targets.mjs calls it):
 *  - the packages the apt target and its setup (setup_deb_repo) install come from a flat repository served
 *    from the controller's lab address for the run: hello, hello-traditional, libcaca-dev, libslang2-dev,
 *    unscd, emacs-nox with elpa-yaml-mode, apt-transport-https, aptitude, vim-tiny, dpkg-dev, equivs, libreadline-dev (rolldice's build-dep),
 *    libfile-fcntllock-perl, python3-apt, debhelper, quilt, hello:i386 (apt-multiarch.yml) and gnupg (apt_key), with
 *    what they need beyond the lab image (downloaded once on the controller with apt from Debian's mirror,
 *    scripts/compat/lab-repo.mjs). The host's /etc/apt/sources.list names only that repository (deb and
 *    deb-src), as a Debian host names its mirror (the target moves that file aside in repo.yml);
 *  - the lab image has build-essential, Ansible's test containers do not: it is purged before the apt
 *    target's run (apt-get build-dep installs it again; the repository serves it) and put back after;
 *  - build-dep (tree, rolldice) reads source records: the repository's Sources index holds those two
 *    packages' records, fetched once from Debian's mirror on the controller (apt-cache showsrc);
 *  - the URLs the target downloads from the internet point at the same server: a PPA that does not exist
 *    (apt.yml's sane-error test: the server answers 403 there, as Launchpad does), Debian's mirror
 *    (pool/main/h/hello/, the real hello .deb) and ci-files.testing.ansible.com, whose two .debs are not in
 *    Debian and are replaced by stand-ins built here: echo-hello 1.0 (all, depends on vim-tiny, as the
 *    original) and hello 2.6-1 (amd64, an older hello than Debian's, for the hold test);
 *  - reboot: its tasks skip themselves on a container (ansible_facts.virtualization_type); a lab host is
 *    one to Ansible's virtual facts, but its own init reboots it (a new boot id, sshd back): the play
 *    leaves out the `virtual` facts subset (gather_subset: ['!virtual']) and names an output_dir the host
 *    does not have (ansible-test's split controller, which the tasks also require) so they run; molly-guard, which
 *    test_molly_guard.yml installs, comes from the repository;
 *  - after each tool's run the host is put back: the packages the run added are purged, those it removed
 *    reinstalled, the i386 architecture and the files the target leaves (/tmp/repo, its sources and lists)
 *    removed, the host's own /etc/apt/sources.list (or none) back in place.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptSourceOfMachine, ensureRepo } from '../lab-repo.mjs';

export const APT_TARGETS = ['apt', 'apt_key', 'reboot'];

/** What apt's tasks install, grouped so that each group resolves on its own (hello and hello-traditional conflict). */
const PACKAGE_GROUPS = [
  ['python3-apt', 'hello', 'libcaca-dev', 'libslang2-dev', 'unscd', 'apt-transport-https', 'aptitude', 'vim-tiny', 'dpkg-dev', 'equivs', 'libfile-fcntllock-perl', 'debhelper', 'quilt', 'gnupg', 'libreadline-dev'],
  ['hello-traditional'],
  ['emacs-nox', 'elpa-yaml-mode'],
  ['molly-guard'],
];
const SOURCE_PACKAGES = ['tree', 'rolldice'];
const CACHE = '/var/cache/haweb/ansible-targets';

function run(cmd, argv, o = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, ...o });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A private apt configuration on the controller (Debian's mirror, as the machine names it), for one download. */
function privateApt(dir, { types = 'deb', architectures } = {}) {
  for (const sub of ['sources.list.d', 'lists/partial', 'state', 'cache', 'archives/partial']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'sources.list'), '');
  writeFileSync(join(dir, 'sources.list.d/debian.sources'), aptSourceOfMachine().replace(/^Types: deb$/m, `Types: ${types}`));
  if (!existsSync(join(dir, 'status'))) writeFileSync(join(dir, 'status'), '');
  return [
    '-o', `Dir::Etc::SourceList=${join(dir, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(dir, 'sources.list.d')}`,
    '-o', `Dir::State=${join(dir, 'state')}`, '-o', `Dir::State::Lists=${join(dir, 'lists')}`, '-o', `Dir::State::status=${join(dir, 'status')}`,
    '-o', `Dir::Cache=${join(dir, 'cache')}`, '-o', `Dir::Cache::archives=${join(dir, 'archives')}`, '-o', 'APT::Sandbox::User=root',
    ...(architectures ? ['-o', `APT::Architectures=${architectures.join(',')}`] : []),
  ];
}

/** The source records build-dep reads (once, cached). */
function sourceRecords() {
  const file = join(CACHE, 'apt-target-Sources');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const dir = join(CACHE, 'apt-src');
  const opts = privateApt(dir, { types: 'deb-src' });
  run('apt-get', [...opts, 'update', '-q']);
  const stanzas = [];
  for (const p of SOURCE_PACKAGES) stanzas.push(run('apt-cache', [...opts, 'showsrc', '--only-source', p]).trim().split(/\n\n/)[0]);
  const text = `${stanzas.join('\n\n')}\n`;
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, text);
  run('rm', ['-rf', dir]);
  return text;
}

/** hello:i386 and the i386 libraries it needs, for a host of the image's amd64 packages (once, cached). */
function i386Debs(imageRootfs) {
  const dir = join(CACHE, 'apt-i386');
  const done = join(dir, 'done');
  if (!existsSync(done)) {
    run('rm', ['-rf', dir]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'status'), readFileSync(join(imageRootfs, 'var/lib/dpkg/status')));
    const opts = privateApt(dir, { architectures: ['amd64', 'i386'] });
    run('apt-get', [...opts, 'update', '-q']);
    run('apt-get', [...opts, 'install', '--download-only', '-y', '-q', '--no-install-recommends', 'hello:i386'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    writeFileSync(done, '');
  }
  return readdirSync(join(dir, 'archives')).filter((f) => f.endsWith('.deb')).map((f) => join(dir, 'archives', f));
}

/**
 * build-essential, which the lab image has and Ansible's test containers do not (apt.yml's build-dep of
 * tree expects a change: apt-get build-dep always wants build-essential, and setup_deb_repo's equivs has
 * brought debhelper already). Downloaded once for the repository, so the host can get it back.
 */
function buildEssentialDebs() {
  const dir = join(CACHE, 'apt-build-essential');
  const done = join(dir, 'done');
  if (!existsSync(done)) {
    run('rm', ['-rf', dir]);
    mkdirSync(dir, { recursive: true });
    const opts = privateApt(join(dir, 'apt'));
    run('apt-get', [...opts, 'update', '-q']);
    run('apt-get', [...opts, 'download', 'build-essential'], { cwd: dir });
    writeFileSync(done, '');
  }
  return readdirSync(dir).filter((f) => f.endsWith('.deb')).map((f) => join(dir, f));
}

/** A small .deb built with dpkg-deb (a stand-in for one the target downloads from outside Debian). */
function standIn(dir, { name, version, arch, depends }) {
  const root = join(dir, `${name}-${version}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/share/doc', name), { recursive: true });
  writeFileSync(join(root, 'usr/share/doc', name, 'README.haweb'), 'A stand-in built by scripts/compat/targets/apt.mjs for a package the target downloads.\n');
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\nMaintainer: haweb lab <lab@invalid>\n${depends ? `Depends: ${depends}\n` : ''}` +
      `Description: stand-in for a test package (ansible-targets.mjs)\n`,
  );
  const out = join(dir, `${name}_${version}_${arch}.deb`);
  run('dpkg-deb', ['--build', '--root-owner-group', root, out]);
  run('rm', ['-rf', root]);
  return out;
}

/** python3's file server, answering 403 under /forbidden/ (what Launchpad answers for a PPA that does not exist). */
const SERVER = [
  'import functools, http.server, sys',
  'class H(http.server.SimpleHTTPRequestHandler):',
  '    def send_head(self):',
  "        if self.path.startswith('/forbidden/'):",
  '            self.send_error(403)',
  '            return None',
  '        return super().send_head()',
  'http.server.ThreadingHTTPServer((sys.argv[2], int(sys.argv[1])), functools.partial(H, directory=sys.argv[3])).serve_forever()',
].join('\n');

/**
 * Builds the served folder, starts its server, rewrites the targets' internet URLs. Returns the
 * preparation before each tool's run and the clean-up after it.
 */
export function prepareAptTargets({ targets, targetsDir, work, state, onHost }) {
  const wanted = targets.filter((t) => APT_TARGETS.includes(t));
  if (wanted.length === 0) return undefined;
  const port = 19000 + Math.floor(Math.random() * 1000);
  const base = `http://${state.controllerAddress}:${port}`;
  const serve = join(work, 'apt-serve');
  const debs = join(serve, 'debs');
  mkdirSync(debs, { recursive: true });
  const linked = new Set();
  const link = (file, dir = debs) => {
    const name = file.split('/').pop();
    if (dir === debs && linked.has(name)) return;
    if (dir === debs) linked.add(name);
    mkdirSync(dir, { recursive: true });
    symlinkSync(file, join(dir, name));
  };
  for (const group of PACKAGE_GROUPS) {
    const dir = ensureRepo(state.image.rootfs, group);
    for (const f of readdirSync(dir)) if (f.endsWith('.deb')) link(join(dir, f));
  }
  for (const f of i386Debs(state.image.rootfs)) link(f);
  if (wanted.includes('apt')) for (const f of buildEssentialDebs()) link(f);
  // hello from the mirror's own path (apt.yml: install deb file from URL)
  const hello = readdirSync(debs).find((f) => /^hello_.*_amd64\.deb$/.test(f));
  link(join(debs, hello), join(serve, 'debian/pool/main/h/hello'));
  const ci = join(serve, 'ci-files/test/integration/targets');
  const built = join(work, 'apt-standins');
  mkdirSync(built, { recursive: true });
  link(standIn(built, { name: 'echo-hello', version: '1.0', arch: 'all', depends: 'vim-tiny' }), join(ci, 'apt'));
  link(standIn(built, { name: 'hello', version: '2.6-1', arch: 'amd64' }), join(ci, 'dpkg_selections'));
  writeFileSync(join(debs, 'Packages'), run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: debs }));
  writeFileSync(join(debs, 'Sources'), sourceRecords());

  for (const t of wanted) {
    const dir = join(targetsDir, t, 'tasks');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      const text = readFileSync(p, 'utf8');
      const next = text
        .replaceAll('http://ftp.debian.org/debian', `${base}/debian`)
        .replaceAll('http://ppa.launchpad.net/non-existing', `${base}/forbidden/non-existing`).replaceAll('https://ci-files.testing.ansible.com', `${base}/ci-files`);
      if (next !== text) writeFileSync(p, next);
    }
  }

  const server = spawn('python3', ['-c', SERVER, String(port), state.controllerAddress, serve], { stdio: 'ignore' });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${state.controllerAddress}/${port}`]).status === 0;
    if (!up) spawnSync('sleep', ['0.1']);
  }
  if (!up) {
    server.kill();
    throw new Error(`the apt targets' server on ${state.controllerAddress}:${port} does not answer`);
  }

  let had = '';
  /** The host's own /etc/apt/sources.list (base64; empty: none), put back after each run. */
  let sources = '';
  return {
    targets: wanted,
    /** reboot: the lab host is a container to Ansible's virtual facts (its init reboots it all the same): that subset is not gathered. */
    playKeys: (target) => (target === 'reboot' ? ["  gather_subset: ['!virtual']"] : []),
    /** reboot: ansible-test runs it from a separate controller, whose output_dir the host does not have (the target's split check). */
    outputDirFor: (target) => (target === 'reboot' ? '/nonexistent/haweb-split-controller' : undefined),
    before(target) {
      sources = onHost('[ -e /etc/apt/sources.list ] && base64 -w0 /etc/apt/sources.list; true').trim();
      onHost(
        `printf 'deb [trusted=yes] ${base}/debs/ ./\\ndeb-src [trusted=yes] ${base}/debs/ ./\\n' > /etc/apt/sources.list && ` +
          'apt-get update -q >/dev/null',
      );
      if (target === 'apt_key') onHost('DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends gnupg >/dev/null');
      had = onHost("dpkg-query -W -f '${Package}:${Architecture}\\n' | sort");
      // As Ansible's test containers: no build-essential (put back after the run, with what the run removed).
      if (target === 'apt') onHost('dpkg --purge build-essential >/dev/null');
    },
    after() {
      const old = new Set(had.split('\n').filter(Boolean));
      const now = onHost("dpkg-query -W -f '${Package}:${Architecture} ${db:Status-Abbrev}\\n' | awk '$2 ~ /^.i/ {print $1}' | sort").split('\n').filter(Boolean);
      const added = now.filter((p) => !old.has(p));
      const gone = [...old].filter((p) => !now.includes(p));
      onHost(
        '[ -e /etc/apt/sources.list.backup ] && mv /etc/apt/sources.list.backup /etc/apt/sources.list; ' +
          'rm -rf /tmp/repo /etc/apt/sources.list.d/non-existing.list /etc/apt/sources.list.d/*tmp_repo* /etc/apt/preferences.d/foo /usr/sbin/policy-rc.d; ' +
          'apt-mark unhold hello >/dev/null 2>&1; ' +
          (added.length ? `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --allow-remove-essential ${added.join(' ')} >/dev/null 2>&1; ` : '') +
          'dpkg --remove-architecture i386 2>/dev/null; apt-get update -q >/dev/null 2>&1; ' +
          (gone.length ? `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${gone.join(' ')} >/dev/null 2>&1; ` : '') +
          (sources ? `echo ${sources} | base64 -d > /etc/apt/sources.list; ` : 'rm -f /etc/apt/sources.list; ') +
          `rm -f /var/lib/apt/lists/*${state.controllerAddress}* /var/lib/apt/lists/_tmp_repo_*; ` +
          'true',
      );
    },
    stop() {
      server.kill();
    },
  };
}
