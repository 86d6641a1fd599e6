import { z } from 'zod';
import { shellJoin } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { runUserCommand } from '../util/command-result.js';
import { shlexSplit } from '../util/shlex.js';
import { failed } from '../util/result.js';
import { boolish, remotePath } from '../util/schema.js';

/**
 * Runs a program without a shell: no pipes, redirections or variable expansion, and a value in an
 * argument can never become code. Always "changed" unless creates/removes say it need not run.
 * Examples:
 *   command: /usr/local/nginx/sbin/nginx -t
 *   command: { argv: [make, -j2], chdir: /usr/local/src/nginx-1.22.1, creates: /usr/local/nginx/sbin/nginx }
 */
export const commandModule = defineHostModule({
  name: 'command',
  aliases: ['ansible.builtin.command'],
  description: 'Run a program on the host (no shell). Use creates/removes to make it idempotent.',
  freeFormKey: 'cmd',
  args: z
    .strictObject({
      cmd: z.string().optional(),
      argv: z
        .union([z.string().transform((s) => s.split(',')), z.array(z.union([z.string(), z.number()]).transform(String))])
        .pipe(z.array(z.string()).min(1))
        .optional(),
      chdir: remotePath.optional(),
      creates: z.string().optional(),
      removes: z.string().optional(),
      stdin: z.string().optional(),
      stdin_add_newline: boolish.optional(),
      strip_empty_ends: boolish.optional(),
    })
    .refine((a) => (a.cmd === undefined) !== (a.argv === undefined), { message: 'give exactly one of cmd (free form) or argv' }),
  checkMode: 'full',
  async run(args, ctx) {
    let argv: string[];
    try {
      argv = args.argv ?? shlexSplit(args.cmd!);
    } catch (err) {
      return failed((err as Error).message);
    }
    if (argv.length === 0) return failed('empty command');
    return runUserCommand(ctx, { argv }, args.cmd ?? shellJoin(argv), {
      chdir: args.chdir,
      creates: args.creates,
      removes: args.removes,
      stdin: args.stdin,
      stdinAddNewline: args.stdin_add_newline,
      stripEmptyEnds: args.strip_empty_ends,
    });
  },
});
