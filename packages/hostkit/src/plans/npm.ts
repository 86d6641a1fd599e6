/**
 * npm packages as community.general.npm manages them: `npm list --json --long` read for what is
 * installed (a dependency marked missing or invalid is not), `npm outdated` for what `latest` updates,
 * and the command lines Ansible builds (the same flags in the same order). Pure parsers and argv
 * builders; one fact that runs an npm read in the package folder.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface NpmOptions {
  /** The npm command (Ansible's `executable`, split on spaces), default ['npm']. */
  executable: string[];
  global: boolean;
  production: boolean;
  ignoreScripts: boolean;
  unsafePerm: boolean;
  /** name@version (or name), undefined without a name. */
  nameVersion?: string;
  registry?: string;
  noOptional: boolean;
  noBinLinks: boolean;
}

/** The argv Ansible's module runs for an npm sub-command (list, outdated, install, update, uninstall, ci). */
export function npmArgv(o: NpmOptions, sub: string[], withName: boolean): string[] {
  const cmd = [...o.executable, ...sub];
  if (o.global) cmd.push('--global');
  if (o.production && (cmd.includes('install') || cmd.includes('update') || cmd.includes('ci'))) cmd.push('--production');
  if (o.ignoreScripts) cmd.push('--ignore-scripts');
  if (o.unsafePerm) cmd.push('--unsafe-perm');
  if (o.nameVersion && withName) cmd.push(o.nameVersion);
  if (o.registry) cmd.push('--registry', o.registry);
  if (o.noOptional) cmd.push('--no-optional');
  if (o.noBinLinks) cmd.push('--no-bin-links');
  return cmd;
}

/** Installed and missing names from `npm list --json --long`, as Ansible's module reads them. */
export function npmInstalled(data: unknown, name: string | undefined, nameVersion: string | undefined): { installed: string[]; missing: (string | undefined)[] } {
  const installed: string[] = [];
  const missing: (string | undefined)[] = [];
  const deps = typeof data === 'object' && data !== null ? (data as { dependencies?: Record<string, Record<string, unknown>> }).dependencies : undefined;
  if (deps && typeof deps === 'object') {
    for (const [dep, props] of Object.entries(deps)) {
      if (props?.missing || props?.invalid) missing.push(dep);
      else {
        installed.push(dep);
        if (props?.version) installed.push(`${dep}@${String(props.version)}`);
      }
    }
    if (nameVersion && !installed.includes(nameVersion)) missing.push(name);
  } else {
    missing.push(name);
  }
  return { installed, missing };
}

/** Package names from `npm outdated`'s text output (its header line counts, as in Ansible's module). */
export function npmOutdated(out: string): string[] {
  return out.split(/\r?\n/).filter((l) => l !== '').map((l) => l.split(/\s|@/, 1)[0]);
}

const MARK = '@@haweb-npm@@';

/** The shell prefix: the package folder made and entered (Ansible makes it, even in check mode). */
export function npmInFolder(path: string | undefined, argv: readonly string[]): string {
  const run = argv.map(shellQuote).join(' ');
  if (!path) return run;
  const p = shellQuote(path);
  return `{ [ -e ${p} ] || mkdir -p ${p}; } && { [ -d ${p} ] || { echo "path ${path.replace(/[`"$\\]/g, '\\$&')} is not a directory" >&2; exit 90; }; } && cd ${p} && ${run}`;
}

export interface NpmRead {
  /** The npm executable was found (its path, as `command -v` gives it). */
  tool: boolean;
  path: string;
  rc: number;
  stdout: string;
  stderr: string;
}

/** One npm read (list, outdated): exit code and both outputs. */
export const npmRead: Fact<{ path?: string; argv: string[] }, NpmRead> = {
  name: 'npm.read',
  command({ path, argv }) {
    return [
      `t=$(command -v ${shellQuote(argv[0])}) || exit 0`,
      `echo ${MARK}tool; echo "$t"; e=$(mktemp); o=$( (${npmInFolder(path, argv)}) 2>"$e"); rc=$?`,
      `echo ${MARK}rc; echo "$rc"; echo ${MARK}stderr; cat "$e"; rm -f "$e"; echo ${MARK}stdout; printf '%s\\n' "$o"`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return { tool: s.has('tool'), path: (s.get('tool') ?? '').trim(), rc: Number((s.get('rc') ?? '1').trim()), stdout: s.get('stdout') ?? '', stderr: s.get('stderr') ?? '' };
  },
};
