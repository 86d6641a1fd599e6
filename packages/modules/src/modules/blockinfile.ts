import { posix } from 'node:path';
import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { ensureFile, failed, readFileInfo } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { editBlock, DEFAULT_BLOCK_MARKER, EditError, type TextEdit } from '../operations/lines.js';
import { editedFileArgs, makeParentFolders } from '../util/edit-file.js';
import { withAliases } from '../util/schema.js';

type BlockinfileArgs = {
  path: string;
  state?: 'present' | 'absent';
  block?: string;
  marker?: string;
  marker_begin?: string;
  marker_end?: string;
  insertafter?: string;
  insertbefore?: string;
  create?: boolean;
  backup?: boolean;
  validate?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
};

/**
 * Example:
 *   blockinfile: { path: /etc/hosts, block: "198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02" }
 */
export const blockinfileModule = defineHostModule({
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile'],
  description: 'Insert, update or remove a block of lines between marker lines.',
  args: withAliases(z
    .strictObject({
      ...editedFileArgs,
      block: z.string().optional(),
      marker: z.string().optional(),
      marker_begin: z.string().optional(),
      marker_end: z.string().optional(),
    })
    .refine((a) => !(a.insertafter !== undefined && a.insertbefore !== undefined), { message: 'insertafter and insertbefore are mutually exclusive' }), { path: ['dest', 'destfile', 'name'], block: ['content'] }),
  checkMode: 'full',
  run: (args, ctx) => blockinfile(ctx, args),
});

/** Ansible's main(): its checks and messages in its order; the edit itself in operations/lines. */
async function blockinfile(ctx: ModuleContext, args: BlockinfileArgs): Promise<ModuleResult> {
  const path = args.path;
  const info = await readFileInfo(ctx, path, true);
  if (info?.type === 'directory') return failed(`Path ${path} is a directory !`, { rc: 256 });
  if (!info && !args.create) return failed(`Path ${path} does not exist !`, { rc: 257 });
  const state = args.state ?? 'present';
  if (state === 'absent' && !info) return { changed: false, msg: `File ${path} not present` };
  const before = info ? ((info.content ?? (await ctx.remote.readFile(path, { become: ctx.become })))?.toString('utf8') ?? '') : undefined;
  let edit: TextEdit;
  try {
    edit = editBlock(before, {
      block: args.block ?? '',
      marker: args.marker ?? DEFAULT_BLOCK_MARKER,
      marker_begin: args.marker_begin ?? 'BEGIN',
      marker_end: args.marker_end ?? 'END',
      state,
      insertafter: args.insertafter,
      insertbefore: args.insertbefore,
    });
  } catch (err) {
    if (err instanceof EditError) return failed(err.message);
    throw err;
  }
  // create: the missing folders first (Ansible's os.makedirs), not in check mode
  if (!info && edit.changed) {
    const refused = await makeParentFolders(ctx, path);
    if (refused) return refused;
  }
  const write = await ensureFile(ctx, {
    dest: path,
    content: edit.content,
    mode: args.mode,
    owner: args.owner,
    group: args.group,
    backup: edit.changed ? args.backup : false,
    validate: edit.changed ? args.validate : undefined,
    info: info ?? null,
  });
  if (write.failed) return write;
  // check_file_attrs: an attribute change is added to the message
  const attributes = write.changed && !edit.changed;
  const msg = attributes ? 'ownership, perms or SE linux context changed' : edit.msg;
  const { backup_file: backupFile, ...rest } = write;
  return { ...rest, changed: edit.changed || write.changed, msg, ...(typeof backupFile === 'string' ? { backup_file: backupFile } : {}) };
}
