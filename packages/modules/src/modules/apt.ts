import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { runPackages, normalizeState } from '../util/package-run.js';
import { boolish, stringList } from '../util/schema.js';
import { packageStates } from './package.js';

/**
 * Debian-family packages through dpkg-query + apt-get. `deb` installs a .deb file already on the host.
 * Example: `apt: { name: keepalived, state: present, update_cache: yes }`
 */
export const aptModule = defineHostModule({
  name: 'apt',
  aliases: ['ansible.builtin.apt'],
  description: 'Install or remove Debian packages (apt-get), only when needed.',
  freeFormKey: 'name',
  args: z
    .strictObject({
      name: stringList.optional(),
      deb: z.string().optional(),
      state: packageStates.optional(),
      update_cache: boolish.optional(),
    })
    .refine((a) => (a.name && a.name.length > 0) || a.deb !== undefined, { message: 'give name or deb' }),
  checkMode: 'full',
  run(args, ctx) {
    return runPackages(ctx, {
      tool: 'apt',
      names: args.name ?? [],
      debs: args.deb ? [args.deb] : [],
      state: normalizeState(args.state),
      updateCache: args.update_cache,
    });
  },
});
