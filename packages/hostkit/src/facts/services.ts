/**
 * Service facts: is it running, is it enabled at boot, and which tools manage it. Under systemd:
 * systemctl. Under SysV init: the init.d script's `status` (LSB exit codes) and the boot links,
 * read as /etc/rcN.d/[SK]NNname links (Debian's update-rc.d) or from `chkconfig --list` (RHEL family).
 */
import { shellQuote, type Fact } from '@haweb/core';

export interface ServiceFacts {
  manager: 'systemd' | 'sysv';
  /** The init script (or unit) exists. */
  exists: boolean;
  running: boolean;
  /** undefined: unknown (no links, not registered). */
  enabled: boolean | undefined;
  /** Boot links tool under SysV: chkconfig (RHEL family) or update-rc.d (Debian family). */
  bootTool: 'chkconfig' | 'update-rc.d' | 'systemctl' | 'none';
  /** `service` wrapper available (else the init.d script is called directly). */
  hasServiceCommand: boolean;
  /** chkconfig: service is registered (--add done). */
  registered?: boolean;
  /** Debian: runlevels with S links and with K links. */
  startLinks?: string[];
  killLinks?: string[];
  /**
   * systemd only: a live process named by the init script's pid file (its `# pidfile:` header) that
   * systemd does not run as this unit: the daemon was started by running /etc/init.d/NAME over SSH.
   */
  strayPid?: number;
  /** Its command line (NULs as spaces), checked again before it is signalled. */
  strayCommand?: string;
}

export interface ServiceArgs {
  name: string;
  /** A process pattern (pgrep -f) for init scripts without a working `status`. */
  pattern?: string;
}

export function serviceCommand({ name, pattern }: ServiceArgs): string {
  const n = shellQuote(name);
  return [
    `n=${n}`,
    `if [ -d /run/systemd/system ]; then`,
    `  echo manager=systemd`,
    `  if systemctl cat -- "$n.service" >/dev/null 2>&1; then echo exists=yes; else echo exists=no; fi`,
    `  systemctl is-active --quiet -- "$n.service"; echo status_rc=$?`,
    `  echo "enabled_state=$(systemctl is-enabled -- "$n.service" 2>/dev/null)"`,
    // A daemon started by its init script outside systemd: its pid file names a live process that is not the unit's.
    `  pf=$(sed -n 's/^# *pidfile: *//p' "/etc/init.d/$n" 2>/dev/null | head -n 1)`,
    `  pid=$(cat "$pf" 2>/dev/null | tr -dc 0-9)`,
    `  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ! grep -q "/$n.service" "/proc/$pid/cgroup" 2>/dev/null; then echo "stray_pid=$pid"; echo "stray_cmd=$(tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"; fi`,
    `  exit 0`,
    `fi`,
    `echo manager=sysv`,
    `if [ -x "/etc/init.d/$n" ]; then echo exists=yes; else echo exists=no; fi`,
    `if command -v service >/dev/null 2>&1; then echo service_cmd=yes; fi`,
    pattern !== undefined
      ? `if pgrep -f -- ${shellQuote(pattern)} >/dev/null 2>&1; then echo status_rc=0; else echo status_rc=3; fi`
      : `if [ -x "/etc/init.d/$n" ]; then "/etc/init.d/$n" status >/dev/null 2>&1 </dev/null; echo status_rc=$?; else echo status_rc=4; fi`,
    `if command -v chkconfig >/dev/null 2>&1; then`,
    `  echo boot_tool=chkconfig`,
    `  chkconfig --list "$n" 2>/dev/null | sed 's/^/chkconfig: /'`,
    `elif command -v update-rc.d >/dev/null 2>&1; then`,
    `  echo boot_tool=update-rc.d`,
    `  for l in /etc/rc[0-6S].d/[SK][0-9][0-9]"$n"; do [ -e "$l" ] || [ -L "$l" ] && echo "link=$l"; done`,
    `else echo boot_tool=none; fi`,
    `exit 0`,
  ].join('\n');
}

export function parseServiceFacts(stdout: string): ServiceFacts {
  const kv = new Map<string, string>();
  const links: string[] = [];
  const chkconfig: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('link=')) links.push(line.slice(5));
    else if (line.startsWith('chkconfig: ')) chkconfig.push(line.slice(11));
    else {
      const i = line.indexOf('=');
      if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  const manager = kv.get('manager') === 'systemd' ? 'systemd' : 'sysv';
  const exists = kv.get('exists') === 'yes';
  const running = kv.get('status_rc') === '0';
  if (manager === 'systemd') {
    const state = kv.get('enabled_state') ?? '';
    const strayPid = Number(kv.get('stray_pid'));
    return {
      manager,
      exists,
      running,
      enabled: state === 'enabled' || state === 'enabled-runtime' ? true : state === '' ? undefined : false,
      bootTool: 'systemctl',
      hasServiceCommand: false,
      ...(Number.isInteger(strayPid) && strayPid > 1 ? { strayPid, strayCommand: kv.get('stray_cmd')?.trim() ?? '' } : {}),
    };
  }
  const bootTool = (kv.get('boot_tool') as ServiceFacts['bootTool']) ?? 'none';
  const facts: ServiceFacts = { manager, exists, running, enabled: undefined, bootTool, hasServiceCommand: kv.get('service_cmd') === 'yes' };
  if (bootTool === 'chkconfig') {
    // "nginx          0:off   1:off   2:on    3:on    4:on    5:on    6:off"
    const line = chkconfig.find((l) => /\d:(on|off)/.test(l));
    facts.registered = line !== undefined;
    if (line) facts.enabled = [2, 3, 4, 5].some((lvl) => new RegExp(`\\b${lvl}:on\\b`).test(line));
    else facts.enabled = false;
  } else if (bootTool === 'update-rc.d') {
    const level = (l: string) => /\/etc\/rc([0-6S])\.d\//.exec(l)?.[1] ?? '?';
    const base = (l: string) => l.slice(l.lastIndexOf('/') + 1);
    facts.startLinks = links.filter((l) => base(l).startsWith('S')).map(level);
    facts.killLinks = links.filter((l) => base(l).startsWith('K')).map(level);
    // Enabled: started in one of the multi-user runlevels.
    facts.enabled = facts.startLinks.some((r) => ['2', '3', '4', '5'].includes(r));
  }
  return facts;
}

export const serviceFacts: Fact<ServiceArgs, ServiceFacts> = {
  name: 'service.status',
  command: serviceCommand,
  parse: (stdout) => parseServiceFacts(stdout),
};
