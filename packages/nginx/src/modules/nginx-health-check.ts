import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { ensureManagedFile } from '@haweb/hostkit';
import { renderNginxCheck } from '../templates/nginx-check.js';

/**
 * The health-check script both VRRP engines (keepalived and vrrpd) reference from
 * `vrrp_script chk_nginx { script "/etc/keepalived/nginx_check.sh"; interval 2; weight -20 }`.
 * See templates/nginx-check.ts for why it fails the check instead of killing the daemon.
 */
export const nginxHealthCheck = defineModule({
  name: 'nginx_health_check',
  aliases: ['haweb.nginx.health_check'],
  description: 'Install the nginx health-check script (restart nginx; exit 1 if it cannot run).',
  args: z.strictObject({
    dest: z.string().startsWith('/').default('/etc/keepalived/nginx_check.sh'),
    prefix: z.string().startsWith('/').default('/usr/local/nginx'),
    pid_file: z.string().startsWith('/').optional().describe('defaults to <prefix>/logs/nginx.pid'),
    start_wait_tenths: z.number().int().min(1).max(50).default(10),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const p = args.prefix.replace(/\/$/, '');
    const content = renderNginxCheck({
      nginx: `${p}/sbin/nginx`,
      pid_file: args.pid_file ?? `${p}/logs/nginx.pid`,
      start_wait_tenths: args.start_wait_tenths,
    });
    // 0755 and root-owned: keepalived refuses scripts writable by others (script security).
    return ensureManagedFile({ path: args.dest, content, mode: '0755' }, ctx);
  },
});
