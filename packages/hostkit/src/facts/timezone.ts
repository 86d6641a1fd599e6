/**
 * What community.general.timezone reads on a Linux host, in one command: whether `timedatectl` is
 * there and answers (then systemd's way: `timedatectl status`), else the files of the non-systemd way
 * (/etc/timezone on Debian, which has dpkg-reconfigure; /etc/sysconfig/clock elsewhere), where
 * /etc/localtime points or whether it equals the planned zone's file, /etc/default/rcS and /etc/adjtime
 * for the hardware clock, and which tools exist. The parser is pure.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface TimezoneState {
  /** `timedatectl status` output when `timedatectl` exists and exits 0 (Ansible's SystemdTimezone). */
  timedatectl?: string;
  hasDpkgReconfigure: boolean;
  hasTzdataUpdate: boolean;
  hasHwclock: boolean;
  /** Content of the files (undefined: absent or unreadable). */
  etcTimezone?: string;
  sysconfigClock?: string;
  rcS?: string;
  adjtime?: string;
  /** /etc/localtime: a symlink (with its target, and whether that resolves), a file, or absent. */
  localtime: { kind: 'link'; target: string; resolves: boolean } | { kind: 'file' } | { kind: 'absent' };
  /** The planned zone's file under /usr/share/zoneinfo exists (a regular file). */
  zoneFileExists?: boolean;
  /** /etc/localtime has the same bytes as the planned zone's file. */
  localtimeSameAsZone?: boolean;
}

const MARK = '@@haweb-tz@@';

export const timezoneState: Fact<{ zone?: string }, TimezoneState> = {
  name: 'host.timezone',
  command({ zone }) {
    const zoneFile = zone === undefined ? undefined : shellQuote(`/usr/share/zoneinfo/${zone}`);
    return [
      `if command -v timedatectl >/dev/null 2>&1 && out=$(timedatectl status 2>/dev/null) && timedatectl >/dev/null 2>&1; then echo ${MARK}timedatectl; printf '%s\\n' "$out"; fi`,
      `echo ${MARK}tools; for t in dpkg-reconfigure tzdata-update hwclock; do command -v $t >/dev/null 2>&1 && echo $t; done`,
      `if [ -f /etc/timezone ]; then echo ${MARK}etc-timezone; cat /etc/timezone; fi`,
      `if [ -f /etc/sysconfig/clock ]; then echo ${MARK}sysconfig-clock; cat /etc/sysconfig/clock; fi`,
      `if [ -f /etc/default/rcS ]; then echo ${MARK}rcS; cat /etc/default/rcS; fi`,
      `if [ -f /etc/adjtime ]; then echo ${MARK}adjtime; cat /etc/adjtime; fi`,
      `echo ${MARK}localtime; if [ -L /etc/localtime ]; then echo link; readlink /etc/localtime; [ -e /etc/localtime ] && echo resolves; elif [ -e /etc/localtime ]; then echo file; else echo absent; fi`,
      ...(zoneFile
        ? [`echo ${MARK}zone; [ -f ${zoneFile} ] && echo exists; cmp -s /etc/localtime ${zoneFile} && echo same`]
        : []),
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const tools = (s.get('tools') ?? '').split('\n').map((l) => l.trim());
    const lt = (s.get('localtime') ?? '').split('\n');
    const zone = s.has('zone') ? s.get('zone')!.split('\n').map((l) => l.trim()) : undefined;
    return {
      timedatectl: s.get('timedatectl'),
      hasDpkgReconfigure: tools.includes('dpkg-reconfigure'),
      hasTzdataUpdate: tools.includes('tzdata-update'),
      hasHwclock: tools.includes('hwclock'),
      etcTimezone: s.get('etc-timezone'),
      sysconfigClock: s.get('sysconfig-clock'),
      rcS: s.get('rcS'),
      adjtime: s.get('adjtime'),
      localtime: lt[0] === 'link' ? { kind: 'link', target: lt[1] ?? '', resolves: lt[2] === 'resolves' } : lt[0] === 'file' ? { kind: 'file' } : { kind: 'absent' },
      zoneFileExists: zone ? zone.includes('exists') : undefined,
      localtimeSameAsZone: zone ? zone.includes('same') : undefined,
    };
  },
};
