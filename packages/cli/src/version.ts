import { readFileSync } from 'node:fs';

/**
 * The version of this command: the `version` of the package.json one folder above the running file
 * (packages/cli/package.json in the repository, the release's own package.json once installed; the
 * bundle dist/provision.js sits one folder down in both).
 */
export function provisionVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown; haweb?: { commit?: unknown } };
    const commit = typeof pkg.haweb?.commit === 'string' ? ` (${pkg.haweb.commit})` : '';
    return `${String(pkg.version ?? 'unknown')}${commit}`;
  } catch {
    return 'unknown';
  }
}
