/**
 * Firewall openings, the host's way, at runtime and saved for boot:
 *  - firewalld (EL7+ default, Debian optional): every opening twice, `--permanent` (survives a
 *    reload and a reboot) and runtime (now), each only when its query says it is missing;
 *  - iptables with a catch-all REJECT/DROP ending INPUT (CentOS 6's default ruleset): each rule
 *    inserted just before the first catch-all (appended after it, it would never match), then the
 *    table saved where the distribution restores it at boot (iptables-services reads
 *    /etc/sysconfig/iptables on RHEL; netfilter-persistent reads /etc/iptables/rules.v4 on Debian),
 *    installing that service when the host lacks it;
 *  - no firewall: nothing.
 * VRRP is IP protocol 112 to 224.0.0.18 (RFC 5798), from the peers only; unicast peers send to our
 * own address instead, so the destination is left open.
 */
import { shellQuote } from '@haweb/core';
import type { HostProfile } from '../facts/host-profile.js';
import { HostPlanError, type Step } from '../apply.js';

export const VRRP_GROUP = '224.0.0.18';
export const VRRP_PROTOCOL = 112;

export type Opening =
  | { kind: 'port'; port: number; protocol: 'tcp' | 'udp' }
  | { kind: 'vrrp'; peers: readonly string[]; unicast?: boolean };

/** What the firewall already lets through (from firewallStateFact). */
export interface FirewallState {
  firewalld?: { runtime: FirewalldItems; permanent: FirewalldItems };
  /** `iptables -S INPUT` lines. */
  iptablesInput?: readonly string[];
}

export interface FirewalldItems {
  ports: readonly string[];
  richRules: readonly string[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/\d{1,2})?$/;

function checkAddress(address: string): string {
  const m = IPV4.exec(address);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) throw new HostPlanError(`VRRP peer ${JSON.stringify(address)} is not an IPv4 address`);
  return address;
}

/** firewalld's rich rule for VRRP from one peer (firewalld.richlanguage(5): `protocol value="vrrp"`). */
export function vrrpRichRule(peer: string, unicast = false): string {
  const destination = unicast ? '' : ` destination address="${VRRP_GROUP}"`;
  return `rule family="ipv4" source address="${checkAddress(peer)}"${destination} protocol value="vrrp" accept`;
}

/** The iptables rule spec (after the chain) of an opening's rules. */
export function iptablesSpecs(opening: Opening): string[][] {
  if (opening.kind === 'port') return [['-p', opening.protocol, '-m', opening.protocol, '--dport', String(opening.port), '-j', 'ACCEPT']];
  return opening.peers.map((peer) => [
    '-s', hostCidr(checkAddress(peer)),
    ...(opening.unicast ? [] : ['-d', `${VRRP_GROUP}/32`]),
    '-p', String(VRRP_PROTOCOL), '-j', 'ACCEPT',
  ]);
}

function hostCidr(address: string): string {
  return address.includes('/') ? address : `${address}/32`;
}

/** `iptables -S` prints protocol 112 as "vrrp" where /etc/protocols names it: compare both spellings. */
function normalRule(rule: string): string {
  return rule.trim().replace(/^-A INPUT /, '').replace(/ -p vrrp\b/, ` -p ${VRRP_PROTOCOL}`).replace(/\s+/g, ' ');
}

