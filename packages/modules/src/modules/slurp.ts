import { z } from 'zod';
import { fileInfo, failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { remotePath, withAliases } from '../util/schema.js';

/**
 * Ansible's slurp: a file of the host, base64-encoded, into a registered variable (`content`,
 * `encoding: base64`, `source`). Never changes anything; `| b64decode` gives the text back.
 * Example: slurp: { src: /etc/hostname } + register: hn
 */
export const slurpModule = defineHostModule({
  name: 'slurp',
  aliases: ['ansible.builtin.slurp'],
  description: 'Read a file of the host into a variable (base64).',
  args: withAliases(z.strictObject({ src: remotePath }), { src: ['path'] }),
  checkMode: 'full',
  async run(args, ctx) {
    const info = await ctx.fact(fileInfo, { path: args.src, follow: true });
    // Ansible's messages, which playbooks sometimes test with `in`.
    if (!info) return failed(`file not found: ${args.src}`);
    if (info.type === 'directory') return failed(`source is a directory and must be a file: ${args.src}`);
    const content = await ctx.remote.readFile(args.src, { become: ctx.become });
    if (content === undefined) return failed(`file not found: ${args.src}`);
    return { changed: false, content: content.toString('base64'), encoding: 'base64', source: args.src };
  },
});
