import { z } from 'zod';
import { accountFacts, planGroup, stepText, type GroupEntry } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, intish } from '../util/schema.js';

/** Return values (Ansible's RETURN of group): name, state, gid, system; stdout/stderr when the command printed. */
export type GroupResult = ModuleResult & { name?: string; state?: string; gid?: number; system?: boolean };

async function readGroup(ctx: ModuleContext, name: string, local: boolean): Promise<GroupEntry | undefined> {
  return (await ctx.fact(accountFacts, { local })).groups.find((g) => g.name === name);
}

/**
 * Examples:
 *   group: { name: nginx, system: true }
 *   group: name=deploy gid=2001 state=present
 */
export const groupModule = defineHostModule({
  name: 'group',
  aliases: ['ansible.builtin.group'],
  description: 'Add, change the gid of, or remove a local group (groupadd, groupmod, groupdel).',
  args: z
    .strictObject({
      name: z.string().regex(/^[^:\s,]+$/, 'a group name (no colon, comma or space)'),
      state: z.enum(['absent', 'present']).default('present'),
      gid: intish.optional(),
      system: boolish.default(false),
      local: boolish.default(false),
      non_unique: boolish.default(false),
    })
    .refine((a) => !a.non_unique || a.gid !== undefined, { message: 'non_unique is True but all of the following are missing: gid' }),
  checkMode: 'full',
  async run(a, ctx): Promise<GroupResult> {
    const current = await readGroup(ctx, a.name, a.local);
    const steps = planGroup(current, a);
    // Ansible answers a check-mode add or remove with `changed` alone.
    if (ctx.check && steps.length > 0 && (a.state === 'absent' || !current)) return { changed: true };
    let out = '';
    let err = '';
    if (!ctx.check) {
      for (const step of steps) {
        if (step.kind !== 'run') continue;
        const res = await ctx.remote.run({ argv: step.argv }, { become: ctx.become });
        out += res.stdout;
        err += res.stderr;
        if (res.code !== 0) return { changed: false, failed: true, name: a.name, msg: err.trim() || `${stepText(step)}: exit ${res.code}` };
      }
    }
    const after = ctx.check ? current : await readGroup(ctx, a.name, a.local);
    return {
      name: a.name,
      state: a.state,
      changed: steps.length > 0,
      // Ansible adds the *_lines of any stdout/stderr a module returns.
      ...(out ? { stdout: out, stdout_lines: out.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') } : {}),
      ...(err ? { stderr: err, stderr_lines: err.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '') } : {}),
      ...(after ? { system: a.system, gid: after.gid } : {}),
    };
  },
});
