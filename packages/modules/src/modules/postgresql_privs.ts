import { z } from 'zod';
import {
  applySteps, dangerousInputs, pgLiteral, privsStatement, privsStatusDiffers, privsStatusQuery, psqlConnectFailed, psqlError,
  VALID_DEFAULT_OBJS, VALID_PRIVS,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { pgCommonAliases, pgCommonOptions, pgLogin, psqlStep, pyStr, runPsql } from '../util/postgres.js';
import { boolish, withAliases } from '../util/schema.js';

const TYPES = ['database', 'default_privs', 'foreign_data_wrapper', 'foreign_server', 'function', 'group', 'language', 'table', 'tablespace', 'schema', 'sequence', 'type', 'procedure'] as const;
const ALL_IN_SCHEMA: Record<string, string> = { table: 'ALL TABLES IN SCHEMA', sequence: 'ALL SEQUENCES IN SCHEMA', function: 'ALL FUNCTIONS IN SCHEMA', procedure: 'ALL PROCEDURES IN SCHEMA' };

/** The objects objs=ALL_IN_SCHEMA stands for, as the collection lists them. */
function allInSchemaQuery(type: string, schema: string | undefined, version: number): string {
  const inSchema = schema !== undefined ? ` AND nspname = ${pgLiteral(schema)}` : '';
  const rel = (kinds: string) =>
    `(SELECT coalesce(json_agg(relname::text), '[]'::json) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE relkind IN (${kinds})${inSchema})`;
  const proc = (kind?: string) =>
    `(SELECT coalesce(json_agg(p.proname || '(' || oidvectortypes(p.proargtypes) || ')'), '[]'::json) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE true${inSchema}${kind ? ` AND p.prokind = '${kind}'` : ''})`;
  if (type === 'table') return rel("'r', 'v', 'm', 'p'");
  if (type === 'sequence') return rel("'S'");
  if (type === 'function') return proc(version >= 110000 ? 'f' : undefined);
  return proc('p');
}

/**
 * community.postgresql.postgresql_privs: privileges granted or revoked on databases, schemas, tables,
 * sequences, functions, procedures, types, languages, tablespaces, foreign data wrappers and servers,
 * default privileges, and group memberships, as the collection does it: its GRANT/REVOKE statement
 * run in a transaction between two readings of the objects' access lists, changed when they differ
 * (check mode rolls the transaction back). psql on the host; returns queries.
 * Example: postgresql_privs: { db: app, roles: reader, type: table, objs: ALL_IN_SCHEMA, privs: SELECT }
 */
export const postgresqlPrivsModule = defineHostModule({
  name: 'postgresql_privs',
  aliases: ['community.postgresql.postgresql_privs'],
  description: 'Grant or revoke PostgreSQL privileges, as community.postgresql.postgresql_privs.',
  args: withAliases(
    z.strictObject({
      ...pgCommonOptions,
      database: pyStr,
      state: z.enum(['absent', 'present']).default('present'),
      privs: pyStr.optional(),
      type: z.enum(TYPES).default('table'),
      objs: pyStr.optional(),
      schema: pyStr.optional(),
      roles: pyStr,
      target_roles: pyStr.optional(),
      grant_option: boolish.optional(),
      password: pyStr.default(''),
      fail_on_role: boolish.default(true),
      usage_on_types: boolish.default(true),
    }),
    { ...pgCommonAliases, database: ['db', 'login_db'], privs: ['priv'], objs: ['obj'], roles: ['role'], grant_option: ['admin_option'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    const warnings: string[] = [];
    let loginPassword = a.login_password;
    if (a.password) {
      if (a.login_password) return fail('Use the "password" or "login_password" option but not both to pass a password to log in with.');
      loginPassword = a.password;
    }
    let schema = a.schema;
    if (['table', 'sequence', 'function', 'procedure', 'type', 'default_privs'].includes(a.type)) {
      schema = a.objs === 'schemas' || a.schema === 'not-specified' ? undefined : a.schema || 'public';
    } else if (a.schema) return fail(`Argument "schema" is not allowed for type "${a.type}".`);
    if (a.objs === 'ALL_IN_SCHEMA' && !['table', 'sequence', 'function', 'procedure'].includes(a.type)) {
      return fail(`Argument "objs": ALL_IN_SCHEMA can be used only for type: table, sequence, function or procedure, ${a.type} was passed.`);
    }
    let objsArg = a.objs;
    if (a.type === 'database') objsArg = objsArg || a.database;
    else if (!objsArg) return fail(`Argument "objs" is required for type "${a.type}".`);
    if (a.type === 'group') {
      if (a.privs) return fail('Argument "privs" is not allowed for type "group".');
    } else if (!a.privs) return fail(`Argument "privs" is required for type "${a.type}".`);
    if (!a.trust_input) {
      const bad = dangerousInputs([a.roles, a.target_roles, a.session_role, schema]);
      if (bad.length) return fail(`Passed input '${bad.join(', ')}' is potentially dangerous`);
    }
    const login = { ...pgLogin(a), login_password: loginPassword };
    const setRole = a.session_role !== undefined ? `SET ROLE "${a.session_role}";` : '';
    const roleNames = a.roles.toUpperCase() === 'PUBLIC' ? [] : a.roles.split(',');
    const allInSchema = objsArg === 'ALL_IN_SCHEMA';
    const read = [
      setRole,
      `SELECT json_build_object('version', current_setting('server_version_num')::int, ` +
        `'roles', (SELECT coalesce(json_agg(rolname::text), '[]'::json) FROM pg_catalog.pg_roles WHERE rolname = ANY (ARRAY[${roleNames.map(pgLiteral).join(',')}]::text[])), ` +
        `'schema_exists', ${schema !== undefined ? `EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${pgLiteral(schema)})` : 'true'});`,
    ].join('\n');
    const facts = await runPsql(ctx, login, a.database, read);
    const head = facts.rows.find((r) => 'version' in r);
    if (!head) {
      const err = psqlError(facts.result.stderr);
      if (setRole && !psqlConnectFailed(facts.result.code, facts.result.stderr)) return fail(`Could not switch to role ${a.session_role}: ${err}`);
      return fail(`Could not connect to database: ${err}`);
    }
    const version = Number(head.version);
    const existing = new Set(head.roles as string[]);

    let privs: string[] | undefined;
    if (a.privs) {
      privs = [...new Set(a.privs.split(',').map((p) => p.toUpperCase()))];
      const bad = privs.filter((p) => !VALID_PRIVS.has(p));
      if (bad.length) return fail(`Invalid privileges specified: {${bad.map((p) => `'${p}'`).join(', ')}}`);
    }
    let objs: string[];
    let allIn: string | undefined;
    if (allInSchema) {
      if (a.type === 'procedure' && version < 110000) return fail('PostgreSQL verion must be >= 11 for type=procedure. Exit');
      if (schema !== undefined && head.schema_exists !== true) return fail(`Schema "${schema}" does not exist.`);
      const listed = await runPsql(ctx, login, a.database, `${setRole}\nSELECT json_build_object('objs', ${allInSchemaQuery(a.type, schema, version)});`);
      const row = listed.rows.find((r) => 'objs' in r);
      if (!row) return fail(psqlError(listed.result.stderr));
      objs = row.objs as string[];
      allIn = ALL_IN_SCHEMA[a.type];
    } else if (a.type === 'default_privs') {
      objs = objsArg === 'ALL_DEFAULT' ? ['TABLES', 'SEQUENCES', 'FUNCTIONS', 'TYPES'] : [...new Set(objsArg!.split(',').map((o) => o.toUpperCase()))];
      const bad = objs.filter((o) => !(o in VALID_DEFAULT_OBJS));
      if (bad.length) return fail(`Invalid Object set specified: {${bad.map((o) => `'${o}'`).join(', ')}}`);
      const valid = objs.filter((o) => privs!.every((p) => VALID_DEFAULT_OBJS[o].includes(p)));
      if (valid.length !== objs.length) {
        const set = (xs: string[]) => `frozenset({${xs.map((x) => `'${x}'`).join(', ')}})`;
        return fail(`Invalid priv specified. Valid object for priv: ${set(valid)}. Objects: ${set(objs)}`);
      }
    } else {
      objs = objsArg!.split(',');
      if (a.type === 'function' || a.type === 'procedure') objs = objs.map((o) => o.replace(/:/g, ','));
    }

    let forWhom: string;
    if (a.roles.toUpperCase() === 'PUBLIC') forWhom = 'PUBLIC';
    else {
      if (roleNames.length === 1 && !existing.has(roleNames[0])) {
        if (a.fail_on_role) return fail(`Role '${roleNames[0].trim()}' does not exist`);
        return { changed: false, queries: [], warnings: [`Role '${roleNames[0].trim()}' does not exist, nothing to do`] };
      }
      if (a.target_roles && a.type !== 'default_privs') warnings.push('"target_roles" will be ignored Argument "type: default_privs" is required for usage of "target_roles".');
      if (objs.length === 0) return { changed: false, queries: [], ...(warnings.length ? { warnings } : {}) };
      const present: string[] = [];
      for (const r of roleNames) {
        if (existing.has(r)) present.push(`"${r}"`);
        else if (a.fail_on_role) return fail(`Role '${r.trim()}' does not exist`);
        else warnings.push(`Role '${r.trim()}' does not exist, pass it`);
      }
      if (present.length === 0) return { changed: false, queries: [], ...(warnings.length ? { warnings } : {}) };
      forWhom = present.join(',');
    }
    if (forWhom === 'PUBLIC' && a.target_roles && a.type !== 'default_privs') warnings.push('"target_roles" will be ignored Argument "type: default_privs" is required for usage of "target_roles".');
    if (objs.length === 0) return { changed: false, queries: [], ...(warnings.length ? { warnings } : {}) };

    let statement: string;
    try {
      statement = privsStatement({
        state: a.state, type: a.type, privs, objs, allInSchema: allIn, forWhom,
        asWho: a.target_roles ? a.target_roles.split(',').map((r) => `"${r}"`).join(',') : undefined,
        schema, grantOption: a.grant_option, usageOnTypes: a.usage_on_types,
      });
    } catch (err) {
      return fail((err as Error).message);
    }
    const queries = [statement];
    const extra = { queries, ...(warnings.length ? { warnings } : {}) };
    const status = privsStatusQuery(a.type, schema, objs);
    // The statement in a transaction between two readings, rolled back: what it would change.
    const probe = await runPsql(
      ctx,
      login,
      a.database,
      ['BEGIN;', setRole, `SELECT json_build_object('before', (${status}));`, statement, `SELECT json_build_object('after', (${status}));`, 'ROLLBACK;'].join('\n'),
    );
    const before = probe.rows.find((r) => 'before' in r)?.before as unknown[] | undefined;
    const after = probe.rows.find((r) => 'after' in r)?.after as unknown[] | undefined;
    if (before === undefined || after === undefined) return { ...fail(psqlError(probe.result.stderr)), ...extra };
    const changed = forWhom === 'PUBLIC' || privsStatusDiffers(before, after);
    if (!changed) return { changed: false, ...extra };
    const applied = await applySteps(ctx, [psqlStep(login, a.database, ['BEGIN;', setRole, statement, 'COMMIT;'].join('\n'), `${a.state === 'present' ? 'grant' : 'revoke'} privileges`)], {
      failure: (f) => psqlError(f.result.stderr),
    });
    if (applied.failed) return { ...fail(String(applied.msg)), ...extra };
    return { changed: true, ...extra };
  },
});
