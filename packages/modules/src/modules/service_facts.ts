import { z } from 'zod';
import { serviceList } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';

/**
 * Ansible's service_facts: the fact `services` (name -> name, state, status, source) from sysv,
 * chkconfig or systemd, as Ansible gathers it; skipped with Ansible's message when none is found.
 * Example: service_facts: + when: "'nginx' in services"
 */
export const serviceFactsModule = defineHostModule({
  name: 'service_facts',
  aliases: ['ansible.builtin.service_facts'],
  description: 'Gather the services the host knows into the fact `services`.',
  args: z.strictObject({}),
  checkMode: 'full',
  async run(_args, ctx) {
    const services = await ctx.fact(serviceList, undefined);
    if (Object.keys(services).length === 0) {
      return { changed: false, skipped: true, msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.' };
    }
    // `services` as a variable and, through the ansible_-prefixed key the executor keeps among the host's
    // facts, as `ansible_facts.services` (what Ansible's service_facts target asserts), as package_facts.
    return { changed: false, facts: { services, ansible_services: services }, ansible_facts: { services } };
  },
});
