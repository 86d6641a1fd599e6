import { z } from 'zod';
import type { Command } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { prepareUserCommand, runUserCommand, userCommandResult, commandOptions } from '../util/command-result.js';
import { boolish, remotePath } from '../util/schema.js';
import { pathText } from './command.js';

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
    creates: pathText.optional(),
    removes: pathText.optional(),
    stdin: z.string().optional(),
    stdin_add_newline: boolish.optional(),
    strip_empty_ends: boolish.optional(),
    executable: z.string().optional(),
  }),
  checkMode: 'full',
  run: (args, ctx) => runUserCommand(ctx, commandOf(args), args.cmd, commandOptions(args)),
  background: {
    prepare: (args, ctx) => prepareUserCommand(ctx, commandOf(args), args.cmd, commandOptions(args)),
    finish: (args, outcome) => userCommandResult(args.cmd, commandOptions(args), outcome),
  },
});

type ShellArgs = { cmd: string; executable?: string; chdir?: string; creates?: string; removes?: string; stdin?: string; stdin_add_newline?: boolean; strip_empty_ends?: boolean };

function commandOf(args: ShellArgs): Command {
  return args.executable ? { argv: [args.executable, '-c', args.cmd] } : { script: args.cmd };
}
