/**
 * The host profile: what the kit's plans need to know about a host before changing it, read in one
 * round trip. Which service manager is PID 1, which boot-link tools exist, which firewall runs and
 * how its rules survive a reboot, whether /run exists, SELinux, glibc, and the tools a source build
 * needs. The command only reports; the parser is pure and is what the table-driven tests feed.
 */
import type { Fact } from '@haweb/core';
import type { OsFamily } from '../os-family.js';

export type InitSystem = 'systemd' | 'sysvinit';
export type FirewallKind = 'firewalld' | 'iptables' | 'none';
/** How saved iptables rules come back at boot. */
export type IptablesRestore = 'iptables-services' | 'netfilter-persistent' | 'none';
export type SelinuxMode = 'enforcing' | 'permissive' | 'disabled';

export interface IptablesFeatures {
  /** `-C` (check a rule): iptables 1.4.11 upstream; Red Hat's 1.4.7 carries it too. */
  check: boolean;
  /** `-w` (wait for the xtables lock): iptables 1.4.20 upstream. */
  wait: boolean;
}

export interface HostProfile {
  family: OsFamily;
  /** os-release ID (centos, rocky, debian) and major version. */
  distribution: string;
  majorVersion: number;
  /** systemd when it is PID 1 (/run/systemd/system exists), sysvinit (or Upstart running SysV scripts) otherwise. */
  init: InitSystem;
  tools: {
    chkconfig: boolean;
    updateRcD: boolean;
    service: boolean;
    tar: boolean;
    restorecon: boolean;
    firewallCmd: boolean;
    iptables: boolean;
  };
  firewall: FirewallKind;
  /** Present when iptables is installed. */
  iptables?: IptablesFeatures;
  iptablesRestore: IptablesRestore;
  /** /run exists (not on EL6, where pid files go to /var/run). */
  hasRun: boolean;
  selinux: SelinuxMode;
  /** "2.36"; undefined when not glibc. */
  glibc?: string;
}

/** One line per probe, `key=value`; every probe prints something, so a missing key means a broken probe. */
export const HOST_PROFILE_COMMAND = [
  '. /etc/os-release 2>/dev/null; echo "id=${ID:-}"; echo "version=${VERSION_ID:-}"',
  // EL6 has no os-release: /etc/redhat-release says "CentOS release 6.10 (Final)".
  '[ -r /etc/os-release ] || { [ -r /etc/redhat-release ] && echo "redhat_release=$(cat /etc/redhat-release)"; }',
  '[ -r /etc/debian_version ] && echo debian=yes',
  'if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=sysvinit; fi',
  'for t in chkconfig update-rc.d service tar restorecon firewall-cmd iptables; do command -v "$t" >/dev/null 2>&1 && echo "tool=$t"; done',
  'if command -v firewall-cmd >/dev/null 2>&1; then echo "firewalld=$(firewall-cmd --state 2>/dev/null || echo not-running)"; fi',
  // The help text says which options this iptables understands (no guessing from version numbers).
  'if command -v iptables >/dev/null 2>&1; then iptables -h 2>&1 | grep -q -- "--check" && echo iptables_check=yes; iptables -h 2>&1 | grep -q -- "--wait" && echo iptables_wait=yes; echo "iptables_rules=$(iptables -S INPUT 2>/dev/null | grep -c -- "-j \\(REJECT\\|DROP\\)")"; fi',
  'for s in iptables netfilter-persistent; do if [ -x "/etc/init.d/$s" ] || [ -f "/usr/lib/systemd/system/$s.service" ] || [ -f "/lib/systemd/system/$s.service" ]; then echo "restore=$s"; fi; done',
  'if [ -d /run ]; then echo run=yes; else echo run=no; fi',
  'if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce)"; else echo selinux=Disabled; fi',
  'echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null)"',
  'true',
].join('\n');

/**
 * The part of the probe a service installer needs (OS, init, /run, SELinux), for embedding in an
 * installer's own one-round-trip probe; tools and firewall then read as absent.
 */
