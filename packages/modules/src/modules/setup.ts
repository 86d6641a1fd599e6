import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { setupFacts } from '../facts/server.js';
import { stringList } from '../util/schema.js';

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/**
 * Gathers host facts in one round trip: OS family/distribution/version, architecture, kernel, hostname,
 * fqdn, interfaces with addresses and MACs, default IPv4, CPUs, memory, libc, service manager.
 * Example: `setup: { filter: "ansible_eth*" }`
 */
export const setupModule = defineHostModule({
  name: 'setup',
  aliases: ['ansible.builtin.setup', 'gather_facts', 'ansible.builtin.gather_facts'],
  description: 'Gather facts about the host (ansible_* variables).',
  args: z.strictObject({
    filter: stringList.optional(),
    gather_subset: stringList.optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    let facts = await ctx.fact(setupFacts, {});
    if (args.filter && args.filter.length > 0) {
      const patterns = args.filter.map(globToRegExp);
      facts = Object.fromEntries(Object.entries(facts).filter(([k]) => patterns.some((p) => p.test(k))));
    }
    // Ansible also exposes them without the prefix under ansible_facts.
    const ansibleFacts = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
    return { changed: false, facts: { ...facts, ansible_facts: ansibleFacts }, ansible_facts: ansibleFacts };
  },
});
