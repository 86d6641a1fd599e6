import { z } from 'zod';
import { defineModule } from '@haweb/core';
import { ensureManagedFile } from '@haweb/hostkit';
import { renderIndexPage } from '../templates/index-page.js';

/** The per-host index page (`heading: "Welcome to nginx! {{ node_number }}"`). */
export const nginxIndex = defineModule({
  name: 'nginx_index',
  aliases: ['haweb.nginx.index'],
  description: 'Write the per-host index page under <prefix>/html.',
  args: z.strictObject({
    prefix: z.string().startsWith('/').default('/usr/local/nginx'),
    dest: z.string().startsWith('/').optional(),
    heading: z.string().min(1),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const dest = args.dest ?? `${args.prefix.replace(/\/$/, '')}/html/index.html`;
    return ensureManagedFile({ path: dest, content: renderIndexPage(args.heading), mode: '0644' }, ctx);
  },
});
