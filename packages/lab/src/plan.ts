/**
 * The lab's address and naming plan. Pure: the same inputs always give the same plan, so `up` is
 * idempotent and tests can check the layout without root.
 *
 * The layout mirrors the seed runbook: VIP .50, hosts .51, .52, ..., client .180. The controller (the root
 * namespace) is .1 and the lab's dead-end gateway (on the bridge namespace) is .254.
 */
import { createHash } from 'node:crypto';

export const BUILTIN_LAB_NAME = 'haweb';
export const BUILTIN_SUBNET = '198.51.100.0/24';
/** HAWEB_LAB_NAME / HAWEB_LAB_SUBNET choose another default lab (e.g. CI beside a lab in use). */
export const DEFAULT_LAB_NAME = process.env.HAWEB_LAB_NAME || BUILTIN_LAB_NAME;
export const DEFAULT_SUBNET = process.env.HAWEB_LAB_SUBNET || BUILTIN_SUBNET;
export const DEFAULT_HOST_COUNT = 2;
export const MAX_HOSTS = 99;
/** The machine's own network: the lab must never use it. */
export const FORBIDDEN_SUBNETS = ['192.0.2.0/24'];

export interface HostPlan {
  index: number;
  name: string;
  address: string;
  mac: string;
  netns: string;
  /** Bridge-side end of the host's veth (inside the bridge namespace). */
  bridgePort: string;
}

export interface LabPlan {
  name: string;
  subnet: string;
  prefix: number;
  network: string;
  vip: string;
  gateway: string;
  controllerAddress: string;
  /** Root-namespace end of the controller's veth. */
  controllerVeth: string;
  bridgeNetns: string;
  bridge: string;
  interface: 'eth1';
  client: { name: 'client'; address: string; mac: string; netns: string; bridgePort: string };
  hosts: HostPlan[];
}

const LAB_NAME = /^[a-z][a-z0-9]{0,10}$/;

export function validateLabName(name: string): string {
  if (!LAB_NAME.test(name)) {
    throw new Error(
      `invalid lab name "${name}": use 1-11 lowercase letters/digits starting with a letter ` +
        '(it becomes part of interface names, which Linux limits to 15 characters)',
    );
  }
  return name;
}

export function hostName(index: number): string {
  return `edu-proxy-${String(index).padStart(2, '0')}`;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${ip}"`);
  return parts.reduce((acc, part) => {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`invalid IPv4 address "${ip}"`);
    return acc * 256 + Number(part);
  }, 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/nn" and checks it is a network the lab can use (at least a /24, not the machine's). */
export function parseSubnet(subnet: string): { network: string; prefix: number; base: number } {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(subnet);
  if (!match) throw new Error(`invalid subnet "${subnet}": expected a.b.c.d/prefix, e.g. ${DEFAULT_SUBNET}`);
  const prefix = Number(match[2]);
  if (prefix < 8 || prefix > 24) {
    throw new Error(`invalid subnet "${subnet}": prefix must be between /8 and /24 (the plan uses .1-.254)`);
  }
  const addr = ipToInt(match[1]);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  if (base !== addr) throw new Error(`invalid subnet "${subnet}": host bits set (network is ${intToIp(base)}/${prefix})`);
  for (const forbidden of FORBIDDEN_SUBNETS) {
    const f = parseRaw(forbidden);
    const overlaps = base < f.base + f.size && f.base < base + size;
    if (overlaps) throw new Error(`subnet ${subnet} overlaps ${forbidden}, the machine's own network; choose another`);
  }
  return { network: intToIp(base), prefix, base };
}

function parseRaw(subnet: string): { base: number; size: number } {
  const [ip, prefix] = subnet.split('/');
  const size = 2 ** (32 - Number(prefix ?? 32));
  const addr = ipToInt(ip);
  return { base: addr - (addr % size), size };
}

/** True when two CIDR blocks (or plain addresses) share any address. */
export function cidrOverlaps(a: string, b: string): boolean {
  const x = parseRaw(a);
  const y = parseRaw(b);
  return x.base < y.base + y.size && y.base < x.base + x.size;
}

/** A locally administered MAC, stable per lab, role and index. */
export function labMac(labName: string, role: number, index: number): string {
  const h = createHash('sha256').update(labName).digest();
  const bytes = [0x02, h[0], h[1], role, (index >> 8) & 0xff, index & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function planLab(options: { name?: string; subnet?: string; hosts?: number } = {}): LabPlan {
  const name = validateLabName(options.name ?? DEFAULT_LAB_NAME);
  const subnet = options.subnet ?? DEFAULT_SUBNET;
  const count = options.hosts ?? DEFAULT_HOST_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new Error(`invalid host count ${count}: expected 1..${MAX_HOSTS}`);
  }
  const { network, prefix, base } = parseSubnet(subnet);
  // Hosts start at .51 and must stay below the client's .180.
  if (51 + count - 1 >= 180) throw new Error(`invalid host count ${count}: hosts .51.. would reach the client's .180`);
  const at = (offset: number) => intToIp(base + offset);
  const hosts: HostPlan[] = Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    const host = hostName(index);
    return {
      index,
      name: host,
      address: at(50 + index),
      mac: labMac(name, 1, index),
      netns: `${name}-${host}`,
      bridgePort: `h${index}`,
    };
  });
  return {
    name,
    subnet: `${network}/${prefix}`,
    prefix,
    network,
    vip: at(50),
    gateway: at(254),
    controllerAddress: at(1),
    controllerVeth: `${name}-ctl`,
    bridgeNetns: `${name}-lan`,
    bridge: 'br0',
    interface: 'eth1',
    client: { name: 'client', address: at(180), mac: labMac(name, 2, 1), netns: `${name}-client`, bridgePort: 'cl' },
    hosts,
  };
}
