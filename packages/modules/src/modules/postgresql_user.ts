import { z } from 'zod';
import {
  applySteps, dangerousInputs, parseRoleAttrFlags, passwordChanges, pgLiteral, pgQuoted, psqlConnectFailed, psqlError, roleFlagsChanging,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { pgCommonAliases, pgCommonOptions, pgLogin, psqlStep, pyStr, runPsql } from '../util/postgres.js';
import { boolish, withAliases } from '../util/schema.js';

/**
 * community.postgresql.postgresql_user: a role created, altered (password, role_attr_flags, expires,
 * conn_limit, comment) or dropped, deciding as the collection does (psql on the host, in one
 * transaction): the password compared with the stored md5 or SCRAM-SHA-256 verifier, so a re-run with
 * the same password changes nothing. Check mode; returns user, queries (the password shown as
 * `%(password)s`, as the collection logs it) and user_removed.
 * Example: postgresql_user: { name: app, password: secret, role_attr_flags: CREATEDB }
 */
export const postgresqlUserModule = defineHostModule({
  name: 'postgresql_user',
  aliases: ['community.postgresql.postgresql_user'],
  description: 'Create, alter or drop a PostgreSQL role, as community.postgresql.postgresql_user.',
  args: withAliases(
    z.strictObject({
      ...pgCommonOptions,
      name: pyStr,
      password: pyStr.optional(),
      state: z.enum(['absent', 'present']).default('present'),
      db: pyStr.default(''),
      fail_on_user: boolish.default(true),
      role_attr_flags: pyStr.default(''),
      encrypted: boolish.default(true),
      no_password_changes: boolish.default(false),
      expires: pyStr.optional(),
      conn_limit: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number).optional(),
      comment: pyStr.optional(),
    }),
    { ...pgCommonAliases, name: ['user'], db: ['login_db'], fail_on_user: ['fail_on_role'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string, extra: Record<string, unknown> = {}) => ({ changed: false, failed: true, msg, ...extra });
    if (a.password) ctx.markSecret(a.password);
    if (!a.trust_input) {
      const bad = dangerousInputs([a.name, a.password, a.expires, a.role_attr_flags, a.comment, a.session_role]);
      if (bad.length) return fail(`Passed input '${bad.join(', ')}' is potentially dangerous`);
    }
    const login = pgLogin(a);
    const db = a.db || undefined;
    const user = pgLiteral(a.name);
    const setRole = a.session_role !== undefined ? `SET ROLE "${a.session_role}";\n` : '';
    // What the role is now; pg_authid (the password) only for those who may read it, as the collection tries.
    const read = [
      setRole,
      `SELECT json_build_object('version', current_setting('server_version_num')::int, 'role', (SELECT row_to_json(r) FROM (SELECT rolsuper, rolcreaterole, rolcreatedb, rolinherit, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, pg_catalog.shobj_description(oid, 'pg_authid') AS comment${a.expires !== undefined ? `, ${pgLiteral(a.expires)}::timestamptz IS NOT DISTINCT FROM rolvaliduntil AS expires_equal` : ''} FROM pg_catalog.pg_roles WHERE rolname = ${user}) r));`,
      '\\set ON_ERROR_STOP 0',
      `SELECT json_build_object('authid', true, 'pw', (SELECT rolpassword FROM pg_authid WHERE rolname = ${user}));`,
    ].join('\n');
    const facts = await runPsql(ctx, login, db, read);
    const head = facts.rows.find((r) => 'version' in r);
    if (!head) {
      const err = psqlError(facts.result.stderr);
      if (setRole && /SET ROLE|role .* does not exist|permission denied to set role/.test(err) && !psqlConnectFailed(facts.result.code, facts.result.stderr)) return fail(`Could not switch role: ${err}`);
      return fail(`unable to connect to database: ${err}`);
    }
    const version = Number(head.version);
    let flags: string;
    try {
      flags = parseRoleAttrFlags(a.role_attr_flags, version);
    } catch (err) {
      return fail((err as Error).message);
    }
    const current = (head.role ?? undefined) as Record<string, unknown> | undefined;
    const authid = facts.rows.find((r) => 'authid' in r);
    const exists = current !== undefined || a.name === 'PUBLIC';
    const shown: string[] = [];
    const real: string[] = [];
    const add = (display: string, sql: string = display) => {
      shown.push(display);
      real.push(sql);
    };
    const pw = a.password === undefined ? 'NULL' : pgLiteral(a.password);
    const exp = a.expires === undefined ? 'NULL' : pgLiteral(a.expires);
    const crypt = a.encrypted ? 'ENCRYPTED' : 'UNENCRYPTED';
    const result: Record<string, unknown> = { user: a.name };
    let changed = false;

    if (a.state === 'present') {
      if (a.name === 'PUBLIC') {
        if (a.password !== undefined) return fail('cannot change the password for PUBLIC user');
        if (flags !== '') return fail('cannot change the role_attr_flags for PUBLIC user');
      } else if (current) {
        const quoted = `ALTER USER ${pgQuoted(a.name)}`;
        if (!a.no_password_changes && (a.password !== undefined || flags !== '' || a.expires !== undefined || a.conn_limit !== undefined)) {
          const pwChanging = passwordChanges((authid?.pw ?? null) as string | null, authid !== undefined, a.name, a.password, a.encrypted);
          const flagsChanging = roleFlagsChanging(flags, current);
          const expiresChanging = a.expires !== undefined && current.expires_equal !== true;
          const connChanging = a.conn_limit !== undefined && a.conn_limit !== current.rolconnlimit;
          if (pwChanging || flagsChanging || expiresChanging || connChanging) {
            const d = [quoted];
            const r = [quoted];
            if (pwChanging) {
              if (a.password !== '') {
                d.push(`WITH ${crypt}`, 'PASSWORD %(password)s');
                r.push(`WITH ${crypt}`, `PASSWORD ${pw}`);
              } else {
                d.push('WITH PASSWORD NULL');
                r.push('WITH PASSWORD NULL');
              }
              d.push(flags);
              r.push(flags);
            } else if (flags) {
              d.push(`WITH ${flags}`);
              r.push(`WITH ${flags}`);
            }
            if (a.expires !== undefined) {
              d.push('VALID UNTIL %(expires)s');
              r.push(`VALID UNTIL ${exp}`);
            }
            if (a.conn_limit !== undefined) {
              d.push(`CONNECTION LIMIT ${a.conn_limit}`);
              r.push(`CONNECTION LIMIT ${a.conn_limit}`);
            }
            add(d.join(' '), r.join(' '));
          }
        } else if (a.no_password_changes && flags !== '' && roleFlagsChanging(flags, current)) {
          add(`${quoted} WITH ${flags}`);
        }
      } else {
        const d = [`CREATE USER ${pgQuoted(a.name)}`];
        const r = [...d];
        if (a.password !== undefined && a.password !== '') {
          d.push(`WITH ${crypt}`, 'PASSWORD %(password)s');
          r.push(`WITH ${crypt}`, `PASSWORD ${pw}`);
        }
        if (a.expires !== undefined) {
          d.push('VALID UNTIL %(expires)s');
          r.push(`VALID UNTIL ${exp}`);
        }
        if (a.conn_limit !== undefined) {
          d.push(`CONNECTION LIMIT ${a.conn_limit}`);
          r.push(`CONNECTION LIMIT ${a.conn_limit}`);
        }
        d.push(flags);
        r.push(flags);
        add(d.join(' '), r.join(' '));
      }
      if (a.comment !== undefined && a.comment !== (current?.comment ?? null)) {
        add(`COMMENT ON ROLE ${pgQuoted(a.name)} IS ${pgLiteral(a.comment)}`);
      }
      changed = real.length > 0;
      if (changed && !ctx.check) {
        const sql = ['BEGIN;', setRole, ...real.map((s) => `${s};`), 'COMMIT;'].join('\n');
        const applied = await applySteps(ctx, [psqlStep(login, db, sql, `alter role ${a.name}`)], {
          failure: (f) => (current ? psqlError(f.result.stderr) : `Unable to add user with given requirement due to : ${psqlError(f.result.stderr)}`),
        });
        if (applied.failed) return fail(String(applied.msg), { user: a.name, queries: shown });
      }
    } else if (exists) {
      const drop = `DROP USER ${pgQuoted(a.name)}`;
      // The collection decides from the role's presence in check mode and logs no query.
      if (!ctx.check) add(drop);
      if (ctx.check) {
        changed = true;
        result.user_removed = true;
      } else {
        const applied = await applySteps(ctx, [psqlStep(login, db, [setRole, `${drop};`].join('\n'), `drop role ${a.name}`)], {});
        const removed = !applied.failed;
        changed = removed;
        if (a.fail_on_user && !removed) return fail('Unable to remove user', { user: a.name, queries: shown });
        result.user_removed = removed;
      }
    }
    return { changed, ...result, queries: shown };
  },
});
