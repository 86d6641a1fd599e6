import { z } from 'zod';
import { planSystemdUnit, systemdUnitFacts, type SystemdUnitFacts } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, withAliases } from '../util/schema.js';

/**
 * Return values (Ansible's RETURN of systemd): name, changed, status (`systemctl show` before any
 * change, so `status.ActiveState` reads as in Ansible), and enabled / state when they were asked for.
 */
export type SystemdResult = ModuleResult & { name?: string; status?: Record<string, string>; enabled?: boolean; state?: string };

const args = withAliases(
  z
    .strictObject({
      name: z.string().min(1).optional(),
      state: z.enum(['reloaded', 'restarted', 'started', 'stopped']).optional(),
      enabled: boolish.optional(),
      force: boolish.optional(),
      masked: boolish.optional(),
      daemon_reload: boolish.default(false),
      daemon_reexec: boolish.default(false),
      scope: z.enum(['system', 'user', 'global']).default('system'),
      no_block: boolish.default(false),
    })
    // Ansible 2.14 declares required_one_of (state, enabled, masked, daemon_reload, daemon_reexec) but
    // counts the options after defaults, and daemon_reload / daemon_reexec default to false: `name`
    // alone passes and returns the unit's status (geerlingguy.docker's "Get Docker service status").
    .refine((a) => a.name !== undefined || (a.state === undefined && a.enabled === undefined && a.masked === undefined), {
      message: 'state, enabled and masked need name',
    })
    .refine((a) => a.name === undefined || !/[*?[]/.test(a.name), { message: 'This module does not currently support using glob patterns in the service name' }),
  { name: ['service', 'unit'], daemon_reload: ['daemon-reload'], daemon_reexec: ['daemon-reexec'] },
);

function notSystemd(facts: SystemdUnitFacts): string {
  return `systemd is not this host's init (PID 1 is ${facts.pid1 || 'unknown'}): the systemd module needs a host booted with systemd; use the service module on other hosts`;
}

async function systemctl(ctx: ModuleContext, argv: string[]): Promise<{ code: number; out: string }> {
  const res = await ctx.remote.run({ argv }, { become: ctx.become, timeoutMs: 300_000 });
  return { code: res.code, out: `${res.stdout}${res.stderr}`.trim() };
}

/**
 * Examples:
 *   systemd: { name: nginx, state: started, enabled: true, daemon_reload: true }
 *   systemd_service: name=keepalived state=restarted
 */
export const systemdModule = defineHostModule({
  name: 'systemd',
  aliases: ['ansible.builtin.systemd', 'systemd_service', 'ansible.builtin.systemd_service'],
  description: 'Start, stop, restart, reload, enable, disable, mask or unmask a systemd unit; daemon-reload. Only on hosts booted with systemd.',
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<SystemdResult> {
    const flags = [...(a.scope !== 'system' ? [`--${a.scope}`] : []), ...(a.no_block ? ['--no-block'] : []), ...(a.force ? ['--force'] : [])];
    const probe = await ctx.fact(systemdUnitFacts, {});
    if (!probe.booted) return { changed: false, failed: true, msg: notSystemd(probe) };
    for (const [asked, verb] of [[a.daemon_reload, 'daemon-reload'], [a.daemon_reexec, 'daemon-reexec']] as const) {
      if (!asked || ctx.check) continue;
      const r = await systemctl(ctx, ['systemctl', ...flags, verb]);
      if (r.code !== 0) return { changed: false, failed: true, msg: `failure ${r.code} during ${verb}: ${r.out}` };
    }
    const result: SystemdResult = { name: a.name ?? null, changed: false, status: {} } as SystemdResult;
    if (a.name === undefined) return result;
    const facts = await ctx.fact(systemdUnitFacts, { name: a.name });
    const status = facts.showExit === 0 ? facts.show : {};
    if (status.LoadState && !['not-found', 'masked'].includes(status.LoadState) && status.LoadError) {
      return { changed: false, failed: true, msg: `Error loading unit file '${a.name}': ${status.LoadError}` };
    }
    const plan = planSystemdUnit(facts, { name: a.name, state: a.state, enabled: a.enabled, masked: a.masked, flags });
    if (plan.failure) return { changed: false, failed: true, msg: plan.failure, ...(plan.failure.startsWith('Service is') ? { status } : {}) };
    if (!ctx.check) {
      for (const step of plan.steps) {
        if (step.kind !== 'run') continue;
        const r = await systemctl(ctx, step.argv);
        if (r.code !== 0) return { changed: true, failed: true, msg: `Unable to ${step.argv[step.argv.length - 2]} service ${a.name}: ${r.out}` };
      }
    }
    return {
      ...result,
      status,
      changed: plan.steps.length > 0,
      ...(plan.enabled !== undefined ? { enabled: plan.enabled } : {}),
      ...(plan.state !== undefined ? { state: plan.state } : {}),
      ...(plan.warning ? { warnings: [plan.warning] } : {}),
    };
  },
});
