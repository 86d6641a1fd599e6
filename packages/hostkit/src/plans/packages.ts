/** Package planning: install only what is missing, remove only what is there. */
import type { InstalledPackages, PackageTool } from '../facts/packages.js';
import type { PlannedCommand } from '../util/run.js';

export interface PackagePlanArgs {
  tool: PackageTool;
  names: string[];
  /** latest (apt only): as present, and an installed package whose candidate is another version is installed again (upgraded). */
  state: 'present' | 'absent' | 'latest';
  /** apt, state latest: each name's candidate version (apt-cache policy). */
  candidates?: Map<string, string | undefined>;
  updateCache?: boolean;
  /** .deb files on the host to install (apt only), keyed by the package name they contain. */
  debs?: Map<string, string>;
  /** apt: install recommended packages (true/false), or the host's APT default (undefined). */
  installRecommends?: boolean;
  /** yum/dnf: repositories enabled or disabled for this transaction (--enablerepo/--disablerepo). */
  enableRepos?: string[];
  disableRepos?: string[];
  /** yum/dnf: expire the metadata cache first, so the install sees the repositories' current state. */
  expireCache?: boolean;
  /** apt: remove with --purge (configuration files too). */
  purge?: boolean;
  /** apt: install from this release (-t, e.g. bookworm-backports). */
  defaultRelease?: string;
  /** apt: --allow-unauthenticated / --allow-downgrades. */
  allowUnauthenticated?: boolean;
  allowDowngrade?: boolean;
  /** yum/dnf: --exclude=a,b for this transaction. */
  exclude?: string[];
  /** dnf: --allowerasing (may remove installed packages that conflict). */
  allowErasing?: boolean;
  /** apt: run install/remove with /usr/sbin/policy-rc.d answering this exit code (101: no service start), as Ansible's policy_rc_d. */
  policyRcD?: number;
  /** apt: dpkg options (Ansible's dpkg_options, e.g. force-confdef,force-confold); default --force-confold. */
  dpkgOptions?: string[];
}

export interface PackagePlan {
  commands: PlannedCommand[];
  toInstall: string[];
  toRemove: string[];
}

const APT_ENV = ['env', 'DEBIAN_FRONTEND=noninteractive'];

export function planPackages(installed: InstalledPackages, args: PackagePlanArgs): PackagePlan {
  // Ansible's apt with state=latest installs a package that is there too when its candidate (the
  // version apt's policy picks) is not the installed one; apt-get install then upgrades it.
  const upgradable = (n: string) => {
    const v = installed.get(n);
    const c = args.candidates?.get(n);
    return args.state === 'latest' && v !== undefined && c !== undefined && c !== v;
  };
  const missing = args.names.filter((n) => installed.get(n) === undefined || upgradable(n));
  const present = args.names.filter((n) => installed.get(n) !== undefined);
  const commands: PlannedCommand[] = [];
  if (args.state === 'present' || args.state === 'latest') {
    if (missing.length === 0) return { commands, toInstall: [], toRemove: [] };
    if (args.tool === 'apt') {
      if (args.updateCache) commands.push({ argv: [...APT_ENV, 'apt-get', 'update', '-q'] });
      const targets = missing.map((n) => args.debs?.get(n) ?? n);
      const recommends = args.installRecommends === undefined ? [] : ['-o', `APT::Install-Recommends=${args.installRecommends ? 'yes' : 'no'}`];
      const dpkg = (args.dpkgOptions ?? ['force-confold']).flatMap((o) => ['-o', `Dpkg::Options::=--${o}`]);
      const extra = [
        ...(args.defaultRelease ? ['-t', args.defaultRelease] : []),
        ...(args.allowUnauthenticated ? ['--allow-unauthenticated'] : []),
        ...(args.allowDowngrade ? ['--allow-downgrades'] : []),
      ];
      commands.push(withPolicyRcD([...APT_ENV, 'apt-get', 'install', '-y', '-q', ...dpkg, ...recommends, ...extra, '--', ...targets], args.policyRcD));
    } else {
      const repos = rpmRepoOptions(args);
      if (args.expireCache) commands.push({ argv: [args.tool, ...repos, 'clean', 'expire-cache'] });
      commands.push({ argv: [args.tool, 'install', '-y', '-q', ...repos, ...(args.allowErasing ? ['--allowerasing'] : []), '--', ...missing] });
    }
    return { commands, toInstall: missing, toRemove: [] };
  }
  if (present.length === 0) return { commands, toInstall: [], toRemove: [] };
  if (args.tool === 'apt') commands.push(withPolicyRcD([...APT_ENV, 'apt-get', 'remove', '-y', '-q', ...(args.purge ? ['--purge'] : []), '--', ...present], args.policyRcD));
  else commands.push({ argv: [args.tool, 'remove', '-y', '-q', ...rpmRepoOptions(args), '--', ...present] });
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

function withPolicyRcD(argv: string[], code: number | undefined): PlannedCommand {
  if (code === undefined) return { argv };
  return { argv: ['sh', '-c', POLICY_RC_D_SCRIPT, 'policy-rc.d', POLICY_RC_D, String(code), ...argv] };
}
