/**
 * Installed packages: dpkg-query on Debian-family hosts, rpm -q on RHEL-family hosts. One command for
 * all the names; the parsers are pure.
 */
import { shellQuote, type Fact } from '@haweb/core';

export type PackageTool = 'apt' | 'yum' | 'dnf';

export interface PackagesArgs {
  tool: PackageTool;
  names: string[];
}

/** name -> installed version (undefined: not installed). */
export type InstalledPackages = Map<string, string | undefined>;

export function parseDpkgQuery(stdout: string, names: readonly string[]): InstalledPackages {
  const installed = new Map<string, string | undefined>(names.map((n) => [n, undefined]));
  for (const line of stdout.split('\n')) {
    // "${Package}\t${Status}\t${Version}": only "install ok installed" counts (not config-files, half-installed).
    const [pkg, status, version] = line.split('\t');
    if (!pkg || !status) continue;
    const name = pkg.split(':')[0]; // multiarch "libc6:amd64"
    if (/\binstalled$/.test(status) && !/config-files|not-installed|half/.test(status) && installed.has(name)) {
      installed.set(name, version);
    }
  }
  return installed;
}

export function parseRpmQuery(stdout: string, names: readonly string[]): InstalledPackages {
  const installed = new Map<string, string | undefined>(names.map((n) => [n, undefined]));
  for (const line of stdout.split('\n')) {
    // "nginx\t1.20.1-14.el9" or "package foo is not installed"
    if (/is not installed$/.test(line) || !line.includes('\t')) continue;
    const [name, version] = line.split('\t');
    if (installed.has(name)) installed.set(name, version);
  }
  return installed;
}

export const installedPackages: Fact<PackagesArgs, InstalledPackages> = {
  name: 'packages.installed',
  command({ tool, names }) {
    const quoted = names.map(shellQuote).join(' ');
    if (tool === 'apt') {
      // dpkg-query exits 1 when a name is unknown: that is an answer, not an error.
      return `dpkg-query -W -f='\${Package}\\t\${Status}\\t\${Version}\\n' -- ${quoted} 2>/dev/null; exit 0`;
    }
    return `rpm -q --qf '%{NAME}\\t%{VERSION}-%{RELEASE}\\n' -- ${quoted} 2>/dev/null; exit 0`;
  },
  parse(stdout, _code, { tool, names }) {
    return tool === 'apt' ? parseDpkgQuery(stdout, names) : parseRpmQuery(stdout, names);
  },
};
