import { renameSync, writeFileSync } from 'node:fs';
import type { AddressManager, VirtualAddress } from '../os/types.js';

/**
 * Wraps the address manager so that the VIPs this worker may hold are always on disk, one
 * "address/prefix interface" per line, for the supervisor to `ip addr del` if the worker dies. An
 * address is recorded *before* it is added and forgotten only *after* it is removed: whenever the
 * worker dies, the file covers every VIP it left behind. Written synchronously and atomically
 * (temp file + rename), so a kill mid-write leaves the previous complete list.
 */
export function recordVips(inner: AddressManager, file: string): AddressManager {
  const held = new Map<string, string>();
  const key = (vip: VirtualAddress) => `${vip.address}/${vip.prefixLength} ${vip.interface}`;
  const save = () => {
    const temp = `${file}.tmp`;
    writeFileSync(temp, [...held.values()].map((line) => `${line}\n`).join(''));
    renameSync(temp, file);
  };
  save();
  return {
    async add(vip) {
      held.set(key(vip), key(vip));
      save();
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
