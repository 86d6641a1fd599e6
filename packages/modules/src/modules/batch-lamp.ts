/**
 * Issue 15's modules for the ansible-examples LAMP playbooks (SELinux booleans, MySQL databases and
 * users), listed here so the plugin and the package index take them with one line each.
 */
import { mysqlDbModule } from './mysql_db.js';
import { mysqlUserModule } from './mysql_user.js';
import { sebooleanModule } from './seboolean.js';

export { mysqlDbModule } from './mysql_db.js';
export { mysqlUserModule } from './mysql_user.js';
export { sebooleanModule } from './seboolean.js';

export const lampModules = [sebooleanModule, mysqlDbModule, mysqlUserModule] as const;
