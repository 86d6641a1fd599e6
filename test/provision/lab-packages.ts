/**
 * Debian packages a test needs on the lab's hosts, which have no internet: downloaded once with the
 * machine's apt configuration (Debian's registry) into a flat repository (scripts/compat/lab-repo.mjs,
 * /var/cache/haweb/corpus-repo/<key>/), served from the lab's bridge namespace at the gateway address (as
 * scripts/compat/corpus-converge.mjs does for the corpus), installed on the hosts; `remove` purges them
 * again and stops the server, so the hosts are left as the next test expects them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { onHost, type Lab } from './ansible-compare.js';
// The repository itself (download once, index) is the one corpus-converge and the mysql test serve.
import { ensureRepo } from '../../scripts/compat/lab-repo.mjs';

const PORT = 8081;
const LIST = '/etc/apt/sources.list.d/haweb-test.list';

interface LabState {
  gateway: string;
  bridgeNetns: string;
  image: { rootfs: string };
}

export interface Installed {
  /** Run `before` (a shell line: stop a daemon), purge what was installed, drop the apt source and its list, stop the server. */
  remove(before?: string): void;
}

/**
 * Installs `packages` on every host of the lab from a repository served inside the lab; `serveAlso`
 * are in the repository too, not installed (a test installs them).
 */
export function installOnLab(lab: Lab, packages: string[], serveAlso: string[] = []): Installed {
  const state = JSON.parse(readFileSync(`/var/lib/haweb/lab/${lab.name}/lab.json`, 'utf8')) as LabState;
  const dir = ensureRepo(state.image.rootfs, [...packages, ...serveAlso]);
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
