/**
 * Small modules Ansible ships that roles of the public corpus (docs/compatibility/corpus.md) use,
 * listed here so the plugin and the package index take them with one line each.
 */
import { assembleModule } from './assemble.js';
import { firewalldModule } from './firewalld.js';
import { localeGenModule } from './locale_gen.js';
import { pipModule } from './pip.js';
import { timezoneModule } from './timezone.js';

export { assembleModule } from './assemble.js';
export { firewalldModule } from './firewalld.js';
export { localeGenModule } from './locale_gen.js';
export { pipModule } from './pip.js';
export { timezoneModule } from './timezone.js';

export const corModules = [timezoneModule, assembleModule, pipModule, firewalldModule, localeGenModule] as const;
