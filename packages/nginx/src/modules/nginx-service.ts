import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { applySteps } from '@haweb/hostkit';
import { nginxRunningFact, planNginxControl } from '../nginx-control.js';

/**
 * Start/stop/reload a source-built nginx directly (the seed has no init script for it; boot-time start
 * is rc_local's job). `reloaded` is what a config-change handler uses: it reloads a running nginx and
 * starts a stopped one.
 */
export const nginxService = defineModule({
  name: 'nginx_service',
  aliases: ['haweb.nginx.service'],
  description: 'Ensure a source-built nginx is started, stopped, reloaded or restarted.',
  args: z.strictObject({
    prefix: z.string().startsWith('/').default('/usr/local/nginx'),
    conf: z.string().startsWith('/').optional().describe('defaults to <prefix>/conf/nginx.conf'),
    pid_file: z.string().startsWith('/').optional().describe('defaults to <prefix>/logs/nginx.pid'),
    state: z.enum(['started', 'stopped', 'reloaded', 'restarted']).default('started'),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const p = args.prefix.replace(/\/$/, '');
    const pidFile = args.pid_file ?? `${p}/logs/nginx.pid`;
    const conf = args.conf ?? `${p}/conf/nginx.conf`;
    const { running, pid } = await ctx.fact(nginxRunningFact, { pidFile });
    const script = planNginxControl(args.state, running, `${p}/sbin/nginx`, conf, pidFile);
    if (!script) return { changed: false, msg: `nginx is ${running ? `running (pid ${pid})` : 'stopped'}` };
    const res = await applySteps(ctx, [{ kind: 'script', script, why: `nginx ${args.state}` }], {
      msg: `nginx ${args.state}`,
      checkMsg: `would make nginx ${args.state}`,
      timeoutMs: 30_000,
      failure: (f) => `nginx ${args.state}: ${(f.result.stderr || f.result.stdout).trim()}`,
    });
    return res.failed ? { changed: false, failed: true, msg: res.msg } : res;
  },
});
