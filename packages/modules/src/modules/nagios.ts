import { z } from 'zod';
import { applySteps, nagiosCommandFile, nagiosCommands, nagiosWriteScript, NAGIOS_WRITE_ERRORS } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { intish, withAliases } from '../util/schema.js';

/** Ansible's `str` type: scalars as Python prints them. */
const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

const ACTIONS = [
  'downtime', 'delete_downtime', 'enable_alerts', 'disable_alerts', 'silence', 'unsilence', 'silence_nagios', 'unsilence_nagios',
  'command', 'servicegroup_service_downtime', 'servicegroup_host_downtime', 'acknowledge', 'forced_check',
] as const;

/** Ansible's required_if for this module: action -> the options it needs. */
const REQUIRED_IF: Partial<Record<(typeof ACTIONS)[number], string[]>> = {
  downtime: ['host', 'services'], delete_downtime: ['host', 'services'], silence: ['host'], unsilence: ['host'],
  enable_alerts: ['host', 'services'], disable_alerts: ['host', 'services'], command: ['command'],
  servicegroup_host_downtime: ['host', 'servicegroup'], servicegroup_service_downtime: ['host', 'servicegroup'],
  acknowledge: ['host', 'services'], forced_check: ['host', 'services'],
};

/**
 * community.general.nagios: write external commands (downtimes, notifications on/off, acknowledgements,
 * forced checks, a raw command) to Nagios' command file, as Ansible's module does: the same lines,
 * each with its own write, the file found from nagios.cfg (or icinga.cfg) when cmdfile is not given.
 * Always changed; returns nagios_commands. No check mode, as Ansible's (the task is skipped).
 * Example: nagios: { action: disable_alerts, host: web1, services: webserver }
 */
export const nagiosModule = defineHostModule({
  name: 'nagios',
  aliases: ['community.general.nagios'],
  description: "Write external commands to Nagios' command file, as community.general.nagios.",
  args: withAliases(
    z
      .strictObject({
        action: z.enum(ACTIONS),
        author: pyStr.default('Ansible'),
        cmdfile: pyStr.optional(),
        command: pyStr.optional(),
        comment: pyStr.default('Scheduling downtime'),
        host: pyStr.optional(),
        minutes: intish.default(30),
        servicegroup: pyStr.optional(),
        services: pyStr.optional(),
        start: pyStr.optional(),
      })
      .superRefine((a, c) => {
        const missing = (REQUIRED_IF[a.action] ?? []).filter((k) => a[k as keyof typeof a] === undefined);
        if (missing.length) c.addIssue({ code: 'custom', message: `action is ${a.action} but all of the following are missing: ${missing.join(', ')}` });
        if (a.start !== undefined && !/^\s*[-+]?\d+\s*$/.test(a.start)) c.addIssue({ code: 'custom', path: ['start'], message: `start must be an integer (seconds since the epoch), not ${JSON.stringify(a.start)}` });
      }),
    { services: ['service'] },
  ),
  // Ansible's module does not declare check mode support: the task is skipped (its own check-mode branch is never reached).
  checkMode: 'none',
  async run(a, ctx) {
    const cmdfile = a.cmdfile ?? (await ctx.fact(nagiosCommandFile, {}));
    if (!cmdfile) return { changed: false, failed: true, msg: 'unable to locate nagios.cfg' };
    const services = a.services === undefined || a.services === 'host' || a.services === 'all' ? a.services : a.services.split(',');
    const lines = nagiosCommands({ ...a, services, start: a.start === undefined ? undefined : Number(a.start) }, Math.floor(Date.now() / 1000));
    if (lines.length === 0) return { changed: true, nagios_commands: [] };
    const applied = await applySteps(ctx, [{ kind: 'script', script: nagiosWriteScript(cmdfile, lines), why: `write ${lines.length} command(s) to ${cmdfile}` }], {
      failure: (f) => NAGIOS_WRITE_ERRORS[f.result.code] ?? (f.result.stderr.trim() || `writing to ${cmdfile} failed (exit ${f.result.code})`),
    });
    if (applied.failed) return { changed: false, failed: true, msg: applied.msg, cmdfile };
    return { changed: true, nagios_commands: lines.map((l) => l.trim()) };
  },
});
