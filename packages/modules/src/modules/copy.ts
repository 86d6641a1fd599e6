import { readFile, stat } from 'node:fs/promises';
import { posix, basename } from 'node:path';
import { z } from 'zod';
import { type ModuleContext, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { fileInfo } from '../facts/files.js';
import { ensureFile } from '../util/file-write.js';
import { boolish, modeArg, remotePath } from '../util/schema.js';
import { failed } from '../util/result.js';

export const fileWriteArgs = {
  dest: remotePath,
  mode: modeArg.optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
  backup: boolish.optional(),
  validate: z.string().optional(),
  force: boolish.optional(),
};

/** Where the content goes: a destination ending in "/" or naming a directory gets the source's name. */
export async function resolveDest(ctx: ModuleContext, dest: string, srcName: string | undefined): Promise<string> {
  if (srcName === undefined) return dest;
  if (dest.endsWith('/')) return posix.join(dest, srcName);
  const info = await ctx.fact(fileInfo, { path: dest, follow: true });
  return info?.type === 'directory' ? posix.join(dest, srcName) : dest;
}

/**
 * Examples:
 *   copy: { src: index.html, dest: /usr/local/nginx/html/index.html, mode: "0644" }
 *   copy: { content: "{{ motd }}\n", dest: /etc/motd, backup: yes }
 *   copy: { src: nginx.conf, dest: /etc/nginx/nginx.conf, validate: "nginx -t -c %s" }
 */
export const copyModule = defineHostModule({
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  description: 'Copy a controller file (src) or literal content to a file on the host, atomically.',
  args: z
    .strictObject({ src: z.string().optional(), content: z.string().optional(), ...fileWriteArgs })
    .refine((a) => (a.src === undefined) !== (a.content === undefined), { message: 'give exactly one of src or content' }),
  checkMode: 'full',
  async run(args, ctx): Promise<ModuleResult> {
    let content: string | Buffer;
    let srcName: string | undefined;
    if (args.src !== undefined) {
      const local = ctx.resolveLocal(args.src, 'files');
      const st = await stat(local).catch(() => undefined);
      if (!st) return failed(`src ${args.src} not found on the controller (looked at ${local})`);
      if (st.isDirectory()) return failed(`src ${args.src} is a directory; copy takes one file (use unarchive for a tree)`);
      content = await readFile(local);
      srcName = basename(local);
    } else {
      content = args.content!;
    }
    const dest = await resolveDest(ctx, args.dest, srcName);
    return ensureFile(ctx, { ...args, dest, content });
  },
});
