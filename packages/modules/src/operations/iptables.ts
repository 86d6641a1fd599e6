/**
 * iptables planning: module args -> rule spec; presence fact + desired state -> commands, and where
 * the distro keeps saved rules (Debian: /etc/iptables/rules.v4, RHEL: /etc/sysconfig/iptables).
 */
import { shellJoin, shellQuote } from '@haweb/core';
import { iptablesBinary, waitFlag, type RuleSpec } from '../facts/iptables.js';

export interface IptablesArgs {
  table?: string;
  chain: string;
  protocol?: string;
  source?: string;
  destination?: string;
  in_interface?: string;
  out_interface?: string;
  source_port?: string;
  destination_port?: string;
  destination_ports?: string[];
  match?: string[];
  ctstate?: string[];
  comment?: string;
  jump?: string;
  to_ports?: string;
  to_destination?: string;
  state?: 'present' | 'absent';
  action?: 'append' | 'insert';
  rule_num?: number;
  ip_version?: 'ipv4' | 'ipv6';
}

export class IptablesArgError extends Error {}

/** Negation the Ansible way: a value starting with "!" becomes `! -x value`. */
function opt(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  if (value.startsWith('!')) return ['!', flag, value.slice(1).trim()];
  return [flag, value];
}

export function buildRuleSpec(args: IptablesArgs): RuleSpec {
  const spec: string[] = [];
  spec.push(...opt('-p', args.protocol));
  spec.push(...opt('-s', args.source));
  spec.push(...opt('-d', args.destination));
  spec.push(...opt('-i', args.in_interface));
  spec.push(...opt('-o', args.out_interface));
  const matches = new Set(args.match ?? []);
  const portProto = args.protocol?.replace(/^!/, '').trim();
  if ((args.source_port || args.destination_port) && !portProto) {
    throw new IptablesArgError('source_port/destination_port need protocol (tcp, udp, sctp)');
  }
  if (args.destination_ports && args.destination_ports.length > 0) {
    if (!portProto) throw new IptablesArgError('destination_ports needs protocol');
    spec.push('-m', 'multiport', '--dports', args.destination_ports.join(','));
  }
  for (const m of matches) {
    if (m === 'state' || m === 'conntrack' || m === 'comment' || m === 'multiport') continue;
    spec.push('-m', m);
  }
  if (portProto && (args.source_port || args.destination_port)) {
    spec.push('-m', portProto);
    spec.push(...opt('--sport', args.source_port));
    spec.push(...opt('--dport', args.destination_port));
  }
  if (args.ctstate && args.ctstate.length > 0) {
    // `match: state` asks for the old state match; conntrack is the modern spelling of the same test.
    if (matches.has('state')) spec.push('-m', 'state', '--state', args.ctstate.join(','));
    else spec.push('-m', 'conntrack', '--ctstate', args.ctstate.join(','));
  }
  if (args.comment !== undefined) spec.push('-m', 'comment', '--comment', args.comment);
  if (args.jump !== undefined) spec.push('-j', args.jump);
  if (args.to_ports !== undefined) spec.push('--to-ports', args.to_ports);
  if (args.to_destination !== undefined) spec.push('--to-destination', args.to_destination);
  if (spec.length === 0) throw new IptablesArgError('an empty rule: give at least one match or jump');
  return { table: args.table ?? 'filter', chain: args.chain, spec, ipVersion: args.ip_version };
}

export interface SaveTarget {
  path: string;
  mode: string;
}

/** Where the distro's boot-time restore reads rules from. */
export function savedRulesPath(osFamily: string, ipVersion: 'ipv4' | 'ipv6' = 'ipv4'): SaveTarget {
  if (osFamily === 'RedHat') return { path: ipVersion === 'ipv6' ? '/etc/sysconfig/ip6tables' : '/etc/sysconfig/iptables', mode: '0600' };
  return { path: ipVersion === 'ipv6' ? '/etc/iptables/rules.v6' : '/etc/iptables/rules.v4', mode: '0640' };
}

/** iptables-save into a temp file next to the target, then rename: never a half-written rules file. */
export function saveScript(target: SaveTarget, ipVersion: 'ipv4' | 'ipv6' = 'ipv4'): string {
  const dir = target.path.slice(0, target.path.lastIndexOf('/')) || '/';
  const base = target.path.slice(target.path.lastIndexOf('/') + 1);
  const save = ipVersion === 'ipv6' ? 'ip6tables-save' : 'iptables-save';
  return [
    `mkdir -p ${shellQuote(dir)}`,
    `t=$(mktemp ${shellQuote(`${dir}/.${base}.XXXXXX`)})`,
    `if ${save} > "$t" && chmod ${target.mode} "$t" && mv -f "$t" ${shellQuote(target.path)}; then :; else rm -f "$t"; exit 1; fi`,
  ].join(' && ');
}

/** The command that makes the rule present or absent (empty when the fact says it already is). */
export function planRule(present: boolean, rule: RuleSpec, args: Pick<IptablesArgs, 'state' | 'action' | 'rule_num'>): string[] | undefined {
  const bin = iptablesBinary(rule.ipVersion);
  const want = args.state ?? 'present';
  if (want === 'present' && !present) {
    if (args.action === 'insert') {
      return [bin, ...waitFlag(rule), '-t', rule.table, '-I', rule.chain, ...(args.rule_num !== undefined ? [String(args.rule_num)] : []), ...rule.spec];
    }
    return [bin, ...waitFlag(rule), '-t', rule.table, '-A', rule.chain, ...rule.spec];
  }
  if (want === 'absent' && present) return [bin, ...waitFlag(rule), '-t', rule.table, '-D', rule.chain, ...rule.spec];
  return undefined;
}

export function ruleText(rule: RuleSpec): string {
  return `-t ${rule.table} ${rule.chain} ${shellJoin(rule.spec)}`;
}
