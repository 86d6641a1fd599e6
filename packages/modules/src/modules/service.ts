import { z } from 'zod';
import { applyCommands, failed, planService, ServicePlanError, serviceFacts, stateDiff, systemdUnitFacts, type PlannedCommand } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, intish, withAliases } from '../util/schema.js';
import { systemdModule } from './systemd.js';

/** Options only the systemd backend takes: Ansible's service action passes them to systemd. */
const SYSTEMD_ONLY = ['daemon_reload', 'daemon_reexec', 'masked', 'force', 'no_block', 'scope'] as const;

/**
 * Examples:
 *   service: { name: keepalived, state: started, enabled: yes }
 *   service: { name: nginx, state: reloaded }        # in a handler
 *   service: { name: postgresql, state: restarted, sleep: 5 }   # stop, 5 s, start (not under systemd)
 *   service: { daemon_reload: true }                 # systemd hosts: as Ansible, the systemd module runs
 *
 * As Ansible's service action: on a host booted with systemd, a task that gives one of systemd's own
 * options (daemon_reload, masked...) runs the systemd module with the arguments minus pattern, sleep,
 * runlevel and arguments; elsewhere such a task fails as Ansible's service module does
 * ("Unsupported parameters").
 */
export const serviceModule = defineHostModule({
  name: 'service',
  aliases: ['ansible.builtin.service', 'sysvinit', 'ansible.builtin.sysvinit'],
  description: 'Start/stop/restart/reload a service and enable it at boot (update-rc.d, chkconfig or systemctl).',
  freeFormKey: 'name',
  args: withAliases(z
    .strictObject({
      name: z.string().regex(/^[A-Za-z0-9@._-]+$/, 'a service name (letters, digits, @ . _ -)').optional(),
      state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
      enabled: boolish.optional(),
      pattern: z.string().optional(),
      sleep: intish.optional(),
      daemon_reload: boolish.optional(),
      daemon_reexec: boolish.optional(),
      masked: boolish.optional(),
      force: boolish.optional(),
      no_block: boolish.optional(),
      scope: z.enum(['system', 'user', 'global']).optional(),
    })
    .refine((a) => a.state !== undefined || a.enabled !== undefined || a.masked !== undefined || a.daemon_reload || a.daemon_reexec, {
      message: 'give state and/or enabled (or, for systemd hosts, masked, daemon_reload or daemon_reexec)',
    })
    .refine((a) => a.name !== undefined || SYSTEMD_ONLY.some((k) => a[k] !== undefined), { message: "missing required argument 'name'" }), {
    name: ['service'],
    // systemd's own spellings, which Ansible's service action hands to systemd unchanged (setup_cron)
    daemon_reload: ['daemon-reload'],
    daemon_reexec: ['daemon-reexec'],
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const systemdOnly = SYSTEMD_ONLY.filter((k) => args[k] !== undefined);
    if (systemdOnly.length) {
      const probe = await ctx.fact(systemdUnitFacts, {});
      if (!probe.booted) {
        return failed(`Unsupported parameters for (service) module: ${systemdOnly.join(', ')} (this host is not booted with systemd, PID 1 is ${probe.pid1 || 'unknown'}: only the systemd backend takes them)`);
      }
      const { pattern: _p, sleep: _s, ...forSystemd } = args;
      const parsed = systemdModule.args.safeParse(Object.fromEntries(Object.entries(forSystemd).filter(([, v]) => v !== undefined)));
      if (!parsed.success) return failed(`systemd: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return systemdModule.run(parsed.data as never, ctx);
    }
    if (args.name === undefined) return failed("missing required argument 'name'");
    const name = args.name;
    const facts = await ctx.fact(serviceFacts, { name, pattern: args.pattern });
    let plan;
    try {
      plan = planService(facts, { name, state: args.state, enabled: args.enabled });
    } catch (err) {
      if (err instanceof ServicePlanError) return failed(err.message, { name });
      throw err;
    }
    // Ansible restarts a SysV service as stop, sleep, start when sleep is given (ignored under systemd).
    const runCommands = args.sleep !== undefined && args.state === 'restarted' && facts.manager !== 'systemd'
      ? plan.runCommands.flatMap((c) => stopSleepStart(c, args.sleep!))
      : plan.runCommands;
    const status = { name, state: facts.running ? 'started' : 'stopped', enabled: facts.enabled ?? false };
    if (plan.changes.length === 0) return { changed: false, ...status };
    const diff = [
      stateDiff(`service ${name}`, { running: facts.running, enabled: facts.enabled }, {
        running: args.state === undefined ? facts.running : args.state !== 'stopped',
        enabled: args.enabled ?? facts.enabled,
      }),
    ];
    const msg = plan.changes.join(', ');
    const res = await applyCommands(ctx, [...plan.bootCommands, ...runCommands], {
      msg,
      detach: true,
      diff,
      result: status,
      failure: (f) => `${name}: ${msg} failed: ${(f.result.stderr || f.result.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    });
    if (res.failed) return failed(res.msg!, { rc: res.rc, name });
    if (ctx.check) return res;
    return {
      ...res,
      state: args.state === 'stopped' ? 'stopped' : args.state ? 'started' : status.state,
      enabled: args.enabled ?? facts.enabled ?? false,
    };
  },
});

/** `service x restart` as `service x stop`, `sleep N`, `service x start` (Ansible's SysV restart with sleep). */
export function stopSleepStart(command: PlannedCommand, seconds: number): PlannedCommand[] {
  const at = command.argv.lastIndexOf('restart');
  if (at < 0) return [command];
  const withVerb = (verb: string) => ({ argv: command.argv.map((a, i) => (i === at ? verb : a)) });
  return [withVerb('stop'), { argv: ['sleep', String(seconds)] }, withVerb('start')];
}
