/**
 * A small flat apt repository for the lab's LAN, built from packages the controller itself has
 * installed (re-packed from dpkg's database, as dpkg-repack does: the files dpkg lists, its control
 * fields, conffiles and maintainer scripts). Lab hosts install tools their image lacks (git, gpg) from
 * it, served from the lab's client namespace: nothing comes from the internet.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPACK = join(import.meta.dirname, 'repack-deb.sh');

/** Builds `dir` as a flat repository (Packages, Packages.gz, Release with Origin) of the named installed packages. */
export function buildLanRepository(dir: string, packages: readonly string[], origin: string): void {
  mkdirSync(dir, { recursive: true });
  for (const pkg of packages) {
    const version = execFileSync('dpkg-query', ['-W', '-f=${Version}_${Architecture}', pkg], { encoding: 'utf8' }).replace(/^\d+:/, '');
    execFileSync('bash', [REPACK, pkg, join(dir, `${pkg}_${version}.deb`)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  }
  const index = execFileSync('dpkg-scanpackages', ['-m', '.', '/dev/null'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  writeFileSync(join(dir, 'Packages'), index);
  execFileSync('sh', ['-c', 'gzip -9c Packages > Packages.gz'], { cwd: dir });
  const files = ['Packages', 'Packages.gz'].map((name) => ({ name, content: readFileSync(join(dir, name)) }));
  const release = [
    `Origin: ${origin}`,
    'Label: haweb test LAN repository',
    `Date: ${new Date().toUTCString()}`,
    'SHA256:',
    ...files.map((f) => ` ${createHash('sha256').update(f.content).digest('hex')} ${String(f.content.length).padStart(8)} ${f.name}`),
  ];
  writeFileSync(join(dir, 'Release'), `${release.join('\n')}\n`);
  if (!readdirSync(dir).some((f) => f.endsWith('.deb'))) throw new Error(`no package was re-packed into ${dir}`);
}
