/**
 * A flat apt repository of Debian packages for lab hosts, which have no internet: the packages (and
 * what they need beyond the lab image) are downloaded once with the machine's apt configuration
 * (Debian's registry) into /var/cache/haweb/corpus-repo/<key>/, indexed, and served from the lab's
 * bridge namespace at the gateway address. A host names it with
 * `deb [trusted=yes] http://<gateway>:REPO_PORT/ ./`. Used by corpus-converge.mjs and by the
 * integration tests that need a package the image lacks (test/provision/mysql-modules.test.ts).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const REPO_PORT = 8080;
const log = (m) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

export function aptSourceOfMachine() {
  const text = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].filter(existsSync).map((f) => readFileSync(f, 'utf8')).join('\n');
  const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text)?.[1];
  if (!uri) throw new Error('no Debian mirror in the machine\'s apt sources');
  const signedBy = /^Signed-By:\s*(\S+)/m.exec(text)?.[1] ?? '/usr/share/keyrings/debian-archive-keyring.gpg';
  return `Types: deb\nURIs: ${uri}\nSuites: bookworm\nComponents: main\nSigned-By: ${signedBy}\n`;
}

/** Downloads the packages and their dependencies missing from the lab image, once; indexes them. */
export function ensureRepo(imageRootfs, packages) {
  const key = createHash('sha256').update(JSON.stringify({ image: imageRootfs, packages: [...packages].sort(), recommends: true })).digest('hex').slice(0, 12);
  const dir = `/var/cache/haweb/corpus-repo/${key}`;
  if (existsSync(join(dir, 'Release'))) return dir;
  const tmp = `${dir}.tmp`;
  const apt = `${dir}.apt`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(apt, { recursive: true, force: true });
  for (const sub of ['partial']) mkdirSync(join(tmp, sub), { recursive: true });
  for (const sub of ['sources.list.d', 'lists/partial', 'state', 'cache']) mkdirSync(join(apt, sub), { recursive: true });
  writeFileSync(join(apt, 'sources.list'), '');
  writeFileSync(join(apt, 'sources.list.d/corpus.sources'), aptSourceOfMachine());
  // The image's dpkg status: apt downloads only what a fresh host lacks, in the versions it would pick.
  writeFileSync(join(apt, 'status'), readFileSync(join(imageRootfs, 'var/lib/dpkg/status')));
  const opts = [
    '-o', `Dir::Etc::SourceList=${join(apt, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(apt, 'sources.list.d')}`,
    '-o', `Dir::State=${join(apt, 'state')}`, '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::State::status=${join(apt, 'status')}`,
    '-o', `Dir::Cache=${join(apt, 'cache')}`, '-o', `Dir::Cache::archives=${tmp}`, '-o', 'APT::Sandbox::User=root',
    '-o', 'APT::Install-Recommends=true',
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`repository ${key}: downloading ${packages.length} packages and what they need`);
  execFileSync('apt-get', [...opts, 'update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', [...opts, 'install', '--download-only', '-y', '-q', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(join(tmp, 'partial'), { recursive: true, force: true });
  rmSync(join(tmp, 'lock'), { force: true });
  const index = execFileSync('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: tmp, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const gz = gzipSync(index);
  writeFileSync(join(tmp, 'Packages'), index);
  writeFileSync(join(tmp, 'Packages.gz'), gz);
  const sum = (b) => createHash('sha256').update(b).digest('hex');
  writeFileSync(join(tmp, 'Release'), `Origin: haweb-corpus\nLabel: haweb corpus packages\nDate: ${new Date().toUTCString()}\nSHA256:\n ${sum(index)} ${index.length} Packages\n ${sum(gz)} ${gz.length} Packages.gz\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  rmSync(apt, { recursive: true, force: true });
  log(`repository ${key}: ${readdirSync(dir).filter((n) => n.endsWith('.deb')).length} packages`);
  return dir;
}

export function startRepoServer(state, dir) {
  const child = spawn('ip', ['netns', 'exec', state.bridgeNetns, 'python3', '-m', 'http.server', String(REPO_PORT), '--bind', state.gateway, '--directory', dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${REPO_PORT}`]);
    if (probe.status === 0) return child.pid;
    spawnSync('sleep', ['0.1']);
  }
  throw new Error('the corpus repository server does not answer');
}

