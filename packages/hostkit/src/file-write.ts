/**
 * Putting a whole file in place idempotently: the shared core of copy, template, lineinfile and
 * blockinfile, exported for installer modules (nginx, keepalived configs). It compares a checksum
 * and the attributes first, writes only when needed (atomically, through Remote.writeFile), honours
 * check mode, makes a backup and runs a validation command on request, and returns a diff.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { shellQuote, type FileDiff, type ModuleContext, type ModuleResult } from '@haweb/core';
import { sha256 } from './digest.js';
import { fileInfo, type FileInfo } from './facts/files.js';
import { planAttributes, type DesiredAttributes } from './plans/files.js';
import { replaceValidated } from './validated-file.js';
import { formatMode, parseMode, resolveMode } from './util/mode.js';
import { fileDiff, stateDiff } from './util/result.js';
import { runPlan, CommandFailed } from './util/run.js';

/** Bigger or binary files are not shown in diffs. */
const DIFF_LIMIT = 256 * 1024;

export interface EnsureFileOptions extends DesiredAttributes {
  dest: string;
  content: string | Buffer;
  /** Keep a copy of the old file as dest.<time>~ before replacing it. */
  backup?: boolean;
  /** A command run on the new content before it replaces dest; `%s` is the (quoted) temp file path. */
  validate?: string;
  /** false: never replace an existing file (create only). Default true. */
  force?: boolean;
  /** Facts already read by the caller (saves a round trip). */
  info?: FileInfo | null;
}


function diffText(content: string | Buffer | undefined): string | undefined {
  if (content === undefined) return undefined;
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  if (buf.length > DIFF_LIMIT) return `(${buf.length} bytes, not shown)\n`;
  if (buf.includes(0)) return `(binary, ${buf.length} bytes)\n`;
  return buf.toString('utf8');
}

/**
 * Read a file's current state (with sha256) the way ensureFile needs it; with `content`, small files
 * come back with their content in the same round trip (for diffs and in-place edits).
 */
export function readFileInfo(ctx: ModuleContext, dest: string, content = false): Promise<FileInfo | undefined> {
  return ctx.fact(fileInfo, { path: dest, checksum: 'sha256', content });
}

export function backupName(dest: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${dest}.${stamp}~`;
}

export async function ensureFile(ctx: ModuleContext, opts: EnsureFileOptions): Promise<ModuleResult> {
  const { dest, content } = opts;
  const info = opts.info === undefined ? await readFileInfo(ctx, dest, ctx.diff) : opts.info ?? undefined;
  if (info?.type === 'directory') return { changed: false, failed: true, msg: `${dest} is a directory` };
  const wantSum = sha256(content);
  const base = { dest, checksum: wantSum };

  if (info && (info.checksum === wantSum || opts.force === false)) {
    // Content is right (or must not be replaced): only attributes may need a change.
    const plan = planAttributes(dest, info, opts);
    if (plan.commands.length === 0) return { changed: false, ...base, msg: 'file already up to date' };
    const diff: FileDiff[] = [stateDiff(dest, plan.before, plan.after)];
    if (!ctx.check) await runPlan(ctx, plan.commands);
    return { changed: true, ...base, msg: plan.changes.join(', '), diff };
  }

  const diff: FileDiff[] = [];
  if (ctx.diff) {
    const old = info ? info.content ?? (await ctx.remote.readFile(dest, { become: ctx.become })) : undefined;
    diff.push(fileDiff(dest, diffText(old), diffText(content)));
  }
  if (ctx.check) return { changed: true, ...base, msg: info ? 'file would be replaced' : 'file would be created', diff };

  // Attributes for the new file: the requested ones; writeFile keeps the existing file's otherwise.
  let mode: string | undefined;
  let modeAfterWrite: string | undefined;
  if (opts.mode !== undefined) {
    const spec = parseMode(opts.mode);
    if (spec.kind === 'octal') mode = formatMode(spec.value);
    else if (info) mode = formatMode(resolveMode(spec, info.mode, false));
    else modeAfterWrite = spec.text;
  }
  const attrs = { mode, owner: opts.owner, group: opts.group, become: ctx.become };

  let backupFile: string | undefined;
  if (opts.backup && info) {
    backupFile = backupName(dest);
    await runPlan(ctx, [{ argv: ['cp', '-p', '--', dest, backupFile] }]);
  }

  if (opts.validate !== undefined) {
    if (!opts.validate.includes('%s')) return { changed: false, failed: true, msg: `validate must contain %s: ${opts.validate}` };
    const tmp = posix.join(posix.dirname(dest), `.${posix.basename(dest)}.haweb-validate-${randomBytes(5).toString('hex')}`);
    // The temp file gets the final attributes now, so the rename below is the only step left.
    const tmpAttrs = {
      ...attrs,
      mode: attrs.mode ?? (info ? formatMode(info.mode) : undefined),
      owner: attrs.owner ?? info?.owner,
      group: attrs.group ?? info?.group,
    };
    const validate = opts.validate;
    const outcome = await replaceValidated(ctx, {
      path: dest,
      candidate: tmp,
      content,
      attrs: { mode: tmpAttrs.mode, owner: tmpAttrs.owner, group: tmpAttrs.group },
      validateScript: (candidate) => validate.split('%s').join(shellQuote(candidate)),
    });
    if (outcome.refused) {
      const check = outcome.refused;
      return {
        changed: false,
        failed: true,
        msg: `validation failed (rc=${check.code}): ${(check.stderr || check.stdout).trim()}`,
        ...base,
        rc: check.code,
        stdout: check.stdout,
        stderr: check.stderr,
      };
    }
    if (outcome.moveFailed) throw new CommandFailed(`mv -f ${tmp} ${dest}`, outcome.moveFailed);
  } else {
    await ctx.remote.writeFile(dest, content, attrs);
  }
  if (modeAfterWrite) await runPlan(ctx, [{ argv: ['chmod', modeAfterWrite, '--', dest] }]);
  return {
    changed: true,
    ...base,
    msg: info ? 'file replaced' : 'file created',
    ...(backupFile ? { backup_file: backupFile } : {}),
    ...(diff.length ? { diff } : {}),
  };
}

export { CommandFailed, sha256 };
