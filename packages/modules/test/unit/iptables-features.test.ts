import { describe, expect, it } from 'vitest';
import { iptablesFeatures, iptablesRulePresent, type RuleSpec } from '../../src/facts/iptables.js';
import { planRule } from '../../src/operations/iptables.js';

// `iptables -h` first lines and the option lines that matter. 1.8.9: Debian 12 (recorded on this machine, the package the lab image carries);
// 1.4.7 with -C and without --wait: CentOS 6's build (http://phpunixman.sourceforge.net/index.php/man/IPTABLES/8:
// synopsis `{-A|-C|-D}`, no wait option); 1.4.7 upstream without either (-C arrived in 1.4.11, -w in 1.4.20).
const HELP_1_8_9 = 'iptables v1.8.9 (nf_tables)\n\nUsage: iptables -[ACD] chain rule-specification [options]\n  --check   -C chain\tCheck for the existence of a rule\n  --wait\t-w [seconds]\tmaximum wait to acquire xtables lock before give up\n';
const HELP_C6 = 'iptables v1.4.7\n\nUsage: iptables -[ACD] chain rule-specification [options]\n  --check   -C chain\tCheck for the existence of a rule\n';
const HELP_UPSTREAM_1_4_7 = 'iptables v1.4.7\n\nUsage: iptables -[AD] chain rule-specification [options]\n';
const RULE: RuleSpec = { table: 'filter', chain: 'INPUT', spec: ['-p', 'tcp', '-m', 'tcp', '--dport', '88', '-j', 'ACCEPT'] };

describe('iptables: -w and -C only where the installed iptables has them', () => {
  it.each([
    ['Debian 12 (1.8.9)', HELP_1_8_9, { check: true, wait: true, waitWithSeconds: true }, "iptables -w -t filter -C INPUT -p tcp -m tcp --dport 88 -j ACCEPT 2>&1; echo \"rc=$?\"", 'iptables -w -t filter -I INPUT -p tcp -m tcp --dport 88 -j ACCEPT'],
    ['CentOS 6 (1.4.7, -C backported)', HELP_C6, { check: true, wait: false, waitWithSeconds: false }, "iptables -t filter -C INPUT -p tcp -m tcp --dport 88 -j ACCEPT 2>&1; echo \"rc=$?\"", 'iptables -t filter -I INPUT -p tcp -m tcp --dport 88 -j ACCEPT'],
    ['upstream 1.4.7', HELP_UPSTREAM_1_4_7, { check: false, wait: false, waitWithSeconds: false }, "iptables -t filter -S INPUT 2>&1; echo \"rc=$?\"", 'iptables -t filter -I INPUT -p tcp -m tcp --dport 88 -j ACCEPT'],
    ['no readable help (kept as before)', '', { check: true, wait: true, waitWithSeconds: false }, "iptables -w -t filter -C INPUT -p tcp -m tcp --dport 88 -j ACCEPT 2>&1; echo \"rc=$?\"", 'iptables -w -t filter -I INPUT -p tcp -m tcp --dport 88 -j ACCEPT'],
  ] as const)('%s', (_name, help, features, check, insert) => {
    expect(iptablesFeatures.parse(help, 0, {})).toEqual(features);
    const rule = { ...RULE, ...features };
    expect(iptablesRulePresent.command(rule)).toBe(check);
    expect(planRule(false, rule, { action: 'insert' })?.join(' ')).toBe(insert);
  });

  it('without -C, presence is read from -S as iptables prints the rule', () => {
    const rule = { ...RULE, check: false, wait: false };
    const listing = '-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 88 -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\nrc=0\n';
    expect(iptablesRulePresent.parse(listing, 0, rule)).toBe(true);
    expect(iptablesRulePresent.parse('-P INPUT ACCEPT\nrc=0\n', 0, rule)).toBe(false);
    expect(() => iptablesRulePresent.parse("iptables: No chain/target/match by that name.\nrc=1\n", 0, rule)).toThrow(/iptables -S failed/);
  });
});
