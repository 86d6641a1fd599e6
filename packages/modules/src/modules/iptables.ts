import { z } from 'zod';
import { shellQuote } from '@haweb/core';
import { applySteps, errorMessage, failed, stateDiff } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { iptablesChainPolicy, iptablesChainPresent, iptablesFeatures, iptablesRulePresent } from '../facts/iptables.js';
import { hostOs } from '../facts/server.js';
import { ansibleRuleText, buildRuleSpec, chainCommand, IptablesArgError, planRule, resolveIptablesArgs, savedRulesPath, saveScript } from '../operations/iptables.js';
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
  description: 'Make an iptables rule present or absent (checked with -C), flush a chain, set a policy or manage a chain, and save the rules for boot.',
  args: z.strictObject({
    table: z.enum(['filter', 'nat', 'mangle', 'raw', 'security']).optional(),
    chain: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
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
    to_source: z.string().optional(),
    tcp_flags: z.strictObject({ flags: stringList.optional(), flags_set: stringList.optional() }).optional(),
    gateway: z.string().optional(),
    log_prefix: z.string().optional(),
    log_level: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(z.enum(['0', '1', '2', '3', '4', '5', '6', '7', 'emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']))
      .optional(),
    goto: z.string().optional(),
    fragment: z.string().optional(),
    set_counters: z.string().optional(),
    set_dscp_mark: z.union([z.string(), z.number()]).transform(String).optional(),
    set_dscp_mark_class: z.string().optional(),
    syn: z.enum(['ignore', 'match', 'negate']).optional(),
    src_range: z.string().optional(),
    dst_range: z.string().optional(),
    match_set: z.string().optional(),
    match_set_flags: z.enum(['src', 'dst', 'src,dst', 'dst,src']).optional(),
    limit: z.string().optional(),
    limit_burst: z.union([z.string(), z.number()]).transform(String).optional(),
    uid_owner: z.union([z.string(), z.number()]).transform(String).optional(),
    gid_owner: z.union([z.string(), z.number()]).transform(String).optional(),
    reject_with: z.string().optional(),
    icmp_type: z.string().optional(),
    wait: z.union([z.string(), z.number()]).transform(String).optional(),
    flush: boolish.optional(),
    policy: z.enum(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']).optional(),
    chain_management: boolish.optional(),
    state: z.enum(['present', 'absent']).optional(),
    action: z.enum(['append', 'insert']).optional(),
    rule_num: intish.optional(),
    ip_version: z.enum(['ipv4', 'ipv6']).optional(),
    save: boolish.optional(),
  }),
  checkMode: 'full',
  async run(input, ctx) {
    let args;
    let rule;
    try {
      args = resolveIptablesArgs(input);
      rule = buildRuleSpec(args);
    } catch (err) {
      if (err instanceof IptablesArgError) return failed(err.message);
      throw err;
    }
    const state = args.state ?? 'present';
    // What Ansible's module returns, whatever it did.
    const result = {
      ip_version: args.ip_version ?? 'ipv4',
      table: rule.table,
      chain: args.chain ?? null,
      flush: args.flush ?? false,
      rule: ansibleRuleText(rule),
      state,
      chain_management: args.chain_management ?? false,
    };
    let command: string[] | undefined;
    let what: string;
    let changed: boolean;
    let before: Record<string, string>;
    let after: Record<string, string>;
    try {
      rule = { ...rule, ...(await ctx.fact(iptablesFeatures, { ipVersion: rule.ipVersion })) };
      if (args.flush) {
        // As Ansible: a flush always reports a change (it does not look at the chain first).
        command = chainCommand(rule, '-F');
        what = rule.chain ? `flush chain ${rule.chain}` : `flush table ${rule.table}`;
        changed = true;
        before = { rules: 'as they were' };
        after = { rules: 'flushed' };
      } else if (args.policy !== undefined) {
        const current = await ctx.fact(iptablesChainPolicy, rule);
        // Ansible's module fails here with the message alone.
        if (!current) return failed("Can't detect current policy");
        changed = current !== args.policy;
        command = changed ? chainCommand(rule, '-P', args.policy) : undefined;
        what = `set policy of ${rule.chain} to ${args.policy}`;
        before = { policy: current };
        after = { policy: args.policy };
      } else if (state === 'absent' && rule.spec.length === 0) {
        // No rule given: the chain itself. Ansible reports a present chain as a change even when
        // chain_management is off and it deletes nothing; so does this module.
        changed = await ctx.fact(iptablesChainPresent, rule);
        command = changed && args.chain_management ? chainCommand(rule, '-X') : undefined;
        what = `delete chain ${rule.chain}`;
        before = { chain: 'present' };
        after = { chain: args.chain_management ? 'absent' : 'present (chain_management is off)' };
      } else {
        const chainThere = args.chain_management ? await ctx.fact(iptablesChainPresent, rule) : true;
        const present = chainThere ? await ctx.fact(iptablesRulePresent, rule) : false;
        changed = present !== (state === 'present');
        const ruleCommand = planRule(present, rule, args);
        const create = !chainThere && state === 'present' ? chainCommand(rule, '-N') : undefined;
        command = ruleCommand && create ? [...create, '&&', ...ruleCommand] : (ruleCommand ?? create);
        what = `${present ? 'delete' : 'add'} rule${create ? ` in new chain ${rule.chain}` : ''}`;
        before = { ...(create ? { chain: 'absent' } : {}), rule: present ? 'present' : 'absent' };
        after = { ...(create ? { chain: 'present' } : {}), rule: present ? 'absent' : 'present' };
      }
    } catch (err) {
      return failed(errorMessage(err), result);
    }
    if (!changed) return { changed: false, ...result };
    const diff = [stateDiff(`iptables ${rule.table}/${args.chain ?? '*'}`, before, after)];
    if (!command) {
      // A change Ansible reports without a command (a present chain, chain_management off).
      return { changed: true, ...result, ...(ctx.diff ? { diff } : {}) };
    }
    const target = savedRulesPath((await hostOs(ctx)).family, args.ip_version);
    // Change and save in one round trip; the save is atomic (temp file + rename).
    const change = command.map((w) => (w === '&&' ? '&&' : shellQuote(w))).join(' ');
    const script = args.save === false ? change : `${change} && ${saveScript(target, args.ip_version)}`;
    const res = await applySteps(ctx, [{ kind: 'script', script, why: what }], {
      msg: `${what}${args.save === false ? '' : `, saved to ${target.path}`}`,
      checkMsg: `would ${what}`,
      diff,
      result,
      timeoutMs: 0,
      failure: (f) => `iptables failed (rc=${f.result.code}): ${(f.result.stderr || f.result.stdout).trim()}`,
    });
    if (res.failed) return failed(res.msg!, { ...result, rc: res.rc });
    return ctx.check ? res : { ...res, saved_to: args.save === false ? undefined : target.path };
  },
});
