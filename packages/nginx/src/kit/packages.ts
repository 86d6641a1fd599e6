import { shellJoin, shellQuote, type Fact } from '@haweb/core';
import type { OsFamily } from './os-family.js';

/**
 * Build dependencies: the seed's yum list on RHEL-family hosts, the apt equivalents on Debian.
 * Installed only when missing (the check is one query, so a no-op run stays fast).
 */
export const NGINX_BUILD_DEPS: Readonly<Record<OsFamily, readonly string[]>> = {
  RedHat: [
    'gcc', 'gcc-c++', 'make', 'automake', 'autoconf', 'libtool',
    'pcre', 'pcre-devel', 'zlib', 'zlib-devel', 'openssl', 'openssl-devel',
  ],
  Debian: ['build-essential', 'libpcre3-dev', 'zlib1g-dev', 'libssl-dev'],
};

/** Which of `names` are installed. Debian: dpkg-query status; RHEL: rpm -q. */
export const installedPackagesFact: Fact<{ family: OsFamily; names: readonly string[] }, Set<string>> = {
  name: 'installed_packages',
  command({ family, names }) {
    if (names.length === 0) return 'true';
    if (family === 'Debian') {
      return `dpkg-query -W -f='\${Package} \${Status}\\n' ${shellJoin(names)} 2>/dev/null; true`;
    }
    // rpm prints NAME-VERSION for installed ones, "package X is not installed" otherwise.
    return `for p in ${shellJoin(names)}; do rpm -q --qf '%{NAME} install ok installed\\n' "$p" >/dev/null 2>&1 && echo "$p install ok installed"; done; true`;
  },
  parse(stdout) {
    const installed = new Set<string>();
    for (const line of stdout.split('\n')) {
      const m = /^(\S+?)(?::\S+)?\s+install ok installed\s*$/.exec(line.trim());
      if (m) installed.add(m[1]);
    }
    return installed;
  },
};

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
