/**
 * ansible.utils' ipaddr, ipv4 and ipv6 filters (and the short names Ansible routes to them), with
 * the semantics they get from Python's netaddr 0.8: a value is an address or a network (`ip/prefix`,
 * the prefix also as a netmask or host mask), an integer, or a list of them (each filtered, false
 * results dropped); a query names what to give (`address`, `network`, `netmask`, `prefix`, ...), tests
 * the value (`private`, `public`, `link-local`, ...: the value or false), indexes a network (`0`,
 * `-1`) or is a network the value must be in. Addresses are BigInts: IPv6 needs 128 bits.
 */
import { splitArgs, arg } from './args.js';
import { FilterError } from './errors.js';
import { pyStr } from './python.js';
import { assertDefined } from './undefined.js';
import { isTuple } from './pytypes.js';

type Filter = (value: unknown, ...args: unknown[]) => unknown;

/** An IPNetwork as netaddr holds it: the address given (not masked) and the prefix length. */
interface Net {
  version: 4 | 6;
  ip: bigint;
  prefixlen: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;
const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

function netmaskInt(n: Net): bigint {
  const host = BigInt(WIDTH[n.version] - n.prefixlen);
  return MAX[n.version] ^ ((1n << host) - 1n);
}
function hostmaskInt(n: Net): bigint {
  return (1n << BigInt(WIDTH[n.version] - n.prefixlen)) - 1n;
}
function first(n: Net): bigint {
  return n.ip & netmaskInt(n);
}
function last(n: Net): bigint {
  return first(n) | hostmaskInt(n);
}
function size(n: Net): bigint {
  return 1n << BigInt(WIDTH[n.version] - n.prefixlen);
}
/** netaddr 0.8: no broadcast for an IPv4 /31 or /32; IPv6 networks have one. */
function broadcast(n: Net): bigint | undefined {
  if (n.version === 4 && WIDTH[4] - n.prefixlen <= 1) return undefined;
  return last(n);
}

// ---- text forms ----

function v4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

/** IPv6 text as glibc's inet_ntop writes it (netaddr uses it): the longest run of 2+ zero words as `::`, an IPv4 tail for ::a.b.c.d and ::ffff:a.b.c.d. */
function v6Text(v: bigint): string {
  const words = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      cur = cur.base === -1 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
      if (cur.len > best.len) best = { ...cur };
    } else cur = { base: -1, len: 0 };
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += v4Text(v & 0xffffffffn);
      break;
    }
    out += words[i].toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':';
  return out;
}

function addrText(version: 4 | 6, v: bigint): string {
  return version === 4 ? v4Text(v) : v6Text(v);
}
function netText(n: Net): string {
  return `${addrText(n.version, n.ip)}/${n.prefixlen}`;
}

// ---- parsing ----

