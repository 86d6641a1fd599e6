import { z } from 'zod';
import { applySteps, fqdnOf, hostnamePlan, hostnameState, failed } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';

/** Ansible's `use` choices; those this provisioner does not implement are refused at validation. */
const USE = ['alpine', 'debian', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'redhat', 'sles', 'solaris', 'systemd'] as const;
const IMPLEMENTED_USE = ['debian', 'redhat', 'systemd'];

/**
 * Ansible's hostname: the host's name, set as Ansible sets it (hostnamectl under systemd, else
 * /etc/hostname, or /etc/sysconfig/network on Red Hat; without systemd, like Ansible, the running
 * name is left alone). Check mode and diff (`hostname = <name>`, Ansible's form). Returns `name` and
 * the facts ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain.
 * Example: hostname: { name: web1.example.com }
 */
export const hostnameModule = defineHostModule({
  name: 'hostname',
  aliases: ['ansible.builtin.hostname'],
  description: 'Set the host\'s name (persistently), as Ansible\'s hostname module does.',
  args: z.strictObject({
    name: z.string().min(1),
    use: z.enum(USE).refine((u) => IMPLEMENTED_USE.includes(u), { message: `this provisioner implements use: ${IMPLEMENTED_USE.join(', ')}` }).optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const before = await ctx.fact(hostnameState, undefined);
    let plan;
    try {
      plan = hostnamePlan(before, args.name, args.use);
    } catch (err) {
      return failed((err as Error).message);
    }
    const applied = await applySteps(ctx, plan.steps);
    if (applied.failed) return applied;
    const after = plan.steps.length && !ctx.check ? await ctx.fact(hostnameState, undefined) : before;
    const fqdn = fqdnOf(after);
    const facts = {
      ansible_hostname: args.name.split('.')[0],
      ansible_nodename: args.name,
      ansible_fqdn: fqdn,
      ansible_domain: fqdn.split('.').slice(1).join('.'),
    };
    const nameBefore = args.name !== plan.current ? plan.current : plan.permanent;
    return {
      changed: applied.changed,
      name: args.name,
      facts,
      ansible_facts: facts,
      ...(applied.changed ? { diff: [{ before: `hostname = ${nameBefore}\n`, after: `hostname = ${args.name}\n` }] } : {}),
    };
  },
});
