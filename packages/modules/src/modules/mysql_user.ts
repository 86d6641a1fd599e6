import { z } from 'zod';
import {
  applySteps, clientErrorText, createUserStatements, dropUserStatement, isNativeHash, mysqlQueries, mysqlScript, nativePasswordHash, parseGrants, parsePrivString,
  parseRequires, planUserMod, privDictToString, sanitizeRequires, samePrivs, sqlString, MysqlPrivError, type MysqlLogin, type MysqlLoginAs, type PrivMap, type TlsRequires, type UserAction,
} from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { connectFailure, mysqlLogin, mysqlLoginAliases, mysqlLoginOptions, NO_CLIENT } from '../util/mysql-login.js';
import { boolish, withAliases } from '../util/schema.js';

const PASSWORD_COLUMN = "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'user' AND COLUMN_NAME = 'Password'";
const str = z.union([z.string(), z.number()]).transform(String);

/**
 * community.mysql.mysql_user: a MySQL/MariaDB account (user@host) present with a password and
 * privileges, or absent, through the `mysql` client on the host, logged in as the collection logs in.
 * Passwords are compared and set as mysql_native_password hashes; `priv` is the collection's string
 * (`db.*:ALL,GRANT/db2.tbl:SELECT`, or a dict of the same) and replaces the user's privileges, or adds
 * to them (append_privs) or takes from them (subtract_privs), planned in the collection's order with
 * its messages; tls_requires (SSL, X509 or ISSUER/SUBJECT/CIPHER) compared and set with ALTER USER, and
 * dropped (REQUIRE NONE) when not given, as the collection does. Check mode; returns user, msg, changed and password_changed as the collection does.
 * Example: mysql_user: { name: foouser, password: abc, priv: '*.*:ALL', host: '%' }
 */
export const mysqlUserModule = defineHostModule({
  name: 'mysql_user',
  aliases: ['community.mysql.mysql_user'],
  description: 'Create, change or drop a MySQL/MariaDB user and its privileges, as community.mysql.mysql_user.',
  args: withAliases(
    z
      .strictObject({
        ...mysqlLoginOptions,
        name: str,
        password: str.optional(),
        encrypted: boolish.default(false),
        host: str.default('localhost'),
        host_all: boolish.default(false),
        state: z.enum(['present', 'absent']).default('present'),
        priv: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
        append_privs: boolish.default(false),
        subtract_privs: boolish.default(false),
        update_password: z.enum(['always', 'on_create']).default('always'),
        sql_log_bin: boolish.default(true),
        force_context: boolish.default(false),
        session_vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
        tls_requires: z.record(z.string(), z.unknown()).nullable().optional(),
      })
      .refine((a) => !(a.append_privs && a.subtract_privs), { message: 'parameters are mutually exclusive: append_privs|subtract_privs' }),
    { ...mysqlLoginAliases, name: ['user'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    for (const secret of [a.login_password, a.password]) if (secret) ctx.markSecret(secret);
    const user = a.name;
    const host = a.host.toLowerCase();
    const login = mysqlLogin(a, a.force_context ? { database: 'mysql' } : {});
    const userRows = `SELECT Host FROM mysql.user WHERE User = ${sqlString(user)}`;
    const first = await ctx.fact(mysqlQueries, { login, queries: [['mode', 'SELECT @@GLOBAL.sql_mode'], ['hosts', userRows], ['columns', PASSWORD_COLUMN]] });
    if (!first.client) return fail(NO_CLIENT);
    if (first.connectError !== undefined) return fail(connectFailure(first, false));
    if (first.queryError !== undefined) return fail(first.queryError);
    const as = first.as;
    // What every change runs first: the session settings the collection sets on its cursor.
    const session = [
      ...(a.sql_log_bin ? [] : ['SET SQL_LOG_BIN=0']),
      ...Object.entries(a.session_vars ?? {}).map(([k, v]) => `SET SESSION \`${k.replace(/`/g, '``')}\` = ${typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : sqlString(v)}`),
    ];
    let priv: PrivMap | undefined;
    if (a.priv !== undefined && a.priv !== '' && !(typeof a.priv === 'object' && Object.keys(a.priv).length === 0)) {
      const ansi = (first.results.mode?.[0]?.[0] ?? '').includes('ANSI');
      try {
        priv = parsePrivString(typeof a.priv === 'string' ? a.priv : privDictToString(a.priv), ansi, !a.subtract_privs);
      } catch (err) {
        if (err instanceof MysqlPrivError) return fail(err.message);
        throw err;
      }
    }
    const requires = sanitizeRequires(a.tls_requires ?? undefined);
    const hosts = (first.results.hosts ?? []).map((r) => r[0]);
    const exists = a.host_all ? hosts.length > 0 : hosts.some((h) => h.toLowerCase() === host);
    const done = (changed: boolean, msg: string, passwordChanged: boolean | null) => ({ changed, user, msg, password_changed: passwordChanged });

    if (a.state === 'absent') {
      if (!exists) return done(false, "User doesn't exist", false);
      if (ctx.check) return done(true, 'User deleted', false);
      const drops = (a.host_all ? hosts : [host]).map((h) => dropUserStatement(user, h));
      const applied = await apply(ctx, login, as, [...session, ...drops], `drop ${user}`);
      return applied ?? done(true, 'User deleted', false);
    }

    if (!exists) {
      if (a.host_all) return fail('host_all parameter cannot be used when adding a user');
      if (ctx.check) return done(true, 'User added', null);
      const hash = a.password ? { value: a.encrypted ? a.password : nativePasswordHash(a.password), given: a.encrypted } : undefined;
      const statements = createUserStatements(user, host, hash, a.subtract_privs ? undefined : priv, requires);
      const applied = await apply(ctx, login, as, [...session, ...statements], `create ${user}@${host}`);
      return applied ?? done(true, 'User added', true);
    }

    // An existing user: its password and privileges, host by host (every host of the user with host_all).
    let wantHash: string | undefined;
    if (a.update_password === 'always' && a.password) {
      if (a.encrypted && !isNativeHash(a.password)) return fail('encrypted was specified however it does not appear to be a valid hash expecting: *SHA1(SHA1(your_password))');
      wantHash = a.encrypted ? a.password : nativePasswordHash(a.password);
    }
    const targets = a.host_all ? hosts : [host];
    // MySQL 8 has no Password column; MariaDB keeps it (and fills it for mysql_native_password).
    const hashOf = (first.results.columns ?? []).length ? "COALESCE(NULLIF(Password, ''), NULLIF(authentication_string, ''), '')" : "COALESCE(authentication_string, '')";
    const state = await readHosts(ctx, login, user, targets, hashOf, priv !== undefined);
    if (!state.ok) return state.result;
    const actions: UserAction[] = [];
    for (const h of targets) {
      actions.push(
        ...planUserMod({
          user, host: h, currentHash: state.hash[h] ?? '', wantHash, priv, current: state.grants[h], append: a.append_privs, subtract: a.subtract_privs,
          requires: { current: state.requires[h] ?? null, want: requires },
        }),
      );
    }
    if (actions.length === 0) return done(false, 'User unchanged', false);
    if (ctx.check) return done(true, actions[0].msg, actions[0].password === true);
    const applied = await apply(ctx, login, as, [...session, ...actions.flatMap((x) => x.statements)], `change ${user}`);
    if (applied) return applied;
    let changed = actions.some((x) => x.counts);
    if (!changed && priv !== undefined) {
      // The collection counts a difference on a db.table both had only if SHOW GRANTS reads differently after.
      const after = await readHosts(ctx, login, user, targets, hashOf, true);
      if (!after.ok) return after.result;
      changed = targets.some((h) => !samePrivs(state.grants[h] ?? new Map(), after.grants[h] ?? new Map()));
    }
    return done(changed, actions[actions.length - 1].doneMsg, actions.some((x) => x.password === true));
  },
});

