/**
 * The corpus's fifth batch of issue 15's modules (rolling updates behind HAProxy with Nagios, Node.js
 * packages, rpm keys), listed here so the plugin and the package index take them with one line each.
 */
import { haproxyModule } from './haproxy.js';
import { nagiosModule } from './nagios.js';
import { npmModule } from './npm.js';
import { rpmKeyModule } from './rpm_key.js';

export { haproxyModule } from './haproxy.js';
export { nagiosModule } from './nagios.js';
export { npmModule } from './npm.js';
export { rpmKeyModule } from './rpm_key.js';

export const batch5Modules = [haproxyModule, nagiosModule, npmModule, rpmKeyModule] as const;
