import { posix } from 'node:path';
import { shellQuote, type FileAttributes, type FileDiff, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';
import { applySteps, type Step } from './apply.js';

export interface ManagedFile {
  path: string;
  content: string;
  /** Octal, e.g. "0600". */
  mode: string;
  /**
   * A shell command that validates a candidate file (its path is passed in): the new content replaces
   * the old one only when it exits 0. Its output is shown when it refuses.
   */
  validate?: (candidatePath: string) => string;
  /** What the file is, in messages ("nginx.conf"). */
  label?: string;
}

/** Where the candidate is written: the destination's folder, so relative includes and rename work. */
export function candidatePath(path: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.haweb-new`);
}

function normalMode(mode: string): string {
  return mode.replace(/^0+(?=\d{3})/, '').padStart(3, '0');
}

/**
 * Write a file only when its content or mode differs; when a validator is given, write a candidate
 * next to it, validate the candidate, and rename it over the old file only if it passes. A refused
 * file leaves the old one in place (and the service using it untouched).
 */
export async function ensureManagedFile(file: ManagedFile, ctx: ModuleContext): Promise<ModuleResult> {
  const label = file.label ?? file.path;
  const [current, modeRes] = await Promise.all([
    ctx.remote.readFile(file.path, { become: ctx.become }),
    ctx.remote.run({ argv: ['stat', '-c', '%a', file.path] }, { become: ctx.become }),
  ]);
  const before = current?.toString('utf8');
  const contentSame = before === file.content;
  const modeSame = modeRes.code === 0 && normalMode(modeRes.stdout.trim()) === normalMode(file.mode);
  if (contentSame && modeSame) return { changed: false, msg: `${label} is up to date`, path: file.path };
  const diff: FileDiff[] | undefined =
    ctx.diff && !contentSame
      ? [{ before: before ?? '', after: file.content, beforeHeader: `${file.path} (before)`, afterHeader: `${file.path} (after)` }]
      : undefined;
  const steps: Step[] = contentSame
    ? [{ kind: 'run', argv: ['chmod', file.mode, file.path], why: `set mode ${file.mode} on ${label}` }]
    : [
        {
          kind: 'file',
          path: file.path,
          content: file.content,
          mode: file.mode,
          why: file.validate ? `validated and wrote ${label}` : `wrote ${label}`,
          ...(file.validate ? { validate: { command: `${file.validate(candidatePath(file.path))} 2>&1`, candidate: candidatePath(file.path) } } : {}),
        },
      ];
  const res = await applySteps(ctx, steps, {
    msg: steps[0].why,
    checkMsg: contentSame ? `would set mode ${file.mode} on ${label}` : `would write ${label}`,
    diff: diff ?? [],
    result: { path: file.path },
    failure: (f) =>
      f.refused
        ? `${label} refused by validation (the old file is kept): ${(f.result.stdout + f.result.stderr).trim()}`
        : f.step.kind === 'run'
          ? `chmod ${file.mode} ${file.path}: ${f.result.stderr.trim()}`
          : `installing ${label}: ${f.result.stderr.trim()}`,
  });
  return res.failed ? { ...res, changed: false } : res;
}

export interface ReplaceValidatedOptions {
  path: string;
  /** Where the new content is written first: next to path, so relative includes and the rename work. */
  candidate: string;
  content: string | Buffer;
  attrs: Omit<FileAttributes, 'become'>;
  /** The validation command line, given the candidate's path. */
  validateScript: (candidate: string) => string;
  timeoutMs?: number;
}

/**
 * The one validate-then-rename of the kit: write a candidate, run the validation on it, and rename it
 * over the old file only if it passed; a refused candidate is removed and the old file kept whole.
 * The rename is the only step that touches path, so a reader sees the old file or the new one.
 */
export async function replaceValidated(
  ctx: ModuleContext,
  opts: ReplaceValidatedOptions,
): Promise<{ refused?: RunResult; moveFailed?: RunResult }> {
  await ctx.remote.writeFile(opts.candidate, opts.content, { ...opts.attrs, become: ctx.become });
  const check = await ctx.remote.run({ script: opts.validateScript(opts.candidate) }, { become: ctx.become, timeoutMs: opts.timeoutMs ?? 60_000 });
  if (check.code !== 0) {
    await ctx.remote.run({ argv: ['rm', '-f', '--', opts.candidate] }, { become: ctx.become });
    return { refused: check };
  }
  const move = await ctx.remote.run({ script: `mv -f ${shellQuote(opts.candidate)} ${shellQuote(opts.path)}` }, { become: ctx.become });
  return move.code === 0 ? {} : { moveFailed: move };
}