/** Each host's password hash (Password, else authentication_string) and, when asked, its grants. */
type HostsRead = { ok: true; hash: Record<string, string>; grants: Record<string, PrivMap>; requires: Record<string, TlsRequires> } | { ok: false; result: ModuleResult };

async function readHosts(ctx: ModuleContext, login: MysqlLogin, user: string, hosts: readonly string[], hashOf: string, grants: boolean): Promise<HostsRead> {
  const q: [string, string][] = [];
  hosts.forEach((h, n) => {
    q.push([`hash${n}`, `SELECT ${hashOf} FROM mysql.user WHERE User = ${sqlString(user)} AND Host = ${sqlString(h)}`]);
    if (grants) q.push([`grants${n}`, `SHOW GRANTS FOR ${sqlString(user)}@${sqlString(h)}`]);
    q.push([`create${n}`, `SHOW CREATE USER ${sqlString(user)}@${sqlString(h)}`]);
  });
  const f = await ctx.fact(mysqlQueries, { login, queries: q });
  if (f.connectError !== undefined || f.queryError !== undefined) return { ok: false, result: { changed: false, failed: true, msg: f.connectError ?? f.queryError ?? '' } };
  const hash: Record<string, string> = {};
  const out: Record<string, PrivMap> = {};
  const requires: Record<string, TlsRequires> = {};
  try {
    hosts.forEach((h, n) => {
      hash[h] = f.results[`hash${n}`]?.[0]?.[0] ?? '';
      requires[h] = parseRequires((f.results[`create${n}`] ?? []).map((r) => r.join('\t')).find((l) => l.includes('REQUIRE')) ?? '');
      if (grants) out[h] = parseGrants((f.results[`grants${n}`] ?? []).map((r) => r.join('\t')));
    });
  } catch (err) {
    if (err instanceof MysqlPrivError) return { ok: false, result: { changed: false, failed: true, msg: err.message } };
    throw err;
  }
  return { ok: true, hash, grants: out, requires };
}

/** Runs the statements (apply's one step); a failed result, or undefined when they ran. */
async function apply(ctx: ModuleContext, login: MysqlLogin, as: MysqlLoginAs, statements: string[], why: string) {
  const applied = await applySteps(ctx, [{ kind: 'script', script: mysqlScript(login, as, statements), why }], {
    diff: [],
    failure: (f) => clientErrorText(f.result.stderr),
  });
  return applied.failed ? { changed: false, failed: true, msg: applied.msg } : undefined;
}
