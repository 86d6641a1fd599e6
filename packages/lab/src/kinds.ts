/**
 * Host kinds: the shape of a lab's hosts (init system, firewall, image). Every kind is a Debian bookworm
 * host presenting Debian's facts; a kind reproduces what a target server has (systemd as PID 1, a
 * default-deny firewall, missing tools), it never pretends to be another distribution. Pure.
 */

export const INIT_KINDS = ['sysvinit', 'systemd'] as const;
export const FIREWALL_KINDS = ['open', 'firewalld', 'rhel6-iptables'] as const;
export const IMAGE_KINDS = ['full', 'minimal'] as const;

export type InitKind = (typeof INIT_KINDS)[number];
export type FirewallKind = (typeof FIREWALL_KINDS)[number];
export type ImageKind = (typeof IMAGE_KINDS)[number];

export interface HostKind {
  init: InitKind;
  firewall: FirewallKind;
  image: ImageKind;
}

/** What the demo has always used: sysvinit, no firewall rules, the full image. */
export const DEFAULT_KIND: HostKind = { init: 'sysvinit', firewall: 'open', image: 'full' };

/** One line per choice, for `lab up --help` and the README. */
export const KIND_DESCRIPTIONS: Record<InitKind | FirewallKind | ImageKind, string> = {
  sysvinit: "sysvinit as PID 1 of the host's own namespaces (the default)",
  systemd: "systemd 252 as PID 1, booted by systemd-nspawn in the host's network namespace",
  open: 'no firewall rules (the default)',
  firewalld: 'firewalld (nftables backend) enabled as EL8/EL9 ship it: zone public, only ssh and dhcpv6-client; needs --init systemd',
  'rhel6-iptables': "iptables-legacy loaded at boot with CentOS 6's default ruleset (ssh, then REJECT icmp-host-prohibited); needs --init sysvinit",
  full: 'the full image: compiler, headers, tar, iptables (the default)',
  minimal: 'a minimal image without tar, compiler or headers (as EL minimal installs), with an apt repository on the lab LAN to install them from',
};

/** Refuses combinations that no target host has; the message names the option to change. */
export function validateKind(kind: HostKind): HostKind {
  if (!INIT_KINDS.includes(kind.init)) throw new Error(`invalid --init "${kind.init}": expected one of ${INIT_KINDS.join(', ')}`);
  if (!FIREWALL_KINDS.includes(kind.firewall)) throw new Error(`invalid --firewall "${kind.firewall}": expected one of ${FIREWALL_KINDS.join(', ')}`);
  if (!IMAGE_KINDS.includes(kind.image)) throw new Error(`invalid --image "${kind.image}": expected one of ${IMAGE_KINDS.join(', ')}`);
  if (kind.firewall === 'firewalld' && kind.init !== 'systemd') {
    throw new Error('--firewall firewalld needs --init systemd (firewalld is a D-Bus service started by systemd, as on EL8/EL9)');
  }
  if (kind.firewall === 'rhel6-iptables' && kind.init !== 'sysvinit') {
    throw new Error('--firewall rhel6-iptables needs --init sysvinit (the CentOS 6 shape is that ruleset under a SysV init)');
  }
  if (kind.firewall === 'rhel6-iptables' && kind.image !== 'full') {
    throw new Error('--firewall rhel6-iptables needs --image full (the minimal image has no iptables to load the ruleset with)');
  }
  return kind;
}

export function kindOf(partial: Partial<HostKind> = {}): HostKind {
  return validateKind({ ...DEFAULT_KIND, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) });
}

export function describeKind(kind: HostKind): string {
  return `init ${kind.init}, firewall ${kind.firewall}, image ${kind.image}`;
}

export function sameKind(a: HostKind, b: HostKind): boolean {
  return a.init === b.init && a.firewall === b.firewall && a.image === b.image;
}

/**
 * CentOS 6's /etc/sysconfig/iptables as the installer (system-config-firewall/lokkit) writes it: accept
 * established/related traffic, ICMP, loopback and new SSH connections, then reject everything else in
 * INPUT and FORWARD with icmp-host-prohibited. Checked against Red Hat's own image validation, which
 * expects exactly one ssh ACCEPT, one RELATED,ESTABLISHED ACCEPT and two icmp-host-prohibited REJECTs on
 * RHEL 6 (RedHatQE/valid@aec6cd99286f62e2c7be96aff217c063085eb51f, valid/testing_modules/testcase_28_iptables.py).
 * Loaded with iptables-legacy (iptables-restore format), the backend CentOS 6's iptables 1.4.7 has.
 */
export const RHEL6_IPTABLES_RULES = `# CentOS 6's default ruleset (system-config-firewall), loaded at boot by netfilter-persistent.
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state NEW -m tcp -p tcp --dport 22 -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
COMMIT
`;

/**
 * What `update-alternatives --set NAME CHOICE` does, as files: the admin file (/var/lib/dpkg/alternatives/
 * NAME) with status manual, and the /etc/alternatives links of the master and its slaves. Written into a
 * host's upper layer before its first boot, so the host's own update-alternatives agrees with its links.
 */
export function selectAlternative(name: string, adminFile: string, choice: string): { admin: string; links: [link: string, target: string][] } {
  const lines = adminFile.split('\n');
  if (lines[0] !== 'auto' && lines[0] !== 'manual') throw new Error(`alternatives file of ${name}: line 1 should be auto or manual, found "${lines[0]}"`);
  const slaves: string[] = [];
  let i = 2;
  for (; i + 1 < lines.length && lines[i] !== ''; i += 2) slaves.push(lines[i]);
  i += 1; // the blank line after the slaves
  while (i < lines.length && lines[i] !== '') {
    const path = lines[i];
    const targets = lines.slice(i + 2, i + 2 + slaves.length);
    if (path === choice) {
      const links: [string, string][] = [[`etc/alternatives/${name}`, choice]];
      slaves.forEach((slave, k) => {
        if (targets[k]) links.push([`etc/alternatives/${slave}`, targets[k]]);
      });
      return { admin: ['manual', ...lines.slice(1)].join('\n'), links };
    }
    i += 2 + slaves.length;
  }
  throw new Error(`alternatives file of ${name}: no choice ${choice}`);
}

/** The iptables alternatives a CentOS 6 shaped host uses: the legacy (xtables) backend. */
export const LEGACY_IPTABLES_ALTERNATIVES: [name: string, choice: string][] = [
  ['iptables', '/usr/sbin/iptables-legacy'],
  ['ip6tables', '/usr/sbin/ip6tables-legacy'],
];
