/**
 * The pure parts of Ansible's pip module: package names recovered from a list that split a
 * requirement at its commas, requirements parsed (name, extras, version specifiers) and written back
 * as pkg_resources writes them, PEP 503 name canonicalisation, and whether an installed version
 * satisfies a requirement (PEP 440 ordering: epoch, release, pre, post and dev releases; pre-releases
 * allowed, as the module asks).
 */

const OPS = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'] as const;
type Op = (typeof OPS)[number];

/** A name or a version specifier? (the module's _is_package_name) */
function isPackageName(name: string): boolean {
  const s = name.trimStart();
  return !['>=', '<=', '>', '<', '==', '!=', '~='].some((op) => s.startsWith(op));
}

/** The module's _recover_package_name: ['django>1.11.1', '<1.11.3', 'ipaddress'] -> ['django>1.11.1,<1.11.3', 'ipaddress']. */
export function recoverPackageNames(names: readonly string[]): string[] {
  const flat = names.flatMap((n) => n.split(','));
  const packages: string[] = [];
  let parts: string[] = [];
  let inBrackets = false;
  for (const name of flat) {
    if (isPackageName(name) && !inBrackets) {
      if (parts.length) packages.push(parts.join(','));
      parts = [];
    }
    if (name.includes('[')) inBrackets = true;
    if (inBrackets && name.includes(']')) inBrackets = false;
    parts.push(name);
  }
  packages.push(parts.join(','));
  return packages;
}

export function canonicalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export interface Requirement {
  /** As written (project name), and canonical. */
  project: string;
  name: string;
  extras: string[];
  specs: [Op, string][];
}

/** pkg_resources.Requirement.parse for the forms playbooks use; undefined where it would raise (a URL, a VCS link, a path). */
export function parseRequirement(text: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*?)\s*$/.exec(text);
  if (!m) return undefined;
  const rest = m[3].replace(/^\(|\)$/g, '');
  const specs: [Op, string][] = [];
  if (rest !== '') {
    for (const part of rest.split(',')) {
      const s = /^\s*(===|~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*$/.exec(part);
      if (!s) return undefined;
      specs.push([s[1] as Op, s[2]]);
    }
  }
  const extras = m[2] === undefined ? [] : m[2].split(',').map((e) => e.trim()).filter(Boolean);
  return { project: m[1], name: canonicalizeName(m[1]), extras, specs };
}

/** str(Requirement): name, sorted extras, the specifiers sorted as packaging's SpecifierSet prints them. */
export function requirementText(req: Requirement): string {
  const extras = req.extras.length ? `[${[...req.extras].sort().join(',')}]` : '';
  return `${req.project}${extras}${req.specs.map(([op, v]) => `${op}${v}`).sort().join(',')}`;
}

/** The module's Package(name, version): a version starting with a digit is `==version`, else a specifier. */
export function withVersion(text: string, version: string): string {
  const v = version.trimStart();
  return `${text}${/^\d/.test(v) ? '==' : ' '}${v}`;
}

interface Pep440 {
  epoch: number;
  release: number[];
  pre?: [number, number];
  post?: number;
  dev?: number;
}

export function parseVersion(text: string): Pep440 | undefined {
  const m = /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:(?:-(\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(\d*)))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$/i.exec(text);
  if (!m) return undefined;
  const preKind = m[3]?.toLowerCase();
  const preRank = preKind === undefined ? undefined : preKind.startsWith('a') ? 0 : preKind.startsWith('b') ? 1 : 2;
  return {
    epoch: Number(m[1] ?? 0),
    release: m[2].split('.').map(Number),
    ...(preRank !== undefined ? { pre: [preRank, Number(m[4] || 0)] as [number, number] } : {}),
    ...(m[5] !== undefined || m[6] !== undefined ? { post: Number(m[5] ?? (m[6] || 0)) } : {}),
    ...(m[7] !== undefined ? { dev: Number(m[7] || 0) } : {}),
  };
}

/** PEP 440 order: <0 when a sorts before b. */
export function compareVersions(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d) return d;
  }
  // A dev release of a final version sorts before its pre-releases; a final release after them.
  const preKey = (v: Pep440): [number, number] => (v.pre ? v.pre : v.post === undefined && v.dev !== undefined ? [-1, 0] : [3, 0]);
  const [pa, pb] = [preKey(a), preKey(b)];
  if (pa[0] !== pb[0]) return pa[0] - pb[0];
  if (pa[1] !== pb[1]) return pa[1] - pb[1];
  const post = (v: Pep440) => (v.post === undefined ? -1 : v.post);
  if (post(a) !== post(b)) return post(a) - post(b);
  const dev = (v: Pep440) => (v.dev === undefined ? Infinity : v.dev);
  return dev(a) === dev(b) ? 0 : dev(a) < dev(b) ? -1 : 1;
}

function sameRelease(a: Pep440, b: Pep440): boolean {
  const n = Math.max(a.release.length, b.release.length);
  return a.epoch === b.epoch && Array.from({ length: n }, (_, i) => (a.release[i] ?? 0) === (b.release[i] ?? 0)).every(Boolean);
}

function prefixMatch(version: Pep440, prefix: string): boolean {
  const p = parseVersion(prefix);
  if (!p) return false;
  if (p.epoch !== version.epoch) return false;
  return p.release.every((n, i) => (version.release[i] ?? 0) === n);
}

function specMatches(op: Op, spec: string, installed: string): boolean {
  if (op === '===') return installed.trim().toLowerCase() === spec.toLowerCase();
  const v = parseVersion(installed);
  if (!v) return false;
  if ((op === '==' || op === '!=') && spec.endsWith('.*')) {
    const match = prefixMatch(v, spec.slice(0, -2));
    return op === '==' ? match : !match;
  }
  const s = parseVersion(spec);
  if (!s) return false;
  const c = compareVersions(v, s);
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<=': return c <= 0;
    case '>=': return c >= 0;
    // PEP 440: <V excludes V's pre-releases unless V is one; >V excludes V's post-releases unless V is one.
    case '<': return c < 0 && !(s.pre === undefined && s.dev === undefined && (v.pre !== undefined || v.dev !== undefined) && sameRelease(v, s));
    case '>': return c > 0 && !(s.post === undefined && v.post !== undefined && sameRelease(v, s));
    case '~=': {
      // ~= 2.2 means >= 2.2, == 2.*; ~= 1.4.5 means >= 1.4.5, == 1.4.*.
      const prefix = s.release.slice(0, Math.max(1, s.release.length - 1)).join('.');
      return c >= 0 && prefixMatch(v, `${s.epoch ? `${s.epoch}!` : ''}${prefix}`);
    }
  }
}

/** Requirement.specifier.contains(version, prereleases=True). */
export function satisfies(req: Requirement, installed: string): boolean {
  return req.specs.every(([op, v]) => specMatches(op, v, installed));
}

/** The module's _is_present over `pip list --format=freeze` lines (name==version). */
export function isPipPackagePresent(req: Requirement | undefined, freezeLines: readonly string[]): boolean {
  if (!req) return false;
  return freezeLines.some((line) => {
    if (!line.includes('==')) return false;
    const [name, version] = line.split('==');
    return canonicalizeName(name) === req.name && satisfies(req, version);
  });
}
