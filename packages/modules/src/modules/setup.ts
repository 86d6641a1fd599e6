import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { setupFacts } from '../facts/server.js';
import { intish, stringList } from '../util/schema.js';

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
    // Ansible's default; its local facts (`ansible_local`) are read from here.
    fact_path: z.string().default('/etc/ansible/facts.d'),
    // Ansible bounds its slow collectors with it; here it bounds each local fact script.
    gather_timeout: intish.default(10),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const gathered = await ctx.fact(setupFacts, args.fact_path === '/etc/ansible/facts.d' && args.gather_timeout === 10 ? {} : { factPath: args.fact_path, gatherTimeout: args.gather_timeout });
    let facts = gathered.facts;
    // gather_subset: '!virtual' leaves out the virtualization facts (the other subsets are all gathered in one round trip).
    const subset = args.gather_subset ?? [];
    if (subset.includes('!virtual') && !subset.includes('virtual')) facts = Object.fromEntries(Object.entries(facts).filter(([k]) => !k.startsWith('ansible_virtualization_')));
    if (args.filter && args.filter.length > 0) {
      const patterns = args.filter.map(globToRegExp);
      facts = Object.fromEntries(Object.entries(facts).filter(([k]) => patterns.some((p) => p.test(k))));
    }
    // The play's `ansible_facts` variable has them without the prefix; the registered result, as
    // Ansible's setup returns it, keeps the prefix (`result.ansible_facts.ansible_local`).
    const ansibleFacts = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
    return {
      changed: false,
      facts: { ...facts, ansible_facts: ansibleFacts },
      ansible_facts: facts,
      ...(gathered.warnings.length > 0 ? { warnings: gathered.warnings } : {}),
    };
  },
});
