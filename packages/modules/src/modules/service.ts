import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { serviceFacts } from '../facts/services.js';
import { applyCommands, planService, ServicePlanError, failed, stateDiff } from '@haweb/hostkit';
import { boolish, withAliases } from '../util/schema.js';

/**
 * Examples:
 *   service: { name: keepalived, state: started, enabled: yes }
 *   service: { name: nginx, state: reloaded }        # in a handler
 */
export const serviceModule = defineHostModule({
  name: 'service',
  aliases: ['ansible.builtin.service', 'sysvinit', 'ansible.builtin.sysvinit'],
  description: 'Start/stop/restart/reload a service and enable it at boot (update-rc.d, chkconfig or systemctl).',
  freeFormKey: 'name',
  args: withAliases(z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9@._-]+$/, 'a service name (letters, digits, @ . _ -)'),
      state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
      enabled: boolish.optional(),
      pattern: z.string().optional(),
    })
    .refine((a) => a.state !== undefined || a.enabled !== undefined, { message: 'give state and/or enabled' }), { name: ['service'] }),
  checkMode: 'full',
  async run(args, ctx) {
    const facts = await ctx.fact(serviceFacts, { name: args.name, pattern: args.pattern });
    let plan;
    try {
      plan = planService(facts, args);
    } catch (err) {
      if (err instanceof ServicePlanError) return failed(err.message, { name: args.name });
      throw err;
    }
    const status = { name: args.name, state: facts.running ? 'started' : 'stopped', enabled: facts.enabled ?? false };
    if (plan.changes.length === 0) return { changed: false, ...status };
    const diff = [
      stateDiff(`service ${args.name}`, { running: facts.running, enabled: facts.enabled }, {
        running: args.state === undefined ? facts.running : args.state !== 'stopped',
        enabled: args.enabled ?? facts.enabled,
      }),
    ];
    const msg = plan.changes.join(', ');
    const res = await applyCommands(ctx, [...plan.bootCommands, ...plan.runCommands], {
      msg,
      detach: true,
      diff,
      result: status,
      failure: (f) => `${args.name}: ${msg} failed: ${(f.result.stderr || f.result.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    });
    if (res.failed) return failed(res.msg!, { rc: res.rc, name: args.name });
    if (ctx.check) return res;
    return {
      ...res,
      state: args.state === 'stopped' ? 'stopped' : args.state ? 'started' : status.state,
      enabled: args.enabled ?? facts.enabled ?? false,
    };
  },
});
