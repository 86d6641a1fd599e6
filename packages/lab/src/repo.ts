/**
 * The lab LAN's Debian package repository, for hosts of the minimal image: the packages the full image
 * has and the minimal one lacks (tar, compiler, headers, iptables...), with all their dependencies,
 * downloaded once into /var/cache/haweb/repo/<key>/ and indexed there (a flat repository: Packages,
 * Packages.gz, Release). The controller serves it over HTTP from the lab's bridge namespace, at the
 * gateway address every host already routes to, so `apt-get install tar` on a host works the way it
 * does on a real server while the hosts stay offline otherwise.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEB822_SOURCES, ONE_LINE_SOURCES, mirrorFromSources, parseDeb822 } from './apt-sources.js';
import { LabError, run } from './exec.js';
import { FULL_ONLY_PACKAGES, IMAGE_RELEASE } from './image-prep.js';
import { withLock } from './lock.js';
import type { LabPlan } from './plan.js';
import { labDir, repoDir } from './paths.js';
import { cmdline, isAlive, signal, waitGone } from './processes.js';

type Log = (message: string) => void;

/** What a minimal host can install from the LAN: everything the full image has beyond the minimal one. */
export const REPO_PACKAGES = ['tar', ...FULL_ONLY_PACKAGES];
export const REPO_PORT = 80;
const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export function repoKey(packages: string[] = REPO_PACKAGES): string {
  const material = JSON.stringify({ release: IMAGE_RELEASE, component: 'main', packages: [...packages].sort(), revision: 1 });
  return `${IMAGE_RELEASE}-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
}

export function repoUrl(plan: Pick<LabPlan, 'gateway'>): string {
  return `http://${plan.gateway}${REPO_PORT === 80 ? '' : `:${REPO_PORT}`}/`;
}

/**
 * The apt source the download uses: the machine's mirror (read at run time, never written into the
 * repository), the image's release and component only, so the packages match what debootstrap installed.
 */
export function renderDownloadSource(files: { deb822?: string; oneLine?: string }): string {
  const mirror = mirrorFromSources(files);
  if (!mirror) throw new Error(`no Debian mirror configured in ${DEB822_SOURCES} or ${ONE_LINE_SOURCES}`);
  const stanza = parseDeb822(files.deb822 ?? '').find((s) => [...s.fields].some(([k, v]) => k.toLowerCase() === 'uris' && v.split(/\s+/).includes(mirror)));
  const signedBy = stanza ? [...stanza.fields].find(([k]) => k.toLowerCase() === 'signed-by')?.[1] : undefined;
  return `Types: deb\nURIs: ${mirror}\nSuites: ${IMAGE_RELEASE}\nComponents: main\nSigned-By: ${signedBy ?? DEFAULT_KEYRING}\n`;
}

/** A flat repository's Release file: the index files with their sizes and SHA-256 sums. */
export function renderRelease(files: { name: string; content: Buffer }[], date: Date): string {
  const lines = [
    'Origin: haweb-lab',
    'Label: haweb lab LAN repository',
    `Date: ${date.toUTCString()}`,
    'SHA256:',
    ...files.map((f) => ` ${createHash('sha256').update(f.content).digest('hex')} ${String(f.content.length).padStart(8)} ${f.name}`),
  ];
  return `${lines.join('\n')}\n`;
}

const readOptional = (path: string) => readFile(path, 'utf8').catch(() => undefined);

export interface RepoInfo {
  key: string;
  dir: string;
  action: 'reused' | 'built';
}