function parseV4Strict(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && !/^0\d/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** netaddr's partial IPv4 address ("10.1" is 10.1.0.0): 1 to 4 decimal octets, the rest zeros. */
function parseV4Partial(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length < 1 || parts.length > 4 || !parts.every((p) => /^\d+$/.test(p) && Number(p) <= 255)) return undefined;
  while (parts.length < 4) parts.push('0');
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (lastColon !== -1 && text.slice(lastColon + 1).includes('.')) {
    // an IPv4 tail (::ffff:192.0.2.1): its two words in hex
    const v4 = parseV4Strict(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const ws = h.split(':');
    if (!ws.every((w) => /^[0-9A-Fa-f]{1,4}$/.test(w))) return undefined;
    return ws.map((w) => BigInt(parseInt(w, 16)));
  };
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (!head || !rest) return undefined;
  let words: bigint[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    words = [...head, ...Array<bigint>(fill).fill(0n), ...rest];
  } else {
    words = head;
    if (words.length !== 8) return undefined;
  }
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

function isNetmask(version: 4 | 6, v: bigint): boolean {
  const x = (v ^ MAX[version]) + 1n;
  return (x & (x - 1n)) === 0n;
}
function isHostmask(v: bigint): boolean {
  const x = v + 1n;
  return (x & (x - 1n)) === 0n;
}
function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** netaddr.IPNetwork(text): IPv4 first (a partial address too), then IPv6; undefined if neither. */
function parseNetwork(text: string): Net | undefined {
  const slash = text.indexOf('/');
  const a = slash === -1 ? text : text.slice(0, slash);
  const p = slash === -1 ? undefined : text.slice(slash + 1);
  for (const version of [4, 6] as const) {
    const ip = version === 4 ? (parseV4Strict(a) ?? parseV4Partial(a)) : parseV6(a);
    if (ip === undefined) continue;
    let prefixlen: number;
    if (p === undefined) prefixlen = WIDTH[version];
    else if (/^\s*[+-]?\d+\s*$/.test(p)) prefixlen = Number(p);
    else {
      const mask = version === 4 ? parseV4Strict(p) : parseV6(p);
      if (mask === undefined) continue;
      if (isNetmask(version, mask)) prefixlen = WIDTH[version] - bitLength(mask ^ MAX[version]);
      else if (isHostmask(mask)) prefixlen = WIDTH[version] - bitLength(mask);
      else continue;
    }
    if (prefixlen < 0 || prefixlen > WIDTH[version]) continue;
    return { version, ip, prefixlen };
  }
  return undefined;
}

// ---- ranges netaddr classifies by ----

function range(text: string): { version: 4 | 6; first: bigint; last: bigint } {
  const n = parseNetwork(text) as Net;
  return { version: n.version, first: first(n), last: last(n) };
}
const V4_PRIVATE = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '239.0.0.0/8'].map(range);
const V6_PRIVATE = ['fc00::/7', 'fec0::/10'].map(range);
const LINK_LOCAL = { 4: range('169.254.0.0/16'), 6: range('fe80::/10') };
const MULTICAST = { 4: range('224.0.0.0/4'), 6: range('ff00::/8') };
const V4_LOOPBACK = range('127.0.0.0/8');

/** netaddr's `x in cidr` for a network x (every address of it) or an address (a /32 or /128). */
function within(version: 4 | 6, lo: bigint, hi: bigint, r: { version: 4 | 6; first: bigint; last: bigint }): boolean {
  return version === r.version && lo >= r.first && hi <= r.last;
}
function netWithin(n: Net, r: { version: 4 | 6; first: bigint; last: bigint }): boolean {
  return within(n.version, first(n), last(n), r);
}
function ipWithin(version: 4 | 6, ip: bigint, r: { version: 4 | 6; first: bigint; last: bigint }): boolean {
  return within(version, ip, ip, r);
}
function isPrivate(n: Net): boolean {
  return (n.version === 4 ? V4_PRIVATE : V6_PRIVATE).some((r) => netWithin(n, r)) || netWithin(n, LINK_LOCAL[n.version]);
}
function ipIsPrivate(version: 4 | 6, ip: bigint): boolean {
  return isPrivate({ version, ip, prefixlen: WIDTH[version] });
}

// ---- the queries ----

type Vtype = 'address' | 'network';

function usable(n: Net): [bigint, bigint] | undefined {
  const s = size(n);
  if (s === 2n) return [first(n), last(n)];
  if (s > 1n) return [first(n) + 1n, last(n) - 1n];
  return undefined;
}

function notANetwork(vtype: Vtype): void {
  if (vtype === 'address') throw new FilterError('Not a network address');
}

function addressPrefix(v: Net): unknown {
  if (size(v) > 2n && (v.ip === first(v) || v.ip === broadcast(v))) return false;
  return netText(v);
}
function ipQuery(v: Net): unknown {
  if (size(v) === 1n) return addrText(v.version, v.ip);
  if (v.ip !== first(v) || broadcast(v) === undefined) return addrText(v.version, v.ip);
  if (v.version === 6 && v.ip === first(v)) return addrText(v.version, v.ip);
  return null;
}
function revdns(version: 4 | 6, ip: bigint): string {
  if (version === 4) return `${v4Text(ip).split('.').reverse().join('.')}.in-addr.arpa.`;
  return `${ip.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa.`;
}
function ipv4Of(v: Net): Net | undefined {
  // netaddr: an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) address
  if (v.ip <= MAX[4] || (v.ip >> 32n) === 0xffffn) return { version: 4, ip: v.ip & MAX[4], prefixlen: v.prefixlen - 96 };
  return undefined;
}

const QUERIES: Record<string, (v: Net, vtype: Vtype, value: unknown) => unknown> = {
  '': (v, vtype) => (vtype === 'address' ? addrText(v.version, v.ip) : netText(v)),
  address: ipQuery,
  ip: ipQuery,
  'address/prefix': addressPrefix,
  gateway: addressPrefix,
  gw: addressPrefix,
  'host/prefix': addressPrefix,
  hostnet: addressPrefix,
  router: addressPrefix,
  bool: () => true,
  broadcast: (v) => (size(v) > 2n ? addrText(v.version, broadcast(v) as bigint) : null),
  cidr: (v) => netText(v),
  first_usable: (v, vtype) => {
    notANetwork(vtype);
    const s = size(v);
    return s === 2n ? addrText(v.version, first(v)) : s > 1n ? addrText(v.version, first(v) + 1n) : null;
  },
  last_usable: (v, vtype) => {
    notANetwork(vtype);
    const u = usable(v);
    return u ? addrText(v.version, u[1]) : null;
  },
  next_usable: (v, vtype) => {
    notANetwork(vtype);
    const u = usable(v);
    return u && v.ip + 1n >= u[0] && v.ip + 1n <= u[1] ? addrText(v.version, v.ip + 1n) : null;
  },
  previous_usable: (v, vtype) => {
    notANetwork(vtype);
    const u = usable(v);
    return u && v.ip - 1n >= u[0] && v.ip - 1n <= u[1] ? addrText(v.version, v.ip - 1n) : null;
  },
  range_usable: (v, vtype) => {
    notANetwork(vtype);
    const u = usable(v);
    return u ? `${addrText(v.version, u[0])}-${addrText(v.version, u[1])}` : null;
  },
  host: (v) => {
    if (size(v) === 1n) return netText(v);
    if (v.ip !== first(v) || broadcast(v) === undefined) return netText(v);
    return null;
  },
  hostmask: (v) => addrText(v.version, hostmaskInt(v)),
  wildcard: (v) => addrText(v.version, hostmaskInt(v)),
  int: (v, vtype) => (vtype === 'address' ? Number(v.ip) <= Number.MAX_SAFE_INTEGER ? Number(v.ip) : v.ip.toString() : `${v.ip}/${v.prefixlen}`),
  'ip/prefix': (v) => (size(v) === 2n ? netText(v) : size(v) > 1n && v.ip !== first(v) ? netText(v) : null),
  ip_netmask: (v) => (size(v) === 2n || (size(v) > 1n && v.ip !== first(v)) ? `${addrText(v.version, v.ip)} ${addrText(v.version, netmaskInt(v))}` : null),
  ipv4: (v, _t, value) => {
    if (v.version === 4) return value;
    const four = ipv4Of(v);
    return four ? netText(four) : false;
  },
  ipv6: (v, _t, value) => (v.version === 4 ? `${v6Text((0xffffn << 32n) | v.ip)}/${v.prefixlen + 96}` : value),
  'link-local': (v, _t, value) => (ipWithin(v.version, v.ip, LINK_LOCAL[v.version]) ? value : null),
  loopback: (v, _t, value) => ((v.version === 4 ? ipWithin(4, v.ip, V4_LOOPBACK) : v.ip === 1n) ? value : null),
  multicast: (v, _t, value) => (netWithin(v, MULTICAST[v.version]) ? value : null),
  unicast: (v, _t, value) => (!netWithin(v, MULTICAST[v.version]) ? value : null),
  net: (v) => (size(v) > 1n && v.ip === first(v) ? `${addrText(v.version, first(v))}/${v.prefixlen}` : null),
  netmask: (v) => addrText(v.version, netmaskInt(v)),
  network: (v) => addrText(v.version, first(v)),
  network_id: (v) => addrText(v.version, first(v)),
  'network/prefix': (v) => `${addrText(v.version, first(v))}/${v.prefixlen}`,
  subnet: (v) => `${addrText(v.version, first(v))}/${v.prefixlen}`,
  network_netmask: (v) => `${addrText(v.version, first(v))} ${addrText(v.version, netmaskInt(v))}`,
  network_wildcard: (v) => `${addrText(v.version, first(v))} ${addrText(v.version, hostmaskInt(v))}`,
  peer: (v, vtype) => {
    notANetwork(vtype);
    if (size(v) === 2n) return addrText(v.version, v.ip ^ 1n);
    if (size(v) === 4n) {
      if (v.ip % 4n === 0n) throw new FilterError('Network address of /30 has no peer');
      if (v.ip % 4n === 3n) throw new FilterError('Broadcast address of /30 has no peer');
      return addrText(v.version, v.ip ^ 3n);
    }
    throw new FilterError('Not a point-to-point network');
  },
  prefix: (v) => v.prefixlen,
  private: (v, _t, value) => (isPrivate(v) ? value : null),
  public: (v, _t, value) => {
    const ip = v.ip;
    const unicast = !ipWithin(v.version, ip, MULTICAST[v.version]);
    const loopback = v.version === 4 ? ipWithin(4, ip, V4_LOOPBACK) : ip === 1n;
    return unicast && !ipIsPrivate(v.version, ip) && !loopback && !isNetmask(v.version, ip) && !isHostmask(ip) ? value : null;
  },
  revdns: (v) => revdns(v.version, v.ip),
  size: (v) => (size(v) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size(v)) : size(v).toString()),
  size_usable: (v) => {
    const s = size(v);
    const n = s === 1n ? 0n : s === 2n ? 2n : s - 2n;
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  },
  type: (v) => (size(v) === 1n || v.ip !== first(v) ? 'address' : 'network'),
  version: (v) => v.version,
  wrap: (v, vtype, value) => (v.version === 6 ? (vtype === 'address' ? `[${addrText(6, v.ip)}]` : `[${addrText(6, v.ip)}]/${v.prefixlen}`) : value),
};
QUERIES.lo = QUERIES.loopback;
QUERIES.v4 = QUERIES.ipv4;
QUERIES.v6 = QUERIES.ipv6;

