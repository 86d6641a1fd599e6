import { z } from 'zod';
import { schemaKeys } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { aptStates, choosePackageTool, packageStates } from '../util/package-run.js';
import { failed } from '@haweb/hostkit';
import { declaredAliases, stringList } from '../util/schema.js';
import { aptModule } from './apt.js';
import { yumModule } from './yum.js';

export { packageStates };

/** Every name an option of a backend answers to (its options and their aliases). */
function optionNames(def: { args: z.ZodType }): string[] {
  return [...schemaKeys(def.args), ...Object.values(declaredAliases(def.args)).flat()];
}

const OWN_OPTIONS = ['name', 'state', 'use'];

/**
 * As Ansible's package action does: `name`, `state` and `use` are package's own; every other argument
 * goes, unchanged, to the backend module chosen for the host (apt on Debian-family, yum or dnf on
 * RHEL-family), which takes it or refuses it. So `package: { name: redis, enablerepo: epel }` runs
 * on a RHEL host and fails on a Debian one ("Unsupported parameters for (apt) module: enablerepo"),
 * while `update_cache`/`cache_valid_time` reach apt. An argument that no backend takes is refused
 * before any host is touched.
 */
function backendOptions(): Set<string> {
  return new Set([...optionNames(aptModule), ...optionNames(yumModule)].filter((n) => !OWN_OPTIONS.includes(n)));
}

const args = z
  .object({
    name: stringList,
    // Any state a backend takes (apt's latest too); the backend refuses the ones it does not.
    state: aptStates.optional(),
    use: z.enum(['auto', 'apt', 'yum', 'dnf']).optional(),
  })
  .catchall(z.unknown())
  .superRefine((a, ctx) => {
    const known = backendOptions();
    const keys = Object.keys(a).filter((k) => !OWN_OPTIONS.includes(k) && !known.has(k));
    if (keys.length) ctx.addIssue({ code: 'unrecognized_keys', keys, input: a, message: `unknown argument(s): ${keys.join(', ')}` });
  });

/**
 * Installs only what is missing, with the host's own tool (apt-get on Debian-family, yum/dnf on
 * RHEL-family). Example: `package: { name: [build-essential, libpcre3-dev], state: present }`
 */
export const packageModule = defineHostModule({
  name: 'package',
  aliases: ['ansible.builtin.package'],
  description: 'Install or remove packages with the host\'s package manager (other arguments go to that manager\'s module).',
  freeFormKey: 'name',
  args,
  checkMode: 'full',
  async run(a, ctx) {
    const tool = await choosePackageTool(ctx, a.use ?? 'auto');
    if (typeof tool !== 'string') return failed(tool.error);
    const { use: _use, ...rest } = a as Record<string, unknown>;
    const backend = tool === 'apt' ? aptModule : yumModule;
    const given = tool === 'apt' ? rest : { ...rest, use_backend: tool };
    const extra = Object.keys(rest).filter((k) => !OWN_OPTIONS.includes(k));
    const accepted = new Set(optionNames(backend));
    const unsupported = extra.filter((k) => !accepted.has(k));
    if (unsupported.length) {
      return failed(`Unsupported parameters for (${tool}) module: ${unsupported.sort().join(', ')} (package passes every argument but name, state and use to ${tool})`);
    }
    const parsed = backend.args.safeParse(given);
    if (!parsed.success) return failed(`${tool}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ')}`);
    return backend.run(parsed.data as never, ctx);
  },
});
