/**
 * community.postgresql's modules that roles of the public corpus use (geerlingguy.postgresql), listed
 * here so the plugin and the package index take them with one line each.
 */
import { postgresqlDbModule } from './postgresql_db.js';
import { postgresqlPrivsModule } from './postgresql_privs.js';
import { postgresqlUserModule } from './postgresql_user.js';

export { postgresqlDbModule } from './postgresql_db.js';
export { postgresqlPrivsModule } from './postgresql_privs.js';
export { postgresqlUserModule } from './postgresql_user.js';

export const postgresqlModules = [postgresqlUserModule, postgresqlDbModule, postgresqlPrivsModule] as const;
