/**
 * Putting a whole file in place idempotently: the shared core of copy, template, lineinfile and
 * blockinfile, exported for installer modules (nginx, keepalived configs). It compares a checksum
 * and the attributes first, writes only when needed (atomically, through Remote.writeFile), honours
 * check mode, makes a backup and runs a validation command on request, and returns a diff.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileDiff, ModuleContext, ModuleResult } from '@haweb/core';
import { applySteps, commandFailedMessage, runSteps, type FileStep, type Step } from './apply.js';
import { sha256 } from './digest.js';
import { fileInfo, type FileInfo } from './facts/files.js';
import { planAttributes, type DesiredAttributes } from './plans/files.js';
import { formatMode, parseMode, resolveMode } from './util/mode.js';
import { fileDiff, stateDiff } from './util/result.js';
import { CommandFailed } from './util/run.js';

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
    const msg = plan.changes.join(', ');
    return applySteps(ctx, runSteps(plan.commands, msg), {
      together: true, timeoutMs: 0, msg, checkMsg: msg, result: base, diff: [stateDiff(dest, plan.before, plan.after)], failure: commandFailedMessage,
    });
  }

  const diff: FileDiff[] = [];
  if (ctx.diff) {
    const old = info ? info.content ?? (await ctx.remote.readFile(dest, { become: ctx.become })) : undefined;
    diff.push(fileDiff(dest, diffText(old), diffText(content)));
  }
  if (opts.validate !== undefined && !opts.validate.includes('%s')) return { changed: false, failed: true, msg: `validate must contain %s: ${opts.validate}` };
  const plan = planFileWrite(dest, info, opts, content);
  const res = await applySteps(ctx, plan.steps, {
    together: true,
    timeoutMs: 0,
    msg: info ? 'file replaced' : 'file created',
    checkMsg: info ? 'file would be replaced' : 'file would be created',
    result: base,
    diff,
    failure: (f) =>
      f.refused ? `validation failed (rc=${f.result.code}): ${(f.result.stderr || f.result.stdout).trim()}` : commandFailedMessage(f),
  });
  // A refused or failed write leaves dest as it was (a backup copy may have been made).
  if (res.failed) return { ...res, changed: false };
  return ctx.check || !plan.backupFile ? res : { ...res, backup_file: plan.backupFile };
}

/**
 * The steps that put `content` at dest: a backup copy, the write (validated first on request, with
 * the final attributes on the new file so the rename is the only step left), and a symbolic mode on a
 * new file, which only the file's own bits can resolve.
 */
export function planFileWrite(
  dest: string,
  info: FileInfo | undefined,
  opts: Omit<EnsureFileOptions, 'dest' | 'content' | 'info'>,
  content: string | Buffer,
  now = new Date(),
  token = randomBytes(5).toString('hex'),
): { steps: Step[]; backupFile?: string } {
  // Attributes for the new file: the requested ones; writeFile keeps the existing file's otherwise.
  let mode: string | undefined;
  let modeAfterWrite: string | undefined;
  if (opts.mode !== undefined) {
    const spec = parseMode(opts.mode);
    if (spec.kind === 'octal') mode = formatMode(spec.value);
    else if (info) mode = formatMode(resolveMode(spec, info.mode, false));
    else modeAfterWrite = spec.text;
  }
  const steps: Step[] = [];
  const backupFile = opts.backup && info ? backupName(dest, now) : undefined;
  if (backupFile) steps.push({ kind: 'run', argv: ['cp', '-p', '--', dest, backupFile], why: 'backup' });
  const write: FileStep = { kind: 'file', path: dest, content, why: info ? 'file replaced' : 'file created', parents: false };
  if (opts.validate !== undefined) {
    // The candidate gets the final attributes now (the existing file's where none are asked for).
    const m = mode ?? (info ? formatMode(info.mode) : undefined);
    const owner = opts.owner ?? info?.owner;
    const group = opts.group ?? info?.group;
    Object.assign(write, m !== undefined ? { mode: m } : {}, owner !== undefined ? { owner } : {}, group !== undefined ? { group } : {});
    write.validate = { command: opts.validate, candidate: posix.join(posix.dirname(dest), `.${posix.basename(dest)}.haweb-validate-${token}`) };
  } else {
    Object.assign(write, mode !== undefined ? { mode } : {}, opts.owner !== undefined ? { owner: opts.owner } : {}, opts.group !== undefined ? { group: opts.group } : {});
  }
  steps.push(write);
  if (modeAfterWrite) steps.push({ kind: 'run', argv: ['chmod', modeAfterWrite, '--', dest], why: `mode ${modeAfterWrite}` });
  return { steps, ...(backupFile ? { backupFile } : {}) };
}

export { CommandFailed, sha256 };

/**
 * What Ansible adds to every result that names an existing `path` or `dest` (AnsibleModule's
 * add_path_info): uid, gid, owner, group, mode ('0644'), state and size. Nothing for a missing path.
 */
export function ansiblePathInfo(info: FileInfo | undefined): Record<string, unknown> {
  if (!info) return {};
  const state = info.type === 'directory' ? 'directory' : info.type === 'link' ? 'link' : 'file';
  return { uid: info.uid, gid: info.gid, owner: info.owner, group: info.group, mode: formatMode(info.mode), state, size: info.size };
}
