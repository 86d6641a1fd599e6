import { z } from 'zod';
import { defaultDivertPath, divertUnchanged, diversionState, dpkgDivertForceRemoveOptions, dpkgDivertOptions, dpkgDivertRestoreOptions, type DivertRequest } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath, withAliases } from '../util/schema.js';

/**
 * debops.debops.dpkg_divert (DebOps' collection): add, change or remove a dpkg diversion of a file
 * with dpkg-divert(8), run as `env LC_ALL=C dpkg-divert ...` (its output is parsed). As DebOps'
 * module: `package` defaults to LOCAL (a local diversion, divert path PATH.dpkg-divert; a package's
 * is PATH.distrib); a diversion held by another package or pointing elsewhere is replaced only with
 * `force` (removed, the diverted file moved to the new path if that is free, then added again, and
 * put back if adding fails); `delete` removes the file in place before an `absent`; files are never
 * overwritten (dpkg-divert's --rename). Check mode runs dpkg-divert --test. Returns changed, stdout,
 * stderr and cmd (a list of two commands, and msg, when a diversion was replaced), as DebOps' module,
 * except that msg is one text (DebOps' module gives the two commands' outputs as a list).
 * Example: dpkg_divert: { path: /etc/ntp.conf }
 */
export const dpkgDivertModule = defineHostModule({
  name: 'debops.debops.dpkg_divert',
  description: "Add, change or remove a dpkg diversion of a file (dpkg-divert), as DebOps' dpkg_divert module.",
  args: withAliases(
    z.strictObject({
      path: remotePath,
      state: z.enum(['absent', 'present']).default('present'),
      package: z.string().default('LOCAL'),
      divert: remotePath.optional(),
      rename: boolish.default(true),
      delete: boolish.default(false),
      force: boolish.default(false),
    }),
    { path: ['name'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const facts = await ctx.fact(diversionState, { path: a.path });
    if (!facts.dpkgDivert) return { changed: false, failed: true, msg: 'Failed to find required executable "dpkg-divert" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    if (!facts.env) return { changed: false, failed: true, msg: 'Failed to find required executable "env" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    const prefix = [facts.env, 'LC_ALL=C', facts.dpkgDivert];
    const req: DivertRequest = { path: a.path, state: a.state, package: a.package, divert: a.divert, rename: a.rename };
    const command = [...prefix, ...dpkgDivertOptions(req, ctx.check)];
    const testCommand = [...prefix, ...dpkgDivertOptions(req, true)];
    const cmd = command.join(' ');
    const run = (argv: string[]) => ctx.remote.run({ argv }, { become: ctx.become });
    const mustRun = async (argv: string[]) => {
      const r = await run(argv);
      if (r.code !== 0) throw new CommandError(argv, r.code, r.stdout, r.stderr);
      return r;
    };
    try {
      const test = await run(testCommand);
      if (test.code === 0 || !a.force || !facts.listpackage) {
        if (!ctx.check && a.state === 'absent' && facts.listpackage && a.delete) {
          const rm = await run(['rm', '-f', '--', a.path]);
          if (rm.code !== 0) return { changed: false, failed: true, msg: `unlinking failed: ${rm.stderr.trim()} `, path: a.path };
        }
        let out: { stdout: string; stderr: string };
        if (ctx.check && a.state === 'absent' && a.delete && facts.listpackage && facts.exists) {
          // dpkg-divert --test refuses to remove a diversion while a file is in place: the deletion and
          // the removal are said as DebOps' module says them.
          const words = ['Deleting', a.path, 'and', 'removing', ...(a.package === 'LOCAL' ? ['local'] : []), 'diversion', 'of', a.path, 'to'];
          const to = a.divert || defaultDivertPath(a.path, a.package);
          if (to) words.push(to);
          out = { stdout: words.join(' '), stderr: '' };
        } else out = await mustRun(command);
        return { changed: !divertUnchanged(out.stdout), stdout: out.stdout, stderr: out.stderr, cmd };
      }
      // The diversion exists, held by another package or pointing elsewhere, and force is set:
      // remove it first (holder and divert path left out), then add it again unless state is absent.
      const forceRemove = [...prefix, ...dpkgDivertForceRemoveOptions(a.path, a.rename, ctx.check)];
      const forcerm = forceRemove.join(' ');
      if (a.state === 'absent') {
        const r = await mustRun(forceRemove);
        return { changed: true, stdout: r.stdout, stderr: r.stderr, cmd: forcerm };
      }
      const removed = await mustRun(forceRemove);
      if (ctx.check) {
        return {
          changed: true,
          cmd: [forcerm, cmd],
          msg: [removed.stdout, '*** RUNNING IN CHECK MODE ***', "The next step can't be actually performed - even dry-run - without error (since the previous removal didn't happen) but is supposed to achieve the task."].join('\n'),
        };
      }
      const old = facts.truename.replace(/\s+$/, '');
      const next = a.divert || defaultDivertPath(a.path, a.package) || '';
      const oldExists = await isFile(ctx, old);
      const newExists = await isFile(ctx, next);
      // Never overwrite a file: the diverted file moves to the new divert path only if that is free.
      if (a.rename && oldExists && !newExists) await mustRun(['mv', '--', old, next]);
      const added = await run(command);
      if (added.code === 0) return { changed: true, stdout: added.stdout, stderr: added.stderr, cmd: [forcerm, cmd], msg: [removed.stdout, added.stdout].join('\n') };
      // Adding failed after the removal: the old diversion is put back, and the task fails.
      if (a.rename && oldExists && !(await isFile(ctx, old)) && (await isFile(ctx, next)) && !newExists) await mustRun(['mv', '--', next, old]);
      await mustRun([...prefix, ...dpkgDivertRestoreOptions(a.path, facts.listpackage.replace(/\s+$/, ''), old, a.rename)]);
      return { failed: true, changed: true, stdout: added.stdout, stderr: added.stderr, cmd: [forcerm, cmd] };
    } catch (err) {
      if (err instanceof CommandError) return err.result();
      throw err;
    }
  },
});

async function isFile(ctx: ModuleContext, path: string): Promise<boolean> {
  if (!path) return false;
  return (await ctx.remote.run({ argv: ['test', '-f', path] }, { become: ctx.become })).code === 0;
}

/** A command run with check_rc: the module fails with its output, as Ansible's run_command does. */
class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(stderr.trim() || stdout.trim());
  }
  result(): ModuleResult {
    return { changed: false, failed: true, cmd: this.argv.join(' '), rc: this.code, stdout: this.stdout, stderr: this.stderr, msg: this.stderr.replace(/\s+$/, '') };
  }
}
