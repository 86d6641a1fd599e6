/**
 * `lab sources`: the upstream nginx and keepalived tarballs (Debian's `*.orig.tar.gz`) in a cache, fetched
 * with apt using a private deb-src list derived from the machine's own sources (the machine's apt
 * configuration is never changed).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEB822_SOURCES, ONE_LINE_SOURCES, deriveDebSrc } from './apt-sources.js';
import { LabError, run } from './exec.js';
import { withLock } from './lock.js';
import { aptDir, sourcesDir } from './paths.js';

export interface SourceTarballs {
  nginx: string;
  keepalived: string;
}

export const SOURCE_PACKAGES = ['nginx', 'keepalived'] as const;

/** The newest `<pkg>_<version>.orig.tar.gz` among file names (component tarballs are not the upstream one). */
export function pickOrigTarball(pkg: string, names: string[]): string | undefined {
  const re = new RegExp(`^${pkg}_([^_/]+)\\.orig\\.tar\\.gz$`);
  const found = names.filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return found.at(-1);
}

async function findTarballs(dir: string): Promise<Partial<SourceTarballs>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const result: Partial<SourceTarballs> = {};
  for (const pkg of SOURCE_PACKAGES) {
    const name = pickOrigTarball(pkg, names);
    if (name) result[pkg] = join(dir, name);
  }
  return result;
}

export function aptOptions(base: string): string[] {
  return [
    '-o', `Dir::Etc::SourceList=${join(base, 'sources.list')}`,
    '-o', `Dir::Etc::SourceParts=${join(base, 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(base, 'lists')}`,
    '-o', `Dir::Cache=${join(base, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
}

export async function ensureSources(log: (m: string) => void = () => {}): Promise<SourceTarballs> {
  const dir = sourcesDir();
  const cached = await findTarballs(dir);
  if (cached.nginx && cached.keepalived) return cached as SourceTarballs;
  return withLock(`${dir}.lock`, 'sources', 15 * 60_000, async () => {
    const again = await findTarballs(dir);
    if (again.nginx && again.keepalived) return again as SourceTarballs;
    const base = aptDir();
    await mkdir(join(base, 'sources.list.d'), { recursive: true });
    await mkdir(join(base, 'lists/partial'), { recursive: true });
    await mkdir(join(base, 'cache/archives/partial'), { recursive: true });
    await mkdir(dir, { recursive: true });
    const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);
    let debSrc: string;
    try {
      debSrc = deriveDebSrc({ deb822: await read(DEB822_SOURCES), oneLine: await read(ONE_LINE_SOURCES) });
    } catch (err) {
      throw new LabError('sources: derive deb-src', (err as Error).message);
    }
    await writeFile(join(base, 'sources.list'), '');
    await writeFile(join(base, 'sources.list.d/haweb-deb-src.sources'), debSrc);
    const opts = aptOptions(base);
    log('apt-get update (private deb-src lists)');
    await run(['apt-get', ...opts, 'update'], { step: 'sources: apt-get update', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const missing = SOURCE_PACKAGES.filter((p) => !again[p]);
    log(`apt-get source --download-only ${missing.join(' ')}`);
    // apt can exit non-zero (e.g. a security suite's .dsc missing) while the tarball still arrives:
    // what counts is the file.
    const result = await run(['apt-get', ...opts, 'source', '--download-only', ...missing], {
      step: 'sources: apt-get source',
      cwd: dir,
      allowFailure: true,
    });
    const found = await findTarballs(dir);
    const absent = SOURCE_PACKAGES.filter((p) => !found[p]);
    if (absent.length > 0) {
      throw new LabError('sources: download', `no ${absent.map((p) => `${p}_*.orig.tar.gz`).join(', ')} in ${dir} (apt exited ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')})`);
    }
    return found as SourceTarballs;
  });
}

export const sourcesCached = async () => {
  const f = await findTarballs(sourcesDir());
  return Boolean(f.nginx && f.keepalived && existsSync(f.nginx) && existsSync(f.keepalived));
};
