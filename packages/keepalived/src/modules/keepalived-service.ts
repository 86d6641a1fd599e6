import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { initServiceFact, planServiceAction, resolveOsFamily, runInitAction } from '@haweb/hostkit';

/**
 * Start/stop/reload/restart a daemon through its init.d script (LSB status decides "running"),
 * e.g. keepalived after keepalived_source. `reloaded` is for a config-change handler: it sends
 * SIGHUP through the init script (which validates the config first) or starts a stopped daemon.
 */
export const keepalivedService = defineModule({
  name: 'keepalived_service',
  aliases: ['haweb.keepalived.service', 'initd_service'],
  description: 'Ensure an init.d daemon (keepalived by default) is started, stopped, reloaded or restarted.',
  args: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('keepalived'),
    state: z.enum(['started', 'stopped', 'reloaded', 'restarted']).default('started'),
    os_family: z.enum(['RedHat', 'Debian']).optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const family = resolveOsFamily(args.os_family, ctx.facts, ctx.hostName);
    const state = await ctx.fact(initServiceFact, { family, name: args.name });
    if (!state.installed) return { changed: false, failed: true, msg: `/etc/init.d/${args.name} is not installed` };
    const action = planServiceAction(args.state, state.running);
    if (!action) return { changed: false, msg: `${args.name} is ${state.running ? 'running' : 'stopped'}` };
    if (ctx.check) return { changed: true, msg: `would ${action} ${args.name}` };
    const res = await runInitAction(ctx, args.name, action);
    if (!res.ok) return { changed: false, failed: true, msg: `/etc/init.d/${args.name} ${action}: ${res.output}` };
    return { changed: true, msg: `${args.name}: ${action}` };
  },
});
