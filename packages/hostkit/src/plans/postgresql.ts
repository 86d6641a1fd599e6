/**
 * PostgreSQL through `psql` on the host, as community.postgresql's postgresql_user, postgresql_db and
 * postgresql_privs decide things: the connection parameters they hand to libpq, the SQL literals and
 * identifiers, role attribute flags, the password comparison (md5 and SCRAM-SHA-256 verifiers), and
 * the GRANT/REVOKE statements of postgresql_privs. Pure functions; the modules run the SQL.
 *
 * psql reads its statements (and, first, the login password) on standard input: neither appears on
 * a command line or in a log. Every query the modules read answers one JSON value per line.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { shellQuote } from '@haweb/core';

/** The connection options every community.postgresql module takes (its common argument spec). */
export interface PgLogin {
  login_user: string;
  login_password: string;
  login_host: string;
  login_unix_socket: string;
  port: number;
  ssl_mode: string;
  ca_cert?: string;
  ssl_cert?: string;
  ssl_key?: string;
  connect_params: Record<string, unknown>;
}

/**
 * libpq's keywords for a login, as the collection builds them: empty values left out, the unix socket
 * folder standing in for the host when the host is absent or `localhost`, connect_params on top.
 * The password is not among them (it travels on standard input).
 */
export function pgConnParams(login: PgLogin, dbname?: string): Record<string, string> {
  const kw: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') kw[key] = String(value);
  };
  put('host', login.login_host);
  put('user', login.login_user);
  put('port', login.port);
  put('sslmode', login.ssl_mode);
  put('sslrootcert', login.ca_cert);
  put('sslcert', login.ssl_cert);
  put('sslkey', login.ssl_key);
  put('dbname', dbname);
  if ((kw.host === undefined || kw.host === 'localhost') && login.login_unix_socket !== '') kw.host = login.login_unix_socket;
  for (const [k, v] of Object.entries(login.connect_params ?? {})) {
    if (k === 'password') continue;
    kw[k] = String(v);
  }
  return kw;
}

/** A libpq connection string: each value single-quoted, backslash and quote escaped. */
export function pgConnInfo(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}='${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
    .join(' ');
}

/**
 * The script that runs psql: the first line of its input is the password (empty: none), the rest
 * the statements; quiet, unaligned, tuples only, stopping at the first error.
 */
export function psqlScript(conninfo: string): string {
  return [
    'PATH="$PATH:/usr/local/bin:/usr/bin:/bin"; export PATH',
    'if ! command -v psql >/dev/null 2>&1; then echo "Failed to find required executable psql" >&2; exit 127; fi',
    'IFS= read -r PGPASSWORD || true',
    'if [ -n "$PGPASSWORD" ]; then export PGPASSWORD; else unset PGPASSWORD; fi',
    `exec psql -X -q -A -t -v ON_ERROR_STOP=1 -d ${shellQuote(conninfo)}`,
  ].join('\n');
}

/** psql's input: the password line, then the statements. */
export function psqlInput(password: string, sql: string): string {
  return `${password.replace(/[\r\n]/g, '')}\n${sql}\n`;
}

/** The JSON values psql printed, one a line (other lines are ignored). */
export function parsePsqlJson(stdout: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      // not one of ours
    }
  }
  return out;
}

/** psql's error without its own prefix (`psql: error: `, `psql:<stdin>:3: `), as libpq words it. */
export function psqlError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^psql:(?:<stdin>:\d+: | error: |\s*)/, '').replace(/^ERROR:\s+/, ''))
    .filter((l) => l.trim() !== '' && !/could not change directory/.test(l));
  return lines.join('\n').trim();
}

/** Whether psql failed before it ran a statement (no connection): its exit code 2, or 1 with no server. */
export function psqlConnectFailed(code: number, stderr: string): boolean {
  return code === 2 || /connection to server|could not connect|password authentication failed/.test(stderr);
}

/** A SQL string literal as psycopg2 writes one (E'' when a backslash is in it). */
export function pgLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** An identifier the collection's way: the name in double quotes, unescaped. */
export function pgQuoted(name: string): string {
  return `"${name}"`;
}

