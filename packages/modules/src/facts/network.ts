/**
 * Network facts as `setup` reports them: interfaces from `ip -o link show` / `ip -o addr show`, with
 * IPv4 details computed the way Ansible shows them (netmask, network, broadcast).
 */

export interface Ipv4Address {
  address: string;
  prefix: string;
  netmask: string;
  network: string;
  broadcast?: string;
}

export interface InterfaceFacts {
  device: string;
  active: boolean;
  mtu?: number;
  macaddress?: string;
  type: string;
  ipv4?: Ipv4Address;
  ipv4_secondaries?: Ipv4Address[];
  ipv6?: Array<{ address: string; prefix: string; scope: string }>;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}
function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function ipv4Details(cidr: string, broadcast?: string): Ipv4Address {
  const [address, prefixText = '32'] = cidr.split('/');
  const prefix = Number(prefixText);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return {
    address,
    prefix: String(prefix),
    netmask: intToIp(mask),
    network: intToIp((ipToInt(address) & mask) >>> 0),
    ...(broadcast ? { broadcast } : {}),
  };
}

/** Interfaces from `ip -o link show` and `ip -o addr show`. */
export function parseInterfaces(links: readonly string[], addrs: readonly string[]): Map<string, InterfaceFacts> {
  const interfaces = new Map<string, InterfaceFacts>();
  for (const line of links) {
    // "2: eth1@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0"
    const m = /^\d+:\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>(.*)$/.exec(line);
    if (!m) continue;
    const [, name, flags, rest] = m;
    const mtu = /\bmtu (\d+)/.exec(rest)?.[1];
    const link = /link\/(\S+)(?:\s+([0-9a-f:]{17}))?/.exec(rest);
    const type = link?.[1] === 'loopback' ? 'loopback' : link?.[1] === 'ether' ? 'ether' : (link?.[1] ?? 'unknown');
    interfaces.set(name, {
      device: name,
      active: flags.split(',').includes('UP'),
      ...(mtu ? { mtu: Number(mtu) } : {}),
      ...(link?.[2] ? { macaddress: link[2] } : {}),
      type,
    });
  }
  for (const line of addrs) {
    // "2: eth1    inet 198.51.100.51/24 brd 198.51.100.255 scope global eth1\       valid_lft forever preferred_lft forever"
    const m = /^\d+:\s+([^:@\s]+)\s+(inet6?)\s+(\S+)(.*)$/.exec(line);
    if (!m) continue;
    const [, name, family, cidr, rest] = m;
    const iface = interfaces.get(name) ?? { device: name, active: false, type: 'unknown' };
    interfaces.set(name, iface);
    if (family === 'inet') {
      const details = ipv4Details(cidr, /\bbrd (\S+)/.exec(rest)?.[1]);
      if (!iface.ipv4) iface.ipv4 = details;
      else (iface.ipv4_secondaries ??= []).push(details);
    } else {
      const [address, prefix = '128'] = cidr.split('/');
      (iface.ipv6 ??= []).push({ address, prefix, scope: /\bscope (\S+)/.exec(rest)?.[1] ?? 'global' });
    }
  }
  return interfaces;
}

