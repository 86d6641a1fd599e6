/**
 * The installed packages as Ansible's package_facts reports them (`ansible_facts.packages`: name ->
 * list of installed versions). Ansible reads apt's cache through python3-apt and rpm's database through
 * python3-rpm; here the host's own tools are read instead (dpkg-query and apt-cache policy, rpm -qa)
 * and pure parsers give the same structure:
 *   apt: {name, version, arch, category, origin, source: 'apt'}, `origin` being the Origin of the
 *        first source apt lists for the installed version ('' for dpkg's status file);
 *   rpm: {name, version, release, epoch, arch, source: 'rpm'}.
 */
import type { Fact } from '@haweb/core';

export type PackageManagerName = 'apt' | 'rpm';

export interface AptPackageFacts {
  name: string;
  version: string;
  arch: string;
  category: string;
  origin: string;
  source: 'apt';
}

export interface RpmPackageFacts {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  source: 'rpm';
}

export type PackageFactsMap = Record<string, (AptPackageFacts | RpmPackageFacts)[]>;

const DPKG_FORMAT = '${Package}\\t${Version}\\t${Architecture}\\t${Section}\\t${db:Status-Abbrev}\\n';
const RPM_FORMAT = '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n';

/** The shell that reads one manager's database; `@@none` when the manager is not on the host. */
export function packageFactsScript(manager: PackageManagerName): string {
  if (manager === 'rpm') {
    // Ansible reads rpm's database with its Python bindings and counts rpm as available only where an
    // interpreter can import them (a Debian host with the rpm tool is not an rpm host): @@nolib there.
    return [
      'command -v rpm >/dev/null 2>&1 || { echo @@none; exit 0; }',
      'for p in /usr/libexec/platform-python /usr/bin/python3 /usr/bin/python2; do',
      `  if [ -x "$p" ] && "$p" -c 'import rpm' >/dev/null 2>&1; then LC_ALL=C rpm -qa --qf '${RPM_FORMAT}'; exit 0; fi`,
      'done',
      'echo @@nolib',
    ].join('\n');
  }
  return [
    'command -v dpkg-query >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 || { echo @@none; exit 0; }',
    'export LC_ALL=C',
    'native=$(dpkg --print-architecture)',
    'echo "@@native $native"',
    'echo @@dpkg',
    `list=$(dpkg-query -W -f='${DPKG_FORMAT}')`,
    'printf "%s\\n" "$list"',
    'echo @@files',
    'apt-cache policy',
    'echo @@versions',
    // Installed (or half-installed) packages only: apt's is_installed.
    `installed=$(printf '%s\\n' "$list" | awk -F'\\t' -v n="$native" 'NF && $5 !~ /^.[nc]/ { print ($3 == n || $3 == "all") ? $1 : $1 ":" $3, $2 }')`,
    `printf '%s\\n' "$installed" | awk 'NF { print $1 }' | xargs -r apt-cache policy`,
    // The section apt holds for the installed version: its first source's record (an archive may override dpkg's).
    'echo @@sections',
    `printf '%s\\n' "$installed" | awk 'NF { print $1 "=" $2 }' | xargs -r apt-cache show 2>/dev/null | awk '/^(Package|Architecture|Version|Section):/'`,
  ].join('\n');
}

/** `http://host/debian bookworm/main amd64 Packages` -> Origin, from `apt-cache policy`'s package files. */
export function parseAptPackageFiles(text: string): Map<string, string> {
  const origins = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const file = /^ (-?\d+) (.+)$/.exec(line);
    if (file) {
      current = file[2].trim();
      origins.set(current, '');
      continue;
    }
    const release = /^\s+release (.*)$/.exec(line);
    if (release && current !== undefined) {
      const o = release[1].split(',').map((kv) => kv.split('=')).find(([k]) => k === 'o');
      origins.set(current, o ? o.slice(1).join('=') : '');
    }
  }
  return origins;
}

