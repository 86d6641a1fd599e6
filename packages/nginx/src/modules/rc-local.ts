import { z } from 'zod';
import { defineModule, type FileDiff } from '@haweb/core';
import { RC_LOCAL_DROP_IN, applySteps, dropInPath, resolveOsFamily, stepFailureMessage, type Step } from '@haweb/hostkit';
import { planRcLocal } from '../rc-local.js';

/**
 * Ensure a boot-time line in rc.local (the seed starts nginx this way), the OS family's way. Where
 * systemd is PID 1, rc.local runs from rc-local.service (pulled in when the file is executable); a
 * drop-in orders it after network-online, so nginx starts once the addresses are up.
 */
export const rcLocal = defineModule({
  name: 'rc_local',
  aliases: ['haweb.nginx.rc_local'],
  description: 'Ensure a line in rc.local (before `exit 0` on Debian) and that rc.local is executable.',
  args: z.strictObject({
    line: z.string().min(1),
    state: z.enum(['present', 'absent']).default('present'),
    os_family: z.enum(['RedHat', 'Debian']).optional(),
  }),
  freeFormKey: 'line',
  checkMode: 'full',
  async run(args, ctx) {
    const family = resolveOsFamily(args.os_family, ctx.facts, ctx.hostName);
    const path = family === 'RedHat' ? '/etc/rc.d/rc.local' : '/etc/rc.local';
    const dropIn = dropInPath('rc-local');
    const [current, exec, systemd] = await Promise.all([
      ctx.remote.readFile(path, { become: ctx.become }),
      ctx.remote.run({ script: `test -x ${path}` }, { become: ctx.become }),
      ctx.remote.run({ script: `[ -d /run/systemd/system ] && echo systemd && cat ${dropIn} 2>/dev/null; true` }, { become: ctx.become }),
    ]);
    const before = current?.toString('utf8');
    const plan = planRcLocal(family, before, exec.code === 0, args.line, args.state);
    const underSystemd = systemd.stdout.startsWith('systemd\n');
    const unitSteps: Step[] =
      args.state === 'present' && underSystemd && systemd.stdout.slice('systemd\n'.length) !== RC_LOCAL_DROP_IN
        ? [
            { kind: 'file', path: dropIn, content: RC_LOCAL_DROP_IN, mode: '0644', why: 'rc-local.service after network-online' },
            { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd re-reads rc-local.service' },
          ]
        : [];
    if (plan.content === undefined && !plan.makeExecutable && unitSteps.length === 0) {
      return { changed: false, msg: `${plan.path} already ${args.state === 'present' ? 'has' : 'lacks'} the line` };
    }
    const diff: FileDiff[] | undefined =
      ctx.diff && plan.content !== undefined ? [{ before: before ?? '', after: plan.content, beforeHeader: plan.path, afterHeader: plan.path }] : undefined;
    const fileSteps: Step[] =
      plan.content !== undefined
        ? [{ kind: 'file', path: plan.path, content: plan.content, mode: '0755', parents: false, why: `${plan.path}: ${args.state === 'present' ? 'line ensured' : 'line removed'}` }]
        : plan.makeExecutable
          ? [{ kind: 'run', argv: ['chmod', '0755', plan.path], why: `${plan.path}: ${args.state === 'present' ? 'line ensured' : 'line removed'}` }]
          : [];
    const res = await applySteps(ctx, [...unitSteps, ...fileSteps], {
      msg: fileSteps.length > 0 ? fileSteps[0].why : `${dropIn}: ${unitSteps.map((s) => s.why).join('; ')}`,
      checkMsg: `would update ${plan.path}`,
      diff: diff ?? [],
      failure: (f) => (f.step.kind === 'run' && f.step.argv[0] === 'chmod' ? `chmod ${plan.path}: ${f.result.stderr.trim()}` : stepFailureMessage(f)),
    });
    return res.failed ? { changed: false, failed: true, msg: res.msg } : res;
  },
});
