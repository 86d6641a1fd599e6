import { shellJoin, shellQuote, type Fact } from '@haweb/core';
import type { OsFamily } from '../os-family.js';
import { installedPackages, type PackageTool } from '../facts/packages.js';

/** Which of `names` are installed: the kit's installed-packages fact, as a set of names. */
export const installedPackagesFact: Fact<{ family: OsFamily; names: readonly string[] }, Set<string>> = {
  name: 'installed_packages',
  command({ family, names }) {
    if (names.length === 0) return 'true';
    return installedPackages.command({ tool: packageTool(family), names: [...names] });
  },
  parse(stdout, code, { family, names }) {
    const versions = installedPackages.parse(stdout, code, { tool: packageTool(family), names: [...names] });
    return new Set([...versions].filter(([, version]) => version !== undefined).map(([name]) => name));
  },
};

function packageTool(family: OsFamily): PackageTool {
  return family === 'Debian' ? 'apt' : 'yum';
}

export function missingPackages(wanted: readonly string[], installed: Set<string>): string[] {
  return wanted.filter((name) => !installed.has(name));
}

/** The distro's way to install packages, non-interactively. */
export function packageInstallScript(family: OsFamily, names: readonly string[]): string {
  if (family === 'Debian') {
    return `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${shellJoin(names)}`;
  }
  return `yum install -y ${names.map(shellQuote).join(' ')}`;
}
