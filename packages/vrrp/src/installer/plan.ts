import { sha256, type ServiceAction } from '@haweb/hostkit';
import type { InstallManifest, VrrpHostState } from './host-state.js';

/** A file the service owns, with the content it must have. */
export interface DesiredFile {
  path: string;
  content: string;
  /** Octal with leading 0, e.g. "0600". */
  mode: string;
  /** Run `vrrpd -t` on a candidate before it replaces the old one. */
  validate: boolean;
  /** What a change to it asks of a running daemon. */
  onChange: 'reload' | 'none';
}

export interface VrrpServicePlan {
  installRuntime: boolean;
  installNode: boolean;
  /** Files whose content or mode differ. */
  writeFiles: DesiredFile[];
  enable: boolean;
  /** enabled: false on a host where it is enabled at boot. */
  disable: boolean;
  action?: ServiceAction;
  /** Human-readable reasons, one per change. */
  reasons: string[];
}

/**
 * Pure: compare the host's state with what is declared. The runtime and Node are compared by the
 * checksums recorded in the install manifest (written only after a complete install), files by
 * sha256 and mode. A runtime or Node change restarts a running daemon; a config change reloads it.
 */
export function planVrrpService(
  desired: { manifest: InstallManifest; files: DesiredFile[]; state: 'started' | 'stopped'; enabled: boolean },
  host: VrrpHostState,
): VrrpServicePlan {
  const reasons: string[] = [];
  const installed = host.manifest;
  const installRuntime = !host.runtimePresent || installed?.runtime_digest !== desired.manifest.runtime_digest;
  const installNode = !host.runtimePresent || installed?.node !== desired.manifest.node;
  if (!installed || !host.runtimePresent) reasons.push('runtime not installed');
  else {
    if (installRuntime) reasons.push(`runtime ${installed.runtime_digest.slice(0, 12)} → ${desired.manifest.runtime_digest.slice(0, 12)}`);
    if (installNode) reasons.push(`node: ${installed.node} → ${desired.manifest.node}`);
  }
  const writeFiles = desired.files.filter((file) => {
    const now = host.files[file.path];
    const same = now?.sha256 === sha256(file.content) && now?.mode === file.mode.padStart(4, '0');
    if (!same) reasons.push(now?.sha256 ? `${file.path} differs` : `${file.path} missing`);
    return !same;
  });
  const enable = desired.enabled && !host.enabled;
  if (enable) reasons.push('not enabled at boot');
  const disable = !desired.enabled && host.enabled;
  if (disable) reasons.push('enabled at boot, declared disabled');

  const upgraded = host.running && (installRuntime || installNode);
  const reload = writeFiles.some((f) => f.onChange === 'reload');
  let action: ServiceAction | undefined;
  if (desired.state === 'stopped') action = host.running ? 'stop' : undefined;
  else if (!host.running) action = 'start';
  else if (upgraded) action = 'restart';
  else if (reload) action = 'reload';
  if (action) reasons.push(`${action} the daemon`);
  return { installRuntime, installNode, writeFiles, enable, disable, action, reasons };
}
