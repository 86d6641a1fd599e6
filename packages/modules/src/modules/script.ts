import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { z } from 'zod';
import { readControllerFile } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { guardSkipReason } from '../util/command-result.js';
import { failed, shlexSplit } from '@haweb/hostkit';
import { boolish, remotePath } from '../util/schema.js';
import { lowLevelResult } from './raw.js';

/**
 * The command line that runs an uploaded script, as Ansible's script action builds it: the text as
 * written with the script's name replaced by its uploaded path (Python's str.replace: every
 * occurrence), behind `executable` when one is given. Pure.
 */
export function scriptCommandLine(text: string, uploaded: string, executable?: string): string {
  const name = shlexSplit(text.trim())[0];
  const line = text.trim().split(name).join(uploaded);
  return executable ? `${executable} ${line}` : line;
}

/**
 * Ansible's script: a script of the controller (a role's files/ or the playbook's folder; decrypted
 * when vault-encrypted) copied to a temporary folder on the host and run there with its arguments;
 * the folder is removed afterwards. `creates`/`removes` skip it, as Ansible's action does. Check
 * mode: with creates/removes it reports changed without running, otherwise it is skipped (Ansible's
 * rules). Returns rc, stdout, stderr and their lines.
 * Example: script: files/bootstrap.sh --fast creates=/etc/bootstrapped
 */
export const scriptModule = defineHostModule({
  name: 'script',
  aliases: ['ansible.builtin.script'],
  description: 'Copy a local script to the host and run it there (with its arguments).',
  freeFormKey: 'cmd',
  args: z.strictObject({
    cmd: z.string().min(1),
    chdir: remotePath.optional(),
    creates: z.string().optional(),
    removes: z.string().optional(),
    executable: z.string().min(1).optional(),
    decrypt: boolish.default(true),
  }),
  checkMode: 'full',
  // Ansible's script action does not support async: such a task fails when it runs.
  noAsync: true,
  async run(args, ctx) {
    const guards = { creates: args.creates, removes: args.removes };
    const skip = await guardSkipReason(ctx, guards);
    if (skip) {
      // Ansible's script words it its own way (not command's "skipped, since ...").
      const msg = args.creates !== undefined && skip.includes(' exists')
        ? `${args.creates} exists, matching creates option`
        : `${args.removes} does not exist, matching removes option`;
      return { changed: false, skipped: true, msg };
    }
    const name = shlexSplit(args.cmd.trim())[0];
    if (!name) return failed('no script given');
    const local = ctx.resolveLocal(name, 'files');
    let content: Buffer;
    try {
      content = args.decrypt ? (await readControllerFile(local, ctx)).content : await readFile(local);
    } catch {
      return failed(`Could not find or access '${name}' (looked at ${local})`);
    }
    if (ctx.check) {
      if (args.creates !== undefined || args.removes !== undefined) return { changed: true };
      return { changed: false, skipped: true, msg: 'Check mode is not supported for this task.' };
    }
    const mk = await ctx.remote.run({ argv: ['mktemp', '-d', '--tmpdir', 'haweb-script.XXXXXXXX'] }, { become: ctx.become });
    if (mk.code !== 0) return failed(`cannot make a temporary folder on the host: ${mk.stderr.trim()}`);
    const dir = mk.stdout.trim();
    try {
      const uploaded = posix.join(dir, posix.basename(local));
      await ctx.remote.writeFile(uploaded, content, { mode: '0700', become: ctx.become });
      // The user's own command line, run by the host's shell as Ansible runs it.
      const line = scriptCommandLine(args.cmd, uploaded, args.executable);
      return lowLevelResult(await ctx.remote.run({ script: line }, { become: ctx.become, cwd: args.chdir }));
    } finally {
      await ctx.remote.run({ argv: ['rm', '-rf', '--', dir] }, { become: ctx.become });
    }
  },
});
