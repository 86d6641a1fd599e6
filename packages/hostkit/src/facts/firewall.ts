/**
 * What the firewall already lets through, read in one round trip: firewalld's ports and rich rules
 * (runtime and permanent), and the INPUT chain of iptables (`-S`, which every iptables the kit meets
 * understands, 1.4.7 included; its order tells where the catch-all is).
 */
import type { Fact } from '@haweb/core';
import type { FirewallKind } from './host-profile.js';
import type { FirewallState } from '../plans/firewall.js';

export function firewallStateCommand(kind: FirewallKind, wait: boolean): string {
  if (kind === 'firewalld') {
    return [
      'echo @@runtime_ports; firewall-cmd --list-ports',
      'echo @@runtime_rich; firewall-cmd --list-rich-rules',
      'echo @@permanent_ports; firewall-cmd --permanent --list-ports',
      'echo @@permanent_rich; firewall-cmd --permanent --list-rich-rules',
      'true',
    ].join('\n');
  }
  if (kind === 'iptables') return `echo @@input; iptables ${wait ? '-w ' : ''}-S INPUT`;
  return 'true';
}

export function parseFirewallState(stdout: string, kind: FirewallKind): FirewallState {
  const sections = new Map<string, string[]>();
  let current: string | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    const m = /^@@(\w+)$/.exec(line);
    if (m) {
      current = m[1];
      sections.set(current, []);
    } else if (current && line) sections.get(current)!.push(line);
  }
  const words = (name: string) => (sections.get(name) ?? []).flatMap((l) => l.split(/\s+/)).filter(Boolean);
  const lines = (name: string) => sections.get(name) ?? [];
  if (kind === 'firewalld') {
    return {
      firewalld: {
        runtime: { ports: words('runtime_ports'), richRules: lines('runtime_rich') },
        permanent: { ports: words('permanent_ports'), richRules: lines('permanent_rich') },
      },
    };
  }
  if (kind === 'iptables') return { iptablesInput: lines('input') };
  return {};
}

export const firewallStateFact: Fact<{ kind: FirewallKind; wait: boolean }, FirewallState> = {
  name: 'firewall.state',
  command: ({ kind, wait }) => firewallStateCommand(kind, wait),
  parse: (stdout, _code, { kind }) => parseFirewallState(stdout, kind),
};
