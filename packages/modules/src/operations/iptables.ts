/**
 * iptables planning: module args -> rule spec; presence fact + desired state -> commands, and where
 * the distro keeps saved rules (Debian: /etc/iptables/rules.v4, RHEL: /etc/sysconfig/iptables).
 */
import { shellJoin, shellQuote } from '@haweb/core';
import { iptablesBinary, waitFlag, type RuleSpec } from '../facts/iptables.js';

export interface IptablesArgs {
  table?: string;
  chain?: string;
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
  to_source?: string;
  tcp_flags?: { flags?: string[]; flags_set?: string[] };
  gateway?: string;
  log_prefix?: string;
  log_level?: string;
  goto?: string;
  fragment?: string;
  set_counters?: string;
  set_dscp_mark?: string;
  set_dscp_mark_class?: string;
  syn?: 'ignore' | 'match' | 'negate';
  src_range?: string;
  dst_range?: string;
  match_set?: string;
  match_set_flags?: string;
  limit?: string;
  limit_burst?: string;
  uid_owner?: string;
  gid_owner?: string;
  reject_with?: string;
  icmp_type?: string;
  wait?: string;
  flush?: boolean;
  policy?: 'ACCEPT' | 'DROP' | 'QUEUE' | 'RETURN';
  chain_management?: boolean;
  state?: 'present' | 'absent';
  action?: 'append' | 'insert';
  rule_num?: number;
  ip_version?: 'ipv4' | 'ipv6';
}

export class IptablesArgError extends Error {}

/** Negation the Ansible way: a value starting with "!" becomes `! -x value`. */
function opt(flag: string, value: string | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (value.startsWith('!')) return ['!', flag, value.slice(1).trim()];
  return [flag, value];
}

/**
 * The checks Ansible's iptables module makes before it touches the host, and the jump it implies:
 * logging options mean `-j LOG`; TEE needs a gateway; a few options exclude each other.
 */
export function resolveIptablesArgs<A extends IptablesArgs>(args: A): A & Pick<IptablesArgs, 'jump'> {
  if (!args.flush && !args.chain) throw new IptablesArgError('Either chain or flush parameter must be specified.');
  if (args.set_dscp_mark !== undefined && args.set_dscp_mark_class !== undefined) {
    throw new IptablesArgError('parameters are mutually exclusive: set_dscp_mark|set_dscp_mark_class');
  }
  if (args.flush && args.policy !== undefined) throw new IptablesArgError('parameters are mutually exclusive: flush|policy');
  if (args.jump?.toLowerCase() === 'tee' && args.gateway === undefined) throw new IptablesArgError(`jump is ${args.jump} but all of the following are missing: gateway`);
  if (args.match_set !== undefined && args.match_set_flags === undefined) {
    // Ansible's module crashes there (it joins None into the rule): said plainly instead.
    throw new IptablesArgError('match_set needs match_set_flags (src, dst, src,dst or dst,src)');
  }
  if (args.log_prefix !== undefined || args.log_level !== undefined) {
    if (args.jump === undefined) return { ...args, jump: 'LOG' };
    if (args.jump !== 'LOG') throw new IptablesArgError('Logging options can only be used with the LOG jump target.');
  }
  return args;
}

/**
 * The rule after the chain. The kernel keeps a rule's matches in the order they are given and `-C`
 * compares them in that order, so the matches come in the order Ansible's iptables module gives them:
 * a rule Ansible wrote is found, not added twice. Where a word's position makes no difference to the
 * kernel (addresses, interfaces, the target and its options) it stays where iptables-save prints it:
 * the target last. A protocol's match that iptables would load implicitly is named (`-m tcp`) where
 * Ansible's first option of it stands; `match: [multiport]` or `[comment]` beside destination_ports or
 * comment is not loaded twice (Ansible's doubled match makes iptables refuse the rule).
 */
