/** Package planning: install only what is missing, remove only what is there. */
import type { InstalledPackages, PackageTool } from '../facts/packages.js';
import type { PlannedCommand } from '../util/run.js';

export interface PackagePlanArgs {
  tool: PackageTool;
  names: string[];
  state: 'present' | 'absent';
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
  const missing = args.names.filter((n) => installed.get(n) === undefined);
  const present = args.names.filter((n) => installed.get(n) !== undefined);
  const commands: PlannedCommand[] = [];
  if (args.state === 'present') {
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
      commands.push({ argv: [...APT_ENV, 'apt-get', 'install', '-y', '-q', ...dpkg, ...recommends, ...extra, '--', ...targets] });
    } else {
      const repos = rpmRepoOptions(args);
      if (args.expireCache) commands.push({ argv: [args.tool, ...repos, 'clean', 'expire-cache'] });
      commands.push({ argv: [args.tool, 'install', '-y', '-q', ...repos, '--', ...missing] });
    }
    return { commands, toInstall: missing, toRemove: [] };
  }
  if (present.length === 0) return { commands, toInstall: [], toRemove: [] };
  if (args.tool === 'apt') commands.push({ argv: [...APT_ENV, 'apt-get', 'remove', '-y', '-q', ...(args.purge ? ['--purge'] : []), '--', ...present] });
  else commands.push({ argv: [args.tool, 'remove', '-y', '-q', ...rpmRepoOptions(args), '--', ...present] });
  return { commands, toInstall: [], toRemove: present };
}

/** --disablerepo before --enablerepo, as yum applies them in order (`disablerepo: '*'` + `enablerepo: epel`). */
function rpmRepoOptions(args: PackagePlanArgs): string[] {
  const out: string[] = [];
  if (args.disableRepos?.length) out.push(`--disablerepo=${args.disableRepos.join(',')}`);
  if (args.enableRepos?.length) out.push(`--enablerepo=${args.enableRepos.join(',')}`);
  return out;
}
