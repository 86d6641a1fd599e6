/** Default locations, mirroring keepalived's where there is an equivalent. */
export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';
export const DEFAULT_PID_FILE = '/run/vrrpd.pid';
export const DEFAULT_VRRP_PID_FILE = '/run/vrrpd_vrrp.pid';
export const DEFAULT_STATUS_FILE = '/run/vrrpd/vrrpd.json';
export const DEFAULT_DUMP_FILE = '/tmp/vrrpd.data';
