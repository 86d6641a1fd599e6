import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import type { ModuleContext } from '@haweb/core';
import { fileInfo } from '../facts/files.js';
import { fileAttributes, planAttributesFlags } from '../facts/attributes.js';
import { treeMismatch, modeMismatchTests, TreeModeError } from '../facts/tree.js';
import { boolish, modeArg, remotePath, withAliases } from '../util/schema.js';
import { applyCommands, parseMode, formatMode, type PlannedCommand, planFile, PlanError, failed, stateDiff } from '@haweb/hostkit';

/**
 * Examples:
 *   file: { path: /etc/nginx/conf.d, state: directory, mode: "0755" }
 *   file: { path: /usr/local/nginx/current, state: link, src: /usr/local/nginx-1.22.1 }
 *   file: { path: /tmp/stale, state: absent }
 */
export const fileModule = defineHostModule({
  name: 'file',
  aliases: ['ansible.builtin.file'],
  description: 'Manage a path: directory, symlink, absent, touch, or the mode/owner/group of an existing file.',
  args: withAliases(z.strictObject({
    path: remotePath,
    state: z.enum(['file', 'directory', 'link', 'absent', 'touch', 'hard']).optional(),
    src: z.string().optional(),
    mode: modeArg.optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    force: boolish.optional(),
    recurse: boolish.optional(),
    modification_time: z.enum(['now', 'preserve']).optional(),
    access_time: z.enum(['now', 'preserve']).optional(),
    follow: boolish.optional(),
    attributes: z.string().optional(),
  }), { path: ['dest', 'name'], attributes: ['attr'] }),
  checkMode: 'full',
  async run(args, ctx) {
    let info = await ctx.fact(fileInfo, { path: args.path });
    // follow (Ansible's default): a symlink is looked through, its target's attributes are the ones
    // compared and changed (chmod/chown follow links), and its target's kind is the default state.
    const follow = args.follow ?? true;
    const target = follow && info?.type === 'link' && args.state !== 'link' && args.state !== 'absent' && args.state !== 'hard'
      ? await ctx.fact(fileInfo, { path: args.path, follow: true })
      : undefined;
    if (target) info = target;
    else if (info?.type === 'link' && (args.state === 'file' || args.state === 'directory')) {
      return failed(`${args.path} is a symlink and follow is off: state=${args.state} does not apply to it`, { path: args.path });
    }
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
    if (args.recurse) {
      if (state !== 'directory') return failed('recurse only applies to state=directory', result);
      const extra = await planTree(ctx, args, info !== undefined);
      if ('error' in extra) return failed(extra.error, result);
      plan.commands.push(...extra.commands);
      plan.changes.push(...extra.changes);
    }
    if (args.attributes !== undefined && state !== 'absent' && state !== 'link') {
      // A path made by this plan has no attributes yet (none set); one that exists is asked.
      const current = info && !(info.type === 'link' && !target) ? await ctx.fact(fileAttributes, { path: args.path }) : '';
      const flags = planAttributesFlags(args.path, current, args.attributes);
      if (flags.commands.length > 0) {
        plan.commands.push(...flags.commands);
        plan.changes.push(`attributes ${current || '(none)'} -> ${flags.after || '(none)'}`);
        plan.before = { ...plan.before, attributes: current };
        plan.after = { ...plan.after, attributes: flags.after };
      }
    }
    if (plan.commands.length === 0) return { changed: false, ...result };
    const msg = plan.changes.join(', ');
    return applyCommands(ctx, plan.commands, { msg, checkMsg: msg, diff: [stateDiff(args.path, plan.before, plan.after)], result });
  },
});

/** recurse: owner/group/mode for everything below the directory, only when something differs. */
async function planTree(
  ctx: ModuleContext,
  args: { path: string; mode?: string | number; owner?: string; group?: string },
  exists: boolean,
): Promise<{ commands: PlannedCommand[]; changes: string[] } | { error: string }> {
  if (args.mode === undefined && args.owner === undefined && args.group === undefined) return { commands: [], changes: [] };
  try {
    if (args.mode !== undefined) modeMismatchTests(args.mode);
  } catch (err) {
    if (err instanceof TreeModeError) return { error: err.message };
    throw err;
  }
  // A directory that does not exist yet has nothing below it to compare: just apply.
  let offender: string | undefined;
  try {
    offender = exists ? await ctx.fact(treeMismatch, { path: args.path, owner: args.owner, group: args.group, mode: args.mode }) : args.path;
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (offender === undefined) return { commands: [], changes: [] };
  const commands: PlannedCommand[] = [];
  if (args.owner !== undefined || args.group !== undefined) {
    const spec = args.owner !== undefined && args.group !== undefined ? `${args.owner}:${args.group}` : args.owner ?? `:${args.group}`;
    commands.push({ argv: ['chown', '-R', spec, '--', args.path] });
  }
  if (args.mode !== undefined) {
    const spec = parseMode(args.mode);
    commands.push({ argv: ['chmod', '-R', spec.kind === 'octal' ? formatMode(spec.value) : spec.text, '--', args.path] });
  }
  return { commands, changes: [`recursive attributes (first difference: ${offender})`] };
}
