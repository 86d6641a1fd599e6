/**
 * Setting the host's name as Ansible's hostname module does, as a plan: the strategy Ansible picks
 * (systemd's hostnamectl when systemd manages the host; otherwise by family: /etc/hostname on
 * Debian and most Linux, HOSTNAME= in /etc/sysconfig/network on Red Hat), the names it compares, and
 * the steps when they differ. Pure.
 */
import type { Step } from '../apply.js';
import type { HostnameState } from '../facts/hostname.js';

export type HostnameStrategy = 'systemd' | 'file' | 'redhat';

/** Ansible's `use` values this plan implements, by strategy (debian means systemd in Ansible's table). */
export const HOSTNAME_USE: Readonly<Record<string, HostnameStrategy>> = { systemd: 'systemd', debian: 'systemd', redhat: 'redhat' };

export interface HostnamePlan {
  strategy: HostnameStrategy;
  /** The name now in force, as the strategy reads it. */
  current: string;
  /** The name kept across reboots, as the strategy reads it. */
  permanent: string;
  steps: Step[];
}

export function hostnameStrategy(state: HostnameState, use?: string): HostnameStrategy {
  if (use !== undefined) {
    const s = HOSTNAME_USE[use];
    if (!s) throw new Error(`hostname: use=${use} is not supported by this provisioner`);
    return s;
  }
  if (state.systemd) return 'systemd';
  return state.family === 'redhat' ? 'redhat' : 'file';
}

/** The HOSTNAME= value of /etc/sysconfig/network (Ansible: the first line starting with HOSTNAME). */
export function sysconfigHostname(content: string | undefined): string | undefined {
  for (const line of (content ?? '').split('\n')) {
    const t = line.trim();
    if (t.startsWith('HOSTNAME')) return t.split('=')[1]?.trim() ?? '';
  }
  return undefined;
}

/** /etc/sysconfig/network with its HOSTNAME line replaced (or added), every other line kept. */
export function withSysconfigHostname(content: string | undefined, name: string): string {
  const lines = (content ?? '').split(/(?<=\n)/).filter((l) => l !== '');
  let found = false;
  const out = lines.map((l) => {
    if (!l.trim().startsWith('HOSTNAME')) return l;
    found = true;
    return `HOSTNAME=${name}\n`;
  });
  if (!found) {
    // Ansible appends to a last line without its newline (HOSTNAME glued to it): ours ends it first.
    if (out.length && !out[out.length - 1].endsWith('\n')) out[out.length - 1] += '\n';
    out.push(`HOSTNAME=${name}\n`);
  }
  return out.join('');
}

export function hostnamePlan(state: HostnameState, name: string, use?: string): HostnamePlan {
  const strategy = hostnameStrategy(state, use);
  if (strategy === 'systemd') {
    if (name.length > 64) throw new Error('name cannot be longer than 64 characters on systemd servers, try a shorter name');
    const current = state.transient ?? state.kernel;
    const permanent = state.static ?? '';
    const steps: Step[] = [];
    // Permanent first, as Ansible does (NetworkManager complains otherwise).
    if (permanent !== name) steps.push({ kind: 'run', argv: ['hostnamectl', '--pretty', '--static', 'set-hostname', name], why: `set the static hostname to ${name}` });
    if (current !== name) steps.push({ kind: 'run', argv: ['hostnamectl', '--transient', 'set-hostname', name], why: `set the transient hostname to ${name}` });
    return { strategy, current, permanent, steps };
  }
  if (strategy === 'redhat') {
    const permanent = sysconfigHostname(state.sysconfigNetwork);
    if (permanent === undefined) throw new Error('Unable to locate HOSTNAME entry in /etc/sysconfig/network');
    const steps: Step[] = permanent === name ? [] : [{ kind: 'file', path: '/etc/sysconfig/network', content: withSysconfigHostname(state.sysconfigNetwork, name), mode: '0644', why: `set HOSTNAME=${name} in /etc/sysconfig/network` }];
    // Ansible's Red Hat and file strategies read the current name from the file too, and never
    // change the running one: what it does, this plan does.
    return { strategy, current: permanent, permanent, steps };
  }
  const permanent = state.etcHostname ?? '';
  const steps: Step[] = permanent === name ? [] : [{ kind: 'file', path: '/etc/hostname', content: `${name}\n`, mode: '0644', why: `write ${name} to /etc/hostname` }];
  return { strategy, current: permanent, permanent, steps };
}
