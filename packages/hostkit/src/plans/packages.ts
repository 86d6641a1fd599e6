/** yum/dnf package planning: install only what is missing, remove only what is there. */
import type { InstalledPackages, PackageTool } from '../facts/packages.js';
import type { PlannedCommand } from '../util/run.js';

export interface PackagePlanArgs {
  /** yum or dnf (apt's own module drives apt-get itself, plans/apt.ts). */
  tool: RpmTool;
  names: string[];
  state: 'present' | 'absent';
  /** Repositories enabled or disabled for this transaction (--enablerepo/--disablerepo). */
  enableRepos?: string[];
  disableRepos?: string[];
  /** Expire the metadata cache first, so the install sees the repositories' current state. */
  expireCache?: boolean;
  /** --exclude=a,b for this transaction. */
  exclude?: string[];
  /** dnf: --allowerasing (may remove installed packages that conflict). */
  allowErasing?: boolean;
}

/** The RHEL-family package tools. */
export type RpmTool = Exclude<PackageTool, 'apt'>;

export interface PackagePlan {
  commands: PlannedCommand[];
  toInstall: string[];
  toRemove: string[];
}

export function planPackages(installed: InstalledPackages, args: PackagePlanArgs): PackagePlan {
  const missing = args.names.filter((n) => installed.get(n) === undefined);
  const present = args.names.filter((n) => installed.get(n) !== undefined);
  const commands: PlannedCommand[] = [];
  const repos = rpmRepoOptions(args);
  if (args.state === 'present') {
    if (missing.length === 0) return { commands, toInstall: [], toRemove: [] };
    if (args.expireCache) commands.push({ argv: [args.tool, ...repos, 'clean', 'expire-cache'] });
    commands.push({ argv: [args.tool, 'install', '-y', '-q', ...repos, ...(args.allowErasing ? ['--allowerasing'] : []), '--', ...missing] });
    return { commands, toInstall: missing, toRemove: [] };
  }
  if (present.length === 0) return { commands, toInstall: [], toRemove: [] };
  commands.push({ argv: [args.tool, 'remove', '-y', '-q', ...repos, '--', ...present] });
  return { commands, toInstall: [], toRemove: present };
}

/** --disablerepo before --enablerepo, as yum applies them in order (`disablerepo: '*'` + `enablerepo: epel`). */
function rpmRepoOptions(args: PackagePlanArgs): string[] {
  const out: string[] = [];
  if (args.disableRepos?.length) out.push(`--disablerepo=${args.disableRepos.join(',')}`);
  if (args.enableRepos?.length) out.push(`--enablerepo=${args.enableRepos.join(',')}`);
  if (args.exclude?.length) out.push(`--exclude=${args.exclude.join(',')}`);
  return out;
}

/**
 * Ansible's policy_rc_d: for the time of the apt-get run, /usr/sbin/policy-rc.d is a script that
 * exits with the given code (101: invoke-rc.d starts no service); an existing one is moved aside to a
 * temporary folder and put back after, else the script is removed. The apt-get exit code is kept.
 */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';
/** sh -c script: $1 the policy-rc.d path, $2 the exit code, then the command. */
export const POLICY_RC_D_SCRIPT = [
  'p=$1; code=$2; shift 2; b=',
  'if [ -e "$p" ] || [ -L "$p" ]; then b=$(mktemp -d) && mv "$p" "$b/policy-rc.d" || exit 1; fi',
  'printf \'#!/bin/sh\\nexit %d\\n\' "$code" > "$p" && chmod 0755 "$p" || exit 1',
  'rc=0; "$@" || rc=$?',
  'if [ -n "$b" ]; then mv "$b/policy-rc.d" "$p" && rmdir "$b"; else rm -f "$p"; fi',
  'exit $rc',
].join('\n');
