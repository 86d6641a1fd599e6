import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The lab's inventory: the last resort when neither -i nor an inventory next to the playbook exists. */
export const LAB_INVENTORY = '/var/lib/haweb/lab/haweb/inventory.yml';

const NEXT_TO_PLAYBOOK = ['inventory', 'inventory.yml', 'inventory.yaml', 'inventory.ini', 'hosts', 'hosts.yml', 'hosts.ini'];

/** -i as given; else an `inventory` file or folder next to the playbook; else the lab's inventory. */
export function defaultInventory(playbook: string | undefined, given: string[] | undefined, labInventory = LAB_INVENTORY): string[] {
  if (given && given.length > 0) return given;
  if (playbook) {
    const dir = dirname(resolve(playbook));
    for (const name of NEXT_TO_PLAYBOOK) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return [candidate];
    }
  }
  return [labInventory];
}

export function defaultKnownHosts(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}
