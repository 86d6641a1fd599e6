import { shellQuote, type Fact } from '@haweb/core';
import { HOST_PROFILE_COMMAND, enabledCheckScript, parseHostProfile, type HostProfile, type OsFamily } from '@haweb/hostkit';

/** What vrrp_service finds on a host, read in one round trip (a no-op run must stay fast). */
export interface VrrpHostState {
  /** The install manifest written after the last complete install. */
  manifest?: InstallManifest;
  arch: string;
  libc: string;
  /** sha256 and octal mode of each managed file that exists. */
  files: Record<string, { sha256?: string; mode?: string }>;
  /** Node binary and daemon entry present where the manifest says. */
  runtimePresent: boolean;
  serviceInstalled: boolean;
  running: boolean;
  enabled: boolean;
  /** The host's init, firewall, /run, SELinux (undefined when the probe could not tell). */
  profile?: HostProfile;
  /** systemd hosts: a live vrrpd named by the pid file that systemd does not run (started by an init script). */
  strayPid?: number;
}

export interface InstallManifest {
  runtime_digest: string;
  node: string;
}

export interface HostStateArgs {
  family: OsFamily;
  prefix: string;
  name: string;
  entry: string;
  managedFiles: string[];
  /** The pid file, to find a daemon running outside systemd. */
  pidFile?: string;
}

const SECTIONS = ['manifest', 'arch', 'libc', 'sums', 'modes', 'runtime', 'service', 'stray', 'profile'] as const;

export function manifestPath(prefix: string): string {
  return `${prefix}/.haweb-install.json`;
}

export const vrrpHostStateFact: Fact<HostStateArgs, VrrpHostState> = {
  name: 'vrrp_service_state',
  command({ family, prefix, name, entry, managedFiles, pidFile }) {
    const files = managedFiles.map(shellQuote).join(' ');
    const init = shellQuote(`/etc/init.d/${name}`);
    const unit = shellQuote(`${name}.service`);
    return [
      'echo @@manifest',
      `cat ${shellQuote(manifestPath(prefix))} 2>/dev/null`,
      'echo; echo @@arch',
      'uname -m',
      'echo @@libc',
      "getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>&1 | head -n 1",
      'echo @@sums',
      `sha256sum ${files} 2>/dev/null`,
      'echo @@modes',
      `stat -c '%a %n' ${files} 2>/dev/null`,
      'echo @@runtime',
      `test -x ${shellQuote(`${prefix}/node/bin/node`)} && test -f ${shellQuote(`${prefix}/lib/${entry}`)} && echo present`,
      'echo @@service',
      // Where systemd is PID 1 the unit is the service; elsewhere the init script is.
      `if [ -d /run/systemd/system ]; then`,
      `  [ -f ${shellQuote(`/etc/systemd/system/${name}.service`)} ] && echo installed; systemctl is-active --quiet ${unit} && echo running`,
      `else`,
      `  if [ -x ${init} ]; then echo installed; ${init} status >/dev/null 2>&1 && echo running; fi`,
      `fi`,
      `${enabledCheckScript(family, name)} && echo enabled`,
      ...(pidFile
        ? [
            'echo @@stray',
            `if [ -d /run/systemd/system ]; then pid=$(cat ${shellQuote(pidFile)} 2>/dev/null | tr -dc 0-9); ` +
              `if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -q ${shellQuote(`/${name}.service`)} "/proc/$pid/cgroup" 2>/dev/null; then echo "$pid"; fi; fi`,
          ]
        : []),
      'echo @@profile',
      HOST_PROFILE_COMMAND,
      'true',
    ].join('\n');
  },
  parse(stdout) {
    const parts: Record<string, string> = {};
    let current: string | undefined;
    for (const line of stdout.split('\n')) {
      const m = /^@@(\w+)$/.exec(line.trim());
      if (m && (SECTIONS as readonly string[]).includes(m[1])) {
        current = m[1];
        parts[current] = '';
      } else if (current) {
        parts[current] += `${line}\n`;
      }
    }
    let manifest: InstallManifest | undefined;
    try {
      const text = (parts.manifest ?? '').trim();
      const parsed = text ? (JSON.parse(text) as InstallManifest) : undefined;
      if (parsed && typeof parsed.runtime_digest === 'string' && typeof parsed.node === 'string') manifest = parsed;
    } catch {
      manifest = undefined;
    }
    const files: VrrpHostState['files'] = {};
    for (const line of (parts.sums ?? '').split('\n')) {
      const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
      if (m) files[m[2]] = { ...files[m[2]], sha256: m[1] };
    }
    for (const line of (parts.modes ?? '').split('\n')) {
      const m = /^([0-7]{3,4}) (.+)$/.exec(line.trim());
      if (m) files[m[2]] = { ...files[m[2]], mode: m[1].padStart(4, '0') };
    }
    const service = new Set((parts.service ?? '').split(/\s+/));
    let profile: HostProfile | undefined;
    try {
      profile = parts.profile ? parseHostProfile(parts.profile) : undefined;
    } catch {
      profile = undefined;
    }
    const strayPid = Number.parseInt((parts.stray ?? '').trim(), 10);
    return {
      ...(profile ? { profile } : {}),
      ...(Number.isInteger(strayPid) && strayPid > 1 ? { strayPid } : {}),
      manifest,
      arch: (parts.arch ?? '').trim(),
      libc: (parts.libc ?? '').trim(),
      files,
      runtimePresent: (parts.runtime ?? '').includes('present'),
      serviceInstalled: service.has('installed'),
      running: service.has('running'),
      enabled: service.has('enabled'),
    };
  },
};
