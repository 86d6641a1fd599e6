import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { editLine } from '../operations/lines.js';
import { editFile, editedFileArgs } from '../util/edit-file.js';
import { boolish, withAliases } from '../util/schema.js';

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
    .refine((a) => (a.state ?? 'present') === 'absent' || a.line !== undefined, { message: 'state=present needs line' })
    .refine((a) => (a.state ?? 'present') === 'present' || a.line !== undefined || a.regexp !== undefined || a.search_string !== undefined, {
      message: 'state=absent needs line, regexp or search_string',
    })
    .refine((a) => !a.backrefs || a.regexp !== undefined, { message: 'backrefs needs regexp' }), { path: ['dest', 'destfile', 'name'], regexp: ['regex'], line: ['value'] }),
  checkMode: 'full',
  run(args, ctx) {
    return editFile(ctx, args, (before) => editLine(before, { ...args, state: args.state ?? 'present' }));
  },
});

