import { z } from 'zod';
import { applySteps, sysctlPlan, sysctlState, failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath, withAliases } from '../util/schema.js';

/**
 * ansible.posix.sysctl: a kernel parameter in a sysctl file (and, with sysctl_set, in the running
 * kernel), reloaded as Ansible does. Check mode; the result is `changed`, as Ansible's.
 * Example: ansible.posix.sysctl: { name: net.ipv4.ip_forward, value: '1', sysctl_set: true }
 */
export const sysctlModule = defineHostModule({
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  description: 'Set a kernel parameter in a sysctl file (and the running kernel), as ansible.posix.sysctl.',
  args: withAliases(
    z
      .strictObject({
        name: z.string(),
        value: z.union([z.string(), z.number(), z.boolean()]).optional(),
        state: z.enum(['present', 'absent']).default('present'),
        reload: boolish.default(true),
        sysctl_set: boolish.default(false),
        ignoreerrors: boolish.default(false),
        sysctl_file: remotePath.default('/etc/sysctl.conf'),
      })
      .refine((a) => a.state !== 'present' || a.value !== undefined, { message: 'state is present but all of the following are missing: value' }),
    { name: ['key'], value: ['val'] },
  ),
  checkMode: 'full',
  async run(args, ctx) {
    // Ansible's own checks, in its words.
    if (args.name.trim() === '') return failed('name cannot be blank');
    if (args.state === 'present' && String(args.value).trim() === '') return failed('value cannot be blank');
    const facts = await ctx.fact(sysctlState, { name: args.name.trim(), file: args.sysctl_file });
    const plan = sysctlPlan(
      { name: args.name, value: args.value, state: args.state, reload: args.reload, sysctlSet: args.sysctl_set, ignoreErrors: args.ignoreerrors, file: args.sysctl_file },
      facts,
    );
    if (!plan.changed) return { changed: false };
    const applied = await applySteps(ctx, plan.steps);
    // Ansible's sysctl returns `changed` alone (no diff, no message) unless it fails.
    return applied.failed ? { changed: true, failed: true, msg: applied.msg } : { changed: true };
  },
});