/** Package key -> the sources (as in package files) of its installed version, in apt's order. */
export function parseAptVersionTables(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let pkg: string | undefined;
  let inInstalled = false;
  for (const line of text.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      pkg = header[1];
      inInstalled = false;
      continue;
    }
    if (pkg === undefined) continue;
    const version = /^ (\*\*\*| {3}) \S+ -?\d+$/.exec(line);
    if (version) {
      inInstalled = version[1] === '***';
      if (inInstalled) out.set(pkg, []);
      continue;
    }
    const source = /^ {8}-?\d+ (.+)$/.exec(line);
    if (source && inInstalled) out.get(pkg)!.push(source[1].trim());
  }
  return out;
}

/** `apt-cache show`'s Package/Architecture/Version/Section lines: `key=version` -> the first record's section. */
export function parseAptSections(text: string, native: string): Map<string, string> {
  const out = new Map<string, string>();
  let rec: Record<string, string> = {};
  const flush = () => {
    if (rec.Package && rec.Version) {
      const key = `${rec.Package}${rec.Architecture && rec.Architecture !== native && rec.Architecture !== 'all' ? `:${rec.Architecture}` : ''}=${rec.Version}`;
      if (!out.has(key)) out.set(key, rec.Section ?? '');
    }
    rec = {};
  };
  for (const line of text.split('\n')) {
    const m = /^(Package|Architecture|Version|Section): (.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Package') flush();
    rec[m[1]] = m[2].trim();
  }
  flush();
  return out;
}

/** Pure parser of packageFactsScript('apt'): the packages map, or undefined when apt is not on the host. */
export function parseAptPackageFacts(stdout: string): PackageFactsMap | undefined {
  if (stdout.trim() === '@@none') return undefined;
  const section = (name: string) => {
    const start = stdout.indexOf(`@@${name}\n`);
    if (start < 0) return '';
    const rest = stdout.slice(start + name.length + 3);
    const end = rest.search(/^@@/m);
    return end < 0 ? rest : rest.slice(0, end);
  };
  const native = /^@@native (\S+)/m.exec(stdout)?.[1] ?? '';
  const sections = parseAptSections(section('sections'), native);
  const files = parseAptPackageFiles(section('files'));
  const tables = parseAptVersionTables(section('versions'));
  const packages: PackageFactsMap = {};
  for (const line of section('dpkg').split('\n')) {
    const [name, version, arch, category = '', status = ''] = line.split('\t');
    if (!name || !version || /^.[nc]/.test(status)) continue;
    const key = arch === native || arch === 'all' ? name : `${name}:${arch}`;
    const sources = tables.get(key) ?? tables.get(`${name}:${arch}`) ?? [];
    const origin = sources.length ? files.get(sources[0]) ?? '' : '';
    (packages[key] ??= []).push({ name: key, version, arch, category: sections.get(`${key}=${version}`) ?? category, origin, source: 'apt' });
  }
  return packages;
}

/** Pure parser of packageFactsScript('rpm'): null when rpm is there but no interpreter has its Python bindings. */
export function parseRpmPackageFacts(stdout: string): PackageFactsMap | undefined | null {
  if (stdout.trim() === '@@none') return undefined;
  if (stdout.trim() === '@@nolib') return null;
  const packages: PackageFactsMap = {};
  for (const line of stdout.split('\n')) {
    const [name, version, release, epoch, arch] = line.split('\t');
    if (!name || version === undefined) continue;
    (packages[name] ??= []).push({ name, version, release, epoch: epoch === '(none)' || epoch === undefined ? null : Number(epoch), arch, source: 'rpm' });
  }
  return packages;
}

/** The fact: one manager's installed packages (undefined when the manager is not on the host). */
export const packageFacts: Fact<{ manager: PackageManagerName }, PackageFactsMap | undefined | null> = {
  name: 'packages.facts',
  command: ({ manager }) => packageFactsScript(manager),
  parse: (stdout, _code, { manager }) => (manager === 'rpm' ? parseRpmPackageFacts(stdout) : parseAptPackageFacts(stdout)),
};
