import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { runPackages, normalizeState } from '../util/package-run.js';
import { boolish, stringList, withAliases } from '../util/schema.js';
import { packageStates } from './package.js';

/** RHEL-family packages through rpm -q + yum (or dnf). Example: `yum: { name: [gcc, pcre-devel] }` */
export const yumModule = defineHostModule({
  name: 'yum',
  aliases: ['ansible.builtin.yum', 'dnf', 'ansible.builtin.dnf'],
  description: 'Install or remove RPM packages (yum/dnf), only when needed.',
  freeFormKey: 'name',
  args: withAliases(
    z.strictObject({
      name: stringList,
      state: packageStates.optional(),
      use_backend: z.enum(['yum', 'dnf']).optional(),
      enablerepo: stringList.optional(),
      disablerepo: stringList.optional(),
      update_cache: boolish.optional(),
    }),
    { name: ['pkg'], update_cache: ['expire-cache'] },
  ),
  checkMode: 'full',
  run(args, ctx) {
    return runPackages(ctx, {
      tool: args.use_backend ?? 'yum',
      names: args.name,
      state: normalizeState(args.state),
      enableRepos: args.enablerepo,
      disableRepos: args.disablerepo,
      expireCache: args.update_cache,
    });
  },
});