const isDigits = (s: string) => /^[0-9]+$/.test(s);

/** A false result of a query (Python's None or False) as the filter gives it: None prints "None", a list drops it. */
export function ipaddr(value: unknown, query: string, version: 0 | 4 | 6, alias: string): unknown {
  if (Array.isArray(value) || isTuple(value)) {
    return (value as unknown[]).map((e) => ipaddr(e, query, version, alias)).filter((r) => r !== null && r !== false && r !== '' && r !== 0);
  }
  if (value === null || value === false || value === true || value === '' || value === 0) return false;
  let v: Net;
  let vtype: Vtype;
  let text = pyStr(value);
  if (isDigits(text)) {
    const n = BigInt(text);
    if ((!version || version === 4) && n <= MAX[4]) v = { version: 4, ip: n, prefixlen: 32 };
    else if (n <= MAX[6]) v = { version: 6, ip: n, prefixlen: 128 };
    else return false;
    text = netText(v);
    vtype = 'address';
  } else {
    const parsed = parseNetwork(text);
    if (parsed) {
      v = parsed;
      vtype = text.split('/').length === 2 ? 'network' : 'address';
    } else {
      const parts = text.split('/');
      if (parts.length !== 2 || !/^\s*[+-]?\d+\s*$/.test(parts[0]) || !/^\s*[+-]?\d+\s*$/.test(parts[1])) return false;
      const address = BigInt(parts[0].trim());
      const prefix = Number(parts[1]);
      if (address >= 0n && address <= MAX[4] && prefix >= 0 && prefix <= 32) v = { version: 4, ip: address, prefixlen: prefix };
      else if (address >= 0n && address <= MAX[6] && prefix >= 0 && prefix <= 128) v = { version: 6, ip: address, prefixlen: prefix };
      else return false;
      text = netText(v);
      vtype = 'network';
    }
  }
  let lookup: Net | undefined;
  if (query && (!(query in QUERIES) || query === 'cidr_lookup') && !isDigits(query) && ipaddr(query, 'network', 0, alias)) {
    lookup = parseNetwork(query);
  }
  if (version && v.version !== version) return false;
  if (lookup) {
    const l = lookup;
    return v.version === l.version && first(v) >= first(l) && last(v) <= last(l) ? text : null;
  }
  if (query === '6to4') throw new FilterError(`${alias}: the query '6to4' is not supported by this provisioner`);
  const fn = Object.prototype.hasOwnProperty.call(QUERIES, query) ? QUERIES[query] : undefined;
  if (fn) return fn(v, vtype, text);
  // an index into the network ("0", "-1"), or an unknown query
  if (query.trim() === '' || Number.isNaN(Number(query))) throw new FilterError(`${alias}: unknown filter type: ${query}`);
  if (size(v) === 1n) return vtype === 'address' ? addrText(v.version, v.ip) : netText(v);
  if (!/^\s*[+-]?\d+\s*$/.test(query)) return false;
  const index = BigInt(query.trim());
  const s = size(v);
  let at: bigint;
  if (-s <= index && index < 0n) at = last(v) + index + 1n;
  else if (index >= 0n && index <= s - 1n) at = first(v) + index;
  else return false;
  return `${addrText(v.version, at)}/${v.prefixlen}`;
}

