import { z } from 'zod';
import type { ModuleContext } from '@haweb/core';
import { aptCacheStale, aptCacheTime } from '../facts/apt-cache.js';
import { defineHostModule } from '../util/define.js';
import { aptStates, runPackages, normalizeState } from '../util/package-run.js';
import { applyCommands } from '@haweb/hostkit';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * Debian-family packages through dpkg-query + apt-get. `deb` installs a .deb file already on the host.
 * Examples: `apt: { name: keepalived, state: present, update_cache: yes }`,
 * `apt: update_cache=yes cache_valid_time=3600` (only the cache, as Ansible allows).
 */
export const aptModule = defineHostModule({
  name: 'apt',
  aliases: ['ansible.builtin.apt'],
  description: 'Install or remove Debian packages (apt-get), only when needed; update the APT cache when it is older than asked.',
  freeFormKey: 'name',
  args: withAliases(
    z
      .strictObject({
        name: stringList.optional(),
        deb: z.string().optional(),
        state: aptStates.optional(),
        update_cache: boolish.optional(),
        cache_valid_time: intish.optional(),
        install_recommends: boolish.optional(),
        purge: boolish.optional(),
        default_release: z.string().optional(),
        allow_unauthenticated: boolish.optional(),
        allow_downgrade: boolish.optional(),
        dpkg_options: stringList.optional(),
        // Ansible falls back to aptitude for `upgrade` unless this is set; this module always uses apt-get.
        force_apt_get: boolish.optional(),
        // The exit code /usr/sbin/policy-rc.d gives during the install/remove (101: no service started).
        policy_rc_d: intish.optional(),
      })
      .refine((a) => (a.name && a.name.length > 0) || a.deb !== undefined || a.update_cache !== undefined, {
        message: 'give name, deb or update_cache',
      }),
    {
      name: ['package', 'pkg'], update_cache: ['update-cache'], install_recommends: ['install-recommends'], default_release: ['default-release'],
      allow_unauthenticated: ['allow-unauthenticated'], allow_downgrade: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'],
    },
  ),
  checkMode: 'full',
  async run(args, ctx) {
    // Ansible: a cache_valid_time alone asks for an update too; 0 (the default) means "always".
    const validFor = args.cache_valid_time ?? 0;
    const cache = args.update_cache || validFor > 0 ? await updateAptCache(ctx, validFor) : undefined;
    const names = args.name ?? [];
    if (names.length === 0 && args.deb === undefined) {
      return { changed: cache?.updated ?? false, cache_updated: cache?.updated ?? false, cache_update_time: cache?.time ?? 0 };
    }
    const result = await runPackages(ctx, {
      tool: 'apt',
      names,
      debs: args.deb ? [args.deb] : [],
      state: normalizeState(args.state),
      installRecommends: args.install_recommends,
      purge: args.purge,
      defaultRelease: args.default_release,
      allowUnauthenticated: args.allow_unauthenticated,
      allowDowngrade: args.allow_downgrade,
      dpkgOptions: args.dpkg_options,
      policyRcD: args.policy_rc_d,
    });
    return cache ? { ...result, cache_updated: cache.updated, cache_update_time: cache.time } : result;
  },
});

/**
 * `apt-get update` when the cache is older than `validFor` seconds; "updated" as Ansible reports it:
 * the cache time moved (or, in check mode, would be refreshed).
 */
async function updateAptCache(ctx: ModuleContext, validFor: number): Promise<{ updated: boolean; time: number }> {
  const before = await ctx.fact(aptCacheTime, {});
  if (!aptCacheStale(before, validFor)) return { updated: false, time: before.updated };
  if (!ctx.check) ctx.progress('apt-get update');
  const res = await applyCommands(ctx, [{ argv: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-q'] }], { msg: 'apt-get update' });
  if (res.failed) throw new Error(res.msg);
  if (ctx.check) return { updated: true, time: before.updated };
  const after = await ctx.fact(aptCacheTime, {});
  return { updated: after.updated !== before.updated, time: after.updated };
}
