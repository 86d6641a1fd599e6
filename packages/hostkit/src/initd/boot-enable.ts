import { shellQuote } from '@haweb/core';
import type { OsFamily } from '../os-family.js';

/**
 * Enabling an init.d service at boot, the family's way: chkconfig on RHEL (it reads the script's
 * `# chkconfig:` line), update-rc.d on Debian (it reads the LSB block; Debian 12 has no chkconfig).
 * "Enabled" is read from the runlevel-3 (RHEL) or runlevel-2 (Debian) start link.
 */
export function enabledCheckScript(family: OsFamily, name: string): string {
  const dir = family === 'RedHat' ? '/etc/rc.d/rc3.d' : '/etc/rc2.d';
  return `ls ${dir} 2>/dev/null | grep -qx ${shellQuote(`S[0-9][0-9]*${name}`)}`;
}

export function enableScript(family: OsFamily, name: string): string {
  const n = shellQuote(name);
  return family === 'RedHat' ? `chkconfig --add ${n} && chkconfig ${n} on` : `update-rc.d ${n} defaults && update-rc.d ${n} enable`;
}

export function disableScript(family: OsFamily, name: string): string {
  const n = shellQuote(name);
  return family === 'RedHat' ? `chkconfig ${n} off` : `update-rc.d ${n} disable`;
}

/** Where the daemon's option file lives: /etc/sysconfig on RHEL, /etc/default on Debian. */
export function defaultsFilePath(family: OsFamily, name: string): string {
  return family === 'RedHat' ? `/etc/sysconfig/${name}` : `/etc/default/${name}`;
}
