/**
 * apt's package specs and apt-get's answers, as Ansible's apt module reads them: `name`, `name=version`
 * (the version may be a shell pattern: `hello=2.*`), `name>=version`, name patterns (`hel?o`) matched
 * against the names apt knows; Debian version order; `apt-cache policy` tables; whether apt-get did
 * anything. Pure functions; the apt module runs the commands.
 */
import { fnmatch } from '../facts/find.js';

export interface AptSpec {
  name: string;
  cmp?: '=' | '>=';
  version?: string;
}

/** `name>=1.0`, `name=1.0*`, `name` (Ansible's package_split). */
export function splitAptSpec(spec: string): AptSpec {
  const m = /^([^=<>]+?)(>=|=)(.*)$/.exec(spec.trim());
  if (!m) return { name: spec.trim() };
  return { name: m[1].trim(), cmp: m[2] as '=' | '>=', version: m[3].trim() };
}

/** Whether a name is a shell pattern (`*`, `?`, `[`), matched against the names apt knows. */
export function isAptPattern(name: string): boolean {
  return /[*?[]/.test(name);
}

/** Debian's version order (dpkg --compare-versions): negative when a < b. */
export function compareDebVersions(a: string, b: string): number {
  const split = (v: string) => {
    const colon = v.indexOf(':');
    const epoch = colon >= 0 ? Number(v.slice(0, colon)) || 0 : 0;
    const rest = colon >= 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return { epoch, upstream: dash >= 0 ? rest.slice(0, dash) : rest, revision: dash >= 0 ? rest.slice(dash + 1) : '0' };
  };
  const order = (c: string) => (c === '~' ? -1 : c === '' ? 0 : /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256);
  const part = (x: string, y: string): number => {
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      let first = 0;
      while ((i < x.length && !/\d/.test(x[i])) || (j < y.length && !/\d/.test(y[j]))) {
        const d = order(i < x.length && !/\d/.test(x[i]) ? x[i] : '') - order(j < y.length && !/\d/.test(y[j]) ? y[j] : '');
        if (d !== 0) return d;
        if (i < x.length && !/\d/.test(x[i])) i++;
        if (j < y.length && !/\d/.test(y[j])) j++;
      }
      while (x[i] === '0') i++;
      while (y[j] === '0') j++;
      while (i < x.length && /\d/.test(x[i]) && j < y.length && /\d/.test(y[j])) {
        if (!first) first = x.charCodeAt(i) - y.charCodeAt(j);
        i++;
        j++;
      }
      if (i < x.length && /\d/.test(x[i])) return 1;
      if (j < y.length && /\d/.test(y[j])) return -1;
      if (first) return first;
    }
    return 0;
  };
  const va = split(a);
  const vb = split(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  return part(va.upstream, vb.upstream) || part(va.revision, vb.revision);
}

export interface AptPolicyEntry {
  installed?: string;
  candidate?: string;
  /** Every version apt knows, highest first (the version table). */
  versions: string[];
}

/**
 * `apt-cache policy NAME...`: per package header (`hello:` or `hello:i386:`, keyed without the final
 * colon) its Installed and Candidate lines ("(none)": undefined) and its version table.
 */
export function parseAptPolicyTable(stdout: string): Map<string, AptPolicyEntry> {
  const out = new Map<string, AptPolicyEntry>();
  let cur: AptPolicyEntry | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      cur = { versions: [] };
      out.set(head[1], cur);
      continue;
    }
    if (!cur) continue;
    const field = /^ {2}(Installed|Candidate): (\S+)/.exec(line);
    if (field) {
      const v = field[2] === '(none)' ? undefined : field[2];
      if (field[1] === 'Installed') cur.installed = v;
      else cur.candidate = v;
      continue;
    }
    const row = /^ (?:\*{3}| {3}) (\S+) -?\d+$/.exec(line);
    if (row && !cur.versions.includes(row[1])) cur.versions.push(row[1]);
  }
  return out;
}

/** The policy entry of a name as given (`hello`, `hello:i386`; the native architecture is printed without it). */
export function aptPolicyFor(table: Map<string, AptPolicyEntry>, name: string): AptPolicyEntry | undefined {
  return table.get(name) ?? table.get(name.replace(/:(amd64|native)$/, ''));
}

/**
 * What `apt-get install` is given for one spec (Ansible's install() with package_status): `skip` when the
 * installed version already answers, `error` when nothing can be installed, else the argument
 * (`name=version`, the version apt's policy picks; a bare name for a virtual package). `upgrade` is
 * state=latest. `entry` is the name's policy (undefined: apt knows no such name; no versions: virtual).
 */