export const SERVICE_PROFILE_COMMAND = [
  '. /etc/os-release 2>/dev/null; echo "id=${ID:-}"; echo "version=${VERSION_ID:-}"',
  '[ -r /etc/os-release ] || { [ -r /etc/redhat-release ] && echo "redhat_release=$(cat /etc/redhat-release)"; }',
  'if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=sysvinit; fi',
  'if [ -d /run ]; then echo run=yes; else echo run=no; fi',
  'if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce)"; else echo selinux=Disabled; fi',
].join('; ');

export class HostProfileError extends Error {}

export function parseHostProfile(stdout: string, hostName = 'host'): HostProfile {
  const values = new Map<string, string>();
  const tools = new Set<string>();
  const restores = new Set<string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (key === 'tool') tools.add(value);
    else if (key === 'restore') restores.add(value);
    else values.set(key, value);
  }
  let distribution = values.get('id') ?? '';
  let version = values.get('version') ?? '';
  const redhatRelease = values.get('redhat_release');
  if (!distribution && redhatRelease) {
    // "CentOS release 6.10 (Final)", "Red Hat Enterprise Linux Server release 6.10 (Santiago)"
    distribution = /^centos/i.test(redhatRelease) ? 'centos' : 'rhel';
    version = /release (\d+(?:\.\d+)?)/.exec(redhatRelease)?.[1] ?? '';
  }
  const family: OsFamily | undefined =
    ['centos', 'rhel', 'rocky', 'almalinux', 'ol', 'fedora'].includes(distribution) || redhatRelease
      ? 'RedHat'
      : ['debian', 'ubuntu'].includes(distribution) || values.get('debian') === 'yes'
        ? 'Debian'
        : undefined;
  if (!family) throw new HostProfileError(`${hostName}: cannot tell the OS family (os-release ID ${JSON.stringify(distribution)}): RedHat or Debian family only`);
  const majorVersion = Number.parseInt(version, 10);
  const firewalldRunning = values.get('firewalld') === 'running';
  const iptablesInstalled = tools.has('iptables');
  const catchAll = Number(values.get('iptables_rules') ?? '0') > 0;
  const selinuxText = (values.get('selinux') ?? 'Disabled').toLowerCase();
  const glibc = /(\d+\.\d+)/.exec(values.get('glibc') ?? '')?.[1];
  return {
    family,
    distribution,
    majorVersion: Number.isFinite(majorVersion) ? majorVersion : 0,
    init: values.get('init') === 'systemd' ? 'systemd' : 'sysvinit',
    tools: {
      chkconfig: tools.has('chkconfig'),
      updateRcD: tools.has('update-rc.d'),
      service: tools.has('service'),
      tar: tools.has('tar'),
      restorecon: tools.has('restorecon'),
      firewallCmd: tools.has('firewall-cmd'),
      iptables: iptablesInstalled,
    },
    // firewalld owns the firewall when it runs; otherwise iptables matters only when INPUT ends in a catch-all.
    firewall: firewalldRunning ? 'firewalld' : iptablesInstalled && catchAll ? 'iptables' : 'none',
    ...(iptablesInstalled ? { iptables: { check: values.get('iptables_check') === 'yes', wait: values.get('iptables_wait') === 'yes' } } : {}),
    iptablesRestore: restores.has('iptables') && family === 'RedHat' ? 'iptables-services' : restores.has('netfilter-persistent') ? 'netfilter-persistent' : 'none',
    hasRun: values.get('run') !== 'no',
    selinux: selinuxText === 'enforcing' ? 'enforcing' : selinuxText === 'permissive' ? 'permissive' : 'disabled',
    ...(glibc ? { glibc } : {}),
  };
}

export const hostProfileFact: Fact<{ hostName?: string }, HostProfile> = {
  name: 'host.profile',
  command: () => HOST_PROFILE_COMMAND,
  parse: (stdout, _code, args) => parseHostProfile(stdout, args.hostName),
};
