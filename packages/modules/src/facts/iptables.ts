/**
 * iptables facts: is a rule present (`iptables -C`, exact netfilter comparison, no text matching),
 * the chain policies and rules (`iptables -S`). Rule specs are argv arrays built from module args.
 */
import { shellJoin, shellQuote, type Fact } from '@haweb/core';

export interface RuleSpec {
  table: string;
  chain: string;
  /** Match/target arguments after the chain, e.g. ['-p','tcp','--dport','80','-j','ACCEPT']. */
  spec: string[];
  ipVersion?: 'ipv4' | 'ipv6';
  /** What the installed iptables understands (iptablesFeatures); both default to true. */
  wait?: boolean;
  check?: boolean;
  /** The module's `wait` option: seconds to wait for the xtables lock, where iptables takes them. */
  waitSeconds?: string;
  /** `-w SECONDS` (iptables 1.6.0 upstream); before that `-w` alone. */
  waitWithSeconds?: boolean;
}

export interface IptablesFeatures {
  /** `-C`: iptables 1.4.11 upstream (Red Hat's 1.4.7 carries it). */
  check: boolean;
  /** `-w`: iptables 1.4.20 upstream; absent from CentOS 6's 1.4.7. */
  wait: boolean;
  /** `-w SECONDS`: iptables 1.6.0 upstream (its help prints `--wait -w [seconds]`). */
  waitWithSeconds: boolean;
}

/**
 * Which options the installed iptables understands, from its own help text (no version guessing).
 * A help text that cannot be read (no Usage line) leaves both on, as before this fact existed.
 */
export const iptablesFeatures: Fact<{ ipVersion?: 'ipv4' | 'ipv6' }, IptablesFeatures> = {
  name: 'iptables.features',
  command: ({ ipVersion }) => `${iptablesBinary(ipVersion)} -h 2>&1; true`,
  parse(stdout) {
    if (!/usage/i.test(stdout)) return { check: true, wait: true, waitWithSeconds: false };
    return { check: /--check\b/.test(stdout), wait: /--wait\b/.test(stdout), waitWithSeconds: /--wait\s+-w\s*\[seconds\]/.test(stdout) };
  },
};

/** `-w` where the installed iptables has it. */
export function waitFlag(rule: Pick<RuleSpec, 'wait' | 'waitSeconds' | 'waitWithSeconds'>): string[] {
  if (rule.wait === false) return [];
  return rule.waitSeconds && rule.waitWithSeconds ? ['-w', rule.waitSeconds] : ['-w'];
}

export function iptablesBinary(ipVersion: 'ipv4' | 'ipv6' = 'ipv4'): string {
  return ipVersion === 'ipv6' ? 'ip6tables' : 'iptables';
}

/**
 * -C answers 0 (present) or 1 (absent); anything else is an error worth showing (bad rule, no chain).
 * An iptables without -C lists the chain (-S) and the rule is looked for as iptables prints it.
 */
export const iptablesRulePresent: Fact<RuleSpec, boolean> = {
  name: 'iptables.rule_present',
  command: (rule) =>
    rule.check === false
      ? `${shellJoin([iptablesBinary(rule.ipVersion), ...waitFlag(rule), '-t', rule.table, '-S', rule.chain])} 2>&1; echo "rc=$?"`
      : `${shellJoin([iptablesBinary(rule.ipVersion), ...waitFlag(rule), '-t', rule.table, '-C', rule.chain, ...rule.spec])} 2>&1; echo "rc=$?"`,
  parse(stdout, _code, rule) {
    if (rule.check === false) {
      const m = /rc=(\d+)\s*$/.exec(stdout);
      if (!m || m[1] !== '0') throw new Error(`iptables -S failed: ${stdout.replace(/rc=\d+\s*$/, '').trim()}`);
      const wanted = `-A ${rule.chain} ${shellJoin(rule.spec)}`;
      return stdout.split('\n').some((line) => line.trim() === wanted);
    }
    const m = /rc=(\d+)\s*$/.exec(stdout);
    const rc = m ? Number(m[1]) : -1;
    if (rc === 0) return true;
    // iptables 1.8 (nft) prints "Bad rule (does a matching rule exist in that chain?)" for a missing rule.
    if (rc === 1 && (/does a matching rule exist/i.test(stdout) || stdout.replace(/rc=\d+\s*$/, '').trim() === '')) return false;
    throw new Error(`iptables -C failed (rc=${rc}): ${stdout.replace(/rc=\d+\s*$/, '').trim()}`);
  },
};

/** Is the chain there (`iptables -S CHAIN` succeeds)? */
export const iptablesChainPresent: Fact<RuleSpec, boolean> = {
  name: 'iptables.chain_present',
  command: (rule) => `${shellJoin([iptablesBinary(rule.ipVersion), ...waitFlag(rule), '-t', rule.table, '-S', rule.chain])} >/dev/null 2>&1; echo "rc=$?"`,
  parse: (stdout) => /rc=0\s*$/.test(stdout),
};

/** The chain's policy from `iptables -S CHAIN` ("-P INPUT ACCEPT"); undefined for a user chain or a missing one. */
export const iptablesChainPolicy: Fact<RuleSpec, string | undefined> = {
  name: 'iptables.chain_policy',
  command: (rule) => `${shellJoin([iptablesBinary(rule.ipVersion), ...waitFlag(rule), '-t', rule.table, '-S', rule.chain])} 2>/dev/null; true`,
  parse: (stdout, _code, rule) => parseIptablesS(stdout).get(rule.chain)?.policy,
};

export interface ChainRules {
  policy?: string;
  rules: string[];
}

/** `iptables -S` output: "-P INPUT ACCEPT", "-N MYCHAIN", "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT". */
export function parseIptablesS(stdout: string): Map<string, ChainRules> {
  const chains = new Map<string, ChainRules>();
  const chain = (name: string) => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { rules: [] }));
    return c;
  };
  for (const line of stdout.split('\n')) {
    const m = /^-(P|N|A) (\S+)(?: (.*))?$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'P') chain(m[2]).policy = m[3];
    else if (m[1] === 'N') chain(m[2]);
    else chain(m[2]).rules.push(m[3] ?? '');
  }
  return chains;
}

export const iptablesRules: Fact<{ table: string; ipVersion?: 'ipv4' | 'ipv6' }, Map<string, ChainRules>> = {
  name: 'iptables.rules',
  command: ({ table, ipVersion }) => `${iptablesBinary(ipVersion)} -w -t ${shellQuote(table)} -S`,
  parse(stdout, code) {
    if (code !== 0) throw new Error(`iptables -S failed (rc=${code})`);
    return parseIptablesS(stdout);
  },
};
