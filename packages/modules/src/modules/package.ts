import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { choosePackageTool, normalizeState, runPackages } from '../util/package-run.js';
import { failed } from '@haweb/hostkit';
import { stringList } from '../util/schema.js';

export const packageStates = z.enum(['present', 'installed', 'absent', 'removed']);

/**
 * Installs only what is missing, with the host's own tool (apt-get on Debian-family, yum/dnf on
 * RHEL-family). Example: `package: { name: [build-essential, libpcre3-dev], state: present }`
 */
export const packageModule = defineHostModule({
  name: 'package',
  aliases: ['ansible.builtin.package'],
  description: 'Install or remove packages with the host\'s package manager.',
  freeFormKey: 'name',
  args: z.strictObject({
    name: stringList,
    state: packageStates.optional(),
    use: z.enum(['auto', 'apt', 'yum', 'dnf']).optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const tool = await choosePackageTool(ctx, args.use ?? 'auto');
    if (typeof tool !== 'string') return failed(tool.error);
    return runPackages(ctx, { tool, names: args.name, state: normalizeState(args.state) });
  },
});
