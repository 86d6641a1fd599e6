/**
 * What the host says its name is, everywhere Ansible's hostname module looks: whether systemd manages
 * the host (its canaries), the OS family, hostnamectl's transient and static names, /etc/hostname,
 * the HOSTNAME of /etc/sysconfig/network, and the FQDN as Python's socket.getfqdn() finds it.
 * One command; the parser is pure.
 */
import type { Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface HostnameState {
  /** systemd is PID 1's manager (Ansible's canaries: /run/systemd/system and two older paths). */
  systemd: boolean;
  family: 'debian' | 'redhat' | 'other';
  /** hostnamectl --transient status (systemd only). */
  transient?: string;
  /** hostnamectl --static status (systemd only). */
  static?: string;
  /** /etc/hostname, stripped; undefined when it is not a regular file. */
  etcHostname?: string;
  /** /etc/sysconfig/network as it is (undefined when absent). */
  sysconfigNetwork?: string;
  /** The running kernel hostname (uname -n). */
  kernel: string;
  /** Names the host's resolver gives for its own name's address, canonical first (for getfqdn). */
  resolvedNames: string[];
}

const MARK = '@@haweb@@';

export const hostnameState: Fact<void, HostnameState> = {
  name: 'host.hostname',
  command() {
    return [
      `echo ${MARK}systemd; for c in /run/systemd/system/ /dev/.run/systemd/ /dev/.systemd/; do [ -e "$c" ] && command -v systemctl >/dev/null 2>&1 && { echo yes; break; }; done`,
      `echo ${MARK}family; if [ -f /etc/redhat-release ]; then echo redhat; elif [ -f /etc/debian_version ]; then echo debian; else echo other; fi`,
      `if [ -e /run/systemd/system/ ] && command -v hostnamectl >/dev/null 2>&1; then echo ${MARK}transient; hostnamectl --transient status; echo ${MARK}static; hostnamectl --static status; fi`,
      `if [ -f /etc/hostname ]; then echo ${MARK}etc-hostname; cat /etc/hostname; fi`,
      `if [ -f /etc/sysconfig/network ]; then echo ${MARK}sysconfig; cat /etc/sysconfig/network; fi`,
      `echo ${MARK}kernel; uname -n`,
      // socket.getfqdn(): the names of the address the host's own name resolves to.
      `echo ${MARK}resolved; ip=$(getent hosts "$(uname -n)" | awk '{print $1; exit}'); [ -n "$ip" ] && getent hosts "$ip" | head -n 1 | cut -d' ' -f2- | tr -s ' \\t' '\\n\\n'`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const sections = outputSections(stdout, MARK);
    const family = (sections.get('family') ?? '').trim();
    return {
      systemd: (sections.get('systemd') ?? '').trim() === 'yes',
      family: family === 'redhat' || family === 'debian' ? family : 'other',
      transient: sections.has('transient') ? sections.get('transient')!.trim() : undefined,
      static: sections.has('static') ? sections.get('static')!.trim() : undefined,
      etcHostname: sections.has('etc-hostname') ? sections.get('etc-hostname')!.trim() : undefined,
      sysconfigNetwork: sections.get('sysconfig'),
      kernel: (sections.get('kernel') ?? '').trim(),
      resolvedNames: (sections.get('resolved') ?? '').split(/\s+/).filter((n) => n !== ''),
    };
  },
};

/** Python's socket.getfqdn() from what the resolver gave: the first name with a dot, else the name. */
export function fqdnOf(state: Pick<HostnameState, 'kernel' | 'resolvedNames'>): string {
  return state.resolvedNames.find((n) => n.includes('.')) ?? state.resolvedNames[0] ?? state.kernel;
}
