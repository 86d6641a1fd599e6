/**
 * What the drill looks at, and how it waits: where the VIP is (`ip -4 addr show` on each proxy), the
 * client's ARP entry for the VIP, nginx's master process, the VRRP service's status. Each observation
 * returns what it saw in words, so a failed check says why.
 */
import type { ClientSide } from './client-side.js';
import type { HostOps } from './host-ops.js';
import { hasAddress, parseIpv4Addresses, parseLinkMac, parseNeigh } from './parse.js';
import type { Check } from './types.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface Seen {
  ok: boolean;
  seen: string;
}

/**
 * Polls `probe` until it holds or `timeoutMs` passed (bounded, whatever happens), and returns the
 * check with the last thing seen and how long it took.
 */
export async function waitFor(clock: Clock, what: string, timeoutMs: number, pollMs: number, probe: () => Promise<Seen>): Promise<Check> {
  const start = clock.now();
  let last: Seen = { ok: false, seen: 'not checked' };
  for (let attempt = 0; attempt < 100_000; attempt++) {
    try {
      last = await probe();
    } catch (e) {
      last = { ok: false, seen: e instanceof Error ? e.message : String(e) };
    }
    const elapsed = clock.now() - start;
    if (last.ok) return { what, ok: true, seen: last.seen, afterMs: elapsed };
    if (elapsed >= timeoutMs) break;
    await clock.sleep(Math.min(pollMs, Math.max(1, timeoutMs - elapsed)));
  }
  return { what, ok: false, seen: `${last.seen} (gave up after ${(timeoutMs / 1000).toFixed(1)} s)` };
}

/** Which proxies have the VIP on an interface, as `ip -4 addr show` on each says. */
export async function vipHolders(hosts: HostOps, proxies: readonly string[], vip: string): Promise<{ holders: string[]; unreachable: string[] }> {
  const results = await Promise.all(proxies.map(async (h) => ({ h, r: await hosts.run(h, 'ip -4 addr show', 10_000) })));
  const holders: string[] = [];
  const unreachable: string[] = [];
  for (const { h, r } of results) {
    if (r.code !== 0) unreachable.push(h);
    else if (hasAddress(r.stdout, vip)) holders.push(h);
  }
  return { holders, unreachable };
}

export function describeHolders(v: { holders: string[]; unreachable: string[] }): string {
  const held = v.holders.length ? `VIP on ${v.holders.join(' and ')}` : 'VIP on no proxy';
  return v.unreachable.length ? `${held}; ${v.unreachable.join(', ')} unreachable` : held;
}

/** The VIP is on `host` and on no other proxy. */
export async function vipOnlyOn(hosts: HostOps, proxies: readonly string[], vip: string, host: string): Promise<Seen> {
  const v = await vipHolders(hosts, proxies, vip);
  return { ok: v.holders.length === 1 && v.holders[0] === host, seen: describeHolders(v) };
}

/** The MAC of the interface that carries `address` on the host (or of its first Ethernet link). */
export async function macOf(hosts: HostOps, host: string, address?: string): Promise<string> {
  const a = await hosts.run(host, 'ip -4 -o addr show', 10_000);
  const iface = parseIpv4Addresses(a.stdout).find((x) => x.address === address)?.iface
    ?? parseIpv4Addresses(a.stdout).find((x) => x.iface !== 'lo')?.iface;
  const cmd = iface ? `ip -o link show dev ${iface}` : 'ip -o link show';
  const l = await hosts.run(host, cmd, 10_000);
  const mac = parseLinkMac(l.stdout);
  if (!mac) throw new Error(`cannot read the MAC of ${host}${iface ? ` ${iface}` : ''}: ${l.stderr.trim() || l.stdout.trim()}`);
  return mac;
}

/** The client's ARP entry for the VIP points at `expectMac` (`ip neigh show VIP` on the client). */
export async function clientArpIs(client: ClientSide, vip: string, expectMac: string, macs: Record<string, string>): Promise<Seen> {
  const r = await client.run(['ip', 'neigh', 'show', vip], 10_000);
  const entry = parseNeigh(r.stdout, vip);
  if (!entry) return { ok: false, seen: `no ARP entry for ${vip} on the client` };
  if (!entry.mac) return { ok: false, seen: `ARP entry for ${vip} is ${entry.state}` };
  const owner = Object.entries(macs).find(([, m]) => m === entry.mac)?.[0];
  return { ok: entry.mac === expectMac, seen: `${vip} lladdr ${entry.mac}${owner ? ` (${owner})` : ''} ${entry.state}` };
}

/** PID of nginx's running master process on the host (pid file checked with kill -0), or undefined. */
export async function nginxMasterPid(hosts: HostOps, host: string, pidFile: string): Promise<number | undefined> {
  const r = await hosts.run(host, `p=$(cat ${pidFile} 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"`, 10_000);
  const pid = Number(r.stdout.trim());
  return r.code === 0 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** `service ENGINE status` exits 0 (LSB: running). */
export async function engineRunning(hosts: HostOps, host: string, engine: string): Promise<Seen> {
  const r = await hosts.run(host, `service ${engine} status`, 15_000);
  const text = (r.stdout + r.stderr).trim().split('\n').pop() ?? '';
  return { ok: r.code === 0, seen: `service ${engine} status: exit ${r.code}${text ? ` (${text})` : ''}` };
}
