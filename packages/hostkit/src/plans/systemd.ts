/**
 * Ansible's systemd module as a pure decision: from a unit's facts and the wanted mask / enable /
 * run state, the systemctl commands to run and what the result reports (its `enabled` and `state`
 * say what they will be once the commands ran, as Ansible's do).
 */
import type { Step } from '../apply.js';
import type { SystemdUnitFacts } from '../facts/systemd.js';

export interface SystemdArgs {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  /** Extra systemctl flags (--user, --no-block, --force), before the verb. */
  flags?: readonly string[];
}

export interface SystemdPlan {
  steps: Step[];
  /** Reported `enabled` (only when asked about). */
  enabled?: boolean;
  /** Reported `state` (only when asked about). */
  state?: string;
  /** Why the module fails (a missing unit, an unknown state), before any step runs. */
  failure?: string;
  /** A warning for the result (systemd offline: the state could not be read). */
  warning?: string;
}

const VALID_ENABLED = ['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'masked', 'masked-runtime', 'static', 'indirect', 'disabled', 'generated', 'transient'];

/** The unit exists for systemd (or as an init script systemd runs). */
export function unitFound(facts: SystemdUnitFacts): boolean {
  const loaded = facts.showExit === 0 && facts.show.LoadState !== undefined && facts.show.LoadState !== 'not-found';
  return loaded || VALID_ENABLED.includes(facts.isEnabled.split('\n')[0] ?? '') || facts.initScript;
}

const isRunning = (show: Record<string, string>) => ['active', 'activating'].includes(show.ActiveState ?? '');

export function planSystemdUnit(facts: SystemdUnitFacts, args: SystemdArgs): SystemdPlan {
  const { name } = args;
  const systemctl = (verb: string, why: string): Step => ({ kind: 'run', argv: ['systemctl', ...(args.flags ?? []), verb, name], why });
  const found = unitFound(facts);
  const missing = `Could not find the requested service ${name}: host`;
  const steps: Step[] = [];
  const plan: SystemdPlan = { steps };

  if (args.masked !== undefined) {
    const masked = facts.isEnabled.trim() === 'masked';
    if (masked !== args.masked) steps.push(systemctl(args.masked ? 'mask' : 'unmask', `${args.masked ? 'mask' : 'unmask'} ${name}`));
  }
  if (args.enabled !== undefined) {
    if (!found) return { steps: [], failure: missing };
    let enabled = false;
    if (facts.isEnabledExit === 0) {
      const lines = facts.isEnabled.split('\n');
      enabled = !(lines.length === 1 && (lines[0] === 'indirect' || lines[0] === 'alias'));
    } else if (facts.isEnabledExit === 1) {
      enabled = facts.initScript && !facts.isEnabled.endsWith('disabled') && facts.initScriptEnabled;
    }
    if (enabled !== args.enabled) steps.push(systemctl(args.enabled ? 'enable' : 'disable', `${args.enabled ? 'enable' : 'disable'} ${name}`));
    plan.enabled = args.enabled;
  }
  if (args.state !== undefined) {
    if (!found) return { steps: [], failure: missing };
    plan.state = args.state;
    if (facts.show.ActiveState === undefined) {
      // Ansible: in a chroot or with SYSTEMD_OFFLINE=1 the state cannot be known; it warns and goes on.
      if (facts.offline) return { ...plan, warning: 'Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.' };
      return { steps: [], failure: 'Service is in unknown state' };
    }
    let verb: string | undefined;
    if (args.state === 'started') verb = isRunning(facts.show) ? undefined : 'start';
    else if (args.state === 'stopped') verb = isRunning(facts.show) || facts.show.ActiveState === 'deactivating' ? 'stop' : undefined;
    else {
      verb = isRunning(facts.show) ? args.state.slice(0, -2) : 'start';
      plan.state = 'started';
    }
    if (verb) steps.push(systemctl(verb, `${verb} ${name}`));
  }
  return plan;
}
