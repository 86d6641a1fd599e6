import { z } from 'zod';
import type { ModuleResult, RunResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';

/** Python's str.splitlines() for \n, \r\n and \r (what stdout_lines is made of). Pure. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split(/\r\n|\n|\r/);
  if (/[\r\n]$/.test(text)) parts.pop();
  return parts;
}

/**
 * What Ansible's raw and script report of a command they ran (its _low_level_execute_command): rc,
 * stdout, stderr and their lines, always changed; a non-zero rc fails with 'non-zero return code'.
 * The output is kept as the host wrote it (no tty is allocated, so lines end in \n, not \r\n, and
 * stderr stays apart). Pure.
 */
export function lowLevelResult(r: RunResult): ModuleResult {
  const result: ModuleResult = {
    changed: true,
    rc: r.code,
    stdout: r.stdout,
    stdout_lines: splitLines(r.stdout),
    stderr: r.stderr,
    stderr_lines: splitLines(r.stderr),
  };
  if (r.code !== 0) Object.assign(result, { failed: true, msg: 'non-zero return code' });
  return result;
}

/**
 * Ansible's raw: a command line given to the host's shell as is (or to `executable -c`), for hosts
 * where nothing else works yet. Always changed; skipped in check mode, as Ansible's raw action does.
 * Example: raw: test -e /usr/bin/python3 || (apt-get update && apt-get install -y python3-minimal)
 */
export const rawModule = defineHostModule({
  name: 'raw',
  aliases: ['ansible.builtin.raw'],
  description: 'Run a command line through the host\'s shell, as is (no module machinery).',
  freeFormKey: 'free_form',
  args: z.strictObject({
    free_form: z.string().min(1),
    executable: z.string().min(1).optional(),
  }),
  checkMode: 'none',
  async run(args, ctx) {
    // raw is the user's own shell text: it runs as written, like Ansible's raw (no quoting by us).
    const command = args.executable ? { argv: [args.executable, '-c', args.free_form] } : { script: args.free_form };
    return lowLevelResult(await ctx.remote.run(command, { become: ctx.become }));
  },
});
