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

/** The package name inside a .deb file on the host (for apt's `deb:`). */
export const debPackageName: Fact<{ path: string }, string | undefined> = {
  name: 'packages.deb_name',
  command: ({ path }) => `dpkg-deb -f ${shellQuote(path)} Package 2>/dev/null; exit 0`,
  parse: (stdout) => stdout.trim() || undefined,
};

/** name -> the version apt would install now (its policy's candidate; undefined: none, or unknown name). */
export type AptCandidates = Map<string, string | undefined>;

/**
 * `apt-cache policy` output: a "name:" line at the start of a line per package, then "  Candidate: v"
 * ("(none)" when no source has it). Names apt does not know are not printed (left undefined).
 */
export function parseAptPolicy(stdout: string, names: readonly string[]): AptCandidates {
  const out: AptCandidates = new Map(names.map((n) => [n, undefined]));
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      current = head[1].split(':')[0];
      continue;
    }
    const cand = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (cand && current && out.has(current)) out.set(current, cand[1] === '(none)' ? undefined : cand[1]);
  }
  return out;
}

/** The candidate versions of packages (for apt's state=latest: installed but not the candidate = upgradable). */
export const aptCandidates: Fact<{ names: string[] }, AptCandidates> = {
  name: 'packages.apt_candidates',
  command: ({ names }) => `LANG=C apt-cache policy -- ${names.map(shellQuote).join(' ')} 2>/dev/null; exit 0`,
  parse: (stdout, _code, { names }) => parseAptPolicy(stdout, names),
};
