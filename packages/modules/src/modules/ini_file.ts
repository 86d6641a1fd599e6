import { posix } from 'node:path';
import { z } from 'zod';
import { ansiblePathInfo, ensureFile, planAttributes, planIniEdit, readFileInfo } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, modeArg, remotePath, withAliases, fileCommonArgs } from '../util/schema.js';

/** Ansible's `str` type: scalars as Python prints them (True/False for booleans). */
const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

/**
 * community.general.ini_file: one option of one section of an INI file, edited line by line as
 * Ansible does (planIniEdit). Check mode; diff (Ansible's `<path> (content)` headers); returns
 * changed, msg, path and backup_file.
 * Example: ini_file: { path: /etc/php.ini, section: Date, option: date.timezone, value: UTC, mode: '0644' }
 */
export const iniFileModule = defineHostModule({
  name: 'ini_file',
  aliases: ['community.general.ini_file'],
  description: 'Set or remove an option (or a section) in an INI file, as community.general.ini_file.',
  args: withAliases(
    z
      .strictObject({
        path: remotePath,
        section: pyStr.nullable().optional(),
        option: pyStr.optional(),
        value: pyStr.optional(),
        // Ansible's list type: a list, or one comma-separated string.
        values: z.union([z.string().transform((v) => v.split(',')), z.array(pyStr)]).optional(),
        backup: boolish.default(false),
        state: z.enum(['absent', 'present']).default('present'),
        exclusive: boolish.default(true),
        no_extra_spaces: boolish.default(false),
        allow_no_value: boolish.default(false),
        create: boolish.default(true),
        mode: modeArg.optional(),
        owner: z.string().optional(),
        group: z.string().optional(),
        ...fileCommonArgs,
      })
      .refine((a) => a.value === undefined || a.values === undefined, { message: 'parameters are mutually exclusive: value|values' }),
    { path: ['dest'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    if (a.state === 'present' && !a.allow_no_value && a.value === undefined && !a.values?.length) {
      return { changed: false, failed: true, msg: "Parameter 'value(s)' must be defined if state=present and allow_no_value=False." };
    }
    const info = await readFileInfo(ctx, a.path, true);
    if (info?.type === 'directory') return { changed: false, failed: true, msg: `${a.path} is a directory` };
    if (!info && !a.create) return { changed: false, failed: true, rc: 257, msg: `Destination ${a.path} does not exist!` };
    const before = info ? (info.content ?? (await ctx.remote.readFile(a.path, { become: ctx.become })) ?? Buffer.alloc(0)).toString('utf8') : undefined;
    const edit = planIniEdit(before, {
      section: a.section,
      option: a.option,
      values: a.value !== undefined ? [a.value] : a.values ?? [],
      state: a.state,
      exclusive: a.exclusive,
      noExtraSpaces: a.no_extra_spaces,
      allowNoValue: a.allow_no_value,
    });
    const header = `${a.path} (content)`;
    const diff = { before: ctx.diff ? before ?? '' : '', after: ctx.diff ? edit.content : '', beforeHeader: header, afterHeader: header };
    const base = { path: a.path, msg: edit.msg, diff: [diff] };
    const want = { mode: a.mode, owner: a.owner, group: a.group };
    // Ansible sets the file's attributes after the edit, on a file that exists, and not in check mode.
    const attrsWanted = info !== undefined && !ctx.check && planAttributes(a.path, info, want).commands.length > 0;
    // Ansible adds the file's path info to every result (add_path_info).
    const asIs = ansiblePathInfo(info);
    if (!edit.changed && !attrsWanted) return { changed: false, ...base, ...asIs };
    if (ctx.check) return { changed: true, ...base, ...asIs };
    if (!info) {
      // Ansible makes the missing folders of a new file.
      const mk = await ctx.remote.run({ argv: ['mkdir', '-p', '--', posix.dirname(a.path)] }, { become: ctx.become });
      if (mk.code !== 0) return { changed: false, failed: true, msg: mk.stderr.trim(), path: a.path };
    }
    const written = await ensureFile(ctx, { dest: a.path, content: edit.content, ...want, backup: edit.changed && a.backup, info: info ?? null });
    if (written.failed) return { changed: false, failed: true, msg: written.msg, path: a.path };
    const after = ansiblePathInfo(await readFileInfo(ctx, a.path));
    return { changed: true, ...base, ...(written.backup_file ? { backup_file: written.backup_file } : {}), ...after };
  },
});
