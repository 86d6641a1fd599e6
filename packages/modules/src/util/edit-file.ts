/** What lineinfile and blockinfile share: their file arguments and the making of a missing folder. */
import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { posix } from 'node:path';
import { failed } from '@haweb/hostkit';
import { boolish, modeArg, remotePath, fileCommonArgs } from './schema.js';

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
  ...fileCommonArgs,
};

/**
 * `create` of a file whose folder is missing: the folders first, as Ansible's lineinfile and
 * blockinfile do (os.makedirs), never in check mode. Undefined when there was nothing to make or it worked.
 */
export async function makeParentFolders(ctx: ModuleContext, path: string): Promise<ModuleResult | undefined> {
  if (ctx.check) return undefined;
  const parent = posix.dirname(path);
  const made = await ctx.remote.run({ argv: ['mkdir', '-p', '--', parent] }, { become: ctx.become });
  return made.code === 0 ? undefined : failed(`Error creating ${parent} (${made.stderr.trim()})`);
}
