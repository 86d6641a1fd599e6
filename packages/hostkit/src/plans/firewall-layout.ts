/**
 * Would the declared firewall let the HA pair fail over? A pure check of the playbook's declared
 * openings against its nodes, before any host is touched: behind a default-deny firewall, VRRP not let
 * through from the other nodes means every node hears nothing, every node becomes MASTER and the VIP
 * sits on all of them (a split brain). Each problem names the variable (and the item of a list) that
 * causes it, so the caller can point at its file and line.
 */
import { VRRP_GROUP } from './firewall.js';

export interface FirewallLayoutInput {
  /** 'managed': the playbook opens what is declared on hosts that may deny by default; 'unmanaged': it leaves firewalls alone. */
  firewall: unknown;
  /** The declared openings: `{ port, protocol: tcp|udp }` and `{ protocol: vrrp, from: peers | [addresses/CIDRs] }`. */
  openings: unknown;
  /** Node name -> the address the others hear it from. */
  nodes: Readonly<Record<string, string>>;
  /** Ports that must be open (nginx's), with what they are for. */
  servicePorts?: readonly { port: number; what: string }[];
  /** Unicast VRRP: node name -> its peers' addresses (undefined: multicast to 224.0.0.18). */
  unicastPeers?: unknown;
}

export interface FirewallLayoutProblem {
  variable: 'ha_firewall' | 'ha_firewall_openings' | 'ha_unicast_peers';
  /** The list item (openings) or map key (unicast peers) at fault, when there is one. */
  item?: number | string;
  message: string;
}

