/**
 * The setup of Ansible's `git` target, adapted to a lab without internet (the same for both tools):
 *
 *  - Packages: git (and zip/unzip, which its setup installs with `package`), gnupg (its gpg-verification
 *    tasks run only where `gpg --version` answers; ansible-test's images have it) and python3-apt (Ansible's
 *    apt module, what `package` runs on Debian, imports it on the host) come from the lab's package
 *    repository (lab-repo.mjs: downloaded once with the machine's apt, served from the lab's bridge
 *    namespace). Before each tool's run the host's only apt source is that repository, gnupg and
 *    python3-apt are installed, and git is removed (the target's handler removes it at the end of a run:
 *    each run then installs it with `package` itself, from the lab's repository).
 *  - Repositories: the target clones public repositories from https://github.com. Each one is brought in
 *    from a snapshot of it under /work/.mirror/<owner>+<name>/ (the search tool's `fetch`), copied as a
 *    bare repository (its branches, tags and pull refs) and served read-only over https (git's smart HTTP,
 *    `git http-backend` behind git-https-server.mjs) from the lab's gateway address, in the lab's bridge
 *    namespace. The host names github.com at that address (/etc/hosts) and trusts the run's own CA for it
 *    (http.<https://github.com/>.sslCAInfo in /etc/gitconfig), so the tasks keep their URLs unchanged,
 *    also as git reports them (a url.<lab>.insteadOf rewrite shows in `git ls-remote --get-url`, which
 *    Ansible compares with `repo`: every update would change the remote URL). A repository without a
 *    whole snapshot is not served and not made up: its tasks fail for both tools. The ssh URLs
 *    (git@github.com:...) reach the gateway, which has no ssh server: the tasks that use them expect a
 *    failure (no known host key), and the ones that would succeed need a GitHub key the target leaves
 *    undefined (skipped).
 *  - Tasks that clone a repository not served fail; the play would end there (specific-revision.yml's
 *    ansible/ansible-examples, whose snapshot lacks two files of 4 MiB and more that its tested commit
 *    has), and every later file's asserts would go unreached. Such a task, and the tasks after it up to
 *    the file's next "clear checkout_dir", get `ignore_errors: true` (adaptGitTasks): they still run and
 *    fail, their asserts count as failed (an ignored failure is not a pass), and the target goes on.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument } from 'yaml';
import { ensureRepo, REPO_PORT, startRepoServer } from '../lab-repo.mjs';

/** Every github.com repository the target's tasks and vars name, and the submodules theirs name. */
export const GIT_REPOS = [
  'jimi-c/test_role',
  'abadger/test_submodules_newer',
  'abadger/test_submodules_subm1',
  'abadger/test_submodules_subm1_newer',
  'abadger/test_submodules_subm2',
  'ansible-test-robinro/git-test-old',
  'ansible-test-robinro/git-test-new',
  'ansible/ansible-examples',
];
const PACKAGES = ['git', 'zip', 'unzip', 'gnupg', 'python3-apt'];
const HTTPS_PORT = 443;
const CA_FILE = '/etc/haweb-ansible-targets-git-ca.pem';
const HOSTS_MARK = '# haweb-ansible-targets git';
const SERVER = fileURLToPath(new URL('./git-https-server.mjs', import.meta.url));
const SOURCE = '/etc/apt/sources.list.d/haweb-ansible-targets-git.list';
const MIRRORS = process.env.HAWEB_GIT_MIRRORS ?? '/work/.mirror';

function sh(cmd, argv, o = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...o });
  if (r.error) throw r.error;
  return r;
}

