import { z } from 'zod';
import {
  applySteps, backupName, fstabWithEntry, fstabWithoutEntry, isMounted, mountArgv, mountState, remountScript, type Step,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, remotePath, withAliases } from '../util/schema.js';

const STATES = ['absent', 'absent_from_fstab', 'mounted', 'present', 'unmounted', 'remounted', 'ephemeral'] as const;
const NEEDS_SOURCE = ['mounted', 'present', 'ephemeral'];
const str = z.union([z.string(), z.number()]).transform(String);

/**
 * ansible.posix.mount on Linux: the fstab entry of a mount point and whether it is mounted, with
 * Ansible's fstab edits (fstabWithEntry / fstabWithoutEntry) and commands (mount, umount, remount
 * falling back to umount + mount). Check mode. Returns what Ansible returns: changed, name, src,
 * fstype, opts, dump, passno, fstab, boot ('yes'/'no'), backup_file, warnings.
 * Example: mount: { path: /srv/data, src: /dev/vdb1, fstype: ext4, opts: noatime, state: mounted }
 */
export const mountModule = defineHostModule({
  name: 'mount',
  aliases: ['ansible.posix.mount'],
  description: 'Manage a mount point: its fstab entry and whether it is mounted, as ansible.posix.mount.',
  args: withAliases(
    z
      .strictObject({
        path: remotePath,
        src: z.string().optional(),
        fstype: z.string().optional(),
        opts: z.string().optional(),
        dump: str.default('0'),
        passno: str.default('0'),
        boot: boolish.default(true),
        fstab: z.string().optional(),
        backup: boolish.default(false),
        state: z.enum(STATES),
      })
      .superRefine((a, ctx) => {
        const missing = NEEDS_SOURCE.includes(a.state) ? (['src', 'fstype'] as const).filter((k) => a[k] === undefined) : [];
        if (missing.length) ctx.addIssue({ code: 'custom', message: `state is ${a.state} but all of the following are missing: ${missing.join(', ')}` });
      }),
    { path: ['name'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const name = a.path.length > 1 ? a.path.replace(/\/+$/, '') : a.path;
    const warnings: string[] = [];
    let opts = a.opts ?? 'defaults';
    let boot = 'yes';
    const list = opts.split(',');
    if (list.includes('noauto')) warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'.");
    else if (!a.boot) {
      boot = 'no';
      if (list.includes('defaults')) warnings.push("Ignore the 'boot' due to 'opts' contains 'defaults'.");
      else opts = [...list, 'noauto'].join(',');
    }
    const fstab = a.fstab ?? '/etc/fstab';
    const result: Record<string, unknown> = {
      name, opts, dump: a.dump, passno: a.passno, fstab, boot, backup_file: '',
      // Ansible drops an empty warnings list from the result.
      ...(warnings.length ? { warnings } : {}),
      ...(a.src !== undefined ? { src: a.src } : {}), ...(a.fstype !== undefined ? { fstype: a.fstype } : {}),
    };
    const sh = { become: ctx.become };
    if (a.state !== 'ephemeral') {
      // Ansible makes a missing fstab (and its folder) first, in check mode too.
      const made = await ctx.remote.run({ argv: ['sh', '-c', 'mkdir -p -- "$(dirname -- "$1")" && touch -a -- "$1"', 'sh', fstab] }, sh);
      if (made.code !== 0) return { changed: false, failed: true, msg: `Failed to open ${fstab} due to ${made.stderr.trim()}` };
    }
    const facts = await ctx.fact(mountState, { path: name, fstab });
    const old = facts.fstab ?? '';
    const mounted = isMounted(facts, name);
    const entry = { src: a.src ?? '', name, fstype: a.fstype ?? '', opts, dump: a.dump, passno: a.passno };
    const steps: Step[] = [];
    const writeFstab = (content: string): void => {
      if (a.backup) {
        const backup = backupName(fstab);
        steps.push({ kind: 'run', argv: ['cp', '-p', '--', fstab, backup], why: 'backup' });
        if (!ctx.check) result.backup_file = backup;
      }
      steps.push({ kind: 'file', path: fstab, content, why: `${name} in ${fstab}` });
    };
    let changed = false;
    let failWith = (out: string) => `Error mounting ${name}: ${out}`;
    switch (a.state) {
      case 'absent_from_fstab':
      case 'absent': {
        const edit = fstabWithoutEntry(old, name, a.src);
        changed = edit.changed;
        if (edit.changed) writeFstab(edit.content);
        if (edit.changed && a.state === 'absent') {
          if (mounted) steps.push({ kind: 'run', argv: ['umount', name], why: `unmount ${name}` });
          if (facts.pathExists) steps.push({ kind: 'run', argv: ['rmdir', name], why: `remove ${name}` });
          failWith = (out) => `Error unmounting ${name}: ${out}`;
        }
        break;
      }
      case 'unmounted':
        if (mounted) {
          changed = true;
          steps.push({ kind: 'run', argv: ['umount', name], why: `unmount ${name}` });
          failWith = (out) => `Error unmounting ${name}: ${out}`;
        }
        break;
      case 'present': {
        const edit = fstabWithEntry(old, entry);
        changed = edit.changed;
        if (edit.changed) writeFstab(edit.content);
        break;
      }
      case 'mounted': {
        if (!facts.pathExists) steps.push({ kind: 'run', argv: ['mkdir', '-p', '--', name], why: `make ${name}` });
        const edit = fstabWithEntry(old, entry);
        changed = edit.changed;
        if (edit.changed) writeFstab(edit.content);
        if (mounted) {
          if (edit.changed) steps.push({ kind: 'script', script: remountScript(name, fstab, opts), why: `remount ${name}` });
        } else {
          changed = true;
          steps.push({ kind: 'run', argv: mountArgv(name, fstab), why: `mount ${name}` });
        }
        break;
      }
      case 'remounted':
        changed = true;
        steps.push({ kind: 'script', script: remountScript(name, fstab, a.opts), why: `remount ${name}` });
        failWith = (out) => `Error remounting ${name}: ${out}`;
        break;
      case 'ephemeral': {
        changed = true;
        const argv = ['-t', a.fstype!, ...(opts !== 'defaults' ? ['-o', opts] : []), a.src!, name];
        if (mounted) {
          const same = facts.mounts.some((m) => m.target === name && (m.source === a.src || m.root === a.src));
          if (!same) {
            return { changed: false, failed: true, msg: 'Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a "state: unmounted" followed by a "state: ephemeral", or use a different destination path.' };
          }
          steps.push({ kind: 'run', argv: ['mount', '-o', opts !== 'defaults' ? `remount,${opts}` : 'remount', ...argv], why: `remount ${name}` });
        } else {
          if (!facts.pathExists) steps.push({ kind: 'run', argv: ['mkdir', '-p', '--', name], why: `make ${name}` });
          steps.push({ kind: 'run', argv: ['mount', ...argv], why: `mount ${name}` });
        }
        break;
      }
    }
    if (!changed) return { changed: false, ...result };
    const applied = await applySteps(ctx, steps, { failure: (f) => failWith(`${f.result.stdout}${f.result.stderr}`) });
    if (applied.failed) {
      // A failed mount puts fstab back as it was, as Ansible does.
      if (a.state === 'mounted' && facts.fstab !== undefined) await ctx.remote.writeFile(fstab, old, sh);
      return { ...result, changed: false, failed: true, msg: applied.msg };
    }
    return { changed: true, ...result };
  },
});