/** 1-based position of the first catch-all REJECT/DROP rule in INPUT, or undefined. */
export function catchAllPosition(inputRules: readonly string[]): number | undefined {
  const rules = inputRules.filter((l) => l.startsWith('-A INPUT'));
  // A catch-all matches everything: nothing before its -j but, at most, a comment.
  const i = rules.findIndex((l) => /^(-m comment --comment ("[^"]*"|\S+) )?-j (REJECT|DROP)\b/.test(normalRule(l)));
  return i >= 0 ? i + 1 : undefined;
}

export function planFirewall(profile: HostProfile, openings: readonly Opening[], state: FirewallState): Step[] {
  if (profile.firewall === 'firewalld') return planFirewalld(openings, state);
  if (profile.firewall === 'iptables') return planIptables(profile, openings, state);
  return [];
}

function planFirewalld(openings: readonly Opening[], state: FirewallState): Step[] {
  const fw = state.firewalld;
  if (!fw) throw new HostPlanError('firewalld runs but its state was not read');
  const steps: Step[] = [];
  const allow = (kind: 'ports' | 'richRules', item: string, what: string) => {
    for (const scope of ['permanent', 'runtime'] as const) {
      if (fw[scope][kind].includes(item)) continue;
      steps.push({
        kind: 'run',
        argv: ['firewall-cmd', ...(scope === 'permanent' ? ['--permanent'] : []), kind === 'ports' ? `--add-port=${item}` : `--add-rich-rule=${item}`],
        why: `firewalld (${scope}): allow ${what}`,
      });
    }
  };
  for (const opening of openings) {
    if (opening.kind === 'port') allow('ports', `${opening.port}/${opening.protocol}`, `${opening.port}/${opening.protocol}`);
    else for (const peer of opening.peers) allow('richRules', vrrpRichRule(peer, opening.unicast), `VRRP from ${peer}`);
  }
  return steps;
}

function planIptables(profile: HostProfile, openings: readonly Opening[], state: FirewallState): Step[] {
  const input = state.iptablesInput;
  if (!input) throw new HostPlanError('iptables has a catch-all rule but its INPUT chain was not read');
  const present = new Set(input.filter((l) => l.startsWith('-A INPUT')).map(normalRule));
  const wait = profile.iptables?.wait ? ['-w'] : [];
  let position = catchAllPosition(input);
  const steps: Step[] = [];
  for (const opening of openings) {
    for (const spec of iptablesSpecs(opening)) {
      if (present.has(normalRule(spec.join(' ')))) continue;
      const what = opening.kind === 'port' ? `${opening.protocol} port ${opening.port}` : `VRRP from ${spec[1]}`;
      if (position !== undefined) {
        steps.push({ kind: 'run', argv: ['iptables', ...wait, '-I', 'INPUT', String(position), ...spec], why: `iptables: allow ${what} before the catch-all` });
        position += 1; // the catch-all moved down by one
      } else {
        steps.push({ kind: 'run', argv: ['iptables', ...wait, '-A', 'INPUT', ...spec], why: `iptables: allow ${what}` });
      }
    }
  }
  if (steps.length === 0) return steps;
  return [...steps, ...planIptablesSave(profile)];
}

/** Where the distribution restores saved rules from at boot, and the service that does it. */
export function iptablesSaveTarget(profile: HostProfile): { path: string; mode: string; service: string; package: string } {
  return profile.family === 'RedHat'
    ? { path: '/etc/sysconfig/iptables', mode: '0600', service: 'iptables', package: 'iptables-services' }
    : { path: '/etc/iptables/rules.v4', mode: '0640', service: 'netfilter-persistent', package: 'iptables-persistent' };
}

/** Save the running table atomically where it is restored, installing and enabling the restorer if missing. */
export function planIptablesSave(profile: HostProfile): Step[] {
  const target = iptablesSaveTarget(profile);
  const steps: Step[] = [];
  const expected = profile.family === 'RedHat' ? 'iptables-services' : 'netfilter-persistent';
  if (profile.iptablesRestore !== expected) {
    // EL6 ships the iptables init script in the iptables package itself; EL7+ need iptables-services.
    steps.push(
      profile.family === 'RedHat'
        ? { kind: 'run', argv: [profile.majorVersion >= 8 ? 'dnf' : 'yum', 'install', '-y', target.package], why: `install ${target.package} (restores ${target.path} at boot)` }
        : { kind: 'script', script: `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${target.package}`, why: `install ${target.package} (restores ${target.path} at boot)` },
    );
  }
  const dir = target.path.slice(0, target.path.lastIndexOf('/'));
  const base = target.path.slice(target.path.lastIndexOf('/') + 1);
  steps.push({
    kind: 'script',
    why: `save the rules to ${target.path}`,
    script: [
      `mkdir -p ${shellQuote(dir)}`,
      `t=$(mktemp ${shellQuote(`${dir}/.${base}.XXXXXX`)})`,
      `if iptables-save > "$t" && chmod ${target.mode} "$t" && mv -f "$t" ${shellQuote(target.path)}; then :; else rm -f "$t"; exit 1; fi`,
    ].join(' && '),
  });
  if (profile.iptablesRestore !== expected) {
    steps.push(
      profile.init === 'systemd'
        ? { kind: 'run', argv: ['systemctl', 'enable', `${target.service}.service`], why: `restore ${target.path} at boot` }
        : profile.family === 'RedHat'
          ? { kind: 'run', argv: ['chkconfig', target.service, 'on'], why: `restore ${target.path} at boot` }
          : { kind: 'run', argv: ['update-rc.d', target.service, 'enable'], why: `restore ${target.path} at boot` },
    );
  }
  return steps;
}
