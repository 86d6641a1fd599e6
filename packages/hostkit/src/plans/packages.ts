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
      commands.push({ argv: [...APT_ENV, 'apt-get', 'install', '-y', '-q', '-o', 'Dpkg::Options::=--force-confold', '--', ...targets] });
    } else {
      commands.push({ argv: [args.tool, 'install', '-y', '-q', '--', ...missing] });
    }
    return { commands, toInstall: missing, toRemove: [] };
  }
  if (present.length === 0) return { commands, toInstall: [], toRemove: [] };
  if (args.tool === 'apt') commands.push({ argv: [...APT_ENV, 'apt-get', 'remove', '-y', '-q', '--', ...present] });
  else commands.push({ argv: [args.tool, 'remove', '-y', '-q', '--', ...present] });
  return { commands, toInstall: [], toRemove: present };
}
