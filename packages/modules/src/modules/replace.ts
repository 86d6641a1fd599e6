import { z } from 'zod';
import { ensureFile, fileDiff, planAttributes, readFileInfo } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { EditError } from '../operations/lines.js';
import { planReplace } from '../operations/replace.js';
import { boolish, modeArg, remotePath, withAliases, fileCommonArgs } from '../util/schema.js';

/** Return values (Ansible's replace): changed, msg ("N replacements made"), rc, backup_file; a before/after diff with --diff. */
const ATTRS_CHANGED = 'ownership, perms or SE linux context changed';

/**
 * Examples:
 *   replace: { path: /etc/nginx/nginx.conf, regexp: 'worker_processes\s+\d+;', replace: 'worker_processes auto;' }
 *   replace: path=/etc/hosts regexp='(\s+)old\.host(\s+.*)?$' replace='\1new.host\2' backup=yes
 */
export const replaceModule = defineHostModule({
  name: 'replace',
  aliases: ['ansible.builtin.replace'],
  description: 'Replace every match of a regular expression in a file (optionally between after/before patterns).',
  args: withAliases(
    z.strictObject({
      path: remotePath,
      regexp: z.string(),
      replace: z.string().default(''),
      after: z.string().optional(),
      before: z.string().optional(),
      backup: boolish.default(false),
      validate: z.string().optional(),
      encoding: z.string().default('utf-8'),
      mode: modeArg.optional(),
      owner: z.string().optional(),
      group: z.string().optional(),
      ...fileCommonArgs,
    }),
    { path: ['dest', 'destfile', 'name'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    if (!/^utf-?8$/i.test(a.encoding)) return { changed: false, failed: true, msg: `encoding ${a.encoding}: only utf-8 files are edited` };
    const info = await readFileInfo(ctx, a.path, true);
    if (info?.type === 'directory') return { changed: false, failed: true, rc: 256, msg: `Path ${a.path} is a directory !` };
    if (!info) return { changed: false, failed: true, rc: 257, msg: `Path ${a.path} does not exist !` };
    const contents = (info.content ?? (await ctx.remote.readFile(a.path, { become: ctx.become })) ?? Buffer.alloc(0)).toString('utf8');
    let outcome;
    try {
      outcome = planReplace(contents, a);
    } catch (err) {
      if (err instanceof EditError) return { changed: false, failed: true, msg: err.message };
      throw err;
    }
    if (outcome.kind === 'no-section') return { rc: 0, changed: false, msg: outcome.msg };
    const want = { mode: a.mode, owner: a.owner, group: a.group };
    const attrsChange = planAttributes(a.path, info, want).commands.length > 0;
    const content = outcome.kind === 'replaced' ? outcome.content : contents;
    const written = await ensureFile(ctx, { dest: a.path, content, ...want, backup: a.backup, validate: outcome.kind === 'replaced' ? a.validate : undefined, info });
    if (written.failed) return { rc: 0, changed: false, failed: true, msg: written.msg };
    const msg = [outcome.kind === 'replaced' ? `${outcome.count} replacements made` : '', attrsChange ? ATTRS_CHANGED : ''].filter(Boolean).join(' and ');
    return {
      rc: 0,
      changed: outcome.kind === 'replaced' || attrsChange,
      msg,
      ...(written.backup_file ? { backup_file: written.backup_file } : {}),
      ...(ctx.diff && outcome.kind === 'replaced' ? { diff: [fileDiff(a.path, contents, content)] } : {}),
    };
  },
});
