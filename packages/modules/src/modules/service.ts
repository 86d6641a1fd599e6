import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { serviceFacts } from '../facts/services.js';
import { planService, ServicePlanError } from '../operations/services.js';
import { failed, stateDiff } from '../util/result.js';
import { CommandFailed, runPlan } from '../util/run.js';
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
    if (ctx.check) return { changed: true, msg: `would ${plan.changes.join(', ')}`, diff, ...status };
    try {
      await runPlan(ctx, [...plan.bootCommands, ...plan.runCommands], { detach: true });
    } catch (err) {
      if (err instanceof CommandFailed) {
        return failed(`${args.name}: ${plan.changes.join(', ')} failed: ${(err.result.stderr || err.result.stdout).trim().split('\n').slice(-5).join(' | ')}`, {
          rc: err.result.code,
          name: args.name,
        });
      }
      throw err;
    }
    return {
      changed: true,
      msg: plan.changes.join(', '),
      diff,
      name: args.name,
      state: args.state === 'stopped' ? 'stopped' : args.state ? 'started' : status.state,
      enabled: args.enabled ?? facts.enabled ?? false,
    };
  },
});
