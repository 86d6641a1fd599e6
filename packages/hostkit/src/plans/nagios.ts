/**
 * Nagios external commands as community.general.nagios writes them: `[<now>] COMMAND;args...` lines,
 * each written to the command file (a FIFO Nagios reads) with its own open/write/close, the file found
 * from the `command_file=` line of the first Nagios or Icinga main configuration that has one. Pure
 * command builder; one fact (the command file); the writing script.
 */
import { shellQuote, type Fact } from '@haweb/core';

/** Where Ansible's module looks for nagios.cfg, in its order. */
export const NAGIOS_CONFIGS = [
  '/etc/nagios/nagios.cfg', '/etc/nagios3/nagios.cfg', '/etc/nagios2/nagios.cfg', '/usr/local/etc/nagios/nagios.cfg',
  '/usr/local/groundwork/nagios/etc/nagios.cfg', '/omd/sites/oppy/tmp/nagios/nagios.cfg', '/usr/local/nagios/etc/nagios.cfg',
  '/usr/local/nagios/nagios.cfg', '/opt/nagios/etc/nagios.cfg', '/opt/nagios/nagios.cfg', '/etc/icinga/icinga.cfg',
  '/usr/local/icinga/etc/icinga.cfg',
] as const;

/** The command file named by the first configuration (in NAGIOS_CONFIGS order) with a command_file line. */
export const nagiosCommandFile: Fact<Record<string, never>, string | undefined> = {
  name: 'nagios.cmdfile',
  command() {
    // Ansible takes what follows the first `=` up to the next one, stripped.
    return `for f in ${NAGIOS_CONFIGS.map(shellQuote).join(' ')}; do [ -e "$f" ] || continue; v=$(grep -m1 '^command_file' "$f") && { printf '%s\\n' "$v" | cut -d= -f2; exit 0; }; done; exit 0`;
  },
  parse(stdout) {
    const v = stdout.split('\n')[0]?.trim();
    return v ? v : undefined;
  },
};

export interface NagiosRequest {
  action: string;
  host?: string;
  servicegroup?: string;
  /** undefined, 'host', 'all', or the services (split on commas, as Ansible does). */
  services?: string | string[];
  command?: string;
  author: string;
  comment: string;
  minutes: number;
  start?: number;
}

/** The command lines (each ending in a newline) Ansible's module writes for the request, at `now`. */
export function nagiosCommands(r: NagiosRequest, now: number): string[] {
  const head = (cmd: string, target: string | undefined) => `[${now}] ${cmd};${target};`;
  const list = (s: NagiosRequest['services']) => (Array.isArray(s) ? s : []);
  const downtime = (cmd: string, target: string | undefined, svc?: string) => {
    const start = r.start ?? now;
    const seconds = r.minutes * 60;
    const rest = [String(start), String(start + seconds), '1', '0', String(seconds), r.author, r.comment];
    return `${head(cmd, target)}${(svc !== undefined ? [svc, ...rest] : rest).join(';')}\n`;
  };
  const ack = (cmd: string, svc?: string) => `${head(cmd, r.host)}${[...(svc !== undefined ? [svc] : []), '0', '1', '0', r.author, r.comment].join(';')}\n`;
  const delDowntime = (svc: string | undefined, comment: string) => `${head('DEL_DOWNTIME_BY_HOST_NAME', r.host)}${[svc ?? '', '', comment].join(';')}\n`;
  const check = (cmd: string, svc?: string) => `${head(cmd, r.host)}${[...(svc !== undefined ? [svc] : []), String(r.start ?? now + 3)].join(';')}\n`;
  const notif = (cmd: string, host?: string, svc?: string) => `[${now}] ${cmd}${host !== undefined ? `;${host}${svc !== undefined ? `;${svc}` : ''}` : ''}\n`;
  const s = r.services;
  switch (r.action) {
    case 'downtime':
      if (s === 'host') return [downtime('SCHEDULE_HOST_DOWNTIME', r.host)];
      if (s === 'all') return [downtime('SCHEDULE_HOST_SVC_DOWNTIME', r.host)];
      return list(s).map((svc) => downtime('SCHEDULE_SVC_DOWNTIME', r.host, svc));
    case 'acknowledge':
      if (s === 'host') return [ack('ACKNOWLEDGE_HOST_PROBLEM')];
      return list(s).map((svc) => ack('ACKNOWLEDGE_SVC_PROBLEM', svc));
    case 'delete_downtime':
      // For 'all' Ansible passes an empty comment; otherwise its default comment.
      if (s === 'host') return [delDowntime(undefined, r.comment)];
      if (s === 'all') return [delDowntime(undefined, '')];
      return list(s).map((svc) => delDowntime(svc, r.comment));
    case 'forced_check':
      if (s === 'host') return [check('SCHEDULE_FORCED_HOST_CHECK')];
      if (s === 'all') return [check('SCHEDULE_FORCED_HOST_SVC_CHECKS')];
      return list(s).map((svc) => check('SCHEDULE_FORCED_SVC_CHECK', svc));
    case 'servicegroup_host_downtime':
      return r.servicegroup ? [downtime('SCHEDULE_SERVICEGROUP_HOST_DOWNTIME', r.servicegroup)] : [];
    case 'servicegroup_service_downtime':
      return r.servicegroup ? [downtime('SCHEDULE_SERVICEGROUP_SVC_DOWNTIME', r.servicegroup)] : [];
    case 'silence':
      return [notif('DISABLE_HOST_SVC_NOTIFICATIONS', r.host), notif('DISABLE_HOST_NOTIFICATIONS', r.host)];
    case 'unsilence':
      return [notif('ENABLE_HOST_SVC_NOTIFICATIONS', r.host), notif('ENABLE_HOST_NOTIFICATIONS', r.host)];
    case 'enable_alerts':
      if (s === 'host') return [notif('ENABLE_HOST_NOTIFICATIONS', r.host)];
      if (s === 'all') return [notif('ENABLE_HOST_SVC_NOTIFICATIONS', r.host)];
      return list(s).map((svc) => notif('ENABLE_SVC_NOTIFICATIONS', r.host, svc));
    case 'disable_alerts':
      if (s === 'host') return [notif('DISABLE_HOST_NOTIFICATIONS', r.host)];
      if (s === 'all') return [notif('DISABLE_HOST_SVC_NOTIFICATIONS', r.host)];
      return list(s).map((svc) => notif('DISABLE_SVC_NOTIFICATIONS', r.host, svc));
    case 'silence_nagios':
      return [notif('DISABLE_NOTIFICATIONS')];
    case 'unsilence_nagios':
      return [notif('ENABLE_NOTIFICATIONS')];
    case 'command':
      return [`[${now}] ${r.command}\n`];
    default:
      return [];
  }
}

/** Exit codes of nagiosWriteScript, with Ansible's messages. */
export const NAGIOS_WRITE_ERRORS: Readonly<Record<number, string>> = {
  3: 'nagios command file does not exist',
  4: 'nagios command file is not a fifo file',
  5: 'unable to write to nagios command file',
};

/**
 * Writes each line with its own open (a FIFO delivers each as Nagios reads them), after the checks
 * Ansible's module makes before every write; stops at the first failure with its exit code.
 */
export function nagiosWriteScript(cmdfile: string, lines: readonly string[]): string {
  const f = shellQuote(cmdfile);
  return lines.map((l) => `{ [ -e ${f} ] || exit 3; [ -p ${f} ] || exit 4; printf '%s' ${shellQuote(l)} > ${f} || exit 5; }`).join('\n');
}
