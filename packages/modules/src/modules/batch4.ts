/**
 * The fourth batch of issue 15's modules (HTTP requests, reboots, packages and apt sources, git),
 * listed here so the plugin and the package index take them with one line each.
 */
import { aptKeyModule } from './apt_key.js';
import { aptRepositoryModule } from './apt_repository.js';
import { gitModule } from './git.js';
import { packageFactsModule } from './package_facts.js';
import { rebootModule } from './reboot.js';
import { uriModule } from './uri.js';

export { aptKeyModule } from './apt_key.js';
export { aptRepositoryModule, updateAptCache } from './apt_repository.js';
export { gitModule } from './git.js';
export { packageFactsModule, managersToTry } from './package_facts.js';
export { rebootModule } from './reboot.js';
export { uriModule, uriBody, followsRedirects, responseInfo } from './uri.js';

export const batch4Modules = [uriModule, rebootModule, packageFactsModule, aptRepositoryModule, aptKeyModule, gitModule] as const;
