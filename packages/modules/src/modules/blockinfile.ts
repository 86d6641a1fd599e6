import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { editBlock, DEFAULT_BLOCK_MARKER } from '../operations/lines.js';
import { editFile, editedFileArgs } from '../util/edit-file.js';
import { withAliases } from '../util/schema.js';

/**
 * Example:
 *   blockinfile: { path: /etc/hosts, block: "198.51.100.51 edu-proxy-01\n198.51.100.52 edu-proxy-02" }
 */
export const blockinfileModule = defineHostModule({
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile'],
  description: 'Insert, update or remove a block of lines between marker lines.',
  args: withAliases(z
    .strictObject({
      ...editedFileArgs,
      block: z.string().optional(),
      content: z.string().optional(),
      marker: z.string().optional(),
      marker_begin: z.string().optional(),
      marker_end: z.string().optional(),
    })
    .refine((a) => !(a.insertafter !== undefined && a.insertbefore !== undefined), { message: 'insertafter and insertbefore are mutually exclusive' }), { path: ['dest', 'destfile', 'name'] }),
  checkMode: 'full',
  run(args, ctx) {
    return editFile(ctx, args, (before) =>
      editBlock(before, {
        block: args.block ?? args.content ?? '',
        marker: args.marker ?? DEFAULT_BLOCK_MARKER,
        marker_begin: args.marker_begin ?? 'BEGIN',
        marker_end: args.marker_end ?? 'END',
        state: args.state ?? 'present',
        insertafter: args.insertafter,
        insertbefore: args.insertbefore,
      }),
    );
  },
});
