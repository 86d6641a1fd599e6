/**
 * systemd units and drop-ins the installers put on systemd hosts:
 *  - a native unit for a daemon of ours (vrrpd): it runs in the foreground under systemd, restarts
 *    on failure, and is stopped with SIGTERM to its main process only (KillMode=mixed), so vrrpd's
 *    own stop path (priority-0 advert, VIPs removed) runs before anything else is killed;
 *  - a drop-in for the unit a source tree installs (keepalived's keepalived.service.in), pointing it
 *    at the playbook's options file and pid file, so the options declared are the ones it runs with;
 *  - a drop-in that orders rc-local.service after the network is online.
 */
import { HostPlanError } from '../apply.js';

const NAME = /^[A-Za-z0-9_.@-]+$/;
const VAR = /^[A-Z_][A-Z0-9_]*$/;

export interface DaemonUnitSpec {
  name: string;
  description: string;
  /** The daemon binary, run in the foreground. */
  exec: string;
  /** Arguments (already shell words; systemd splits them the same way for simple words). */
  args: string;
  /** The flag that keeps the daemon in the foreground (vrrpd and keepalived: --dont-fork). */
  foregroundFlag: string;
  /** Options file (KEY=value lines) and the variable in it the daemon's extra options come from. */
  environmentFile: string;
  optionsVar: string;
  /** Seconds systemd waits after SIGTERM before SIGKILL. */
  stopTimeoutSeconds: number;
  documentation?: string;
  /**
   * Units this one starts after and, at shutdown, stops before (systemd stops in reverse order).
   * A VRRP engine lists what starts the service it fronts (rc-local.service: nginx from rc.local), so
   * that a reboot hands the VIP over before nginx stops, as sysvinit's K-script order does; units
   * without an order are stopped at the same time.
   */
  after?: readonly string[];
}

function checkUnits(units: readonly string[] | undefined): void {
  for (const u of units ?? []) if (!NAME.test(u)) throw new HostPlanError(`unit name ${JSON.stringify(u)} is not valid`);
}

function check(name: string, optionsVar: string): void {
  if (!NAME.test(name)) throw new HostPlanError(`unit name ${JSON.stringify(name)} is not valid`);
  if (!VAR.test(optionsVar)) throw new HostPlanError(`options variable ${JSON.stringify(optionsVar)} is not valid`);
}

export function renderDaemonUnit(s: DaemonUnitSpec): string {
  check(s.name, s.optionsVar);
  checkUnits(s.after);
  for (const text of [s.description, s.exec, s.args, s.environmentFile]) {
    if (text.includes('\n')) throw new HostPlanError(`${s.name}.service: values must be one line`);
  }
  return [
    '# Managed by haweb.',
    '[Unit]',
    `Description=${s.description}`,
    ...(s.documentation ? [`Documentation=${s.documentation}`] : []),
    // VRRP needs the interfaces and addresses up: after network-online, as keepalived's own unit.
    'Wants=network-online.target',
    'After=network-online.target',
    ...(s.after && s.after.length > 0 ? [`After=${s.after.join(' ')}`] : []),
    '',
    '[Service]',
    'Type=simple',
    `EnvironmentFile=-${s.environmentFile}`,
    `ExecStart=${s.exec} ${s.foregroundFlag} ${s.args} $${s.optionsVar}`.replace(/ {2,}/g, ' '),
    'ExecReload=/bin/kill -HUP $MAINPID',
    // SIGTERM to the main process only: its own stop path gives the VIPs up before anything else dies.
    'KillMode=mixed',
    `TimeoutStopSec=${s.stopTimeoutSeconds}`,
    'Restart=on-failure',
    'RestartSec=1',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export interface SourceUnitDropIn {
  name: string;
  environmentFile: string;
  pidFile: string;
  /** As DaemonUnitSpec.after: start after these, stop before them. */
  after?: readonly string[];
}

/**
 * A drop-in for a unit a source build installed. keepalived.service.in (keepalived 2.2.x) reads
 * `EnvironmentFile=-@sysconfdir@/sysconfig/keepalived`, which under --prefix=/usr/local/keepalived is
 * /usr/local/keepalived/etc/sysconfig/keepalived, not the options file the playbook manages, and its
 * PIDFile is fixed at configure time; the drop-in resets both to the managed ones.
 * (Reference: github.com/acassen/keepalived, keepalived/keepalived.service.in.)
 */
export function renderSourceUnitDropIn(s: SourceUnitDropIn): string {
  if (!NAME.test(s.name)) throw new HostPlanError(`unit name ${JSON.stringify(s.name)} is not valid`);
  checkUnits(s.after);
  return [
    '# Managed by haweb: run with the options and pid file the playbook declares.',
    ...(s.after && s.after.length > 0 ? ['[Unit]', `After=${s.after.join(' ')}`] : []),
    '[Service]',
    'EnvironmentFile=',
    `EnvironmentFile=-${s.environmentFile}`,
    `PIDFile=${s.pidFile}`,
    '',
  ].join('\n');
}

export function dropInPath(name: string): string {
  return `/etc/systemd/system/${name}.service.d/haweb.conf`;
}

/**
 * rc-local.service (systemd's compatibility unit, pulled in by systemd-rc-local-generator when the
 * file is executable) is ordered after network.target upstream; nginx binding its VIP-facing port
 * wants the network online.
 */
export const RC_LOCAL_DROP_IN = [
  '# Managed by haweb: rc.local starts services that need the network up.',
  '[Unit]',
  'Wants=network-online.target',
  'After=network-online.target',
  '',
].join('\n');
