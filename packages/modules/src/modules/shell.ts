import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { runUserCommand } from '../util/command-result.js';
import { boolish, remotePath } from '../util/schema.js';

/**
 * Runs a script through /bin/sh (or `executable`). Pipes and redirections work; put values into it
 * with the `quote` filter. Always "changed" unless creates/removes say it need not run.
 * Example:
 *   shell: { cmd: "./configure --prefix=/usr/local/nginx > configure.log 2>&1", chdir: /usr/local/src/nginx, creates: Makefile }
 */
export const shellModule = defineHostModule({
  name: 'shell',
  aliases: ['ansible.builtin.shell'],
  description: 'Run a shell script on the host. Use creates/removes to make it idempotent.',
  freeFormKey: 'cmd',
  args: z.strictObject({
    cmd: z.string().min(1),
    chdir: remotePath.optional(),
    creates: z.string().optional(),
    removes: z.string().optional(),
    stdin: z.string().optional(),
    stdin_add_newline: boolish.optional(),
    strip_empty_ends: boolish.optional(),
    executable: z.string().optional(),
  }),
  checkMode: 'full',
  run(args, ctx) {
    const command = args.executable ? { argv: [args.executable, '-c', args.cmd] } : { script: args.cmd };
    return runUserCommand(ctx, command, args.cmd, {
      chdir: args.chdir,
      creates: args.creates,
      removes: args.removes,
      stdin: args.stdin,
      stdinAddNewline: args.stdin_add_newline,
      stripEmptyEnds: args.strip_empty_ends,
    });
  },
});
