/**
 * Modules DebOps' roles use: its own dpkg_divert (debops.debops) and ansible.posix's acl.
 */
import { dpkgDivertModule } from './dpkg_divert.js';
import { aclModule } from './acl.js';

export { dpkgDivertModule } from './dpkg_divert.js';
export { aclModule } from './acl.js';

export const debModules = [dpkgDivertModule, aclModule] as const;
