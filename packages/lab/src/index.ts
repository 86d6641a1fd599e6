/**
 * @haweb/lab: real Linux test hosts on one machine. Library API for other packages' tests; the CLI is
 * dist/cli.js (`npm run lab -- <subcommand>`).
 */
import { labDown, labReboot, labStatus, labUp, type Log, type UpOptions } from './lab.js';
import { DEFAULT_HOST_COUNT, DEFAULT_LAB_NAME } from './plan.js';
import { readLabState, type LabState } from './state.js';
import { kindOf, sameKind } from './kinds.js';

export { planLab, DEFAULT_LAB_NAME, DEFAULT_SUBNET, DEFAULT_HOST_COUNT, type LabPlan, type HostPlan } from './plan.js';
export { readLabState, type LabState, type LabHostState } from './state.js';
export { labUp, labDown, labStatus, labReboot, type LabStatus, type HostStatus, type UpOptions } from './lab.js';
export { hostExec, clientExec, netnsOf, hostArgv, type HostExecOptions } from './host-exec.js';
export { ensureSources, type SourceTarballs } from './sources.js';
export { ensureImage, type ImageInfo } from './image.js';
export { DEFAULT_KIND, INIT_KINDS, FIREWALL_KINDS, IMAGE_KINDS, RHEL6_IPTABLES_RULES, describeKind, type HostKind } from './kinds.js';
export { LabError, type RunResult } from './exec.js';
export { sshBanner } from './host.js';

/**
 * Reuses a running lab with at least `hosts` hosts, or brings it up (completing a partial one).
 * Needs root.
 */
export async function ensureLab(options: UpOptions = {}): Promise<LabState> {
  const name = options.name ?? DEFAULT_LAB_NAME;
  const status = await labStatus(name);
  // A running lab of another kind than the one asked for goes through labUp, which refuses it clearly.
  const kindMatches = !options.kind || !status.state || sameKind(status.state.kind, kindOf(options.kind));
  if (status.up && status.state && kindMatches && status.hosts.length >= (options.hosts ?? DEFAULT_HOST_COUNT)) {
    return (await readLabState(name))!;
  }
  return labUp(options);
}

/** `lab reboot`: kills the host's PID 1, waits for its next boot (end of runlevel 2) and its sshd. */
export async function rebootHost(lab: LabState | string, host: string, log?: Log): Promise<void> {
  await labReboot(typeof lab === 'string' ? lab : lab.name, host, log);
}

export { labDown as downLab };
