/** Pure parsers for what `ip` prints on the hosts and the client. */

export interface InterfaceAddress {
  iface: string;
  address: string;
  prefix: number;
}

/** `ip -4 addr show` (plain or `-o`): every IPv4 address with its interface. */
export function parseIpv4Addresses(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  let iface = '';
  for (const line of text.split('\n')) {
    const head = /^\d+:\s+([^:\s]+?)(?:@[^:\s]+)?:?\s/.exec(line);
    if (head) iface = head[1];
    const inet = /\binet (\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})/.exec(line);
    if (inet && iface) out.push({ iface, address: inet[1], prefix: Number(inet[2]) });
  }
  return out;
}

export function hasAddress(text: string, address: string): boolean {
  return parseIpv4Addresses(text).some((a) => a.address === address);
}

/** The MAC of `ip link show` / `ip -o link show dev X` output (the first link/ether). */
export function parseLinkMac(text: string): string | undefined {
  const m = /link\/ether ([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})/.exec(text);
  return m?.[1].toLowerCase();
}

export interface NeighEntry {
  address: string;
  mac?: string;
  state: string;
}

/** `ip neigh show ADDR`: the entry for that address, if the client has one. */
export function parseNeigh(text: string, address: string): NeighEntry | undefined {
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== address) continue;
    const i = words.indexOf('lladdr');
    const mac = i >= 0 ? words[i + 1]?.toLowerCase() : undefined;
    const state = words[words.length - 1] ?? '';
    return { address, mac, state };
  }
  return undefined;
}
