/**
 * ansible.posix.firewalld for ports and services, as firewall-cmd does it: the module's transaction
 * (immediate and/or permanent; neither means immediate; offline, i.e. firewalld not running, allows only
 * permanent changes, made with firewall-offline-cmd), from the queries' answers. Pure.
 */
import { shellQuote, type Fact } from '@haweb/core';

export interface FirewalldItem {
  kind: 'port' | 'service';
  /** `8080/tcp` for a port, the service's name for a service. */
  value: string;
}

export interface FirewalldQuery {
  /** The firewall python module the Ansible module imports (firewalld installed). */
  installed: boolean;
  running: boolean;
  zone: string;
  /** exit codes of --query-port/--query-service: 0 yes, 1 no, other: an error (its output in `errors`). */
  immediate?: number;
  permanent?: number;
  errors: string;
}

const MARK = '@@haweb-fwd@@';

function queryFlag(item: FirewalldItem): string {
  return item.kind === 'port' ? `--query-port=${item.value}` : `--query-service=${item.value}`;
}

export const firewalldQuery: Fact<{ item: FirewalldItem; zone?: string }, FirewalldQuery> = {
  name: 'host.firewalld',
  command({ item, zone }) {
    const q = shellQuote(queryFlag(item));
    const z = zone === undefined ? '' : shellQuote(`--zone=${zone}`);
    return [
      `if ! python3 -c 'import firewall.config' >/dev/null 2>&1; then echo ${MARK}missing; exit 0; fi`,
      `if firewall-cmd --state >/dev/null 2>&1; then`,
      `  echo ${MARK}running; echo ${MARK}zone; ${zone === undefined ? 'firewall-cmd --get-default-zone' : `printf '%s\\n' ${shellQuote(zone)}`}`,
      `  echo ${MARK}errors; firewall-cmd ${z} ${q} >/dev/null 2>/tmp/.haweb-fwd.$$; r=$?; cat /tmp/.haweb-fwd.$$; echo ${MARK}immediate; echo $r`,
      `  echo ${MARK}errors2; firewall-cmd --permanent ${z} ${q} >/dev/null 2>/tmp/.haweb-fwd.$$; r=$?; cat /tmp/.haweb-fwd.$$; rm -f /tmp/.haweb-fwd.$$; echo ${MARK}permanent; echo $r`,
      'else',
      `  echo ${MARK}zone; ${zone === undefined ? 'firewall-offline-cmd --get-default-zone' : `printf '%s\\n' ${shellQuote(zone)}`}`,
      `  echo ${MARK}errors2; firewall-offline-cmd ${z} ${q} >/dev/null 2>/tmp/.haweb-fwd.$$; r=$?; cat /tmp/.haweb-fwd.$$; rm -f /tmp/.haweb-fwd.$$; echo ${MARK}permanent; echo $r`,
      'fi',
    ].join('\n');
  },
  parse(stdout) {
    const sections = new Map<string, string>();
    for (const part of stdout.split(MARK).slice(1)) {
      const nl = part.indexOf('\n');
      sections.set(nl < 0 ? part : part.slice(0, nl), nl < 0 ? '' : part.slice(nl + 1));
    }
    const num = (k: string) => (sections.has(k) ? Number(sections.get(k)!.trim()) : undefined);
    return {
      installed: !sections.has('missing'),
      running: sections.has('running'),
      zone: (sections.get('zone') ?? '').trim(),
      immediate: num('immediate'),
      permanent: num('permanent'),
      errors: `${sections.get('errors') ?? ''}${sections.get('errors2') ?? ''}`.trim(),
    };
  },
};

export interface FirewalldArgs {
  item: FirewalldItem;
  state: 'enabled' | 'disabled';
  permanent?: boolean;
  immediate: boolean;
  timeout: number;
}

export interface FirewalldPlan {
  commands: string[][];
  changed: boolean;
  msg: string;
  failure?: string;
}

function verb(item: FirewalldItem, on: boolean): string {
  return `--${on ? 'add' : 'remove'}-${item.kind}=${item.value}`;
}

export function planFirewalld(q: FirewalldQuery, a: FirewalldArgs): FirewalldPlan {
  const none = { commands: [], changed: false, msg: '' };
  if (!q.installed) {
    return { ...none, failure: 'Failed to import the required Python library (firewall) on the host\'s Python. Version 0.2.11 or newer required (0.3.9 or newer for offline operations)' };
  }
  const offline = !q.running;
  const permanent = a.permanent ?? false;
  const immediate = !permanent && !a.immediate ? true : a.immediate;
  if (immediate && offline) return { ...none, failure: 'firewall is not currently running, unable to perform immediate actions without a running firewall daemon' };
  const bad = [q.immediate, q.permanent].filter((c) => c !== undefined && c !== 0 && c !== 1);
  if (bad.length) {
    const hint = /INVALID_SERVICE/.test(q.errors) ? ' Services are defined by port/tcp relationship and named as they are in /etc/services (on most systems)' : '';
    return { ...none, failure: `ERROR: Exception caught: ${q.errors || `firewall-cmd exited ${bad[0]}`}${hint}` };
  }
  const want = a.state === 'enabled';
  const zoneFlag = `--zone=${q.zone}`;
  const commands: string[][] = [];
  const msgs: string[] = [];
  const isOn = (c: number | undefined) => c === 0;
  if (permanent && immediate) msgs.push('Permanent and Non-Permanent(immediate) operation');
  else if (permanent) msgs.push('Permanent operation');
  else msgs.push('Non-permanent operation');
  if (permanent && isOn(q.permanent) !== want) {
    commands.push(offline ? ['firewall-offline-cmd', zoneFlag, verb(a.item, want)] : ['firewall-cmd', '--permanent', zoneFlag, verb(a.item, want)]);
  }
  if (immediate && isOn(q.immediate) !== want) {
    commands.push(['firewall-cmd', zoneFlag, verb(a.item, want), ...(want && a.timeout > 0 ? [`--timeout=${a.timeout}`] : [])]);
  }
  const changed = commands.length > 0;
  if (changed) msgs.push(`Changed ${a.item.kind} ${a.item.value} to ${a.state}`);
  if (offline) msgs.push('(offline operation: only on-disk configs were altered)');
  return { commands, changed, msg: msgs.join(', ') };
}
