import { z } from 'zod';
import { applySteps, dangerousInputs, pgLiteral, pgQuoted, psqlConnectFailed, psqlError } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { pgCommonAliases, pgCommonOptions, pgLogin, psqlStep, pyStr, runPsql } from '../util/postgres.js';
import { boolish, withAliases } from '../util/schema.js';

interface DbInfo {
  owner: string;
  encoding: string;
  encoding_id: number;
  lc_collate: string;
  lc_ctype: string;
  conn_limit: number;
  tablespace: string;
}

/**
 * community.postgresql.postgresql_db: a database created (owner, template, encoding, lc_collate,
 * lc_ctype, conn_limit, tablespace), brought to its owner, connection limit and tablespace, dropped
 * (force: its sessions ended) or renamed, deciding as the collection does, through psql on the host
 * connected to maintenance_db. An existing database whose encoding or locale differs fails, as in
 * Ansible (they cannot be changed). Check mode; returns db and executed_commands.
 * Example: postgresql_db: { name: app, owner: app, encoding: UTF-8, template: template0 }
 */
export const postgresqlDbModule = defineHostModule({
  name: 'postgresql_db',
  aliases: ['community.postgresql.postgresql_db'],
  description: 'Create, change, drop or rename a PostgreSQL database, as community.postgresql.postgresql_db.',
  args: withAliases(
    z.strictObject({
      ...pgCommonOptions,
      name: pyStr,
      owner: pyStr.default(''),
      template: pyStr.default(''),
      encoding: pyStr.default(''),
      lc_collate: pyStr.default(''),
      lc_ctype: pyStr.default(''),
      // dump and restore (pg_dump / psql of a file) are not planned: see test/compat/unsupported.ts.
      state: z.enum(['absent', 'present', 'rename']).default('present'),
      target: z.string().default(''),
      maintenance_db: pyStr.default('postgres'),
      conn_limit: pyStr.default(''),
      tablespace: z.string().default(''),
      force: boolish.default(false),
    }),
    { ...pgCommonAliases, name: ['db'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string, extra: Record<string, unknown> = {}) => ({ changed: false, failed: true, msg, ...extra });
    const db = a.name;
    if (a.state === 'rename') {
      if (!a.target) return fail('The "target" option must be defined when the "rename" option is used.');
      if (db === a.target) return fail('The "name/db" option and the "target" option cannot be the same.');
      if (a.maintenance_db === db) return fail('The "maintenance_db" option and the "name/db" option cannot be the same.');
    }
    if (!a.trust_input) {
      const bad = dangerousInputs([a.owner, a.conn_limit, a.encoding, db, a.template, a.tablespace, a.session_role]);
      if (bad.length) return fail(`Passed input '${bad.join(', ')}' is potentially dangerous`);
    }
    const login = pgLogin(a);
    const setRole = a.session_role !== undefined ? `SET ROLE "${a.session_role}";` : '';
    const read = [
      setRole,
      `SELECT json_build_object('version', current_setting('server_version_num')::int, 'exists', EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = ${pgLiteral(db)}), ` +
        `'info', (SELECT row_to_json(i) FROM (SELECT rolname AS owner, pg_encoding_to_char(encoding) AS encoding, encoding AS encoding_id, datcollate AS lc_collate, datctype AS lc_ctype, datconnlimit AS conn_limit, spcname AS tablespace ` +
        `FROM pg_catalog.pg_database JOIN pg_catalog.pg_roles ON pg_roles.oid = pg_database.datdba JOIN pg_catalog.pg_tablespace ON pg_tablespace.oid = pg_database.dattablespace WHERE datname = ${pgLiteral(db)}) i), ` +
        `'encoding_id', ${a.encoding ? `pg_char_to_encoding(${pgLiteral(a.encoding)})` : 'NULL'}, ` +
        `'target_exists', ${a.target ? `EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = ${pgLiteral(a.target)})` : 'false'});`,
    ].join('\n');
    const facts = await runPsql(ctx, login, a.maintenance_db, read);
    const head = facts.rows.find((r) => 'version' in r);
    if (!head) {
      const err = psqlError(facts.result.stderr);
      if (setRole && !psqlConnectFailed(facts.result.code, facts.result.stderr)) return fail(`Could not switch role: ${err}`);
      return fail(`unable to connect to database: ${err}`);
    }
    const version = Number(head.version);
    const exists = head.exists === true;
    const info = (head.info ?? undefined) as DbInfo | undefined;
    const matches = (): boolean => {
      if (!exists || !info) return false;
      if (a.encoding && head.encoding_id !== info.encoding_id) return false;
      if (a.lc_collate && a.lc_collate !== info.lc_collate) return false;
      if (a.lc_ctype && a.lc_ctype !== info.lc_ctype) return false;
      if (a.owner && a.owner !== info.owner) return false;
      if (a.conn_limit && a.conn_limit !== String(info.conn_limit)) return false;
      if (a.tablespace && a.tablespace !== info.tablespace) return false;
      return true;
    };
    const renameCheck = (): boolean | string => {
      const target = head.target_exists === true;
      if (exists && target) return 'Both the source and the target databases exist.';
      if (!exists && target) return false;
      if (!exists && !target) return 'The source and the target databases do not exist.';
      return true;
    };
    if (ctx.check) {
      let changed: boolean;
      if (a.state === 'absent') changed = exists;
      else if (a.state === 'present') changed = !matches();
      else {
        const r = renameCheck();
        if (typeof r === 'string') return fail(r);
        changed = r;
      }
      return { changed, db, executed_commands: [] };
    }

    const commands: string[] = [];
    const pre: string[] = [];
    if (a.state === 'absent') {
      if (exists) {
        if (a.force && version < 130000) {
          pre.push(
            `UPDATE pg_database SET datallowconn = false WHERE datname = ${pgLiteral(db)}; SELECT pg_terminate_backend(pg_stat_activity.pid) FROM pg_stat_activity WHERE pg_stat_activity.datname = ${pgLiteral(db)} AND pid <> pg_backend_pid();`,
          );
        }
        commands.push(`DROP DATABASE ${pgQuoted(db)}${a.force && version >= 130000 ? ' WITH (FORCE)' : ''}`);
      }
    } else if (a.state === 'present') {
      if (!exists || !info) {
        const q = [`CREATE DATABASE ${pgQuoted(db)}`];
        if (a.owner) q.push(`OWNER ${pgQuoted(a.owner)}`);
        if (a.template) q.push(`TEMPLATE ${pgQuoted(a.template)}`);
        if (a.encoding) q.push(`ENCODING ${pgLiteral(a.encoding)}`);
        if (a.lc_collate) q.push(`LC_COLLATE ${pgLiteral(a.lc_collate)}`);
        if (a.lc_ctype) q.push(`LC_CTYPE ${pgLiteral(a.lc_ctype)}`);
        if (a.tablespace) q.push(`TABLESPACE ${pgQuoted(a.tablespace)}`);
        if (a.conn_limit) q.push(`CONNECTION LIMIT ${a.conn_limit}`);
        commands.push(q.join(' '));
      } else {
        if (a.encoding && head.encoding_id !== info.encoding_id) return fail(`Changing database encoding is not supported. Current encoding: ${info.encoding}`);
        if (a.lc_collate && a.lc_collate !== info.lc_collate) return fail(`Changing LC_COLLATE is not supported. Current LC_COLLATE: ${info.lc_collate}`);
        if (a.lc_ctype && a.lc_ctype !== info.lc_ctype) return fail(`Changing LC_CTYPE is not supported.Current LC_CTYPE: ${info.lc_ctype}`);
        if (a.owner && a.owner !== info.owner) commands.push(`ALTER DATABASE ${pgQuoted(db)} OWNER TO ${pgQuoted(a.owner)}`);
        if (a.conn_limit && a.conn_limit !== String(info.conn_limit)) commands.push(`ALTER DATABASE ${pgQuoted(db)} CONNECTION LIMIT ${a.conn_limit}`);
        if (a.tablespace && a.tablespace !== info.tablespace) commands.push(`ALTER DATABASE ${pgQuoted(db)} SET TABLESPACE ${pgQuoted(a.tablespace)}`);
      }
    } else {
      const r = renameCheck();
      if (typeof r === 'string') return fail(r);
      if (r) commands.push(`ALTER DATABASE ${pgQuoted(db)} RENAME TO ${pgQuoted(a.target)}`);
    }
    if (commands.length === 0) return { changed: false, db, executed_commands: [] };
    // Each statement on its own (CREATE and DROP DATABASE cannot run inside a transaction block).
    const sql = [setRole, ...pre, ...commands.map((c) => `${c};`)].join('\n');
    const applied = await applySteps(ctx, [psqlStep(login, a.maintenance_db, sql, `${a.state} database ${db}`)], {
      failure: (f) => `Database query failed: ${psqlError(f.result.stderr)}`,
    });
    if (applied.failed) return fail(String(applied.msg), { db, executed_commands: commands });
    return { changed: true, db, executed_commands: commands };
  },
});
