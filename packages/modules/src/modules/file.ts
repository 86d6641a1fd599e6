import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { fileInfo } from '../facts/files.js';
import { planFile, PlanError } from '../operations/files.js';
import { boolish, modeArg, remotePath } from '../util/schema.js';
import { failed, stateDiff } from '../util/result.js';
import { runPlan } from '../util/run.js';

/**
 * Examples:
 *   file: { path: /etc/nginx/conf.d, state: directory, mode: "0755" }
 *   file: { path: /usr/local/nginx/current, state: link, src: /usr/local/nginx-1.22.1 }
 *   file: { path: /tmp/stale, state: absent }
 */
export const fileModule = defineModule({
  name: 'file',
  aliases: ['ansible.builtin.file'],
  description: 'Manage a path: directory, symlink, absent, touch, or the mode/owner/group of an existing file.',
  args: z.strictObject({
    path: remotePath,
    state: z.enum(['file', 'directory', 'link', 'absent', 'touch', 'hard']).optional(),
    src: z.string().optional(),
    mode: modeArg.optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    force: boolish.optional(),
    modification_time: z.enum(['now', 'preserve']).optional(),
    access_time: z.enum(['now', 'preserve']).optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const info = await ctx.fact(fileInfo, { path: args.path });
    // Ansible's default: an existing path keeps its kind; a new one with src is a link, else a file.
    const state = args.state ?? (info ? (info.type === 'directory' ? 'directory' : info.type === 'link' ? 'link' : 'file') : args.src ? 'link' : 'file');
    let plan;
    try {
      plan = planFile(info, { ...args, state, src: args.src ?? (state === 'link' && info?.type === 'link' ? info.linkTarget : undefined) });
    } catch (err) {
      if (err instanceof PlanError) return failed(err.message, { path: args.path });
      throw err;
    }
    const result = { path: args.path, state };
    if (plan.commands.length === 0) return { changed: false, ...result };
    const diff = [stateDiff(args.path, plan.before, plan.after)];
    if (!ctx.check) await runPlan(ctx, plan.commands);
    return { changed: true, msg: plan.changes.join(', '), diff, ...result };
  },
});
