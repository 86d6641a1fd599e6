import { z } from 'zod';
import { shellJoin } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { prepareUserCommand, runUserCommand, userCommandResult, commandOptions } from '../util/command-result.js';
import { shlexSplit, failed } from '@haweb/hostkit';
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
    const planned = commandOf(args);
    if ('error' in planned) return failed(planned.error);
    return runUserCommand(ctx, { argv: planned.argv }, planned.display, commandOptions(args));
  },
  background: {
    async prepare(args, ctx) {
      const planned = commandOf(args);
      if ('error' in planned) return { result: failed(planned.error) };
      return prepareUserCommand(ctx, { argv: planned.argv }, planned.display, commandOptions(args));
    },
    finish: (args, outcome) => userCommandResult(args.cmd ?? shellJoin(args.argv ?? []), commandOptions(args), outcome),
  },
});

type CommandArgs = { cmd?: string; argv?: string[]; chdir?: string; creates?: string; removes?: string; stdin?: string; stdin_add_newline?: boolean; strip_empty_ends?: boolean };

/** The argv to run and how the result names it (the free form as written, else the quoted argv). */
function commandOf(args: CommandArgs): { argv: string[]; display: string } | { error: string } {
  let argv: string[];
  try {
    argv = args.argv ?? shlexSplit(args.cmd!);
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (argv.length === 0) return { error: 'empty command' };
  return { argv, display: args.cmd ?? shellJoin(argv) };
}
