/** Editing part of a text file on the host: read it, edit in memory, write it back if it changed. */
import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { EditError, type TextEdit } from '../operations/lines.js';
import { ensureFile, readFileInfo, failed } from '@haweb/hostkit';
import { boolish, modeArg, remotePath } from './schema.js';

/** Arguments shared by modules that edit part of a file (lineinfile, blockinfile). */
export const editedFileArgs = {
  path: remotePath,
  state: z.enum(['present', 'absent']).optional(),
  insertafter: z.string().optional(),
  insertbefore: z.string().optional(),
  create: boolish.optional(),
  backup: boolish.optional(),
  validate: z.string().optional(),
  mode: modeArg.optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
};

/** Read, edit in memory, write back through ensureFile (atomic, diff, check mode). */
export async function editFile(
  ctx: ModuleContext,
  args: { path: string; state?: string; create?: boolean; backup?: boolean; validate?: string; mode?: string | number; owner?: string; group?: string },
  edit: (before: string) => TextEdit,
): Promise<ModuleResult> {
  const info = await readFileInfo(ctx, args.path, true);
  if (info && info.type !== 'file') return failed(`${args.path} is not a regular file`);
  let before = '';
  if (info) {
    // Small files came with the fact; bigger ones are read separately.
    const buf = info.content ?? (await ctx.remote.readFile(args.path, { become: ctx.become }));
    before = buf?.toString('utf8') ?? '';
  } else if (args.state === 'absent') {
    return { changed: false, msg: 'file does not exist', path: args.path };
  } else if (!args.create) {
    return failed(`${args.path} does not exist (set create: true to create it)`);
  }
  let result: TextEdit;
  try {
    result = edit(before);
  } catch (err) {
    if (err instanceof EditError) return failed(err.message);
    throw err;
  }
  if (!result.changed && info) {
    // Attributes may still need a change.
    const r = await ensureFile(ctx, { dest: args.path, content: before, mode: args.mode, owner: args.owner, group: args.group, info });
    return { ...r, msg: r.changed ? r.msg : result.msg, path: args.path };
  }
  const r = await ensureFile(ctx, {
    dest: args.path,
    content: result.content,
    mode: args.mode,
    owner: args.owner,
    group: args.group,
    backup: args.backup,
    validate: args.validate,
    info: info ?? null,
  });
  return { ...r, msg: r.failed ? r.msg : result.msg, path: args.path };
}

