import { z } from 'zod';
import { applySteps, clientErrorText, mysqlQueries, mysqlScript, sqlIdentifier, sqlString } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { connectFailure, mysqlLogin, mysqlLoginAliases, mysqlLoginOptions, NO_CLIENT } from '../util/mysql-login.js';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * community.mysql.mysql_db: databases present (CREATE DATABASE with encoding and collation) or
 * absent (DROP DATABASE), through the `mysql` client on the host, logged in as the collection logs in
 * (login_*, config_file, check_implicit_admin). Check mode; returns db, db_list and
 * executed_commands as the collection does. An existing database is left as it is (its encoding is
 * not altered), as the collection leaves it. Dump and import (state dump/import and their options) are
 * not implemented: the options are accepted, the states refused.
 * Example: mysql_db: { name: foodb, state: present, encoding: utf8mb4 }
 */
export const mysqlDbModule = defineHostModule({
  name: 'mysql_db',
  aliases: ['community.mysql.mysql_db'],
  description: 'Create or drop MySQL/MariaDB databases, as community.mysql.mysql_db.',
  args: withAliases(
    z.strictObject({
      ...mysqlLoginOptions,
      name: stringList,
      state: z.enum(['present', 'absent']).default('present'),
      encoding: z.string().default(''),
      collation: z.string().default(''),
      config_overrides_defaults: boolish.default(false),
      // Options of dump and import only (the collection accepts them with every state).
      target: z.string().optional(),
      single_transaction: boolish.default(false),
      quick: boolish.default(true),
      ignore_tables: stringList.default([]),
      hex_blob: boolish.default(false),
      force: boolish.default(false),
      master_data: z.union([z.literal(0), z.literal(1), z.literal(2), z.enum(['0', '1', '2'])]).transform(Number).default(0),
      skip_lock_tables: boolish.default(false),
      dump_extra_args: z.string().optional(),
      use_shell: boolish.default(false),
      unsafe_login_password: boolish.default(false),
      restrict_config_file: boolish.default(false),
      chdir: z.string().optional(),
      pipefail: boolish.default(false),
    }),
    { ...mysqlLoginAliases, name: ['db'] },
  ),
  checkMode: 'full',
  async run(a, ctx) {
    const fail = (msg: string) => ({ changed: false, failed: true, msg });
    if (a.login_password !== undefined) ctx.markSecret(a.login_password);
    const db = a.name.map((d) => d.trim());
    if (db.length === 0) return { changed: false, db: a.name, db_list: [] };
    if (a.login_port < 0 || a.login_port > 65535) return fail('login_port must be a valid unix port number (0-65535)');
    if (db.length === 1 && db[0] === 'all') return fail("name is not allowed to equal 'all' unless state equals import, or dump.");
    const dbName = db.join(' ');
    const login = mysqlLogin(a, { overridesDefaults: a.config_overrides_defaults });
    const list = db.map(sqlString).join(', ');
    const facts = await ctx.fact(mysqlQueries, { login, queries: [['exists', `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${list})`]] });
    if (!facts.client) return fail(NO_CLIENT);
    if (facts.connectError !== undefined) return fail(connectFailure(facts, true));
    if (facts.queryError !== undefined) return fail(facts.queryError);
    const existing = new Set((facts.results.exists ?? []).map((r) => r[0]));
    const present = db.filter((d) => existing.has(d));
    const missing = db.filter((d) => !existing.has(d));
    const todo = a.state === 'absent' ? present : missing;
    if (ctx.check) return { changed: todo.length > 0, db: dbName, db_list: db };
    const commands =
      a.state === 'absent'
        ? todo.map((d) => `DROP DATABASE ${sqlIdentifier(d)}`)
        : todo.map((d) => [`CREATE DATABASE ${sqlIdentifier(d)}`, ...(a.encoding ? [`CHARACTER SET ${sqlString(a.encoding)}`] : []), ...(a.collation ? [`COLLATE ${sqlString(a.collation)}`] : [])].join(' '));
    const result = { db: dbName, db_list: db, executed_commands: commands };
    if (commands.length === 0) return { changed: false, ...result };
    const applied = await applySteps(ctx, [{ kind: 'script', script: mysqlScript(login, facts.as, commands), why: `${a.state === 'absent' ? 'drop' : 'create'} ${todo.join(', ')}` }], {
      diff: [],
      failure: (f) => `error ${a.state === 'absent' ? 'deleting' : 'creating'} database: ${clientErrorText(f.result.stderr)}`,
    });
    if (applied.failed) return { changed: false, failed: true, msg: applied.msg };
    return { changed: true, ...result };
  },
});