export interface DeclaredOpenings {
  ports: { port: number; protocol: 'tcp' | 'udp' }[];
  /** Sources VRRP is accepted from: 'peers' (the other nodes' addresses) or addresses/CIDRs. */
  vrrpFrom?: 'peers' | string[];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

function parseCidr(text: string): { base: number; bits: number } | undefined {
  const m = CIDR.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  return { base: octets.reduce((a, o) => a * 256 + o, 0), bits };
}

/** Does `cidr` (an address or a network) contain `address`? */
export function cidrCovers(cidr: string, address: string): boolean {
  const net = parseCidr(cidr);
  const host = parseCidr(address);
  if (!net || !host || host.bits !== 32) return false;
  const size = 2 ** (32 - net.bits);
  return Math.floor(net.base / size) === Math.floor(host.base / size);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The openings as data, with a problem for each item that is not one. */
export function parseOpenings(openings: unknown): { declared: DeclaredOpenings; problems: FirewallLayoutProblem[] } {
  const declared: DeclaredOpenings = { ports: [] };
  const problems: FirewallLayoutProblem[] = [];
  const bad = (item: number, message: string) => problems.push({ variable: 'ha_firewall_openings', item, message });
  if (!Array.isArray(openings)) {
    return { declared, problems: [{ variable: 'ha_firewall_openings', message: `must be a list of openings, got ${JSON.stringify(openings)}` }] };
  }
  openings.forEach((o, i) => {
    if (!isRecord(o)) return void bad(i, `item ${i + 1} must be a mapping ({ port: 88, protocol: tcp } or { protocol: vrrp, from: peers })`);
    const extra = Object.keys(o).filter((k) => !['port', 'protocol', 'from'].includes(k));
    if (extra.length > 0) return void bad(i, `item ${i + 1}: unknown key${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (port, protocol, from)`);
    const protocol = String(o.protocol ?? 'tcp');
    if (protocol === 'vrrp' || protocol === '112') {
      if (o.port !== undefined) return void bad(i, `item ${i + 1}: VRRP has no port`);
      const from = o.from ?? 'peers';
      if (from === 'peers') declared.vrrpFrom = 'peers';
      else {
        const list = typeof from === 'string' ? from.split(',').map((s) => s.trim()) : Array.isArray(from) ? from.map(String) : undefined;
        const wrong = list?.find((c) => !parseCidr(c));
        if (!list || wrong !== undefined) return void bad(i, `item ${i + 1}: from must be 'peers' or IPv4 addresses/CIDRs${wrong !== undefined ? `, not ${JSON.stringify(wrong)}` : ''}`);
        declared.vrrpFrom = [...(Array.isArray(declared.vrrpFrom) ? declared.vrrpFrom : []), ...list];
      }
      return;
    }
    if (protocol !== 'tcp' && protocol !== 'udp') return void bad(i, `item ${i + 1}: protocol must be tcp, udp or vrrp, not ${JSON.stringify(o.protocol)}`);
    const port = typeof o.port === 'string' && /^\d+$/.test(o.port) ? Number(o.port) : o.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return void bad(i, `item ${i + 1}: port must be 1-65535, not ${JSON.stringify(o.port)}`);
    if (o.from !== undefined) return void bad(i, `item ${i + 1}: from is for VRRP only (a port opening is from anywhere)`);
    declared.ports.push({ port, protocol });
  });
  return { declared, problems };
}

/** Every problem that would keep VRRP (or the service) from getting through; empty: the layout works. */
export function checkFirewallLayout(input: FirewallLayoutInput): FirewallLayoutProblem[] {
  const problems: FirewallLayoutProblem[] = [];
  const nodes = Object.entries(input.nodes);
  const unicast = input.unicastPeers;
  if (unicast !== undefined && unicast !== null) {
    if (!isRecord(unicast)) {
      problems.push({ variable: 'ha_unicast_peers', message: 'must map each node to its peers\' addresses' });
    } else {
      for (const key of Object.keys(unicast)) {
        if (!(key in input.nodes)) problems.push({ variable: 'ha_unicast_peers', item: key, message: `${key} is not a node of ha_nodes` });
      }
      for (const [name] of nodes) {
        const want = nodes.filter(([n]) => n !== name).map(([, a]) => a).sort();
        const raw = unicast[name];
        const have = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : []).sort();
        if (raw === undefined) problems.push({ variable: 'ha_unicast_peers', message: `${name} has no unicast peers: it would send its adverts to no one (peers: ${want.join(', ')})` });
        else if (JSON.stringify(have) !== JSON.stringify(want)) {
          problems.push({ variable: 'ha_unicast_peers', item: name, message: `${name}'s unicast peers ${have.join(', ') || '(none)'} are not the other nodes' addresses ${want.join(', ')}: adverts would not reach them` });
        }
      }
    }
  }
  if (input.firewall === 'unmanaged') return problems;
  if (input.firewall !== 'managed') {
    return [...problems, { variable: 'ha_firewall', message: `must be managed or unmanaged, not ${JSON.stringify(input.firewall)}` }];
  }
  const { declared, problems: itemProblems } = parseOpenings(input.openings);
  problems.push(...itemProblems);
  if (!Array.isArray(input.openings)) return problems;
  const dest = unicast !== undefined && unicast !== null ? "each node's own address" : VRRP_GROUP;
  if (declared.vrrpFrom === undefined) {
    problems.push({
      variable: 'ha_firewall_openings',
      message: `no VRRP opening while the playbook manages the firewall: behind a default-deny firewall (firewalld's zone public, a ruleset ending in REJECT) the nodes hear no adverts (IP protocol 112 to ${dest}), all become MASTER and the VIP sits on all of them; add { protocol: vrrp, from: peers }`,
    });
  } else if (declared.vrrpFrom !== 'peers') {
    const sources = declared.vrrpFrom;
    const item = (input.openings as unknown[]).findIndex((o) => isRecord(o) && (o.protocol === 'vrrp' || o.protocol === '112'));
    for (const [name, address] of nodes) {
      if (!sources.some((c) => cidrCovers(c, address))) {
        problems.push({ variable: 'ha_firewall_openings', item, message: `the VRRP opening's from (${sources.join(', ')}) does not cover ${name} (${address}): the others would drop its adverts` });
      }
    }
  }
  for (const { port, what } of input.servicePorts ?? []) {
    if (!declared.ports.some((p) => p.port === port && p.protocol === 'tcp')) {
      problems.push({ variable: 'ha_firewall_openings', message: `no opening for ${what}'s port ${port}/tcp: behind a default-deny firewall clients could not reach it` });
    }
  }
  return problems;
}

/** The VRRP sources the deploy play opens on `node`: the other nodes' addresses, or the declared CIDRs. */
export function vrrpSourcesFor(declared: DeclaredOpenings, nodes: Readonly<Record<string, string>>, node: string): string[] {
  if (declared.vrrpFrom === undefined) return [];
  if (declared.vrrpFrom === 'peers') return Object.entries(nodes).filter(([n]) => n !== node).map(([, a]) => a);
  return declared.vrrpFrom;
}