/** Downloads and indexes the repository once (resolving dependencies as on an empty system). */
export async function ensureRepo(log: Log = () => {}): Promise<RepoInfo> {
  const key = repoKey();
  const dir = join(repoDir(), key);
  if (existsSync(join(dir, 'Release'))) return { key, dir, action: 'reused' };
  return withLock(`${dir}.lock`, `repository ${key}`, 30 * 60_000, async () => {
    if (existsSync(join(dir, 'Release'))) return { key, dir, action: 'reused' as const };
    const tmp = `${dir}.tmp`;
    const apt = `${dir}.apt`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(join(tmp, 'partial'), { recursive: true });
    for (const sub of ['sources.list.d', 'lists/partial', 'state', 'cache']) await mkdir(join(apt, sub), { recursive: true });
    let source: string;
    try {
      source = renderDownloadSource({ deb822: await readOptional(DEB822_SOURCES), oneLine: await readOptional(ONE_LINE_SOURCES) });
    } catch (err) {
      throw new LabError('repository: apt source', (err as Error).message);
    }
    await writeFile(join(apt, 'sources.list'), '');
    await writeFile(join(apt, 'sources.list.d/haweb-repo.sources'), source);
    // An empty dpkg status: apt resolves the whole dependency closure, as for a host that has nothing.
    await writeFile(join(apt, 'status'), '');
    const opts = [
      '-o', `Dir::Etc::SourceList=${join(apt, 'sources.list')}`,
      '-o', `Dir::Etc::SourceParts=${join(apt, 'sources.list.d')}`,
      '-o', `Dir::State=${join(apt, 'state')}`,
      '-o', `Dir::State::Lists=${join(apt, 'lists')}`,
      '-o', `Dir::State::status=${join(apt, 'status')}`,
      '-o', `Dir::Cache=${join(apt, 'cache')}`,
      '-o', `Dir::Cache::archives=${tmp}`,
      '-o', 'APT::Sandbox::User=root',
      '-o', 'APT::Install-Recommends=false',
    ];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    log(`repository ${key}: downloading ${REPO_PACKAGES.length} packages and their dependencies`);
    await run(['apt-get', ...opts, 'update'], { step: 'repository: apt-get update', env });
    await run(['apt-get', ...opts, 'install', '--download-only', '-y', ...REPO_PACKAGES], { step: 'repository: download', env });
    await rm(join(tmp, 'partial'), { recursive: true, force: true });
    await rm(join(tmp, 'lock'), { force: true });
    const scan = await run(['dpkg-scanpackages', '--multiversion', '.', '/dev/null'], { step: 'repository: index', cwd: tmp });
    const packages = Buffer.from(scan.stdout);
    const packagesGz = gzipSync(packages);
    await writeFile(join(tmp, 'Packages'), packages);
    await writeFile(join(tmp, 'Packages.gz'), packagesGz);
    await writeFile(join(tmp, 'Release'), renderRelease([{ name: 'Packages', content: packages }, { name: 'Packages.gz', content: packagesGz }], new Date()));
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    await rm(apt, { recursive: true, force: true });
    const debs = (await readdir(dir)).filter((n) => n.endsWith('.deb')).length;
    log(`repository ${key}: ${debs} packages`);
    return { key, dir, action: 'built' as const };
  });
}

const repoPidFile = (lab: string) => join(labDir(lab), 'repo.pid');
const repoLogFile = (lab: string) => join(labDir(lab), 'repo.log');

/** The server's PID if it is running (checked by its command line, not just the PID). */
export async function runningRepoServer(lab: string, dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(repoPidFile(lab), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const argv = await cmdline(pid);
  return argv.includes('http.server') && argv.includes(dir) ? pid : undefined;
}

/** Serves the repository read-only at the lab gateway (in the bridge namespace), on port 80. */
export async function startRepoServer(plan: LabPlan, dir: string): Promise<number> {
  const running = await runningRepoServer(plan.name, dir);
  if (running) return running;
  const out = openSync(repoLogFile(plan.name), 'a');
  let pid: number;
  try {
    const child = spawn(
      'ip',
      ['netns', 'exec', plan.bridgeNetns, 'python3', '-m', 'http.server', String(REPO_PORT), '--bind', plan.gateway, '--directory', dir],
      { detached: true, stdio: ['ignore', out, out] },
    );
    if (child.pid === undefined) throw new LabError('start the LAN repository', 'spawn returned no PID');
    pid = child.pid;
    child.unref();
  } finally {
    closeSync(out);
  }
  await writeFile(repoPidFile(plan.name), String(pid));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = await run(['ip', 'netns', 'exec', plan.bridgeNetns, 'bash', '-c', `exec 3<>/dev/tcp/${plan.gateway}/${REPO_PORT}`], {
      step: 'probe the LAN repository',
      allowFailure: true,
    });
    if (probe.code === 0) return pid;
    if (!isAlive(pid) || Date.now() > deadline) {
      const logText = (await readOptional(repoLogFile(plan.name))) ?? '';
      throw new LabError('start the LAN repository', `it does not answer on ${plan.gateway}:${REPO_PORT}\n${logText.trim().split('\n').slice(-5).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stopRepoServer(lab: string): Promise<void> {
  const pid = Number((await readFile(repoPidFile(lab), 'utf8').catch(() => '')).trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && (await cmdline(pid)).includes('http.server')) {
    signal(pid, 'SIGTERM');
    if ((await waitGone([pid], 3_000)).length > 0) signal(pid, 'SIGKILL');
  }
  await rm(repoPidFile(lab), { force: true });
}
