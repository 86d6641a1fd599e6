/**
 * The login options every community.mysql module takes (its mysql_common_argument_spec), with the
 * collection's defaults and aliases, and the MysqlLogin the kit's client script reads them as.
 */
import { z } from 'zod';
import type { MysqlLogin, MysqlQueryFacts } from '@haweb/hostkit';
import { boolish, intish } from './schema.js';

const str = z.union([z.string(), z.number()]).transform(String);

export const mysqlLoginOptions = {
  login_user: str.optional(),
  login_password: str.optional(),
  login_host: str.default('localhost'),
  login_port: intish.default(3306),
  login_unix_socket: z.string().optional(),
  config_file: z.string().default('~/.my.cnf'),
  connect_timeout: intish.default(30),
  client_cert: z.string().optional(),
  client_key: z.string().optional(),
  ca_cert: z.string().optional(),
  check_hostname: boolish.optional(),
  check_implicit_admin: boolish.default(false),
};

export const mysqlLoginAliases = { client_cert: ['ssl_cert'], client_key: ['ssl_key'], ca_cert: ['ssl_ca'] } as const;

const loginSchema = z.object(mysqlLoginOptions);
type LoginArgs = z.output<typeof loginSchema>;

export function mysqlLogin(a: LoginArgs, extra: Partial<MysqlLogin> = {}): MysqlLogin {
  return {
    ...(a.login_user !== undefined ? { user: a.login_user } : {}),
    ...(a.login_password !== undefined ? { password: a.login_password } : {}),
    host: a.login_host,
    port: a.login_port,
    ...(a.login_unix_socket ? { socket: a.login_unix_socket } : {}),
    configFile: a.config_file,
    connectTimeout: a.connect_timeout,
    ...(a.ca_cert ? { caCert: a.ca_cert } : {}),
    ...(a.client_cert ? { clientCert: a.client_cert } : {}),
    ...(a.client_key ? { clientKey: a.client_key } : {}),
    ...(a.check_hostname !== undefined ? { checkHostname: a.check_hostname } : {}),
    implicitAdmin: a.check_implicit_admin,
    ...extra,
  };
}

/** What a module says when the host has no mysql client (Ansible's wants a Python driver instead). */
export const NO_CLIENT =
  'A MySQL client is required: the mysql command (mariadb-client or default-mysql-client) was not found on the host.';

/** The collection's failure when the login does not work (mysql_db words a missing config file apart). */
export function connectFailure(f: MysqlQueryFacts, missingConfigWording: boolean): string {
  if (missingConfigWording && !f.configExists) return `unable to find ${f.configPath}. Exception message: ${f.connectError}`;
  return `unable to connect to database, check login_user and login_password are correct or ${f.configPath} has the credentials. Exception message: ${f.connectError}`;
}
