import { renameSync, writeFileSync } from 'node:fs';
import type { AddressManager, VirtualAddress } from '../os/types.js';

export interface VipRecord extends AddressManager {
  /**
   * The VIPs the configuration gives this worker: recorded up front, so that a takeover adds its
   * addresses without writing the file first (a file write on the path between the advert and the
   * gratuitous ARP is outage).
   */
  declare(vips: readonly VirtualAddress[]): void;
}

/**
 * Wraps the address manager so that every VIP this worker may hold is on disk, one
 * "address/prefix interface" per line, for the supervisor to `ip addr del` if the worker dies. The
 * file is a superset of the VIPs on the host at every moment: the configured VIPs (declare), plus
 * any address added and not yet removed; an address outside the configuration is recorded *before*
 * it is added and forgotten only *after* it is removed. Removing a configured VIP that is not there
 * is harmless, and keepalived itself removes configured VIPs it finds at start-up. Written
 * synchronously and atomically (temp file + rename), so a kill mid-write leaves the previous list.
 */
export function recordVips(inner: AddressManager, file: string): VipRecord {
  const key = (vip: VirtualAddress) => `${vip.address}/${vip.prefixLength} ${vip.interface}`;
  let declared = new Set<string>();
  const held = new Set<string>();
  let written: string | undefined;
  const save = () => {
    const text = [...new Set([...declared, ...held])].sort().map((line) => `${line}\n`).join('');
    if (text === written) return;
    const temp = `${file}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
    written = text;
  };
  save(); // an empty record: nothing is held yet
  return {
    declare(vips) {
      declared = new Set(vips.map(key));
      save();
    },
    async add(vip) {
      const k = key(vip);
      const recorded = declared.has(k) || held.has(k);
      held.add(k);
      if (!recorded) save();
      await inner.add(vip);
    },
    async remove(vip) {
      await inner.remove(vip);
      held.delete(key(vip));
      save();
    },
    list: (interfaceName) => inner.list(interfaceName),
  };
}
