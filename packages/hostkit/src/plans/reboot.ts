/**
 * Rebooting a host through its own init, as Ansible's reboot action does: the shutdown command found
 * on the host's search paths, then the boot id read until it changes, then a test command until it
 * succeeds. Pure pieces only; the module runs them and reconnects between them.
 */
import { shellQuote } from '@haweb/core';

export interface RebootCommandArgs {
  /** The whole command, binary first (reboot_command); absent: `shutdown` with Ansible's Linux arguments. */
  rebootCommand?: string;
  preRebootDelay: number;
  msg: string;
}

/** The binary to look for and the arguments to give it (Ansible: `-r {delay_min} "{message}"` on Linux). */
export function rebootCommandParts(a: RebootCommandArgs): { bin: string; args: string } {
  if (a.rebootCommand !== undefined) {
    const space = a.rebootCommand.indexOf(' ');
    return space < 0 ? { bin: a.rebootCommand, args: '' } : { bin: a.rebootCommand.slice(0, space), args: a.rebootCommand.slice(space + 1) };
  }
  return { bin: 'shutdown', args: `-r ${Math.floor(Math.max(0, a.preRebootDelay) / 60)} "${a.msg}"` };
}

/** A script printing the first `bin` found in the search paths, in their order (nothing when absent). */
export function findCommandScript(bin: string, searchPaths: readonly string[]): string {
  return `for d in ${searchPaths.map(shellQuote).join(' ')}; do if [ -e "$d"/${shellQuote(bin)} ]; then printf '%s\\n' "$d"/${shellQuote(bin)}; break; fi; done; true`;
}

/** Seconds to wait after the n-th failed probe (0-based): Ansible's exponential backoff, capped at 12 s. */
export function rebootBackoffSeconds(failures: number): number {
  return Math.min(2 ** failures, 12);
}

/** True when the boot id read after the reboot command shows a new boot (an empty answer does not). */
export function bootChanged(previous: string, current: string): boolean {
  return current.trim() !== '' && current.trim() !== previous.trim();
}

/**
 * Whether the reboot command's result is its connection closed by the shutdown (a reboot under way, as
 * Ansible treats a connection failure of that command): the session ended by a signal, or the channel
 * closed without an exit status (255). Whatever it printed first does not matter: systemd's shutdown
 * often gets "Reboot scheduled for ..." out before the session is cut, and Ansible's ssh connection
 * reads any 255 as a connection failure, which its reboot action carries on from.
 */
export function rebootConnectionClosed(r: { code: number; stdout: string; stderr: string; signal?: string }): boolean {
  if (r.code === 0) return false;
  return r.signal !== undefined || r.code === 255;
}
