/**
 * Every service the host knows, as Ansible's service_facts lists them: `service --status-all` (sysv,
 * when there is no chkconfig nor OpenRC), chkconfig's runlevel table with each service's status exit
 * code (Red Hat's SysV), and systemd's units and unit files (when PID 1 is systemd). One command
 * that prints each source in its own section; the parsers are pure.
 */
import type { Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface ServiceEntry {
  name: string;
  state: string;
  status?: string;
  source: 'sysv' | 'systemd';
}

const MARK = '@@haweb-svc@@';
// Ansible looks for its tools in PATH plus the sbin folders (get_bin_path).
const PATH = 'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin:/bin:/usr/bin"; export PATH';

export const serviceList: Fact<void, Record<string, ServiceEntry>> = {
  name: 'services.list',
  command() {
    return [
      PATH,
      'has() { command -v "$1" >/dev/null 2>&1; }',
      `if has service && ! has chkconfig && ! has rc-status; then echo ${MARK}sysv; service --status-all 2>/dev/null; fi`,
      `if has chkconfig; then echo ${MARK}chkconfig; chkconfig --list 2>/dev/null | while read -r s rest; do`,
      `  case "$rest" in *0:*) service "$s" status >/dev/null 2>&1; printf '%s %s %s\\n' "$?" "$s" "$rest";; esac; done; fi`,
      `if grep -q systemd /proc/1/comm 2>/dev/null && has systemctl; then`,
      '  units=$(systemctl list-units --no-pager --type service --all 2>/dev/null)',
      '  files=$(systemctl list-unit-files --no-pager --type service --all 2>/dev/null)',
      `  echo ${MARK}units; printf '%s\\n' "$units"; echo ${MARK}unit-files; printf '%s\\n' "$files"; echo ${MARK}active`,
      // A unit file with no loaded unit: its ActiveState, asked one by one as Ansible asks.
      `  printf '%s\\n' "$files" | grep '\\.service' | while read -r n rest; do`,
      `    printf '%s\\n' "$units" | awk -v n="$n" '{for(i=1;i<=NF;i++) if($i==n) f=1} END{exit !f}' && continue`,
      `    if o=$(systemctl show "$n" --property=ActiveState 2>/dev/null) && [ -n "$o" ]; then printf 'Id=%s\\n%s\\n\\n' "$n" "$o"; fi`,
      '  done',
      `fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const sections = outputSections(stdout, MARK);
    const services: Record<string, ServiceEntry> = {};
    Object.assign(services, parseStatusAll(sections.get('sysv') ?? ''));
    Object.assign(services, parseChkconfig(sections.get('chkconfig') ?? ''));
    if (sections.has('units')) {
      Object.assign(services, parseSystemd(sections.get('units') ?? '', sections.get('unit-files') ?? '', parseActiveStates(sections.get('active') ?? '')));
    }
    return services;
  },
};

/** `service --status-all`: `[ + ]  name` running, `[ - ]  name` stopped, `[ ? ]` left out (as Ansible). */
export function parseStatusAll(text: string): Record<string, ServiceEntry> {
  const out: Record<string, ServiceEntry> = {};
  for (const m of text.matchAll(/^\s*\[ ([+-]) \]\s+(.+)$/gm)) {
    out[m[2]] = { name: m[2], state: m[1] === '+' ? 'running' : 'stopped', source: 'sysv' };
  }
  return out;
}

/** Lines `<status rc> <name> 0:off 1:off 2:on 3:on ...`: enabled when on in runlevel 3, running when rc 0. */
export function parseChkconfig(text: string): Record<string, ServiceEntry> {
  const out: Record<string, ServiceEntry> = {};
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\S+)\s+0:(?:on|off)\s+1:(?:on|off)\s+2:(?:on|off)\s+3:(on|off)\s+4:(?:on|off)\s+5:(?:on|off)\s+6:(?:on|off)/.exec(line);
    if (!m) continue;
    out[m[2]] = { name: m[2], state: m[1] === '0' ? 'running' : 'stopped', status: m[3] === 'on' ? 'enabled' : 'disabled', source: 'sysv' };
  }
  return out;
}

/** `systemctl show --property=Id,ActiveState '*'`: unit -> ActiveState. */
export function parseActiveStates(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of text.split(/\n\s*\n/)) {
    const id = /^Id=(.*)$/m.exec(block)?.[1];
    const state = /^ActiveState=(.*)$/m.exec(block)?.[1];
    if (id && state !== undefined) out[id] = state;
  }
  return out;
}

const BAD_STATES = ['not-found', 'masked', 'failed'];

/**
 * Ansible's systemd scan: units (running when SUB is running; status the ACTIVE column, or the bad
 * state the line carries), then unit files (their state becomes the status, unless a bad one is
 * already known; a unit file without a loaded unit gets its ActiveState).
 */
export function parseSystemd(units: string, unitFiles: string, activeStates: Record<string, string>): Record<string, ServiceEntry> {
  const out: Record<string, ServiceEntry> = {};
  for (const line of units.split('\n').filter((l) => l.includes('.service'))) {
    let fields = line.split(/\s+/).filter((f) => f !== '');
    let status: string;
    const bad = BAD_STATES.find((b) => fields.includes(b));
    if (bad) {
      status = bad;
      fields = fields.slice(1);
    } else status = fields[2];
    const name = fields[0];
    out[name] = { name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
  for (const line of unitFiles.split('\n').filter((l) => l.includes('.service'))) {
    const [name, status] = line.split(/\s+/).filter((f) => f !== '');
    if (!name || status === undefined) continue;
    if (!out[name]) out[name] = { name, state: activeStates[name] ?? 'unknown', status, source: 'systemd' };
    else if (!BAD_STATES.includes(out[name].status ?? '')) out[name].status = status;
  }
  return out;
}
