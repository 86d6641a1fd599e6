import { posix } from 'node:path';
import { shellQuote, type FileAttributes, type FileDiff, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';

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
  if (ctx.check) {
    return { changed: true, msg: contentSame ? `would set mode ${file.mode} on ${label}` : `would write ${label}`, diff, path: file.path };
  }
  if (contentSame) {
    const res = await ctx.remote.run({ argv: ['chmod', file.mode, file.path] }, { become: ctx.become });
    if (res.code !== 0) return { changed: false, failed: true, msg: `chmod ${file.mode} ${file.path}: ${res.stderr.trim()}` };
    return { changed: true, msg: `set mode ${file.mode} on ${label}`, path: file.path };
  }
  await ctx.remote.run({ argv: ['mkdir', '-p', posix.dirname(file.path)] }, { become: ctx.become });
  if (!file.validate) {
    await ctx.remote.writeFile(file.path, file.content, { mode: file.mode, become: ctx.become });
    return { changed: true, msg: `wrote ${label}`, diff, path: file.path };
  }
  const validate = file.validate;
  const outcome = await replaceValidated(ctx, {
    path: file.path,
    candidate: candidatePath(file.path),
    content: file.content,
    attrs: { mode: file.mode },
    validateScript: (candidate) => `${validate(candidate)} 2>&1`,
  });
  if (outcome.refused) {
    return {
      changed: false,
      failed: true,
      msg: `${label} refused by validation (the old file is kept): ${(outcome.refused.stdout + outcome.refused.stderr).trim()}`,
      diff,
      path: file.path,
    };
  }
  if (outcome.moveFailed) return { changed: false, failed: true, msg: `installing ${label}: ${outcome.moveFailed.stderr.trim()}` };
  return { changed: true, msg: `validated and wrote ${label}`, diff, path: file.path };
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
