import { posix } from 'node:path';
import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { ensureFile, failed, readFileInfo } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { EditError, editLine, type TextEdit } from '../operations/lines.js';
import { editedFileArgs, makeParentFolders } from '../util/edit-file.js';
import { boolish, withAliases } from '../util/schema.js';

type LineinfileArgs = {
  path: string;
  state?: 'present' | 'absent';
  line?: string;
  regexp?: string;
  search_string?: string;
  insertafter?: string;
  insertbefore?: string;
  firstmatch?: boolean;
  backrefs?: boolean;
  create?: boolean;
  backup?: boolean;
  validate?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
};

/** Ansible's warning for an empty regexp or search_string (it matches every line). */
export function emptyPatternWarning(args: Pick<LineinfileArgs, 'regexp' | 'search_string'>): string | undefined {
  if (args.regexp !== '' && args.search_string !== '') return undefined;
  const what = args.regexp === '' ? 'regular expression' : 'search string';
  return (
    `The ${what} is an empty string, which will match every line in the file. ` +
    'This may have unintended consequences, such as replacing the last line in the file rather than appending.' +
    (args.regexp === '' ? " If this is desired, use '^' to match every line in the file and avoid this warning." : '')
  );
}

/**
 * Examples:
 *   lineinfile: { path: /etc/sysctl.conf, regexp: '^net.ipv4.ip_nonlocal_bind', line: 'net.ipv4.ip_nonlocal_bind = 1' }
 *   lineinfile: { path: /etc/hosts, line: '198.51.100.51 edu-proxy-01', insertafter: '^127.0.0.1' }
 */
export const lineinfileModule = defineHostModule({
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  description: 'Make sure one line is in a file (replacing the line a regexp matches), or that lines are absent.',
  args: withAliases(z
    .strictObject({
      ...editedFileArgs,
      line: z.string().optional(),
      regexp: z.string().optional(),
      search_string: z.string().optional(),
      firstmatch: boolish.optional(),
      backrefs: boolish.optional(),
    })
    .refine((a) => !(a.insertafter !== undefined && a.insertbefore !== undefined), { message: 'insertafter and insertbefore are mutually exclusive' })
    .refine((a) => !(a.regexp !== undefined && a.search_string !== undefined), { message: 'regexp and search_string are mutually exclusive' })
    .refine((a) => !(a.backrefs !== undefined && a.search_string !== undefined), { message: 'backrefs and search_string are mutually exclusive' }), { path: ['dest', 'destfile', 'name'], regexp: ['regex'], line: ['value'] }),
  checkMode: 'full',
  async run(args, ctx) {
    const warning = emptyPatternWarning(args);
    const r = await lineinfile(ctx, args);
    return warning ? { ...r, warnings: [warning] } : r;
  },
});

/** Ansible's main(), present() and absent(): checks and messages in its order, the edit in operations/lines. */
async function lineinfile(ctx: ModuleContext, args: LineinfileArgs): Promise<ModuleResult> {
  const path = args.path;
  const state = args.state ?? 'present';
  const info = await readFileInfo(ctx, path, true);
  if (info?.type === 'directory') return failed(`Path ${path} is a directory !`, { rc: 256 });
  if (state === 'present') {
    if (args.backrefs && args.regexp === undefined) return failed('regexp is required with backrefs=true');
    if (args.line === undefined) return failed('line is required with state=present');
    if (!info && !args.create) return failed(`Destination ${path} does not exist !`, { rc: 257 });
  } else {
    if (args.regexp === undefined && args.search_string === undefined && args.line === undefined) {
      return failed('one of line, search_string, or regexp is required with state=absent');
    }
    if (!info) return { changed: false, msg: 'file not present' };
  }
  let before = '';
  if (info) before = (info.content ?? (await ctx.remote.readFile(path, { become: ctx.become })))?.toString('utf8') ?? '';
  let edit: TextEdit;
  try {
    edit = editLine(before, { ...args, state });
  } catch (err) {
    if (err instanceof EditError) return failed(err.message);
    throw err;
  }
  // create: the missing folders first (Ansible's os.makedirs), not in check mode
  if (!info && edit.changed) {
    const refused = await makeParentFolders(ctx, path);
    if (refused) return refused;
  }
  const found = state === 'absent' ? { found: edit.found ?? 0 } : {};
  // Content first (with backup and validate), then the attributes, as check_file_attrs reports them.
  const write = await ensureFile(ctx, {
    dest: path,
    content: edit.changed ? edit.content : before,
    mode: args.mode,
    owner: args.owner,
    group: args.group,
    backup: edit.changed ? args.backup : false,
    validate: edit.changed ? args.validate : undefined,
    info: info ?? null,
  });
  if (write.failed) return { ...write, ...found, backup: '' };
  const attributesChanged = write.changed && !edit.changed;
  const msg = attributesChanged ? 'ownership, perms or SE linux context changed' : edit.msg;
  return {
    ...write,
    changed: edit.changed || write.changed,
    msg,
    ...found,
    backup: typeof write.backup_file === 'string' ? write.backup_file : '',
  };
}
