/**
 * dpkg's diversions as DebOps' dpkg_divert module (debops.debops) manages them with dpkg-divert(8):
 * the command lines it builds (the option order it gives, `--test` for a dry run), the divert path a
 * package's diversion gets by default, and one fact reading what the module reads before acting: the
 * tools' paths (as Ansible's get_bin_path finds them: PATH plus the sbin folders), the diversion's
 * holder (`--listpackage`, empty when the file is not diverted), its divert path (`--truename`), and
 * whether the path is there. Pure builders and parser; the module runs the commands.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

const MARK = '@@haweb-divert@@';

export interface DivertRequest {
  path: string;
  state: 'present' | 'absent';
  /** The holder: 'LOCAL' (the module's default) for a local diversion, else a package name. */
  package: string;
  divert?: string;
  rename: boolean;
}

/** Where a diversion puts the file when no `divert` is given: .dpkg-divert (local) or .distrib (a package). */
export function defaultDivertPath(path: string, pkg: string): string | undefined {
  if (pkg === 'LOCAL') return `${path}.dpkg-divert`;
  return pkg ? `${path}.distrib` : undefined;
}

/** The options of the dpkg-divert command for a request, in the module's order (path last). */
export function dpkgDivertOptions(r: DivertRequest, test = false): string[] {
  const out: string[] = [];
  if (test) out.push('--test');
  if (r.package === 'LOCAL') out.push('--local');
  else if (r.package) out.push('--package', r.package);
  const divert = r.divert || defaultDivertPath(r.path, r.package);
  if (divert) out.push('--divert', divert);
  if (r.rename) out.push('--rename');
  out.push(r.state === 'absent' ? '--remove' : '--add');
  out.push(r.path);
  return out;
}

/** The forced removal (a diversion held by another package or to another path): holder and path left out. */
export function dpkgDivertForceRemoveOptions(path: string, rename: boolean, test: boolean): string[] {
  return [...(rename ? ['--rename'] : []), ...(test ? ['--test'] : []), '--remove', path];
}

/** Putting a diversion back as it was (after a failed change): its old holder and divert path. */
export function dpkgDivertRestoreOptions(path: string, oldPackage: string, oldDivert: string, rename: boolean): string[] {
  return [...(rename ? ['--rename'] : []), ...(oldPackage === 'LOCAL' ? ['--local'] : ['--package', oldPackage]), '--divert', oldDivert, path];
}

export interface DiversionFacts {
  /** dpkg-divert's path, undefined when it is missing. */
  dpkgDivert?: string;
  /** env's path (the module runs dpkg-divert through `env LC_ALL=C`). */
  env?: string;
  /** `dpkg-divert --listpackage PATH`: the holder (with its newline), empty when not diverted. */
  listpackage: string;
  /** `dpkg-divert --truename PATH`: the divert path, or the path itself (with its newline). */
  truename: string;
  /** The path exists (any kind of file). */
  exists: boolean;
}

export const diversionState: Fact<{ path: string }, DiversionFacts> = {
  name: 'dpkg_divert.state',
  command({ path }) {
    const p = shellQuote(path);
    return [
      'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"; export PATH',
      `d=$(command -v dpkg-divert 2>/dev/null); echo ${MARK}dpkg; printf '%s\\n' "$d"`,
      `echo ${MARK}env; command -v env 2>/dev/null`,
      `if [ -n "$d" ]; then echo ${MARK}list; "$d" --listpackage ${p} 2>/dev/null; echo ${MARK}true; "$d" --truename ${p} 2>/dev/null; fi`,
      `if [ -e ${p} ] || [ -L ${p} ]; then echo ${MARK}exists; fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const dpkg = (s.get('dpkg') ?? '').trim();
    const env = (s.get('env') ?? '').trim();
    const withNl = (t: string | undefined) => (t && t.trim() ? `${t.replace(/\n+$/, '')}\n` : '');
    return { dpkgDivert: dpkg || undefined, env: env || undefined, listpackage: withNl(s.get('list')), truename: withNl(s.get('true')), exists: s.has('exists') };
  },
};

/** Whether dpkg-divert's output says nothing was done ("Leaving ..." or "No diversion ..."). */
export function divertUnchanged(stdout: string): boolean {
  return /^(Leaving|No diversion)/.test(stdout);
}