/** A correctly escaped identifier, for the queries this kit reads with (never shown). */
export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// trust_input

const DANGER = [/('|").*--/, /(UNION|INTERSECT|EXCEPT).*SELECT/i, /;.*(SELECT|UPDATE|INSERT|DELETE|DROP|TRUNCATE|ALTER)/i];

/** The collection's check_input: the values that look like SQL injection (trust_input: false). */
export function dangerousInputs(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v === undefined || v === null || typeof v === 'boolean') continue;
    for (const s of Array.isArray(v) ? v.map(String) : [String(v)]) if (s && DANGER.some((re) => re.test(s))) out.push(s);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// postgresql_user

const ROLE_FLAGS = ['SUPERUSER', 'CREATEROLE', 'CREATEDB', 'INHERIT', 'LOGIN', 'REPLICATION'];
/** Column of pg_roles for each role attribute. */
export const ROLE_FLAG_COLUMN: Record<string, string> = {
  SUPERUSER: 'rolsuper', CREATEROLE: 'rolcreaterole', CREATEDB: 'rolcreatedb', INHERIT: 'rolinherit',
  LOGIN: 'rolcanlogin', REPLICATION: 'rolreplication', BYPASSRLS: 'rolbypassrls',
};

/**
 * role_attr_flags ("CREATEDB,NOSUPERUSER") as the collection parses them: upper-cased, duplicates
 * dropped, checked against the attributes the server knows (BYPASSRLS from 9.5), joined with spaces.
 * (The collection joins a Python set, whose order varies from run to run; this keeps the given order.)
 */
export function parseRoleAttrFlags(flags: string, serverVersion: number): string {
  const given = [...new Set(flags.split(',').filter((f) => f !== '').map((f) => f.toUpperCase()))];
  const valid = new Set([...ROLE_FLAGS, ...(serverVersion >= 90500 ? ['BYPASSRLS'] : [])]);
  for (const f of [...valid]) valid.add(`NO${f}`);
  const bad = given.filter((f) => !valid.has(f));
  if (bad.length) throw new Error(`Invalid role_attr_flags specified: ${bad.join(' ')}`);
  return given.join(' ');
}

/** The flags that differ from the role's current attributes (flag string as parseRoleAttrFlags gives it). */
export function roleFlagsChanging(flags: string, current: Record<string, unknown>): boolean {
  if (!flags) return false;
  return flags.split(' ').some((r) => {
    const want = !r.startsWith('NO');
    const name = want ? r : r.replace('NO', '');
    return current[ROLE_FLAG_COLUMN[name]] !== want;
  });
}

const SCRAM = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** SASLprep as far as passwords need it: non-ASCII spaces to spaces, soft hyphens and joiners dropped, NFKC. */
export function saslprep(s: string): string {
  return s
    .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .normalize('NFKC');
}

/** Whether a clear-text password matches a SCRAM-SHA-256 verifier (its server key). */
export function scramMatches(verifier: string, password: string): boolean {
  const m = SCRAM.exec(verifier);
  if (!m) return false;
  try {
    const salted = pbkdf2Sync(Buffer.from(saslprep(password), 'utf8'), Buffer.from(m[2], 'base64'), Number(m[1]), 32, 'sha256');
    return createHmac('sha256', salted).update('Server Key').digest().equals(Buffer.from(m[4], 'base64'));
  } catch {
    return false;
  }
}

/**
 * Whether the password changes, as the collection decides it: undefined rolpassword means it could
 * not be read (no access to pg_authid): then a given password always changes. A SCRAM verifier given
 * as the password is compared as it is; a clear-text one against the stored SCRAM verifier, or
 * against md5(password + user) when encrypted.
 */
export function passwordChanges(stored: string | null | undefined, readable: boolean, user: string, password: string | undefined, encrypted: boolean): boolean {
  if (!readable) return true;
  if (password === undefined) return false;
  if (password === '') return stored !== null && stored !== undefined;
  if (SCRAM.test(password)) return password !== stored;
  if (stored && SCRAM.test(stored)) return !scramMatches(stored, password);
  if ((password.startsWith('md5') && password.length === 35) || !encrypted) return password !== stored;
  return `md5${createHash('md5').update(password + user, 'utf8').digest('hex')}` !== stored;
}

// ---------------------------------------------------------------------------------------------
// postgresql_privs

export const VALID_PRIVS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'CREATE', 'CONNECT', 'TEMPORARY', 'TEMP', 'EXECUTE', 'USAGE', 'ALL']);
export const VALID_DEFAULT_OBJS: Record<string, readonly string[]> = {
  TABLES: ['ALL', 'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  SEQUENCES: ['ALL', 'SELECT', 'UPDATE', 'USAGE'],
  FUNCTIONS: ['ALL', 'EXECUTE'],
  TYPES: ['ALL', 'USAGE'],
  SCHEMAS: ['CREATE', 'USAGE'],
};

export interface PrivsQuery {
  state: 'present' | 'absent';
  type: string;
  privs?: readonly string[];
  objs: readonly string[];
  /** ALL TABLES IN SCHEMA & co., when objs was ALL_IN_SCHEMA. */
  allInSchema?: string;
  /** Grantees, quoted, or PUBLIC. */
  forWhom: string;
  /** target_roles, quoted and joined (default_privs only). */
  asWho?: string;
  schema?: string;
  grantOption?: boolean;
  usageOnTypes: boolean;
}

/** The collection's GRANT / REVOKE / ALTER DEFAULT PRIVILEGES text for one call (lines joined with \n). */
export function privsStatement(q: PrivsQuery): string {
  const quotedSchema = q.schema !== undefined ? `"${q.schema.replace(/"/g, '""')}"` : undefined;
  let ids: string[];
  if (q.type === 'function' || q.type === 'procedure') {
    ids = q.objs.map((o) => {
      const i = o.indexOf('(');
      if (i < 0) throw new Error(`Illegal function / procedure signature: "${o}".`);
      return `${quotedSchema}."${o.slice(0, i)}"(${o.slice(i + 1)}`;
    });
  } else if (['table', 'sequence', 'type'].includes(q.type)) {
    ids = q.objs.map((o) => `${quotedSchema}."${o}"`);
  } else {
    ids = q.objs.map((o) => `"${o}"`);
  }
  const privs = q.privs ?? [];
  let setWhat: string;
  if (q.type === 'group') setWhat = ids.join(',');
  else if (q.type === 'default_privs') setWhat = privs.join(',');
  else if (q.allInSchema) setWhat = `${privs.join(',')} ON ${q.allInSchema} ${quotedSchema}`;
  else setWhat = `${privs.join(',')} ON ${q.type.replace(/_/g, ' ')} ${ids.join(',')}`;
  const inSchema = quotedSchema !== undefined ? ` IN SCHEMA ${quotedSchema}` : '';
  const forRole = q.asWho ? ` FOR ROLE ${q.asWho}` : '';
  const lines: string[] = [];
  const grantOption = () => {
    if (q.grantOption) lines[lines.length - 1] += q.type === 'group' ? ' WITH ADMIN OPTION;' : ' WITH GRANT OPTION;';
    else if (q.grantOption === false) {
      lines[lines.length - 1] += ';';
      if (q.type === 'group') lines.push(`REVOKE ADMIN OPTION FOR ${setWhat} FROM ${q.forWhom};`);
      else if (q.type !== 'default_privs') lines.push(`REVOKE GRANT OPTION FOR ${setWhat} FROM ${q.forWhom};`);
    } else lines[lines.length - 1] += ';';
  };
  if (q.state === 'present') {
    if (q.type === 'default_privs') {
      for (const o of q.objs) lines.push(`ALTER DEFAULT PRIVILEGES${forRole}${inSchema} REVOKE ALL ON ${o} FROM ${q.forWhom};`);
      for (const o of q.objs) {
        lines.push(`ALTER DEFAULT PRIVILEGES${forRole}${inSchema} GRANT ${setWhat} ON ${o} TO ${q.forWhom}`);
        grantOption();
      }
      if (q.usageOnTypes) lines.push(`ALTER DEFAULT PRIVILEGES${forRole}${inSchema} GRANT USAGE ON TYPES TO ${q.forWhom}`);
      grantOption();
    } else {
      lines.push(`GRANT ${setWhat} TO ${q.forWhom}`);
      grantOption();
    }
  } else if (q.type === 'default_privs') {
    for (const o of ['TABLES', 'SEQUENCES', 'TYPES']) lines.push(`ALTER DEFAULT PRIVILEGES${forRole}${inSchema} REVOKE ALL ON ${o} FROM ${q.forWhom};`);
  } else {
    lines.push(`REVOKE ${setWhat} FROM ${q.forWhom};`);
  }
  return lines.join('\n');
}

/** An SQL array of text literals. */
function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map(pgLiteral).join(',')}]::text[]`;
}

/**
 * The query whose answer is the objects' access lists (or the groups' memberships), the state the
 * collection compares before and after its statement: a JSON array, one entry per object.
 */
export function privsStatusQuery(type: string, schema: string | undefined, objs: readonly string[]): string {
  const agg = (col: string, from: string, order: string) => `SELECT coalesce(json_agg(${col}::text ORDER BY ${order}), '[]'::json) FROM ${from}`;
  const inSchema = (alias: string) => (schema !== undefined ? ` AND ${alias} = ${pgLiteral(schema)}` : '');
  switch (type) {
    case 'table':
      return agg('relacl', `pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE relkind in ('r','p','v','m') AND relname = ANY (${textArray(objs)})${inSchema('nspname')}`, 'relname');
    case 'sequence':
      return agg('relacl', `pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE relkind = 'S' AND relname = ANY (${textArray(objs)})${inSchema('nspname')}`, 'relname');
    case 'function':
    case 'procedure':
      return agg('proacl', `pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE proname = ANY (${textArray(objs.map((f) => f.split('(')[0]))})${inSchema('nspname')}`, 'proname, proargtypes');
    case 'schema':
      return agg('nspacl', `pg_catalog.pg_namespace WHERE nspname = ANY (${textArray(objs)})`, 'nspname');
    case 'language':
      return agg('lanacl', `pg_catalog.pg_language WHERE lanname = ANY (${textArray(objs)})`, 'lanname');
    case 'tablespace':
      return agg('spcacl', `pg_catalog.pg_tablespace WHERE spcname = ANY (${textArray(objs)})`, 'spcname');
    case 'database':
      return agg('datacl', `pg_catalog.pg_database WHERE datname = ANY (${textArray(objs)})`, 'datname');
    case 'group':
      return `SELECT coalesce(json_agg(json_build_array(roleid, grantor, member, admin_option) ORDER BY roleid, grantor, member), '[]'::json) FROM pg_catalog.pg_auth_members am JOIN pg_catalog.pg_roles r ON r.oid = am.roleid WHERE r.rolname = ANY (${textArray(objs)})`;
    case 'default_privs':
      return agg('defaclacl', `pg_default_acl a JOIN pg_namespace b ON a.defaclnamespace = b.oid WHERE true${inSchema('b.nspname')}`, 'defaclacl::text');
    case 'foreign_data_wrapper':
      return agg('fdwacl', `pg_catalog.pg_foreign_data_wrapper WHERE fdwname = ANY (${textArray(objs)})`, 'fdwname');
    case 'foreign_server':
      return agg('srvacl', `pg_catalog.pg_foreign_server WHERE srvname = ANY (${textArray(objs)})`, 'srvname');
    case 'type':
      return agg('typacl', `pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE typname = ANY (${textArray(objs)})${inSchema('n.nspname')}`, 'typname');
    default:
      throw new Error(`Unsupported database object type "${type}".`);
  }
}

/** Two status answers compared as the collection does (sorted, NULL first). */
export function privsStatusDiffers(before: readonly unknown[], after: readonly unknown[]): boolean {
  const norm = (xs: readonly unknown[]) => xs.map((x) => (x === null ? '' : JSON.stringify(x))).sort();
  return JSON.stringify(norm(before)) !== JSON.stringify(norm(after));
}
