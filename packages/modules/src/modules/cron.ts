import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { shellQuote } from '@haweb/core';
import {
  applySteps, cronEnvNames, cronJobNames, cronState, CronError, fileCrontab, planCron, renderCrontab, userCrontab, type Step,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, withAliases } from '../util/schema.js';

const SPECIAL = ['annually', 'daily', 'hourly', 'monthly', 'reboot', 'weekly', 'yearly'] as const;
const field = z.union([z.string(), z.number()]).transform(String).default('*');

/**
 * ansible.builtin.cron: a job (or an environment variable) of a user's crontab or of a file under
 * /etc/cron.d, marked `#Ansible: <name>` as Ansible marks it (planCron). Check mode; diff; returns
 * jobs, envs, warnings, cron_file and backup_file as Ansible does. Needs crontab on the host (the
 * lab image has cron), as Ansible does.
 * Example: cron: { name: logrotate, minute: '0', hour: '5', job: '/usr/sbin/logrotate /etc/logrotate.conf' }
 */
export const cronModule = defineHostModule({
  name: 'cron',
  aliases: ['ansible.builtin.cron'],
  description: "Manage a cron job or variable in a user's crontab or a cron.d file, as Ansible's cron module.",
  args: withAliases(
    z
      .strictObject({
        name: z.string(),
        user: z.string().optional(),
        job: z.string().optional(),
        cron_file: z.string().optional(),
        state: z.enum(['present', 'absent']).default('present'),
        backup: boolish.default(false),
        minute: field,
        hour: field,
        day: field,
        month: field,
        weekday: field,
        special_time: z.enum(SPECIAL).optional(),
        disabled: boolish.default(false),
        env: boolish.default(false),
        insertafter: z.string().optional(),
        insertbefore: z.string().optional(),
      })
      .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, { message: 'parameters are mutually exclusive: insertafter|insertbefore' }),
    { job: ['value'], day: ['dom'], weekday: ['dow'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const warnings: string[] = [];
    if (a.cron_file) {
      if (a.cron_file === '/etc/crontab') return fail('Will not manage /etc/crontab via cron_file, see documentation.');
      const base = posix.basename(a.cron_file);
      if (!/^[A-Z0-9_-]+$/i.test(base)) {
        warnings.push(`Filename portion of cron_file ("${base}") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens`);
      }
    }
    const file = a.cron_file ? (a.cron_file.startsWith('/') ? a.cron_file : posix.join('/etc/cron.d', a.cron_file)) : undefined;
    const facts = await ctx.fact(cronState, { ...(a.user ? { user: a.user } : {}), ...(file ? { cronFile: file } : {}) });
    if (!facts.crontab) return fail('Failed to find required executable "crontab" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (!file && facts.rc !== 0 && facts.rc !== 1) return fail('Unable to read crontab');
    const tab = file ? fileCrontab(facts.text) : userCrontab(facts.text ?? '');
    const header = file ?? (a.user ? `crontab for user "${a.user}"` : 'crontab');
    if (a.special_time && [a.minute, a.hour, a.day, a.month, a.weekday].some((x) => x !== '*')) return fail('You must specify time and date fields or special time.');
    if (a.state === 'present') {
      if (a.cron_file && !a.user) return fail('To use cron_file=... parameter you must specify user=... as well');
      if (a.job === undefined) return fail("You must specify 'job' to install a new cron job or variable");
      if ((a.insertafter || a.insertbefore) && !a.env) return fail('Insertafter and insertbefore parameters are valid only with env=yes');
    }
    let edit;
    try {
      edit = planCron(tab, {
        name: a.name, state: a.state, env: a.env, job: a.job, insertafter: a.insertafter, insertbefore: a.insertbefore,
        spec: { minute: a.minute, hour: a.hour, day: a.day, month: a.month, weekday: a.weekday, special: a.special_time, disabled: a.disabled, user: a.user, inFile: file !== undefined },
      });
    } catch (err) {
      if (err instanceof CronError) return fail(err.message);
      throw err;
    }
    warnings.push(...edit.warnings);
    const steps: Step[] = [];
    const backupFile = a.backup && edit.changed && !ctx.check ? `/tmp/crontab${randomBytes(4).toString('hex')}` : undefined;
    if (backupFile) steps.push({ kind: 'file', path: backupFile, content: renderCrontab(tab.lines), mode: '0600', why: `backup in ${backupFile}` });
    if (edit.removeFile) {
      const diff = ctx.diff ? { diff: [{ before: tab.existing, after: '', beforeHeader: header, afterHeader: '/dev/null' }] } : { diff: [] };
      if (facts.text === undefined) return { changed: false, cron_file: a.cron_file, state: a.state, ...diff };
      const applied = await applySteps(ctx, [...steps, { kind: 'run', argv: ['rm', '-f', '--', file!], why: `remove ${file}` }], { diff: diff.diff });
      if (applied.failed) return applied;
      return { changed: true, cron_file: a.cron_file, state: a.state, ...diff };
    }
    const content = renderCrontab(edit.lines);
    if (edit.changed) {
      if (file) steps.push({ kind: 'file', path: file, content, why: `jobs in ${file}` });
      else {
        const u = a.user ? ` -u ${shellQuote(a.user)}` : '';
        steps.push({ kind: 'script', script: `printf '%s' ${shellQuote(content)} | crontab${u} -`, why: `install the crontab${a.user ? ` of ${a.user}` : ''}` });
      }
    }
    const result = {
      jobs: cronJobNames(edit.lines),
      envs: cronEnvNames(edit.lines),
      // Ansible drops an empty warnings list from the result.
      ...(warnings.length ? { warnings } : {}),
      ...(edit.changed && ctx.diff ? { diff: [{ before: tab.existing, after: content, beforeHeader: header, afterHeader: header }] } : {}),
      ...(backupFile ? { backup_file: backupFile } : {}),
      ...(a.cron_file ? { cron_file: a.cron_file } : {}),
    };
    if (!edit.changed) return { changed: false, ...result };
    const applied = await applySteps(ctx, steps, { diff: [] });
    if (applied.failed) return { ...applied, ...result, changed: false };
    return { changed: true, ...result };
  },
});
