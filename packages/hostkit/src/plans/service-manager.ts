/**
 * Services through the host's real service manager. Where systemd is PID 1, everything goes through
 * systemctl (a daemon started by running its init script over SSH would live outside systemd, and a
 * later `systemctl stop` would not stop it); on sysvinit, boot links come from update-rc.d (Debian) or
 * chkconfig (RHEL family) and start/stop from the init script. A daemon found running outside the
 * manager (its pid file names a live process the manager does not own) is stopped by that PID,
 * never by name, before the manager starts its own.
 */
import type { HostProfile } from '../facts/host-profile.js';
import { HostPlanError, type Step } from '../apply.js';

export interface ManagedServiceState {
  /** The unit file (systemd) or init script (sysvinit) is on the host. */
  installed: boolean;
  /** The service manager reports it active (systemd) / the init script's status says 0 (sysvinit). */
  running: boolean;
  enabled: boolean;
  /** A live process named by the pid file that the service manager does not own (systemd only). */
  strayPid?: number;
}

export type ServiceRunState = 'started' | 'stopped' | 'restarted' | 'reloaded';

/** Where a daemon's unit or init script lives on this host. */
export function serviceFilePath(profile: HostProfile, name: string): string {
  return profile.init === 'systemd' ? `/etc/systemd/system/${name}.service` : `/etc/init.d/${name}`;
}

/** Where pid files go: /run, or /var/run on hosts without /run (EL6). */
export function runDir(profile: Pick<HostProfile, 'hasRun'>): string {
  return profile.hasRun ? '/run' : '/var/run';
}

/** systemd re-reads unit files only when told: after a unit or drop-in was written. */
export function planDaemonReload(profile: HostProfile, unitFilesChanged: boolean): Step[] {
  return profile.init === 'systemd' && unitFilesChanged ? [{ kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'systemd re-reads the changed unit files' }] : [];
}

/** Boot enable/disable, the host's way. */
export function planServiceBoot(profile: HostProfile, name: string, enabled: boolean, state: ManagedServiceState): Step[] {
  if (enabled === state.enabled) return [];
  const why = `${enabled ? 'enable' : 'disable'} ${name} at boot`;
  if (profile.init === 'systemd') return [{ kind: 'run', argv: ['systemctl', enabled ? 'enable' : 'disable', `${name}.service`], why }];
  if (profile.family === 'RedHat') {
    if (!profile.tools.chkconfig) {
      throw new HostPlanError(`${why}: this sysvinit host has no chkconfig (install the chkconfig package)`);
    }
    return enabled
      ? [
          { kind: 'run', argv: ['chkconfig', '--add', name], why },
          { kind: 'run', argv: ['chkconfig', name, 'on'], why },
        ]
      : [{ kind: 'run', argv: ['chkconfig', name, 'off'], why }];
  }
  if (!profile.tools.updateRcD) throw new HostPlanError(`${why}: this sysvinit host has no update-rc.d`);
  return enabled
    ? [
        { kind: 'run', argv: ['update-rc.d', name, 'defaults'], why },
        { kind: 'run', argv: ['update-rc.d', name, 'enable'], why },
      ]
    : [{ kind: 'run', argv: ['update-rc.d', name, 'disable'], why }];
}

/**
 * Stop a process by the PID its pid file gave, and wait (bounded: timeoutSeconds) until it is gone.
 * The PID is checked again inside the script, so a PID reused since the fact was read is left alone
 * unless it still runs `exe`.
 */
export function stopByPid(pid: number, exe: string, timeoutSeconds: number, why: string): Extract<Step, { kind: 'script' }> {
  if (!Number.isInteger(pid) || pid <= 1) throw new HostPlanError(`${why}: refusing to signal PID ${pid}`);
  const match = exe.replace(/'/g, `'\\''`);
  return {
    kind: 'script',
    why,
    script: [
      `if tr '\\0' ' ' < /proc/${pid}/cmdline 2>/dev/null | grep -qF -- '${match}'; then kill -TERM ${pid}`,
      `i=0; while kill -0 ${pid} 2>/dev/null && [ $i -lt ${timeoutSeconds * 10} ]; do sleep 0.1; i=$((i+1)); done`,
      `kill -0 ${pid} 2>/dev/null && { echo "PID ${pid} did not stop in ${timeoutSeconds}s" >&2; exit 1; }; fi; true`,
    ].join('; '),
  };
}

function managerAction(profile: HostProfile, name: string, verb: 'start' | 'stop' | 'restart' | 'reload', why: string): Step {
  if (profile.init === 'systemd') return { kind: 'run', argv: ['systemctl', verb, `${name}.service`], why };
  // The init script directly: its output goes to a temp file, so a daemon keeping stdout open cannot hold the channel.
  return { kind: 'run', argv: [`/etc/init.d/${name}`, verb], why, detach: true };
}

/**
 * Start/stop/restart/reload through the manager. `exe` is the daemon's binary path, checked against a
 * stray PID's command line before it is signalled.
 */
export function planServiceRun(
  profile: HostProfile,
  name: string,
  desired: ServiceRunState,
  state: ManagedServiceState,
  stray: { exe: string; stopTimeoutSeconds: number } = { exe: name, stopTimeoutSeconds: 10 },
): Step[] {
  if (!state.installed) throw new HostPlanError(`${name}: ${profile.init === 'systemd' ? 'no unit' : 'no init script'} ${serviceFilePath(profile, name)}`);
  const steps: Step[] = [];
  const strayRunning = profile.init === 'systemd' && state.strayPid !== undefined;
  if (strayRunning) {
    steps.push(stopByPid(state.strayPid!, stray.exe, stray.stopTimeoutSeconds, `stop ${name} PID ${state.strayPid}, started outside systemd`));
  }
  const running = state.running;
  switch (desired) {
    case 'started':
      if (!running) steps.push(managerAction(profile, name, 'start', `start ${name}`));
      break;
    case 'stopped':
      if (running) steps.push(managerAction(profile, name, 'stop', `stop ${name}`));
      break;
    case 'restarted':
      steps.push(managerAction(profile, name, running ? 'restart' : 'start', `${running ? 'restart' : 'start'} ${name}`));
      break;
    case 'reloaded':
      steps.push(managerAction(profile, name, running ? 'reload' : 'start', `${running ? 'reload' : 'start'} ${name}`));
      break;
  }
  return steps;
}
