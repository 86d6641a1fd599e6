/**
 * community.general.timezone on Linux, as pure functions of the facts (facts/timezone.ts): which way
 * the host is handled (timedatectl when it answers; else Debian's /etc/timezone + dpkg-reconfigure, or
 * /etc/sysconfig/clock), the current value of each asked key the way the module reads it, and the steps
 * that set what differs (the hardware clock first, then the zone, in the module's order).
 */
import type { Step } from '../apply.js';
import type { TimezoneState } from '../facts/timezone.js';

export interface TimezoneArgs {
  name?: string;
  hwclock?: 'local' | 'UTC';
}

export type TimezoneMethod = 'systemd' | 'debian' | 'sysconfig';
export type TimezoneValues = { name?: string; hwclock?: string };

export function timezoneMethod(state: TimezoneState): TimezoneMethod {
  if (state.timedatectl !== undefined) return 'systemd';
  return state.hasDpkgReconfigure ? 'debian' : 'sysconfig';
}

/** Python's module.boolean for the words these files hold. */
function truthy(word: string): boolean | undefined {
  const w = word.toLowerCase();
  if (['yes', 'on', '1', 'true', 'y', 't'].includes(w)) return true;
  if (['no', 'off', '0', 'false', 'n', 'f'].includes(w)) return false;
  return undefined;
}

const SUSE_ZONE = /^TIMEZONE\s*=\s*"?([^"\s]+)"?/m;
const REDHAT_ZONE = /^ZONE\s*=\s*"?([^"\s]+)"?/m;
const DEBIAN_ZONE = /^([^\s]+)/m;
const HWCLOCK = /^UTC\s*=\s*([^\s]+)/m;
const ADJTIME = /^(UTC|LOCAL)$/m;

/** Where the zone is written and how, for the non-systemd ways. */
function zoneConf(state: TimezoneState, method: 'debian' | 'sysconfig'): { path: string; content?: string; regexp: RegExp; line: (z: string) => string } {
  if (method === 'debian') return { path: '/etc/timezone', content: state.etcTimezone, regexp: DEBIAN_ZONE, line: (z) => `${z}\n` };
  const suse = state.sysconfigClock !== undefined && /^TIMEZONE\s*=/m.test(state.sysconfigClock);
  return {
    path: '/etc/sysconfig/clock',
    content: state.sysconfigClock,
    regexp: suse ? SUSE_ZONE : REDHAT_ZONE,
    line: suse ? (z) => `TIMEZONE="${z}"\n` : (z) => `ZONE="${z}"\n`,
  };
}

function hwclockConf(state: TimezoneState, method: 'debian' | 'sysconfig'): { path: string; content?: string } {
  return method === 'debian' ? { path: '/etc/default/rcS', content: state.rcS } : { path: '/etc/sysconfig/clock', content: state.sysconfigClock };
}

/**
 * The current value of each asked key, as the module's get() reads it ('n/a' where it cannot tell).
 * `phase` 'after': a zone file with no zone line is an error, as in the module.
 */
export function timezoneValues(state: TimezoneState, args: TimezoneArgs, phase: 'before' | 'after'): TimezoneValues {
  const method = timezoneMethod(state);
  const out: TimezoneValues = {};
  if (method === 'systemd') {
    const status = state.timedatectl ?? '';
    if (args.hwclock !== undefined) {
      const m = /^\s*RTC in local TZ\s*:\s*([^\s]+)/m.exec(status);
      if (!m) throw new Error(`timedatectl status shows no "RTC in local TZ" line`);
      out.hwclock = truthy(m[1]) ? 'local' : 'UTC';
    }
    if (args.name !== undefined) {
      const m = /^\s*Time ?zone\s*:\s*([^\s]+)/m.exec(status);
      if (!m) throw new Error(`timedatectl status shows no "Time zone" line`);
      out.name = m[1];
    }
    return out;
  }
  if (args.hwclock !== undefined) {
    const conf = hwclockConf(state, method);
    const m = conf.content === undefined ? null : HWCLOCK.exec(conf.content);
    let value = m ? (truthy(m[1]) ? 'UTC' : 'local') : 'n/a';
    if (value === args.hwclock) {
      const a = state.adjtime === undefined ? null : ADJTIME.exec(state.adjtime);
      value = a ? (a[1] === 'UTC' ? 'UTC' : a[1].toLowerCase()) : 'UTC';
    }
    out.hwclock = value;
  }
  if (args.name !== undefined) {
    const planned = args.name;
    const conf = zoneConf(state, method);
    let value: string;
    if (conf.content === undefined) value = 'n/a';
    else {
      const m = conf.regexp.exec(conf.content);
      if (m) value = m[1];
      else if (phase === 'before') value = 'n/a';
      else throw new Error(`tried to configure name using a file "${conf.path}", but could not find a valid value in it`);
    }
    if (value === planned) {
      const lt = state.localtime;
      if (lt.kind === 'link') {
        if (lt.resolves) {
          const linked = /(?:\/(?:usr\/share|etc)\/zoneinfo\/)(.*)/.exec(lt.target);
          if (!linked) value = 'n/a';
          else if (linked[1] !== planned) value = linked[1];
        } else value = 'n/a';
      } else if (!state.localtimeSameAsZone) value = 'n/a';
    }
    out.name = value;
  }
  return out;
}

