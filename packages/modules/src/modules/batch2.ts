/**
 * The second batch of issue 15's modules (read-only queries, controller transfers, host settings),
 * listed here so the plugin and the package index take them with one line each.
 */
import { fetchModule } from './fetch.js';
import { findModule } from './find.js';
import { getentModule } from './getent.js';
import { hostnameModule } from './hostname.js';
import { rawModule } from './raw.js';
import { scriptModule } from './script.js';
import { serviceFactsModule } from './service_facts.js';
import { sysctlModule } from './sysctl.js';
import { slurpModule } from './slurp.js';
import { tempfileModule } from './tempfile.js';

export { fetchModule, fetchDestination, type FetchDestInput } from './fetch.js';
export { findModule } from './find.js';
export { getentModule, parseGetent } from './getent.js';
export { hostnameModule } from './hostname.js';
export { slurpModule } from './slurp.js';
export { rawModule, lowLevelResult, splitLines } from './raw.js';
export { scriptModule, scriptCommandLine } from './script.js';
export { serviceFactsModule } from './service_facts.js';
export { sysctlModule } from './sysctl.js';
export { tempfileModule, mktempArgv } from './tempfile.js';

export const batch2Modules = [findModule, slurpModule, fetchModule, tempfileModule, getentModule, rawModule, scriptModule, hostnameModule, serviceFactsModule, sysctlModule] as const;
