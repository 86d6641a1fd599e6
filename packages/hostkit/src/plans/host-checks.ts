/**
 * Checks and small plans that read the host profile: SELinux labels after writes, whether vrrpd's
 * Node runtime can run here at all, and the tools a source build needs.
 */
import type { HostProfile } from '../facts/host-profile.js';
import type { Step } from '../apply.js';

/**
 * Where SELinux is enabled (enforcing or permissive), files put in place by temp file + rename keep
 * the label of where they were created, and what `make install` writes keeps whatever the build
 * tree had: restore the policy's default labels, as Ansible's atomic_move does after its rename.
 * Directories are relabelled recursively.
 */
export function planRestoreLabels(profile: HostProfile, paths: { files?: readonly string[]; trees?: readonly string[] }): Step[] {
  if (profile.selinux === 'disabled') return [];
  const steps: Step[] = [];
  if (paths.files && paths.files.length > 0) {
    steps.push({ kind: 'run', argv: ['restorecon', '-F', '--', ...paths.files], why: 'restore the SELinux labels of the written files' });
  }
  if (paths.trees && paths.trees.length > 0) {
    steps.push({ kind: 'run', argv: ['restorecon', '-R', '-F', '--', ...paths.trees], why: 'restore the SELinux labels of the installed tree' });
  }
  return steps;
}

/** vrrpd's bundled Node (20+) needs glibc 2.28 (its binaries link GLIBC_2.28 symbols). */
export const VRRPD_MIN_GLIBC = '2.28';

function olderThan(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

/**
 * A refusal, from gathered facts and before any host is changed, when vrrpd cannot run on this
 * host: no Node build runs on glibc older than 2.28 (the official tarballs need it too), so the way
 * to run the HA pair there is the keepalived engine.
 */
export function vrrpdRefusal(hostName: string, glibc: string | undefined, distribution?: string): string | undefined {
  if (glibc === undefined || !olderThan(glibc, VRRPD_MIN_GLIBC)) return undefined;
  const os = distribution ? ` (${distribution})` : '';
  return (
    `${hostName}: vrrpd cannot run here: its Node runtime needs glibc ${VRRPD_MIN_GLIBC} and this host${os} has glibc ${glibc}, ` +
    `which no Node build supports. Run this HA pair with the keepalived engine (ha_engine=keepalived).`
  );
}

/** Build tools a source build needs beyond the compiler: tar is missing from minimal EL8/EL9 images. */
export function withBuildTools(deps: readonly string[]): string[] {
  return deps.includes('tar') ? [...deps] : [...deps, 'tar'];
}
