/**
 * The third batch of issue 15's modules (configuration files, keys, mounts, cron, debconf), listed
 * here so the plugin and the package index take them with one line each.
 */
import { authorizedKeyModule } from './authorized_key.js';
import { cronModule } from './cron.js';
import { debconfModule } from './debconf.js';
import { iniFileModule } from './ini_file.js';
import { knownHostsModule } from './known_hosts.js';
import { mountModule } from './mount.js';

export { authorizedKeyModule } from './authorized_key.js';
export { cronModule } from './cron.js';
export { debconfModule } from './debconf.js';
export { iniFileModule } from './ini_file.js';
export { knownHostsModule } from './known_hosts.js';
export { mountModule } from './mount.js';

export const batch3Modules = [iniFileModule, authorizedKeyModule, mountModule, knownHostsModule, cronModule, debconfModule] as const;
