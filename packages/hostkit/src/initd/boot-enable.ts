import { shellQuote } from '@haweb/core';
import type { OsFamily } from '../os-family.js';

/**
 * Enabling an init.d service at boot, the family's way: chkconfig on RHEL (it reads the script's
 * `# chkconfig:` line), update-rc.d on Debian (it reads the LSB block; Debian 12 has no chkconfig).
 * "Enabled" means the same as in the service fact (facts/services.ts): `systemctl is-enabled` where
 * systemd is PID 1, otherwise a start link in one of the multi-user runlevels 2-5 (/etc/rcN.d on
 * Debian, /etc/rc.d/rcN.d on RHEL, which is what `chkconfig --list` reads).
 */
export function enabledCheckScript(_family: OsFamily, name: string): string {
  return (
    `if [ -d /run/systemd/system ]; then systemctl is-enabled --quiet ${shellQuote(`${name}.service`)} 2>/dev/null; ` +
    `else ls /etc/rc[2345].d /etc/rc.d/rc[2345].d 2>/dev/null | grep -qx ${shellQuote(`S[0-9][0-9]*${name}`)}; fi`
  );
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
