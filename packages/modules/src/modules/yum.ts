import { z } from 'zod';
import { applyCommands } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { packageStates, runPackages, normalizeState } from '../util/package-run.js';
import { failed } from '@haweb/hostkit';
import { boolish, stringList, withAliases } from '../util/schema.js';

/**
 * RHEL-family packages through rpm -q + yum (or dnf). Examples: `yum: { name: [gcc, pcre-devel] }`,
 * `dnf: { name: jenkins, allowerasing: true }`, `yum: update_cache=yes` (only the cache: as Ansible's
 * yum does, `yum clean expire-cache`, reported unchanged with "Cache updated").
 */
export const yumModule = defineHostModule({
  name: 'yum',
  aliases: ['ansible.builtin.yum', 'dnf', 'ansible.builtin.dnf'],
  description: 'Install or remove RPM packages (yum/dnf), only when needed.',
  freeFormKey: 'name',
  args: withAliases(
    z
      .strictObject({
        name: stringList.optional(),
        state: packageStates.optional(),
        use_backend: z.enum(['yum', 'dnf']).optional(),
        enablerepo: stringList.optional(),
        disablerepo: stringList.optional(),
        update_cache: boolish.optional(),
        // Passed to yum/dnf as --exclude=a,b (packages never installed or updated by this transaction).
        exclude: stringList.optional(),
        // dnf --allowerasing: may remove installed packages that conflict with the ones installed.
        allowerasing: boolish.optional(),
        // Ansible lets an older version given as name-version replace an installed newer one; this
        // module installs only packages that are absent (never changes a version), so it changes nothing.
        allow_downgrade: boolish.optional(),
      })
      .refine((a) => (a.name && a.name.length > 0) || a.update_cache !== undefined, { message: 'give name, or update_cache alone' }),
    { name: ['pkg'], update_cache: ['expire-cache'] },
  ),
  checkMode: 'full',
  async run(args, ctx) {
    const tool = args.use_backend ?? 'yum';
    const names = args.name ?? [];
    if (names.length === 0) {
      // Only the cache: Ansible's yum runs `yum clean expire-cache` and reports changed=false.
      if (ctx.check) return { changed: false, msg: 'Cache updated', results: [] };
      const res = await applyCommands(ctx, [{ argv: [tool, ...repoArgs(args), 'clean', 'expire-cache'] }], { msg: 'Cache updated' });
      if (res.failed) return failed(res.msg!, { rc: res.rc });
      return { changed: false, msg: 'Cache updated', results: [] };
    }
    return runPackages(ctx, {
      tool,
      names,
      state: normalizeState(args.state),
      enableRepos: args.enablerepo,
      disableRepos: args.disablerepo,
      expireCache: args.update_cache,
      exclude: args.exclude,
      allowErasing: tool === 'dnf' ? args.allowerasing : undefined,
    });
  },
});

function repoArgs(a: { enablerepo?: string[]; disablerepo?: string[] }): string[] {
  return [...(a.disablerepo?.length ? [`--disablerepo=${a.disablerepo.join(',')}`] : []), ...(a.enablerepo?.length ? [`--enablerepo=${a.enablerepo.join(',')}`] : [])];
}
