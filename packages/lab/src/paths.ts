/** Where the lab keeps its state and caches. Overridable by environment for tests and benchmarks. */
import { join } from 'node:path';

export const STATE_ROOT = process.env.HAWEB_LAB_STATE_DIR ?? '/var/lib/haweb/lab';
export const CACHE_ROOT = process.env.HAWEB_CACHE_DIR ?? '/var/cache/haweb';

export const imagesDir = () => join(CACHE_ROOT, 'images');
export const sourcesDir = () => join(CACHE_ROOT, 'sources');
export const aptDir = () => join(CACHE_ROOT, 'apt');
export const debCacheDir = () => join(CACHE_ROOT, 'debs');
export const repoDir = () => join(CACHE_ROOT, 'repo');

export function labDir(name: string): string {
  return join(STATE_ROOT, name);
}

export function hostDir(lab: string, host: string): string {
  return join(labDir(lab), 'hosts', host);
}

export type LabScript = 'boot-stage.sh' | 'boot-nspawn.sh' | 'supervisor.sh';
export const LAB_SCRIPTS: LabScript[] = ['boot-stage.sh', 'boot-nspawn.sh', 'supervisor.sh'];

/** Package files shipped next to dist/: the boot stages (sysvinit, systemd) and the per-host supervisor. */
export function packagedScript(script: LabScript): string {
  return new URL(`../scripts/${script}`, import.meta.url).pathname;
}

/**
 * The copy a lab runs. bash reads a script while running it, so running supervisors must never see the
 * packaged file change under them: `up` installs copies by atomic rename (a new inode each time).
 */
export function installedScript(lab: string, script: LabScript): string {
  return join(labDir(lab), 'bin', script);
}
