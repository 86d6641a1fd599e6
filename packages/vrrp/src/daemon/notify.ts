import type { NotifyConfig } from '../config/model.js';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'MASTER_RX_LOWER_PRI';

/**
 * The commands keepalived runs on a state change: the state's own script (notify_master, ...) as
 * written, then the generic `notify` script with `INSTANCE|GROUP NAME STATE PRIORITY` appended as
 * separate arguments (what the shell makes of keepalived's `script INSTANCE "VI_1" MASTER 100`).
 */
export function notifyCommands(kind: 'INSTANCE' | 'GROUP', name: string, state: NotifyState, priority: number, notify: NotifyConfig): string[][] {
  const commands: string[][] = [];
  const own = { MASTER: notify.master, BACKUP: notify.backup, FAULT: notify.fault, STOP: notify.stop, MASTER_RX_LOWER_PRI: notify.masterRxLowerPri }[state];
  if (own && own.length > 0) commands.push([...own]);
  // The generic script hears state changes only; the lower-priority event has its own script.
  if (state !== 'MASTER_RX_LOWER_PRI' && notify.generic && notify.generic.length > 0) commands.push([...notify.generic, kind, name, state, String(priority)]);
  return commands;
}

/**
 * The user ("USER" or "USER GROUP") each of notifyCommands' commands runs as, in the same order:
 * the one given after the script (`notify_master SCRIPT USER [GROUP]`), else undefined (script_user).
 */
export function notifyCommandUsers(state: NotifyState, notify: NotifyConfig): Array<string | undefined> {
  const ownKey = ({ MASTER: 'master', BACKUP: 'backup', FAULT: 'fault', STOP: 'stop', MASTER_RX_LOWER_PRI: 'masterRxLowerPri' } as const)[state];
  const users: Array<string | undefined> = [];
  if (notify[ownKey] && notify[ownKey]!.length > 0) users.push(notify.users?.[ownKey]);
  if (state !== 'MASTER_RX_LOWER_PRI' && notify.generic && notify.generic.length > 0) users.push(notify.users?.generic);
  return users;
}
