/**
 * The lab's LAN: a bridge in its own namespace (whose default route is `unreachable`, so nothing leaves
 * the lab), a veth from the root namespace for the controller, and one veth per host/client whose inner
 * end is `eth1`. Every function checks before it creates, so `up` can run again over a partial lab.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { run } from './exec.js';
import { cidrOverlaps, type LabPlan } from './plan.js';
import { LabError } from './exec.js';
import { lookup } from 'node:dns/promises';

const NETNS_DIR = '/run/netns';

export const netnsExists = (name: string) => existsSync(`${NETNS_DIR}/${name}`);

async function ip(args: string[], step: string, allowFailure = false) {
  return run(['ip', ...args], { step, allowFailure });
}

async function linkExists(link: string, netns?: string): Promise<boolean> {
  const args = netns ? ['-n', netns, 'link', 'show', link] : ['link', 'show', link];
  return (await ip(args, `check link ${link}`, true)).code === 0;
}

export async function ensureNetns(name: string): Promise<void> {
  if (!netnsExists(name)) await ip(['netns', 'add', name], `create network namespace ${name}`);
  await ip(['-n', name, 'link', 'set', 'lo', 'up'], `bring up loopback in ${name}`);
}

export async function ensureBridge(plan: LabPlan): Promise<void> {
  const ns = plan.bridgeNetns;
  await ensureNetns(ns);
  if (!(await linkExists(plan.bridge, ns))) {
    await ip(['-n', ns, 'link', 'add', plan.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'], `create bridge in ${ns}`);
  }
  await ip(['-n', ns, 'addr', 'replace', `${plan.gateway}/${plan.prefix}`, 'dev', plan.bridge], `address the lab gateway in ${ns}`);
  await ip(['-n', ns, 'link', 'set', plan.bridge, 'up'], `bring up bridge in ${ns}`);
  // The gateway is a dead end: hosts have a default route, but nothing is forwarded anywhere.
  await ip(['-n', ns, 'route', 'replace', 'unreachable', 'default'], `make ${ns}'s default route unreachable`);
}

/**
 * Addresses the root namespace routes into the lab: the VIP, the hosts and the client, one /32 each.
 * Not the whole subnet: a connected /24 would capture every other address of it on this machine (a
 * TEST-NET range may well hold the machine's package mirror).
 */
export function routedAddresses(plan: LabPlan): string[] {
  return [plan.vip, ...plan.hosts.map((h) => h.address), plan.client.address];
}

export async function ensureControllerLink(plan: LabPlan): Promise<void> {
  const ns = plan.bridgeNetns;
  const veth = plan.controllerVeth;
  if (!(await linkExists(veth))) {
    await ip(['-n', ns, 'link', 'del', 'ctl'], `remove stale controller port in ${ns}`, true);
    await ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'ctl', 'netns', ns], `create controller veth ${veth}`);
  }
  await ip(['-n', ns, 'link', 'set', 'ctl', 'master', plan.bridge, 'up'], `attach controller veth to the bridge`);
  await ip(['addr', 'replace', `${plan.controllerAddress}/32`, 'dev', veth], `address controller veth ${veth}`);
  // Labs made by earlier versions had the whole subnet on the controller veth.
  await ip(['addr', 'del', `${plan.controllerAddress}/${plan.prefix}`, 'dev', veth], `narrow controller address`, true);
  await ip(['link', 'set', veth, 'up'], `bring up controller veth ${veth}`);
  for (const address of routedAddresses(plan)) {
    await ip(['route', 'replace', `${address}/32`, 'dev', veth, 'src', plan.controllerAddress], `route ${address} into the lab`);
  }
}

/** A namespace with `eth1` plugged into the bridge (addresses are set by the caller or the supervisor). */
export async function ensureLanPort(plan: LabPlan, member: { netns: string; bridgePort: string; mac: string; name: string }): Promise<void> {
  await ensureNetns(member.netns);
  if (!(await linkExists('eth1', member.netns))) {
    await ip(['-n', plan.bridgeNetns, 'link', 'del', member.bridgePort], `remove stale bridge port ${member.bridgePort}`, true);
    await ip(
      ['-n', plan.bridgeNetns, 'link', 'add', member.bridgePort, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', member.netns],
      `create eth1 of ${member.name}`,
    );
    await ip(['-n', member.netns, 'link', 'set', 'eth1', 'address', member.mac], `set MAC of ${member.name}'s eth1`);
  }
  await ip(['-n', plan.bridgeNetns, 'link', 'set', member.bridgePort, 'master', plan.bridge, 'up'], `attach ${member.name} to the bridge`);
}

export async function configureClient(plan: LabPlan): Promise<void> {
  const c = plan.client;
  await ensureLanPort(plan, c);
  await ip(['-n', c.netns, 'addr', 'replace', `${c.address}/${plan.prefix}`, 'dev', 'eth1'], 'address the client');
  await ip(['-n', c.netns, 'link', 'set', 'eth1', 'up'], 'bring up the client');
  await ip(['-n', c.netns, 'route', 'replace', 'default', 'via', plan.gateway, 'dev', 'eth1'], 'route the client');
}

/** Named network namespaces belonging to a lab (names are `<lab>-...`; lab names contain no dash). */
export async function labNetnsNames(labName: string): Promise<string[]> {
  const names = await readdir(NETNS_DIR).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${labName}-`));
}

export async function deleteNetns(name: string): Promise<void> {
  await ip(['netns', 'del', name], `delete network namespace ${name}`, true);
}

/** Deleting the bridge namespace destroys the veth's peer and, asynchronously, this end: wait for it. */
export async function deleteControllerLink(veth: string): Promise<void> {
  for (let attempt = 0; attempt < 50 && (await linkExists(veth)); attempt++) {
    await ip(['link', 'del', veth], `delete controller veth ${veth}`, true);
    if (await linkExists(veth)) await new Promise((r) => setTimeout(r, 100));
  }
  if (await linkExists(veth)) throw new LabError('down', `controller veth ${veth} is still present`);
}

/**
 * Refuses a lab whose addresses the machine already routes somewhere else (another lab, the path to the
 * Debian mirror): the lab's routes would hijack that traffic. `avoid` are host names (the mirror) whose
 * addresses must not be lab addresses.
 */
export async function checkSubnetFree(plan: LabPlan, avoid: string[] = []): Promise<void> {
  const mine = [plan.controllerAddress, ...routedAddresses(plan)];
  const routes = JSON.parse((await run(['ip', '-j', '-4', 'route', 'show'], { step: 'read routes' })).stdout || '[]') as { dst: string; dev?: string }[];
  for (const route of routes) {
    if (route.dst === 'default' || route.dev === plan.controllerVeth) continue;
    const clash = mine.find((a) => cidrOverlaps(route.dst, a));
    if (clash) {
      throw new LabError('check lab subnet', `lab address ${clash} is already routed via ${route.dev ?? '?'} (${route.dst}); choose another --subnet`);
    }
  }
  for (const host of avoid) {
    const addresses = await lookup(host, { all: true, family: 4 }).catch(() => []);
    for (const { address } of addresses) {
      if (mine.includes(address)) {
        throw new LabError('check lab subnet', `lab address ${address} is ${host} (needed for images and sources); choose another --subnet`);
      }
    }
  }
}
