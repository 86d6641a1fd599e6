import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { assembleFragments, ensureFile, fragmentFiles } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, modeArg, remotePath, fileCommonArgs } from '../util/schema.js';
import { withPathInfo } from './file.js';

const VAULT_HEADER = '$ANSIBLE_VAULT;';

/**
 * Ansible's assemble: a file made of the fragments in a folder (each regular file, in sorted name
 * order; `regexp` picks names, `ignore_hidden` leaves dot files out, `delimiter` goes between them),
 * written to dest only when its content differs (validate and backup as copy's), then dest's mode,
 * owner and group. The folder is on the host (remote_src, the default) or on the controller (looked
 * up in the role's files/). Like Ansible, it does not run in check mode (the task is skipped).
 * Returns src, dest, checksum (SHA-1 of the assembled content, as Ansible), md5sum, backup_file, and
 * (AnsibleModule's add_path_info on dest) state, owner, group, mode, size: the targets assert state.
 * Example: assemble: { src: /etc/fail2ban/jail.local.d, dest: /etc/fail2ban/jail.local, mode: '0644' }
 */
export const assembleModule = defineHostModule({
  name: 'assemble',
  aliases: ['ansible.builtin.assemble'],
  description: 'Assemble a configuration file from the fragments of a folder (on the host or the controller).',
  args: z.strictObject({
    src: z.string().min(1),
    dest: remotePath,
    backup: boolish.default(false),
    delimiter: z.string().optional(),
    remote_src: boolish.default(true),
    regexp: z.string().optional(),
    ignore_hidden: boolish.default(false),
    validate: z.string().optional(),
    decrypt: boolish.default(true),
    mode: modeArg.optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    ...fileCommonArgs,
  }),
  checkMode: 'none',
  localFiles: (a) => (a.remote_src === false || a.remote_src === 'no' || a.remote_src === 'false' ? [{ path: String(a.src), kind: 'files' as const }] : []),
  async run(a, ctx) {
    let regexp: RegExp | undefined;
    if (a.regexp !== undefined) {
      try {
        regexp = new RegExp(a.regexp);
      } catch (err) {
        return { changed: false, failed: true, msg: `Invalid Regexp (${(err as Error).message}) in "${a.regexp}"` };
      }
    }
    if (a.validate !== undefined && !a.validate.includes('%s')) return { changed: false, failed: true, msg: `validate must contain %s: ${a.validate}` };
    let files: { name: string; content: Buffer }[];
    let src = a.src;
    if (a.remote_src) {
      const state = await ctx.fact(fragmentFiles, { path: a.src });
      if (state.kind === 'missing') return { changed: false, failed: true, msg: `Source (${a.src}) does not exist` };
      if (state.kind === 'not-a-directory') return { changed: false, failed: true, msg: `Source (${a.src}) is not a directory` };
      files = state.files;
    } else {
      src = ctx.resolveLocal(a.src, 'files');
      if (!existsSync(src) || !statSync(src).isDirectory()) return { changed: false, failed: true, msg: `Source (${src}) is not a directory` };
      files = [];
      for (const name of readdirSync(src)) {
        const path = join(src, name);
        if (!statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
        const content = readFileSync(path);
        if (a.decrypt && content.subarray(0, VAULT_HEADER.length).toString() === VAULT_HEADER) {
          return { changed: false, failed: true, msg: `${path} is vault-encrypted: decrypting fragments is not implemented by this provisioner's assemble` };
        }
        files.push({ name, content });
      }
    }
    const content = assembleFragments(files, { delimiter: a.delimiter, regexp, ignoreHidden: a.ignore_hidden });
    const checksum = createHash('sha1').update(content).digest('hex');
    const md5sum = createHash('md5').update(content).digest('hex');
    const written = await ensureFile(ctx, { dest: a.dest, content, mode: a.mode, owner: a.owner, group: a.group, backup: a.backup, validate: a.validate });
    const result = { src, dest: a.dest, checksum, md5sum };
    if (written.failed) return { ...written, ...result, changed: false };
    return withPathInfo(ctx, { ...written, ...result, msg: 'OK' });
  },
});
