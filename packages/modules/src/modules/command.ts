import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { prepareUserCommand, runUserCommand, userCommandResult, commandOptions } from '../util/command-result.js';
import { shlexSplit, failed } from '@haweb/hostkit';
import { boolish, remotePath } from '../util/schema.js';

/** A path option written as YAML reads it: `creates: yes` is the path 'True', as in Python. */
export const pathText = z.union([z.string(), z.boolean(), z.number()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

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
        .pipe(z.array(z.string()))
        .optional(),
      chdir: remotePath.optional(),
      creates: pathText.optional(),
      removes: pathText.optional(),
      stdin: z.string().optional(),
      stdin_add_newline: boolish.optional(),
      strip_empty_ends: boolish.optional(),
      // Not in Ansible's documentation, but its command module takes it, warns and ignores it.
      executable: z.string().optional(),
    }),
  checkMode: 'full',
  async run(args, ctx) {
    const planned = commandOf(args);
    if ('error' in planned) return { ...failed(planned.error), rc: planned.rc ?? null };
    const r = await runUserCommand(ctx, { argv: planned.argv }, planned.display, commandOptions(args));
    return args.executable ? { ...r, warnings: [executableWarning(args.executable)] } : r;
  },
  background: {
    async prepare(args, ctx) {
      const planned = commandOf(args);
      if ('error' in planned) return { result: { ...failed(planned.error), rc: planned.rc ?? null } };
      return prepareUserCommand(ctx, { argv: planned.argv }, planned.display, commandOptions(args));
    },
    finish: (args, outcome) => {
      const planned = commandOf(args);
      return userCommandResult('error' in planned ? [] : planned.display, commandOptions(args), outcome);
    },
  },
});

type CommandArgs = { cmd?: string; argv?: string[]; chdir?: string; creates?: string; removes?: string; stdin?: string; stdin_add_newline?: boolean; strip_empty_ends?: boolean; executable?: string };

/** Ansible's warning for command's `executable`. */
export function executableWarning(executable: string): string {
  return `As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${executable}'.`;
}

/**
 * The argv to run, and how the result names it: Ansible's `cmd` is the argv list (the free form as
 * shlex splits it). No command, or both forms, fail as Ansible's module fails them (rc 256).
 */
export function commandOf(args: Pick<CommandArgs, 'cmd' | 'argv'>): { argv: string[]; display: string[] } | { error: string; rc?: number } {
  const text = args.cmd !== undefined && args.cmd.trim() !== '' ? args.cmd : undefined;
  const argvGiven = args.argv !== undefined && args.argv.length > 0;
  if (text === undefined && !argvGiven) return { error: 'no command given', rc: 256 };
  if (text !== undefined && argvGiven) return { error: 'only command or argv can be given, not both', rc: 256 };
  let argv: string[];
  try {
    argv = args.argv ?? shlexSplit(text!);
  } catch (err) {
    return { error: (err as Error).message };
  }
  return { argv, display: argv };
}
