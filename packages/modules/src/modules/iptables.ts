import { z } from 'zod';
import { shellJoin } from '@haweb/core';
import { applySteps, failed, stateDiff, errorMessage } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { iptablesFeatures, iptablesRulePresent } from '../facts/iptables.js';
import { hostOs } from '../facts/server.js';
import { buildRuleSpec, IptablesArgError, planRule, ruleText, savedRulesPath, saveScript } from '../operations/iptables.js';
import { boolish, intish, stringList } from '../util/schema.js';

/**
 * Examples:
 *   iptables: { chain: INPUT, protocol: vrrp, jump: ACCEPT, comment: "VRRP between the balancers" }
 *   iptables: { chain: INPUT, protocol: tcp, destination_port: "80", ctstate: [NEW], jump: ACCEPT }
 * After a change the rules are saved the distro's way (/etc/iptables/rules.v4 or /etc/sysconfig/iptables).
 */
export const iptablesModule = defineHostModule({
  name: 'iptables',
  aliases: ['ansible.builtin.iptables'],
  description: 'Make an iptables rule present or absent (checked with -C) and save the rules for boot.',
  args: z.strictObject({
    table: z.enum(['filter', 'nat', 'mangle', 'raw', 'security']).optional(),
    chain: z.string().regex(/^[A-Za-z0-9_.-]+$/),
    protocol: z.string().optional(),
    source: z.string().optional(),
    destination: z.string().optional(),
    in_interface: z.string().optional(),
    out_interface: z.string().optional(),
    source_port: z.union([z.string(), z.number()]).transform(String).optional(),
    destination_port: z.union([z.string(), z.number()]).transform(String).optional(),
    destination_ports: stringList.optional(),
    match: stringList.optional(),
    ctstate: stringList.optional(),
    comment: z.string().max(256).optional(),
    jump: z.string().optional(),
    to_ports: z.union([z.string(), z.number()]).transform(String).optional(),
    to_destination: z.string().optional(),
    state: z.enum(['present', 'absent']).optional(),
    action: z.enum(['append', 'insert']).optional(),
    rule_num: intish.optional(),
    ip_version: z.enum(['ipv4', 'ipv6']).optional(),
    save: boolish.optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    let rule;
    try {
      rule = buildRuleSpec(args);
    } catch (err) {
      if (err instanceof IptablesArgError) return failed(err.message);
      throw err;
    }
    let present: boolean;
    try {
      rule = { ...rule, ...(await ctx.fact(iptablesFeatures, { ipVersion: rule.ipVersion })) };
      present = await ctx.fact(iptablesRulePresent, rule);
    } catch (err) {
      return failed(errorMessage(err), { rule: ruleText(rule) });
    }
    const command = planRule(present, rule, args);
    const result = { rule: ruleText(rule), chain: args.chain, table: rule.table, state: args.state ?? 'present' };
    if (!command) return { changed: false, ...result };
    const diff = [stateDiff(`iptables ${rule.table}/${args.chain}`, { rule: present ? 'present' : 'absent' }, { rule: present ? 'absent' : 'present' })];
    const target = savedRulesPath((await hostOs(ctx)).family, args.ip_version);
    // Change and save in one round trip; the save is atomic (temp file + rename).
    const script = args.save === false ? shellJoin(command) : `${shellJoin(command)} && ${saveScript(target, args.ip_version)}`;
    const res = await applySteps(ctx, [{ kind: 'script', script, why: `${present ? 'delete' : 'add'} rule` }], {
      msg: `${present ? 'deleted' : 'added'} rule${args.save === false ? '' : `, saved to ${target.path}`}`,
      checkMsg: `would ${present ? 'delete' : 'add'} rule`,
      diff,
      result,
      timeoutMs: 0,
      failure: (f) => `iptables failed (rc=${f.result.code}): ${(f.result.stderr || f.result.stdout).trim()}`,
    });
    if (res.failed) return failed(res.msg!, { ...result, rc: res.rc });
    return ctx.check ? res : { ...res, saved_to: args.save === false ? undefined : target.path };
  },
});