function typeCheck(value: unknown, alias: string): void {
  if (typeof value === 'string' || Array.isArray(value) || typeof value === 'number' || typeof value === 'boolean') return;
  const t = value === null ? 'NoneType' : typeof value === 'object' ? 'dict' : typeof value;
  throw new FilterError(`Unrecognized type <class '${t}'> for ${alias} filter <value>`);
}

function make(version: 0 | 4 | 6, alias: string): Filter {
  return (value: unknown, ...rest: unknown[]) => {
    assertDefined(value);
    typeCheck(value, alias);
    const a = splitArgs(rest);
    const q = arg<unknown>(a, 0, 'query', '');
    const query = q === null || q === undefined ? '' : pyStr(q);
    return ipaddr(value, query, version, alias);
  };
}

const ipaddrFilter = make(0, 'ipaddr');
const ipv4Filter = make(4, 'ipv4');
const ipv6Filter = make(6, 'ipv6');

export const ipaddrFilters: Record<string, Filter> = {
  'ansible.utils.ipaddr': ipaddrFilter,
  'ansible.utils.ipv4': ipv4Filter,
  'ansible.utils.ipv6': ipv6Filter,
  // Ansible 2.14 routes the short names to ansible.netcommon, which redirects them to ansible.utils
  ipaddr: ipaddrFilter,
  ipv4: ipv4Filter,
  ipv6: ipv6Filter,
};
