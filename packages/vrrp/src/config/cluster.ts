import type { Diagnostic } from './diagnostics.js';
import type { InstanceConfig, VrrpConfig } from './model.js';

/** One node's configuration, named for messages (host name or file name). */
export interface NodeConfig {
  node: string;
  config: VrrpConfig;
}

interface Member {
  node: string;
  instance: InstanceConfig;
  config: VrrpConfig;
}

function diag(severity: Diagnostic['severity'], m: Member, message: string): Diagnostic {
  return { severity, file: m.instance.at.file, line: m.instance.at.line, col: m.instance.at.col, message };
}

const vipList = (i: InstanceConfig) => i.vips.map((v) => `${v.address}/${v.prefixLength}`).sort().join(', ') || '(none)';
const authText = (i: InstanceConfig) => (i.version === 3 || !i.auth ? 'none' : `PASS '${'*'.repeat(i.auth.password.length)}'`);
const sameAuth = (a: InstanceConfig, b: InstanceConfig) => authText(a) === authText(b) && (a.auth?.password ?? '') === (b.auth?.password ?? '');

/** Weights of the scripts an instance tracks (per-instance override first). */
function trackWeights(m: Member): Array<{ name: string; weight: number }> {
  return m.instance.trackScripts.map((ref) => ({ name: ref.name, weight: ref.weight ?? m.config.scripts.find((s) => s.name === ref.name)?.weight ?? 0 }));
}

function clampPriority(base: number, delta: number): number {
  if (base === 255) return 255;
  return Math.min(254, Math.max(1, base + delta));
}

/**
 * Checks that the nodes sharing a virtual router agree, and that their tracking can actually move the
 * VIPs. Instances are paired by VRID (what is on the wire) and also by name, which is how operators
 * think of them. Every mismatch keepalived would only reveal at run time is an error here.
 */
export function checkCluster(nodes: readonly NodeConfig[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byVrid = new Map<string, Member[]>();
  const byName = new Map<string, Member[]>();
  for (const { node, config } of nodes) {
    for (const instance of config.instances) {
      const member = { node, instance, config };
      const key = String(instance.vrid);
      byVrid.set(key, [...(byVrid.get(key) ?? []), member]);
      byName.set(instance.name, [...(byName.get(instance.name) ?? []), member]);
    }
  }
  for (const [name, members] of byName) {
    const first = members[0];
    for (const m of members.slice(1)) {
      if (m.instance.vrid !== first.instance.vrid) {
        out.push(diag('error', m, `(${name}) virtual_router_id ${m.instance.vrid} on ${m.node} but ${first.instance.vrid} on ${first.node}: the nodes will not see each other and both become master`));
      }
    }
  }
  for (const [vrid, members] of byVrid) {
    if (members.length < 2) continue;
    const first = members[0];
    for (const m of members.slice(1)) {
      const a = first.instance;
      const b = m.instance;
      const label = `VRID ${vrid} (${b.name} on ${m.node}, ${a.name} on ${first.node})`;
      if (a.version !== b.version) out.push(diag('error', m, `${label}: VRRP version ${b.version} vs ${a.version}: adverts are dropped as wrong version, both nodes become master`));
      else if (!sameAuth(a, b)) {
        const what = authText(a) === authText(b) ? 'auth_pass differs (never shown)' : `authentication ${authText(b)} vs ${authText(a)}`;
        out.push(diag('error', m, `${label}: ${what}: adverts are dropped, both nodes become master`));
      }
      if (a.advertIntervalMs !== b.advertIntervalMs) {
        const effect = a.version === 2 ? 'VRRPv2 drops adverts with another interval, both nodes become master' : 'VRRPv3 backups adopt the master\'s interval, but failover timing then depends on which node is master';
        out.push(diag(a.version === 2 ? 'error' : 'warning', m, `${label}: advert_int ${b.advertIntervalMs / 1000} s vs ${a.advertIntervalMs / 1000} s: ${effect}`));
      }
      if (vipList(a) !== vipList(b)) out.push(diag('error', m, `${label}: virtual_ipaddress ${vipList(b)} vs ${vipList(a)}: a failover would move different addresses`));
    }
    const byPriority = new Map<number, Member[]>();
    for (const m of members) byPriority.set(m.instance.priority, [...(byPriority.get(m.instance.priority) ?? []), m]);
    for (const [priority, same] of byPriority) {
      if (same.length > 1) out.push(diag('warning', same[1], `VRID ${vrid}: ${same.map((m) => m.node).join(' and ')} both have priority ${priority}; the higher primary IP address wins, which is rarely what was meant`));
    }
    out.push(...checkWeightsCanMove(vrid, members));
  }
  return out;
}

/**
 * For every pair where one node normally wins, can its tracked scripts failing make the other win?
 * A backup takes over only when its priority is strictly higher than the master's effective priority
 * (it accepts equal-priority adverts), so a weight that leaves the master at or above the backup is useless.
 */
function checkWeightsCanMove(vrid: string, members: Member[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const high of members) {
    const weights = trackWeights(high).filter((w) => w.weight !== 0);
    if (weights.length === 0) continue;
    const healthy = clampPriority(high.instance.priority, weights.filter((w) => w.weight > 0).reduce((s, w) => s + w.weight, 0));
    const failing = clampPriority(high.instance.priority, weights.filter((w) => w.weight < 0).reduce((s, w) => s + w.weight, 0));
    for (const low of members) {
      if (low === high) continue;
      const lowHealthy = clampPriority(low.instance.priority, trackWeights(low).filter((w) => w.weight > 0).reduce((s, w) => s + w.weight, 0));
      if (healthy <= lowHealthy) continue; // `high` is not the usual master against `low`
      if (failing >= lowHealthy) {
        const arithmetic = `${high.instance.priority}${weights.map((w) => (w.weight > 0 ? '' : ` - ${-w.weight} (${w.name})`)).join('')} = ${failing}`;
        const why = high.instance.priority === 255 ? ' (priority 255, the address owner, is never changed by weights)' : '';
        out.push(diag('warning', high, `VRID ${vrid} (${high.instance.name}): track_script weights cannot move the VIP from ${high.node} to ${low.node}: with every weighted script failing ${high.node}'s priority is ${arithmetic}${why}, still >= ${low.node}'s ${lowHealthy}. Use a weight below ${lowHealthy - high.instance.priority} or weight 0 (FAULT on failure)`));
      }
    }
  }
  return out;
}
