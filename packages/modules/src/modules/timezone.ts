import { z } from 'zod';
import { applySteps, planTimezone, stateDiff, timezoneState, timezoneValues } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { withAliases } from '../util/schema.js';

/**
 * community.general.timezone on Linux hosts: the system time zone and whether the hardware clock keeps
 * UTC or local time, set the way the module sets them (timedatectl where it answers; on Debian without
 * it, /etc/timezone, the /etc/localtime link and `dpkg-reconfigure tzdata`; on RHEL-family,
 * /etc/sysconfig/clock and /etc/localtime; `hwclock --systohc` for the hardware clock). Check mode and
 * diff ({name, hwclock} before and after). Like the module, a run that leaves a value other than the
 * one asked for fails. Example: `timezone: { name: Europe/Paris }`
 */
export const timezoneModule = defineHostModule({
  name: 'timezone',
  aliases: ['community.general.timezone'],
  description: 'Set the system time zone and the hardware clock\'s zone (community.general.timezone).',
  args: withAliases(
    z
      .strictObject({
        name: z.string().min(1).optional(),
        hwclock: z.enum(['local', 'UTC']).optional(),
      })
      .refine((a) => a.name !== undefined || a.hwclock !== undefined, { message: 'one of the following is required: hwclock, name' }),
    { hwclock: ['rtc'] },
  ),
  checkMode: 'full',
  async run(args, ctx) {
    const state = await ctx.fact(timezoneState, { zone: args.name });
    const plan = planTimezone(state, args);
    if (plan.failure) return { changed: false, failed: true, msg: plan.failure };
    const changed = plan.steps.length > 0;
    // Like the module, every result carries the diff of the asked keys (before, and after or planned);
    // registered as the module returns it, a dict ({before: {name}, after: {name}}).
    const diff = [stateDiff('timezone', plan.before, plan.planned)];
    const ansibleDiff = { before: plan.before, after: plan.planned };
    if (!changed) return { changed: false, diff, ansibleDiff };
    const applied = await applySteps(ctx, plan.steps, { together: true, diff });
    if (applied.failed) return applied;
    if (ctx.check) return { ...applied, changed: true, ansibleDiff };
    const after = timezoneValues(await ctx.fact(timezoneState, { zone: args.name }), args, 'after');
    if (JSON.stringify(after) !== JSON.stringify(plan.planned)) {
      return { changed: true, failed: true, msg: `still not desired state, though changes have made - planned: ${JSON.stringify(plan.planned)}, after: ${JSON.stringify(after)}` };
    }
    return { ...applied, changed: true, ansibleDiff, msg: plan.steps.filter((s) => s.kind === 'run').map((s) => `executed \`${(s as { argv: string[] }).argv.join(' ')}\``).join('\n') };
  },
});
