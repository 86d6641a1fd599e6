import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineModule, shellQuote } from '@haweb/core';
import { ensureManagedFile } from '@haweb/hostkit';
import { renderNginxConf } from '../templates/nginx-conf.js';

/**
 * nginx.conf, validated by the installed nginx (`nginx -t -c <candidate>`) before it replaces the old
 * one: a refused config fails the task, the old file stays, and the running nginx is not touched.
 * Content comes from `content`, from a controller template `src` (Jinja2, rendered with the host's
 * variables), or from the built-in template with the seed's settings and the arguments below.
 * Notify a handler (nginx_service state=reloaded) to apply a change.
 */
const upstream = z.strictObject({
  name: z.string().min(1),
  servers: z.array(z.string().min(1)).min(1),
  balance: z.string().optional(),
});

export const nginxConfigArgs = z.strictObject({
  prefix: z.string().startsWith('/').default('/usr/local/nginx'),
  dest: z.string().startsWith('/').optional().describe('defaults to <prefix>/conf/nginx.conf'),
  content: z.string().optional(),
  src: z.string().optional().describe('controller template, rendered with the host variables'),
  user: z.string().default('root'),
  worker_processes: z.union([z.number().int().positive(), z.literal('auto')]).default(1),
  worker_connections: z.number().int().positive().default(1024),
  listen: z.number().int().min(1).max(65535).default(88),
  server_name: z.string().default('localhost'),
  root: z.string().default('html'),
  keepalive_timeout: z.number().int().nonnegative().default(65),
  upstreams: z.array(upstream).default([]),
  proxy_pass: z.string().optional(),
  mode: z.string().regex(/^0?[0-7]{3}$/).default('0644'),
  validate: z.boolean().default(true),
});

export type NginxConfigArgs = z.output<typeof nginxConfigArgs>;

export function nginxConfContent(args: NginxConfigArgs, render: (template: string) => string, readLocal: (path: string) => string): string {
  if (args.content !== undefined && args.src !== undefined) throw new Error('give content or src, not both');
  if (args.content !== undefined) return args.content;
  if (args.src !== undefined) return render(readLocal(args.src));
  return renderNginxConf(args);
}

/** The validation command for a candidate nginx.conf (with the prefix, so relative paths resolve). */
export function nginxValidateCommand(prefix: string, candidate: string): string {
  const p = prefix.replace(/\/$/, '');
  return `${shellQuote(`${p}/sbin/nginx`)} -t -q -p ${shellQuote(`${p}/`)} -c ${shellQuote(candidate)}`;
}

export const nginxConfig = defineModule({
  name: 'nginx_config',
  aliases: ['haweb.nginx.config'],
  description: 'Write nginx.conf (template or content), validated with nginx -t before it replaces the old one.',
  args: nginxConfigArgs,
  checkMode: 'full',
  localFiles: (args) => (typeof args.src === 'string' && !args.src.includes('{{') ? [{ path: args.src, kind: 'templates' as const }] : []),
  async run(args, ctx) {
    const dest = args.dest ?? `${args.prefix.replace(/\/$/, '')}/conf/nginx.conf`;
    const content = nginxConfContent(args, (t) => ctx.render(t), (p) => readFileSync(ctx.resolveLocal(p, 'templates'), 'utf8'));
    return ensureManagedFile(
      {
        path: dest,
        content,
        mode: args.mode,
        label: dest,
        validate: args.validate ? (candidate) => nginxValidateCommand(args.prefix, candidate) : undefined,
      },
      ctx,
    );
  },
});
