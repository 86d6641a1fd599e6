/** Service planning: start/stop only when needed; enable/disable through the host's boot-links tool. */
import type { ServiceFacts } from '../facts/services.js';
import type { PlannedCommand } from '../util/run.js';
import { stopByPid } from './service-manager.js';

export type ServiceState = 'started' | 'stopped' | 'restarted' | 'reloaded';

export interface ServicePlanArgs {
  name: string;
  state?: ServiceState;
  enabled?: boolean;
}

export interface ServicePlan {
  /** Boot-link changes, run first (they do not touch the running service). */
  bootCommands: PlannedCommand[];
  /** start/stop/restart/reload. */
  runCommands: PlannedCommand[];
  changes: string[];
}

export class ServicePlanError extends Error {}

function action(facts: ServiceFacts, name: string, verb: string): PlannedCommand {
  if (facts.manager === 'systemd') return { argv: ['systemctl', verb, '--', `${name}.service`] };
  if (facts.hasServiceCommand) return { argv: ['service', name, verb] };
  return { argv: [`/etc/init.d/${name}`, verb] };
}

export function planService(facts: ServiceFacts, args: ServicePlanArgs): ServicePlan {
  const { name } = args;
  if (!facts.exists) {
    throw new ServicePlanError(
      // Under systemd Ansible's service runs the systemd module, whose words the service target matches.
      facts.manager === 'systemd' ? `Could not find the requested service ${name}: host` : `no init script /etc/init.d/${name} (service ${name} is not installed)`,
    );
  }
  const bootCommands: PlannedCommand[] = [];
  const runCommands: PlannedCommand[] = [];
  const changes: string[] = [];

  if (args.enabled !== undefined && args.enabled !== facts.enabled) {
    if (args.enabled) {
      changes.push('enable at boot');
      if (facts.bootTool === 'systemctl') bootCommands.push({ argv: ['systemctl', 'enable', '--', `${name}.service`] });
      else if (facts.bootTool === 'chkconfig') {
        if (!facts.registered) bootCommands.push({ argv: ['chkconfig', '--add', name] });
        bootCommands.push({ argv: ['chkconfig', name, 'on'] });
      } else if (facts.bootTool === 'update-rc.d') {
        // No links at all: create them from the script's LSB header; K links only: turn them into S links.
        if ((facts.startLinks?.length ?? 0) + (facts.killLinks?.length ?? 0) === 0) bootCommands.push({ argv: ['update-rc.d', name, 'defaults'] });
        else bootCommands.push({ argv: ['update-rc.d', name, 'enable'] });
      } else throw new ServicePlanError(`cannot enable ${name}: neither update-rc.d nor chkconfig on the host`);
    } else {
      changes.push('disable at boot');
      if (facts.bootTool === 'systemctl') bootCommands.push({ argv: ['systemctl', 'disable', '--', `${name}.service`] });
      else if (facts.bootTool === 'chkconfig') bootCommands.push({ argv: ['chkconfig', name, 'off'] });
      else if (facts.bootTool === 'update-rc.d') bootCommands.push({ argv: ['update-rc.d', name, 'disable'] });
      else throw new ServicePlanError(`cannot disable ${name}: neither update-rc.d nor chkconfig on the host`);
    }
  }

  // Under systemd, a daemon started by its init script over SSH is not the unit's: systemctl would
  // neither see nor stop it. It is stopped by its PID (never by name) before systemd acts.
  if (facts.strayPid !== undefined && args.state !== undefined) {
    const exe = (facts.strayCommand ?? '').split(' ')[0] || name;
    runCommands.push({ argv: ['sh', '-c', stopByPid(facts.strayPid, exe, 10, `stop ${name} PID ${facts.strayPid}`).script] });
    changes.push(`stop PID ${facts.strayPid} (started outside systemd)`);
  }

  switch (args.state) {
    case 'started':
      if (!facts.running) {
        runCommands.push(action(facts, name, 'start'));
        changes.push('start');
      }
      break;
    case 'stopped':
      if (facts.running) {
        runCommands.push(action(facts, name, 'stop'));
        changes.push('stop');
      }
      break;
    case 'restarted':
      runCommands.push(action(facts, name, facts.running ? 'restart' : 'start'));
      changes.push(facts.running ? 'restart' : 'start');
      break;
    case 'reloaded':
      // Reloading a stopped service means starting it.
      runCommands.push(action(facts, name, facts.running ? 'reload' : 'start'));
      changes.push(facts.running ? 'reload' : 'start');
      break;
    case undefined:
      break;
  }
  return { bootCommands, runCommands, changes };
}