/** The module's _edit_file: the first line the regexp finds becomes `line`, the other found lines go. */
export function editConfLine(content: string | undefined, regexp: RegExp, line: string): string {
  const lines = content === undefined ? [] : (content.match(/[^\n]*\n|[^\n]+$/g) ?? []);
  const single = new RegExp(regexp.source, regexp.flags.replace('g', ''));
  const found = lines.map((l, i) => (single.test(l) ? i : -1)).filter((i) => i >= 0);
  const at = found.length ? found[0] : 0;
  const kept = lines.filter((_, i) => !found.includes(i));
  kept.splice(at, 0, line);
  return kept.join('');
}

export interface TimezonePlan {
  method: TimezoneMethod;
  before: TimezoneValues;
  planned: TimezoneValues;
  steps: Step[];
  failure?: string;
}

export function planTimezone(state: TimezoneState, args: TimezoneArgs): TimezonePlan {
  const method = timezoneMethod(state);
  const planned: TimezoneValues = {
    ...(args.hwclock !== undefined ? { hwclock: args.hwclock } : {}),
    ...(args.name !== undefined ? { name: args.name } : {}),
  };
  const base = { method, planned, steps: [] as Step[] };
  if (args.name !== undefined && !state.zoneFileExists) return { ...base, before: {}, failure: `given timezone "${args.name}" is not available` };
  if (method !== 'systemd' && !state.hasHwclock) {
    return { ...base, before: {}, failure: 'Failed to find required executable "hwclock" (the timezone module needs it on hosts without a working timedatectl)' };
  }
  let before: TimezoneValues;
  try {
    before = timezoneValues(state, args, 'before');
  } catch (err) {
    return { ...base, before: {}, failure: (err as Error).message };
  }
  const steps: Step[] = [];
  if (args.hwclock !== undefined && before.hwclock !== args.hwclock) {
    if (method === 'systemd') steps.push({ kind: 'run', argv: ['timedatectl', 'set-local-rtc', args.hwclock === 'local' ? 'yes' : 'no'], why: `hardware clock in ${args.hwclock}` });
    else {
      const conf = hwclockConf(state, method);
      steps.push({ kind: 'file', path: conf.path, content: editConfLine(conf.content, HWCLOCK, `UTC=${args.hwclock === 'local' ? 'no' : 'yes'}\n`), why: `hardware clock in ${args.hwclock}` });
      steps.push({ kind: 'run', argv: ['hwclock', '--systohc', args.hwclock === 'local' ? '--localtime' : '--utc'], why: `hardware clock in ${args.hwclock}` });
    }
  }
  if (args.name !== undefined && before.name !== args.name) {
    const zoneFile = `/usr/share/zoneinfo/${args.name}`;
    const why = `time zone ${args.name}`;
    if (method === 'systemd') steps.push({ kind: 'run', argv: ['timedatectl', 'set-timezone', args.name], why });
    else {
      const conf = zoneConf(state, method);
      steps.push({ kind: 'file', path: conf.path, content: editConfLine(conf.content, conf.regexp, conf.line(args.name)), why });
      if (method === 'debian') {
        steps.push({ kind: 'run', argv: ['ln', '-sf', zoneFile, '/etc/localtime'], why });
        steps.push({ kind: 'run', argv: ['dpkg-reconfigure', '--frontend', 'noninteractive', 'tzdata'], why });
      } else if (state.hasTzdataUpdate && state.localtime.kind !== 'link') steps.push({ kind: 'run', argv: ['tzdata-update'], why });
      else steps.push({ kind: 'run', argv: ['cp', '--remove-destination', zoneFile, '/etc/localtime'], why });
    }
  }
  return { method, before, planned, steps };
}
