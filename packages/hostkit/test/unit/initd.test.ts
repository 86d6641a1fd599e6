import { describe, expect, it } from 'vitest';
import { defaultsFilePath, disableScript, enableScript, enabledCheckScript, planServiceAction } from '../../src/index.js';

// One meaning of "enabled" for every family (the service fact's): systemctl under systemd, else S links in 2-5.
const ENABLED_CHECK =
  "if [ -d /run/systemd/system ]; then systemctl is-enabled --quiet vrrpd.service 2>/dev/null; " +
  "else ls /etc/rc[2345].d /etc/rc.d/rc[2345].d 2>/dev/null | grep -qx 'S[0-9][0-9]*vrrpd'; fi";

describe('boot enable per family', () => {
  it.each([
    ['RedHat', 'chkconfig --add vrrpd && chkconfig vrrpd on', 'chkconfig vrrpd off', ENABLED_CHECK, '/etc/sysconfig/vrrpd'],
    ['Debian', 'update-rc.d vrrpd defaults && update-rc.d vrrpd enable', 'update-rc.d vrrpd disable', ENABLED_CHECK, '/etc/default/vrrpd'],
  ] as const)('%s', (family, enable, disable, check, defaults) => {
    expect(enableScript(family, 'vrrpd')).toBe(enable);
    expect(disableScript(family, 'vrrpd')).toBe(disable);
    expect(enabledCheckScript(family, 'vrrpd')).toBe(check);
    expect(defaultsFilePath(family, 'vrrpd')).toBe(defaults);
  });
});

describe('planServiceAction', () => {
  it.each([
    ['started', false, 'start'], ['started', true, undefined],
    ['stopped', true, 'stop'], ['stopped', false, undefined],
    ['reloaded', true, 'reload'], ['reloaded', false, 'start'],
    ['restarted', true, 'restart'], ['restarted', false, 'start'],
  ] as const)('%s, running=%s → %s', (desired, running, action) => {
    expect(planServiceAction(desired, running)).toBe(action);
  });
});