export function buildRuleSpec(args: IptablesArgs): RuleSpec {
  const spec: string[] = [];
  const matches = args.match ?? [];
  const proto = args.protocol?.replace(/^!/, '').trim();
  if ((args.source_port || args.destination_port) && !proto) {
    throw new IptablesArgError('source_port/destination_port need protocol (tcp, udp, sctp)');
  }
  const hasDports = (args.destination_ports?.length ?? 0) > 0;
  if (hasDports && !proto) throw new IptablesArgError('destination_ports needs protocol');
  const loaded = new Set(matches);
  /** The protocol's own match, loaded once, where its first option stands. */
  const protoMatch = () => {
    if (proto && !loaded.has(proto)) {
      spec.push('-m', proto);
      loaded.add(proto);
    }
  };
  spec.push(...opt('-p', args.protocol));
  spec.push(...opt('-s', args.source));
  spec.push(...opt('-d', args.destination));
  spec.push(...opt('-i', args.in_interface));
  spec.push(...opt('-o', args.out_interface));
  spec.push(...opt('-f', args.fragment));
  for (const m of matches) {
    if ((m === 'multiport' && hasDports) || (m === 'comment' && args.comment !== undefined)) continue;
    spec.push(...opt('-m', m));
  }
  const flags = args.tcp_flags;
  if (flags?.flags && flags.flags_set) {
    protoMatch();
    spec.push('--tcp-flags', flags.flags.join(','), flags.flags_set.join(','));
  }
  if (hasDports) spec.push('-m', 'multiport', '--dports', args.destination_ports!.join(','));
  if (args.source_port || args.destination_port) {
    protoMatch();
    spec.push(...opt('--sport', args.source_port));
    spec.push(...opt('--dport', args.destination_port));
  }
  if (args.syn === 'match' || args.syn === 'negate') {
    protoMatch();
    spec.push(...(args.syn === 'negate' ? ['!', '--syn'] : ['--syn']));
  }
  const ctstate = args.ctstate ?? [];
  if (matches.includes('conntrack')) {
    if (ctstate.length > 0) spec.push('--ctstate', ctstate.join(','));
  } else if (matches.includes('state')) {
    if (ctstate.length > 0) spec.push('--state', ctstate.join(','));
  } else if (ctstate.length > 0) {
    spec.push('-m', 'conntrack', '--ctstate', ctstate.join(','));
  }
  if (!matches.includes('iprange') && (args.src_range || args.dst_range)) spec.push('-m', 'iprange');
  spec.push(...opt('--src-range', args.src_range));
  spec.push(...opt('--dst-range', args.dst_range));
  if (args.match_set !== undefined) {
    if (!matches.includes('set')) spec.push('-m', 'set');
    spec.push(...opt('--match-set', args.match_set), args.match_set_flags!);
  }
  if (args.limit || args.limit_burst) spec.push('-m', 'limit');
  spec.push(...opt('--limit', args.limit));
  spec.push(...opt('--limit-burst', args.limit_burst));
  if (args.uid_owner) spec.push('-m', 'owner', ...opt('--uid-owner', args.uid_owner));
  if (args.gid_owner) spec.push('-m', 'owner', ...opt('--gid-owner', args.gid_owner));
  if (args.icmp_type !== undefined) {
    const icmp = args.ip_version === 'ipv6' ? 'icmpv6' : 'icmp';
    if (proto === icmp) protoMatch();
    spec.push(...opt(icmp === 'icmpv6' ? '--icmpv6-type' : '--icmp-type', args.icmp_type));
  }
  if (args.comment !== undefined) spec.push('-m', 'comment', '--comment', args.comment);
  // The target and its options: their place in the command changes nothing in the kernel's rule.
  spec.push(...opt('-c', args.set_counters));
  if (args.jump !== undefined) spec.push('-j', args.jump);
  else if (args.reject_with) spec.push('-j', 'REJECT');
  spec.push(...opt('-g', args.goto));
  if (args.jump?.toLowerCase() === 'tee') spec.push(...opt('--gateway', args.gateway));
  spec.push(...opt('--log-prefix', args.log_prefix));
  spec.push(...opt('--log-level', args.log_level));
  spec.push(...opt('--reject-with', args.reject_with));
  spec.push(...opt('--to-ports', args.to_ports));
  spec.push(...opt('--to-destination', args.to_destination));
  spec.push(...opt('--to-source', args.to_source));
  spec.push(...opt('--set-dscp', args.set_dscp_mark));
  spec.push(...opt('--set-dscp-class', args.set_dscp_mark_class));
  return { table: args.table ?? 'filter', chain: args.chain ?? '', spec, ipVersion: args.ip_version, waitSeconds: args.wait };
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

/** Flush a chain (or, with no chain, the whole table), set a policy, create or delete a chain. */
export function chainCommand(rule: RuleSpec, action: '-F' | '-N' | '-X' | '-P', policy?: string): string[] {
  const bin = iptablesBinary(rule.ipVersion);
  return [bin, ...waitFlag(rule), '-t', rule.table, action, ...(rule.chain ? [rule.chain] : []), ...(policy ? [policy] : [])];
}

/** The rule as Ansible's module reports it in its result (`rule`): the words after the chain (the target last here). */
export function ansibleRuleText(rule: RuleSpec): string {
  return rule.spec.join(' ');
}

export function ruleText(rule: RuleSpec): string {
  return `-t ${rule.table} ${rule.chain} ${shellJoin(rule.spec)}`;
}
