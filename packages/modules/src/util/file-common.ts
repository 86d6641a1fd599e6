/**
 * The one place where the SELinux file arguments take effect, for every module that declares them
 * (fileCommonArgs): after the module has put its file in place, the path it reports gets the wanted
 * context, as Ansible's set_fs_attributes_if_different does last. On a host without SELinux the
 * options are ignored, as Ansible ignores them.
 */
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { ensureSeContext, type SeContextWant } from '@haweb/hostkit';

/** The path a result is about: what the module reports (copy's dest file inside a folder), else its argument. */
export function resultPath(args: Record<string, unknown>, res: ModuleResult): string | undefined {
  for (const v of [res.path, res.dest, args.path, args.dest]) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/** Merge the context change into the module's result: changed, its diff, and a failure in Ansible's words. */
export function withSeContextResult(res: ModuleResult, se: (ModuleResult & { secontext?: string; secontextBefore?: string[] }) | undefined): ModuleResult {
  if (!se) return res;
  if (se.failed) return { ...res, failed: true, msg: se.msg };
  const out: ModuleResult = { ...res, changed: res.changed || se.changed, secontext: se.secontext };
  delete out.secontextBefore;
  if (se.changed && se.diff) out.diff = [...(res.diff ?? []), ...se.diff];
  // file's registered diff is Ansible's dict: set_context_if_different adds before/after secontext (as lists).
  const dict = res.ansibleDiff as { before?: Record<string, unknown>; after?: Record<string, unknown> } | undefined;
  if (se.changed && se.secontextBefore && dict && typeof dict === 'object' && dict.before && dict.after) {
    out.ansibleDiff = { ...dict, before: { ...dict.before, secontext: se.secontextBefore }, after: { ...dict.after, secontext: se.secontext?.split(':') } };
  }
  return out;
}

export async function applySeContext(args: Record<string, unknown>, ctx: ModuleContext, res: ModuleResult, followByDefault = false): Promise<ModuleResult> {
  if (res.failed || res.skipped) return res;
  const want = args as SeContextWant;
  if (![want.seuser, want.serole, want.setype, want.selevel].some((v) => typeof v === 'string')) return res;
  const path = resultPath(args, res);
  if (!path) return res;
  // Ansible's follow: a link at the path hands the context to its target.
  const se = await ensureSeContext(ctx, path, want, (args.follow ?? followByDefault) === true);
  return withSeContextResult(res, se);
}