/** The snapshot's git directory (bare, or a work tree's .git), or undefined. */
function snapshotOf(name) {
  const base = join(MIRRORS, name.replace('/', '+'), 'repo');
  for (const dir of [join(base, '.git'), base]) if (existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects'))) return dir;
  return undefined;
}

/**
 * Bare copies of the snapshots under `dir`/github.com/<owner>/<name>.git; returns the ones not served
 * with why. A snapshot lacks files of 4 MiB and more: one whose refs reach such a blob cannot be copied
 * whole (git refuses to send a pack with objects missing) and is not served either.
 */
export function buildGitRepos(dir) {
  const missing = [];
  const unserved = [];
  for (const name of GIT_REPOS) {
    const src = snapshotOf(name);
    if (!src) {
      missing.push(`${name} (no snapshot)`);
      unserved.push(name);
      continue;
    }
    const lacking = sh('git', ['--git-dir', src, 'rev-list', '--objects', '--missing=print', '--branches', '--tags', '--glob=refs/pull/*']).stdout.split('\n').filter((l) => l.startsWith('?'));
    if (lacking.length) {
      missing.push(`${name} (snapshot lacks ${lacking.length} objects: ${lacking.map((l) => l.slice(1, 13)).join(', ')})`);
      unserved.push(name);
      continue;
    }
    const dest = join(dir, 'github.com', `${name}.git`);
    mkdirSync(dest, { recursive: true });
    const git = (...a) => {
      const r = sh('git', ['--git-dir', dest, ...a]);
      if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    git('init', '--quiet', '--bare');
    git('fetch', '--quiet', '--no-tags', src, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*', '+refs/pull/*:refs/pull/*');
    const head = sh('git', ['--git-dir', src, 'symbolic-ref', 'HEAD']).stdout.trim() || 'refs/heads/master';
    git('symbolic-ref', 'HEAD', head);
  }
  return { missing, unserved };
}

/** See the header: tasks cloning an unserved repository, and those after it up to the next "clear checkout_dir", get ignore_errors. */
export function adaptGitTasks(tasksDir, unserved) {
  const urls = unserved.map((n) => `https://github.com/${n}`);
  for (const file of readdirSync(tasksDir).filter((f) => f.endsWith('.yml'))) {
    const path = join(tasksDir, file);
    const doc = parseDocument(readFileSync(path, 'utf8'));
    if (!isSeq(doc.contents)) continue;
    let failing = false;
    let touched = false;
    for (const task of doc.contents.items) {
      if (!isMap(task)) continue;
      const repo = String(task.getIn(['git', 'repo']) ?? '');
      if (urls.some((u) => repo === u || repo === `${u}.git`)) failing = true;
      else if (/clear checkout_dir/.test(String(task.get('name') ?? ''))) failing = false;
      if (failing) {
        task.set('ignore_errors', true);
        touched = true;
      }
    }
    if (touched) writeFileSync(path, String(doc));
  }
}

/**
 * Starts what the target needs (package repository, git server) for a run of the harness, and returns
 * `prepare()` (before each tool's run: the host's apt source, packages and git config) and `stop()`.
 */
export function setupGitTarget({ state, work, targetsDir, onHost, log = (m) => console.error(m) }) {
  const served = join(work, 'git-serve');
  const { missing, unserved } = buildGitRepos(served);
  adaptGitTasks(join(targetsDir, 'git/tasks'), unserved);
  if (missing.length) log(`git target: not served (their tasks fail for both tools): ${missing.join('; ')}`);
  const debs = ensureRepo(state.image.rootfs, PACKAGES);
  const pids = [startRepoServer(state, debs)];
  const tls = makeCertificates(join(work, 'git-tls'));
  const gitServer = spawn(
    'ip',
    ['netns', 'exec', state.bridgeNetns, process.execPath, SERVER, join(served, 'github.com'), state.gateway, String(HTTPS_PORT), tls.cert, tls.key],
    { detached: true, stdio: 'ignore' },
  );
  gitServer.unref();
  pids.push(gitServer.pid);
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = sh('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${HTTPS_PORT}`]).status === 0;
    if (!up) sh('sleep', ['0.1']);
  }
  const stop = () => {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  };
  if (!up) {
    stop();
    throw new Error(`the git server on ${state.gateway}:${HTTPS_PORT} does not answer`);
  }
  const gitconfig = `[http "https://github.com/"]\n\tsslCAInfo = ${CA_FILE}\n`;
  const ca = readFileSync(tls.ca, 'utf8');
  // /etc/hosts may be a mount of its own: rewritten in place, not replaced.
  const unmarkHosts = `grep -v '${HOSTS_MARK}$' /etc/hosts > /etc/hosts.haweb; cat /etc/hosts.haweb > /etc/hosts; rm -f /etc/hosts.haweb`;
  return {
    prepare() {
      onHost(
        `echo 'deb [trusted=yes] http://${state.gateway}:${REPO_PORT}/ ./' > ${SOURCE} && ` +
          `apt-get update -q -o Dir::Etc::sourcelist=${SOURCE} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null && ` +
          'DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnupg python3-apt >/dev/null && ' +
          '(DEBIAN_FRONTEND=noninteractive apt-get remove -y -q git >/dev/null 2>&1; true) && ' +
          `cat > ${CA_FILE} && printf '${gitconfig.replace(/\n/g, '\\n').replace(/\t/g, '\\t')}' > /etc/gitconfig && ` +
          `${unmarkHosts} && echo '${state.gateway} github.com ${HOSTS_MARK}' >> /etc/hosts`,
        ca,
      );
    },
    stop() {
      stop();
      onHost(`rm -f ${SOURCE} ${CA_FILE} /etc/gitconfig; ${unmarkHosts}; true`);
    },
  };
}

/** A CA made for the run and github.com's certificate signed by it (openssl), in `dir`. */
function makeCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const f = (n) => join(dir, n);
  const openssl = (...a) => {
    const r = sh('openssl', a);
    if (r.status !== 0) throw new Error(`openssl ${a.join(' ')}: ${r.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=haweb lab git CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=github.com', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext'), 'subjectAltName=DNS:github.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext'), '-out', f('server.pem'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}
