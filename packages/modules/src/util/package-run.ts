/** The shared body of package, apt and yum. */
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { aptCandidates, debPackageName, installedPackages, type PackageTool } from '../facts/packages.js';
import { hostOs } from '../facts/server.js';
import { applyCommands, planPackages, type PackagePlanArgs, failed, stateDiff } from '@haweb/hostkit';
import { z } from 'zod';

/** The states package, apt and yum/dnf take (Ansible's installed/removed are present/absent). */
export const packageStates = z.enum(['present', 'installed', 'absent', 'removed']);

/** apt's states: those, and latest (install, or upgrade to the candidate version). */
export const aptStates = z.enum(['present', 'installed', 'absent', 'removed', 'latest']);

export function normalizeState(state: string | undefined): 'present' | 'absent' | 'latest' {
  if (state === 'latest') return 'latest';
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

export async function runPackages(
  ctx: ModuleContext,
  opts: { tool: PackageTool; names: string[]; state: 'present' | 'absent' | 'latest'; updateCache?: boolean; debs?: string[] } & Omit<PackagePlanArgs, 'tool' | 'names' | 'state' | 'updateCache' | 'debs' | 'candidates'>,
): Promise<ModuleResult> {
  const debs = new Map<string, string>();
  for (const path of opts.debs ?? []) {
    const name = await ctx.fact(debPackageName, { path });
    if (!name) return failed(`${path} is not a readable .deb file on ${ctx.hostName}`);
    debs.set(name, path);
  }
  const names = [...new Set([...opts.names, ...debs.keys()])];
  if (names.length === 0) return failed('no package names given');
  const installed = await ctx.fact(installedPackages, { tool: opts.tool, names });
  if (opts.state === 'latest' && opts.tool !== 'apt') return failed(`state=latest is supported with apt only (not ${opts.tool})`);
  const candidates = opts.state === 'latest' ? await ctx.fact(aptCandidates, { names: names.filter((n) => !debs.has(n)) }) : undefined;
  const plan = planPackages(installed, {
    tool: opts.tool, names, state: opts.state, candidates, updateCache: opts.updateCache, debs,
    installRecommends: opts.installRecommends, enableRepos: opts.enableRepos, disableRepos: opts.disableRepos, expireCache: opts.expireCache,
    purge: opts.purge, defaultRelease: opts.defaultRelease, allowUnauthenticated: opts.allowUnauthenticated, allowDowngrade: opts.allowDowngrade,
    dpkgOptions: opts.dpkgOptions, exclude: opts.exclude, allowErasing: opts.allowErasing, policyRcD: opts.policyRcD,
  });
  const versions = Object.fromEntries([...installed].map(([n, v]) => [n, v ?? null]));
  if (plan.commands.length === 0) {
    const marked = await markManual(ctx, opts.tool, opts.state, names);
    if (marked) return marked;
    return { changed: false, msg: opts.state === 'absent' ? 'no package to remove' : opts.state === 'latest' ? 'all packages at their latest version' : 'all packages already installed', packages: versions };
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
  return (await markManual(ctx, opts.tool, opts.state, names)) ?? res;
}

/**
 * As Ansible's apt after every install (outside check mode), whether or not anything was installed:
 * `apt-mark manual` on the named packages, so one that came in as another's dependency (auto-installed)
 * stays when that one goes. It changes nothing Ansible reports; a failure fails the task.
 */
async function markManual(ctx: ModuleContext, tool: PackageTool, state: 'present' | 'absent' | 'latest', names: string[]): Promise<ModuleResult | undefined> {
  if (tool !== 'apt' || state === 'absent' || ctx.check || names.length === 0) return undefined;
  const plain = names.map((n) => n.replace(/=.*$/, ''));
  const r = await ctx.remote.run({ argv: ['apt-mark', 'manual', ...plain] }, { become: ctx.become });
  if (r.code === 0) return undefined;
  return failed(`'apt-mark manual ${plain.join(' ')}' failed: ${(r.stderr || r.stdout).trim()}`, { rc: r.code });
}
