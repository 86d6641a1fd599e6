/**
 * Debian packages a test needs on the lab's hosts, which have no internet: downloaded once with the
 * machine's apt configuration (Debian's registry) into /var/cache/haweb/test-repo/<key>/, indexed as a
 * flat repository, served from the lab's bridge namespace at the gateway address (as
 * scripts/compat/corpus-converge.mjs does for the corpus), installed on the hosts; `remove` purges them
 * again and stops the server, so the hosts are left as the next test expects them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { onHost, type Lab } from './ansible-compare.js';

const PORT = 8081;
const LIST = '/etc/apt/sources.list.d/haweb-test.list';

interface LabState {
  gateway: string;
  bridgeNetns: string;
  image: { rootfs: string };
}

function aptSourceOfMachine(): string {
  const text = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].filter(existsSync).map((f) => readFileSync(f, 'utf8')).join('\n');
  const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text)?.[1];
  if (!uri) throw new Error("no Debian mirror in the machine's apt sources");
  const signedBy = /^Signed-By:\s*(\S+)/m.exec(text)?.[1] ?? '/usr/share/keyrings/debian-archive-keyring.gpg';
  return `Types: deb\nURIs: ${uri}\nSuites: bookworm\nComponents: main\nSigned-By: ${signedBy}\n`;
}

/** The packages and what they need beyond the lab image, downloaded and indexed once. */
function ensureRepo(rootfs: string, packages: string[]): string {
  const key = createHash('sha256').update(JSON.stringify({ image: rootfs, packages: [...packages].sort() })).digest('hex').slice(0, 12);
  const dir = `/var/cache/haweb/test-repo/${key}`;
  if (existsSync(join(dir, 'Release'))) return dir;
  const tmp = `${dir}.tmp`;
  const apt = `${dir}.apt`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(apt, { recursive: true, force: true });
  mkdirSync(join(tmp, 'partial'), { recursive: true });
  for (const sub of ['sources.list.d', 'lists/partial', 'state', 'cache']) mkdirSync(join(apt, sub), { recursive: true });
  writeFileSync(join(apt, 'sources.list'), '');
  writeFileSync(join(apt, 'sources.list.d/test.sources'), aptSourceOfMachine());
  // The image's dpkg status: apt downloads only what a fresh host lacks.
  writeFileSync(join(apt, 'status'), readFileSync(join(rootfs, 'var/lib/dpkg/status')));
  const opts = [
    '-o', `Dir::Etc::SourceList=${join(apt, 'sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(apt, 'sources.list.d')}`,
    '-o', `Dir::State=${join(apt, 'state')}`, '-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', `Dir::State::status=${join(apt, 'status')}`,
    '-o', `Dir::Cache=${join(apt, 'cache')}`, '-o', `Dir::Cache::archives=${tmp}`, '-o', 'APT::Sandbox::User=root',
  ];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', [...opts, 'update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  execFileSync('apt-get', [...opts, 'install', '--download-only', '--no-install-recommends', '-y', '-q', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  rmSync(join(tmp, 'partial'), { recursive: true, force: true });
  rmSync(join(tmp, 'lock'), { force: true });
  const index = execFileSync('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: tmp, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const gz = gzipSync(index);
  writeFileSync(join(tmp, 'Packages'), index);
  writeFileSync(join(tmp, 'Packages.gz'), gz);
  const sum = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  writeFileSync(join(tmp, 'Release'), `Origin: haweb-test\nLabel: haweb test packages\nDate: ${new Date().toUTCString()}\nSHA256:\n ${sum(index)} ${index.length} Packages\n ${sum(gz)} ${gz.length} Packages.gz\n`);
  if (readdirSync(tmp).filter((n) => n.endsWith('.deb')).length === 0) throw new Error(`no package downloaded for ${packages.join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  rmSync(apt, { recursive: true, force: true });
  return dir;
}

export interface Installed {
  /** Run `before` (a shell line: stop a daemon), purge what was installed, drop the apt source and its list, stop the server. */
  remove(before?: string): void;
}

/** Installs `packages` on every host of the lab from a repository served inside the lab. */
export function installOnLab(lab: Lab, packages: string[]): Installed {
  const state = JSON.parse(readFileSync(`/var/lib/haweb/lab/${lab.name}/lab.json`, 'utf8')) as LabState;
  const dir = ensureRepo(state.image.rootfs, packages);
  // Another server on the port (one an earlier test left) would answer for this one: refuse to go on.
  if (spawnSync('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${PORT}`]).status === 0) {
    throw new Error(`port ${PORT} at ${state.gateway} is already served in the lab's bridge namespace (a server left running by an earlier test?)`);
  }
  const server = spawn('ip', ['netns', 'exec', state.bridgeNetns, 'python3', '-m', 'http.server', String(PORT), '--bind', state.gateway, '--directory', dir], { detached: true, stdio: 'ignore' });
  server.unref();
  const stop = () => {
    if (server.pid === undefined) return;
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    up = spawnSync('ip', ['netns', 'exec', state.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${state.gateway}/${PORT}`]).status === 0;
    if (!up) spawnSync('sleep', ['0.1']);
  }
  if (!up) {
    stop();
    throw new Error('the test package repository does not answer');
  }
  const source = `deb [trusted=yes] http://${state.gateway}:${PORT}/ ./`;
  const had = new Map<string, string>();
  try {
    for (const h of lab.hosts) {
      had.set(h.name, onHost(lab, h.name, "dpkg-query -W -f '${Package}\\n' | sort"));
      onHost(
        lab,
        h.name,
        // Only this source is read again (the hosts reach nothing else); the other lists are kept.
        `echo '${source}' > ${LIST} && apt-get update -q -o Dir::Etc::sourcelist=${LIST} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null && ` +
          `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages.join(' ')} >/dev/null`,
      );
    }
  } catch (err) {
    stop();
    throw err;
  }
  return {
    remove(before?: string) {
      try {
        for (const h of lab.hosts) {
          const old = new Set((had.get(h.name) ?? '').split('\n').filter(Boolean));
          const now = onHost(lab, h.name, "dpkg-query -W -f '${Package}\\n' | sort").split('\n').filter(Boolean);
          const added = now.filter((p) => !old.has(p));
          onHost(
            lab,
            h.name,
            `${before ? `(${before}) >/dev/null 2>&1; ` : ''}` +
              (added.length ? `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${added.join(' ')} >/dev/null 2>&1; ` : '') +
              `rm -f ${LIST} /var/lib/apt/lists/${state.gateway}:${PORT}_*; true`,
          );
        }
      } finally {
        stop();
      }
    },
  };
}
