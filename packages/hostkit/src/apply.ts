/**
 * The one apply step: a plan is a list of steps (pure data, made by the kit's plan functions from
 * facts); apply runs them in order, or in check mode only says what it would do, and gives a diff of
 * every file it writes. Modules and installers never hand-write check mode again.
 */
import { posix } from 'node:path';
import { shellJoin, type FileDiff, type ModuleContext, type ModuleResult } from '@haweb/core';
import { fileDiff } from './util/result.js';
import { detachedScript } from './util/run.js';

export type Step =
  /** A command, as argv (never concatenated shell). */
  | { kind: 'run'; argv: string[]; why: string; detach?: boolean }
  /** A shell script the kit wrote (pipes, redirections, bounded wait loops). */
  | { kind: 'script'; script: string; why: string; detach?: boolean }
  /** A whole file, written atomically by the Remote (temp file + rename). */
  | { kind: 'file'; path: string; content: string; mode: string; why: string };

export class HostPlanError extends Error {}

/** A step as one line of text: what tests assert and what logs show. */
export function stepText(step: Step): string {
  switch (step.kind) {
    case 'run':
      return shellJoin(step.argv);
    case 'script':
      return step.script;
    case 'file':
      return `write ${step.path} ${step.mode}`;
  }
}

export interface ApplyOptions {
  /** Current content of the files the plan writes, for diffs (absent: a new file). */
  before?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/**
 * Run the steps (or, in check mode, report them). Stops at the first failing step and names it, with
 * the tail of its output; a step that changed nothing is not possible (plans only emit needed steps).
 */
export async function applySteps(ctx: ModuleContext, steps: readonly Step[], options: ApplyOptions = {}): Promise<ModuleResult> {
  if (steps.length === 0) return { changed: false };
  const whys = steps.map((s) => s.why);
  const diff: FileDiff[] = ctx.diff
    ? steps.flatMap((s) => (s.kind === 'file' ? [fileDiff(s.path, options.before?.[s.path], s.content)] : []))
    : [];
  const extra = diff.length > 0 ? { diff } : {};
  if (ctx.check) return { changed: true, msg: `would: ${whys.join('; ')}`, ...extra };
  for (const step of steps) {
    if (step.kind === 'file') {
      const dir = posix.dirname(step.path);
      const mk = await ctx.remote.run({ argv: ['mkdir', '-p', '--', dir] }, { become: ctx.become });
      if (mk.code !== 0) return { changed: true, failed: true, msg: `${step.why}: mkdir ${dir}: ${mk.stderr.trim()}`, ...extra };
      await ctx.remote.writeFile(step.path, step.content, { mode: step.mode, become: ctx.become });
      continue;
    }
    const text = step.kind === 'run' ? shellJoin(step.argv) : step.script;
    const command = step.detach ? { script: detachedScript(text) } : step.kind === 'run' ? { argv: step.argv } : { script: step.script };
    const res = await ctx.remote.run(command, { become: ctx.become, timeoutMs: options.timeoutMs ?? 120_000 });
    if (res.code !== 0) {
      const output = `${res.stdout}${res.stderr}`.trim().split('\n').slice(-5).join(' | ');
      return { changed: true, failed: true, msg: `${step.why}: ${text}: exit ${res.code}${output ? `: ${output}` : ''}`, ...extra };
    }
  }
  return { changed: true, msg: whys.join('; '), ...extra };
}

