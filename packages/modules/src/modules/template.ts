import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { hideVaultedDiff, readControllerFile, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { ensureFile, failed, errorMessage } from '@haweb/hostkit';
import { boolish } from '../util/schema.js';
import { fileWriteArgs, preservedMode, resolveDest, throughLink } from './copy.js';

/**
 * Examples:
 *   template: { src: keepalived.conf.j2, dest: /etc/keepalived/keepalived.conf, mode: "0644" }
 *   template: { src: nginx.conf.j2, dest: /etc/nginx/nginx.conf, validate: "nginx -t -c %s", backup: yes }
 */
export const templateModule = defineHostModule({
  name: 'template',
  aliases: ['ansible.builtin.template'],
  description: 'Render a Jinja2 template from the controller with the host\'s variables and write it to the host.',
  args: z.strictObject({ src: z.string(), follow: boolish.optional(), ...fileWriteArgs }),
  checkMode: 'full',
  async run(args, ctx): Promise<ModuleResult> {
    const local = ctx.resolveLocal(args.src, 'templates');
    let text: string;
    let vaulted: boolean;
    try {
      // A vault-encrypted template is decrypted, as Ansible's template does; its output is a secret too.
      const source = await readControllerFile(local, ctx);
      text = source.content.toString('utf8');
      vaulted = source.vaulted;
    } catch (err) {
      return failed(`template ${args.src} cannot be read on the controller (${local}): ${errorMessage(err)}`);
    }
    let content: string;
    try {
      // Includes and imports inside the template resolve on Ansible's template search path.
      const extra = { template_path: local, template_host: ctx.hostName };
      content = ctx.renderTemplateFile ? ctx.renderTemplateFile(text, local, extra) : ctx.render(text, extra);
    } catch (err) {
      return failed(`template ${local}: ${errorMessage(err)}`);
    }
    const srcName = basename(local).replace(/\.j2$/, '');
    const resolved = await resolveDest(ctx, args.dest, srcName);
    const { dest, info } = args.follow ? await throughLink(ctx, resolved) : resolved;
    if (args.force === false && info) return { changed: false, dest, msg: `${dest} exists and force is off: left alone` };
    if (vaulted) ctx.markSecret(content);
    const mode = preservedMode(args.mode, (await stat(local)).mode);
    const result = await ensureFile(ctx, { ...args, mode, dest, content, info });
    return vaulted ? hideVaultedDiff(result) : result;
  },
});
