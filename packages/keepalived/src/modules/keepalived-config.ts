import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineModule, shellQuote } from '@haweb/core';
import { ensureManagedFile, markConfigSecrets } from '@haweb/hostkit';

/**
 * /etc/keepalived/keepalived.conf, mode 0600 (it holds the VRRP password), validated by the installed
 * keepalived (`keepalived -t -f <candidate>`) before it replaces the old one. The content comes from
 * the playbook (`content`, or a controller template `src` rendered with the host's variables), so the
 * layout is declared once in group_vars. Notify keepalived_service state=reloaded to apply it.
 */
export const keepalivedConfig = defineModule({
  name: 'keepalived_config',
  aliases: ['haweb.keepalived.config'],
  description: 'Write keepalived.conf (0600), validated with keepalived -t before it replaces the old one.',
  args: z.strictObject({
    content: z.string().optional(),
    src: z.string().optional(),
    dest: z.string().startsWith('/').default('/etc/keepalived/keepalived.conf'),
    prefix: z.string().startsWith('/').default('/usr/local/keepalived'),
    validate: z.boolean().default(true),
  }),
  checkMode: 'full',
  localFiles: (args) => (typeof args.src === 'string' && !args.src.includes('{{') ? [{ path: args.src, kind: 'templates' as const }] : []),
  async run(args, ctx) {
    if ((args.content === undefined) === (args.src === undefined)) {
      return { changed: false, failed: true, msg: 'keepalived_config needs exactly one of content or src' };
    }
    const raw = args.content ?? ctx.render(readFileSync(ctx.resolveLocal(args.src!, 'templates'), 'utf8'));
    const content = raw.endsWith('\n') ? raw : `${raw}\n`;
    markConfigSecrets(content, (v) => ctx.markSecret(v));
    const keepalived = `${args.prefix.replace(/\/$/, '')}/sbin/keepalived`;
    return ensureManagedFile(
      {
        path: args.dest,
        content,
        mode: '0600',
        label: args.dest,
        validate: args.validate ? (candidate) => keepalivedValidateCommand(keepalived, candidate) : undefined,
      },
      ctx,
    );
  },
});

/** keepalived -t exits non-zero on config errors; -l logs to the console so the reason is shown. */
export function keepalivedValidateCommand(keepalived: string, candidate: string): string {
  return `${shellQuote(keepalived)} -l -t -f ${shellQuote(candidate)}`;
}
