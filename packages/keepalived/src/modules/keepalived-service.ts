import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { applyCommands, planService, resolveOsFamily, serviceFacts, ServicePlanError } from '@haweb/hostkit';

/**
 * Start/stop/reload/restart a daemon through the host's service manager (systemctl where systemd is
 * PID 1, its init.d script otherwise), e.g. keepalived after keepalived_source. `reloaded` is for a
 * config-change handler: it sends SIGHUP (the init script validates the config first) or starts a
 * stopped daemon. A keepalived its init script started outside systemd is stopped by its PID first.
 */
export const keepalivedService = defineModule({
  name: 'keepalived_service',
  aliases: ['haweb.keepalived.service', 'initd_service'],
  description: 'Ensure a daemon (keepalived by default) is started, stopped, reloaded or restarted through the host service manager.',
  args: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('keepalived'),
    state: z.enum(['started', 'stopped', 'reloaded', 'restarted']).default('started'),
    os_family: z.enum(['RedHat', 'Debian']).optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    resolveOsFamily(args.os_family, ctx.facts, ctx.hostName);
    const facts = await ctx.fact(serviceFacts, { name: args.name });
    if (!facts.exists) {
      return { changed: false, failed: true, msg: facts.manager === 'systemd' ? `${args.name}.service is not installed` : `/etc/init.d/${args.name} is not installed` };
    }
    // keepalived_service acts on the run state only; reloaded/restarted always act (as a handler expects).
    let plan;
    try {
      plan = planService(facts, { name: args.name, state: args.state === 'started' || args.state === 'stopped' || facts.running ? args.state : 'started' });
    } catch (error) {
      if (error instanceof ServicePlanError) return { changed: false, failed: true, msg: error.message };
      throw error;
    }
    const commands = plan.runCommands.map((c) => (c.argv[0] === 'service' ? { argv: [`/etc/init.d/${args.name}`, c.argv[2]] } : c));
    if (commands.length === 0) return { changed: false, msg: `${args.name} is ${facts.running ? 'running' : 'stopped'}` };
    const res = await applyCommands(ctx, commands, {
      msg: `${args.name}: ${plan.changes.join(', ')}`,
      checkMsg: `would ${plan.changes.join(', ')} ${args.name}`,
      failure: (f) => `${args.name}: ${plan.changes.join(', ')}: ${(f.result.stdout + f.result.stderr).trim()}`,
    });
    return res.failed ? { changed: false, failed: true, msg: res.msg } : res;
  },
});
