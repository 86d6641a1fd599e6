import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { runPackages, normalizeState } from '../util/package-run.js';
import { stringList } from '../util/schema.js';
import { packageStates } from './package.js';

/** RHEL-family packages through rpm -q + yum (or dnf). Example: `yum: { name: [gcc, pcre-devel] }` */
export const yumModule = defineHostModule({
  name: 'yum',
  aliases: ['ansible.builtin.yum', 'dnf', 'ansible.builtin.dnf'],
  description: 'Install or remove RPM packages (yum/dnf), only when needed.',
  freeFormKey: 'name',
  args: z.strictObject({
    name: stringList,
    state: packageStates.optional(),
    use_backend: z.enum(['yum', 'dnf']).optional(),
  }),
  checkMode: 'full',
  run(args, ctx) {
    return runPackages(ctx, { tool: args.use_backend ?? 'yum', names: args.name, state: normalizeState(args.state) });
  },
});