export function planAptSpec(spec: AptSpec, entry: AptPolicyEntry | undefined, opts: { upgrade: boolean; onlyUpgrade?: boolean }): { skip: true } | { error: string } | { arg: string } {
  const given = `${spec.name}${spec.cmp ?? ''}${spec.version ?? ''}`;
  if (!entry) return { error: `No package matching '${spec.name}' is available` };
  if (entry.versions.length === 0 && entry.installed === undefined) {
    // a virtual package: apt-get picks what provides it
    return opts.onlyUpgrade ? { skip: true } : { arg: spec.version ? `${spec.name}=${spec.version}` : spec.name };
  }
  const installed = entry.installed;
  const best = spec.cmp === '=' ? entry.versions.find((v) => fnmatch(v, spec.version!)) : entry.candidate;
  let versionOk = false;
  let installable: string | undefined;
  if (installed !== undefined) {
    const newer = best !== undefined && best !== installed;
    if (spec.cmp === '=') {
      versionOk = fnmatch(installed, spec.version!);
      if (newer) installable = best;
    } else if (spec.cmp === '>=') {
      versionOk = compareDebVersions(installed, spec.version!) >= 0;
      if (newer && compareDebVersions(best!, spec.version!) >= 0) installable = best;
    } else {
      versionOk = true;
      if (newer) installable = best;
    }
  } else installable = best;
  if (installed === undefined && opts.onlyUpgrade) return { skip: true };
  if (!versionOk && installable === undefined) return { error: `no available installation candidate for ${given}` };
  if (installable !== undefined && ((installed === undefined && !opts.onlyUpgrade) || opts.upgrade || !versionOk)) return { arg: `${spec.name}=${installable}` };
  // Ansible's legacy case: an installed version matches a pattern that a newer version matches too
  if (versionOk && installable !== undefined && spec.cmp === '=') return { arg: `${spec.name}=${spec.version}` };
  return { skip: true };
}

/** apt-get's summary when it did (or would do) nothing. */
export function aptGetDidNothing(stdout: string): boolean {
  return /(^|\n)0 upgraded, 0 newly installed/.test(stdout);
}

/** Ansible's diff of an apt-get run: its plan, from after "Reading state information..." to the summary line. */
export function aptPreparedDiff(stdout: string): { prepared: string } {
  const lines = stdout.split('\n');
  const start = lines.indexOf('Reading state information...') + 1;
  let end = lines.findIndex((l) => /^[0-9]+ (packages )?upgraded/.test(l));
  end = end < 0 ? lines.length : end + 1;
  return { prepared: lines.slice(start, end).join('\n') };
}

/** Ansible's dpkg_options (a comma-separated string or list) as apt-get -o arguments. */
export function aptDpkgOptions(options: string[] | undefined): string[] {
  return (options ?? ['force-confdef', 'force-confold']).flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]);
}

/** The package of Python's apt bindings that Ansible's apt module needs on the host (for python3). */
export const APT_PYTHON_BINDINGS_PACKAGE = 'python3-apt';

/**
 * What Ansible's apt module does when no interpreter on the host imports the apt bindings: in check mode
 * it fails (it changes nothing); otherwise it warns, runs `apt-get update` (unless update_cache was set
 * to false), installs python3-apt, and goes on as if it had been there (the install is not a change).
 */
export function planAptBindingsInstall(opts: { check: boolean; updateCache?: boolean }): { error: string } | { warning: string; commands: string[][] } {
  const pkg = APT_PYTHON_BINDINGS_PACKAGE;
  if (opts.check) return { error: `${pkg} must be installed to use check mode. If run normally this module can auto-install it.` };
  const install = ['apt-get', 'install', '--no-install-recommends', pkg, '-y', '-q'];
  if (opts.updateCache === false) return { warning: `Auto-installing missing dependency without updating cache: ${pkg}`, commands: [install] };
  return { warning: `Updating cache and auto-installing missing dependency: ${pkg}`, commands: [['apt-get', 'update'], install] };
}

/** Ansible's apt waits this long (seconds) after the `attempt`-th failed cache update (0-based): 2^attempt, at most `maxDelay`, plus `jitter` (0 to 1). */
export function aptRetryDelay(attempt: number, maxDelay: number, jitter: number): number {
  const delay = 2 ** attempt + jitter;
  return delay > maxDelay ? maxDelay + jitter : delay;
}
