/** package's backend choice and the body of yum/dnf. */
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { installedPackages, type PackageTool } from '../facts/packages.js';
import { hostOs } from '../facts/server.js';
import { applyCommands, planPackages, type PackagePlanArgs, type RpmTool, failed, stateDiff } from '@haweb/hostkit';
import { z } from 'zod';

/** The states package, apt and yum/dnf take (Ansible's installed/removed are present/absent). */
export const packageStates = z.enum(['present', 'installed', 'absent', 'removed']);

/** package's states: those, and latest (apt takes it, yum/dnf refuse it). */
export const aptStates = z.enum(['present', 'installed', 'absent', 'removed', 'latest']);

export function normalizeState(state: string | undefined): 'present' | 'absent' {
  return state === 'absent' || state === 'removed' ? 'absent' : 'present';
}

/** The package tool: forced by the module (apt/yum), asked for with `use`, or chosen from the OS family. */
export async function choosePackageTool(ctx: ModuleContext, wanted: 'auto' | PackageTool): Promise<PackageTool | { error: string }> {
  if (wanted !== 'auto') return wanted;
  const os = await hostOs(ctx);
  if (os.pkgMgr === 'apt' || os.family === 'Debian') return 'apt';
  if (os.pkgMgr === 'dnf') return 'dnf';
  if (os.pkgMgr === 'yum' || os.family === 'RedHat') return 'yum';
  return { error: `no supported package manager on ${ctx.hostName} (os family ${os.family}, found ${os.pkgMgr})` };
}

/** yum/dnf: install what is missing, remove what is there (apt's module drives apt-get itself). */
export async function runPackages(
  ctx: ModuleContext,
  opts: { tool: RpmTool; names: string[]; state: 'present' | 'absent' } & Omit<PackagePlanArgs, 'tool' | 'names' | 'state'>,
): Promise<ModuleResult> {
  const names = [...new Set(opts.names)];
  if (names.length === 0) return failed('no package names given');
  const installed = await ctx.fact(installedPackages, { tool: opts.tool, names });
  const plan = planPackages(installed, {
    tool: opts.tool, names, state: opts.state, enableRepos: opts.enableRepos, disableRepos: opts.disableRepos, expireCache: opts.expireCache,
    exclude: opts.exclude, allowErasing: opts.allowErasing,
  });
  const versions = Object.fromEntries([...installed].map(([n, v]) => [n, v ?? null]));
  if (plan.commands.length === 0) {
    return { changed: false, msg: opts.state === 'absent' ? 'no package to remove' : 'all packages already installed', packages: versions };
  }
  const verb = plan.toInstall.length ? `install ${plan.toInstall.join(' ')}` : `remove ${plan.toRemove.join(' ')}`;
  const diff = [
    stateDiff('packages', Object.fromEntries(names.map((n) => [n, installed.get(n) ?? 'absent'])), Object.fromEntries(
      names.map((n) => [n, plan.toInstall.includes(n) ? 'installed' : plan.toRemove.includes(n) ? 'absent' : installed.get(n) ?? 'absent']),
    )),
  ];
  if (!ctx.check) ctx.progress(`${opts.tool}: ${verb}`);
  const res = await applyCommands(ctx, plan.commands, {
    msg: verb,
    diff,
    result: { installed: plan.toInstall, removed: plan.toRemove },
    failure: (f) => `${opts.tool} could not ${verb}: ${(f.result.stderr || f.result.stdout).trim().split('\n').slice(-5).join(' | ')}`,
  });
  if (res.failed) return failed(res.msg!, { rc: res.rc });
  return res;
}
