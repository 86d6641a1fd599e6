import { z } from 'zod';
import { defineHostModule } from '../util/define.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Example: `set_fact: { nginx_prefix: /usr/local/nginx, vip_cidr: "{{ vip }}/24" }` */
export const setFactModule = defineHostModule({
  name: 'set_fact',
  aliases: ['ansible.builtin.set_fact'],
  description: 'Set host variables (facts) for the rest of the play.',
  runsOn: 'controller',
  args: z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (key === 'cacheable') continue;
      if (!NAME.test(key)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(key)} is not a valid variable name`, path: [key] });
    }
    if (Object.keys(value).filter((k) => k !== 'cacheable').length === 0) ctx.addIssue({ code: 'custom', message: 'set_fact needs at least one variable' });
  }),
  checkMode: 'full',
  async run(args) {
    // Ansible's set_fact (without jinja2_native, its default) turns a value that is the text true,
    // false, yes or no, in any case, written or templated, into a boolean (set_fact_bool_conv.yml).
    const facts = Object.fromEntries(
      Object.entries(args)
        .filter(([k]) => k !== 'cacheable')
        .map(([k, v]) => [k, typeof v === 'string' && /^(true|false|yes|no)$/i.test(v) ? /^(true|yes)$/i.test(v) : v]),
    );
    // cacheable: a boolean as Ansible's set_fact reads it (`cacheable=no` in the free form is text).
    const cacheable = args.cacheable === true || (typeof args.cacheable === 'string' && /^(true|yes|on|1|y|t)$/i.test(args.cacheable.trim()));
    return { changed: false, facts, ansible_facts: facts, ...(cacheable ? { facts_cacheable: true } : {}) };
  },
});
