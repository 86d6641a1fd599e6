import type { VrrpInstance, VrrpState } from './instance.js';

/**
 * A vrrp_sync_group: its instances move together. When one becomes master the others follow; when one
 * leaves master (to backup) the others do too; while one is in FAULT, all are.
 */
export class SyncGroup {
  private propagating = false;

  constructor(readonly name: string, readonly members: readonly VrrpInstance[], private readonly log: (message: string) => void) {}

  /** Call after a member changed state (wired from the member's stateChanged action). */
  memberChanged(member: VrrpInstance, from: VrrpState, to: VrrpState): void {
    if (this.propagating) return;
    this.propagating = true;
    try {
      const others = this.members.filter((m) => m !== member);
      if (to === 'Master') {
        for (const m of others) m.forceMaster(`sync group ${this.name}`);
      } else if (to === 'Backup' && from === 'Master') {
        for (const m of others) m.forceBackup(`sync group ${this.name}`);
      } else if (to === 'Fault') {
        this.log(`VRRP_Group(${this.name}) Syncing instances to FAULT state`);
        for (const m of others) m.addFault(`sync:${this.name}`, `sync group ${this.name}: ${member.name} is in FAULT`);
      } else if (from === 'Fault') {
        for (const m of others) m.clearFault(`sync:${this.name}`);
      }
    } finally {
      this.propagating = false;
    }
  }

  /** keepalived's group state: FAULT if any member is, MASTER if all are, else BACKUP. */
  get state(): 'MASTER' | 'BACKUP' | 'FAULT' {
    if (this.members.some((m) => m.state === 'Fault')) return 'FAULT';
    if (this.members.every((m) => m.state === 'Master')) return 'MASTER';
    return 'BACKUP';
  }
}
