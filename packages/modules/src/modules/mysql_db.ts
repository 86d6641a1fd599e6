import { z } from 'zod';
import { shellQuote, type ModuleContext, type ModuleResult } from '@haweb/core';
import { applySteps, clientErrorText, compressorOf, dumpCommand, importCommand, mysqlQueries, mysqlScript, sqlIdentifier, sqlString, type DumpImportOptions } from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { connectFailure, mysqlLogin, mysqlLoginAliases, mysqlLoginOptions, NO_CLIENT } from '../util/mysql-login.js';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * community.mysql.mysql_db: databases present (CREATE DATABASE with encoding and collation) or
 * absent (DROP DATABASE), through the `mysql` client on the host, logged in as the collection logs in
 * (login_*, config_file, check_implicit_admin). Check mode; returns db, db_list and
 * executed_commands as the collection does. An existing database is left as it is (its encoding is
 * not altered), as the collection leaves it. state dump/import run the command lines the collection
 * builds (mysqldump into target, or the client reading target; .gz/.bz2/.xz through the compressor),
 * which it returns in executed_commands.
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
      state: z.enum(['present', 'absent', 'dump', 'import']).default('present'),
      encoding: z.string().default(''),
      collation: z.string().default(''),
      config_overrides_defaults: boolish.default(false),
      // Options of dump and import (the collection accepts them with every state).
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
    if (db.length > 1 && a.state === 'import') return fail('Multiple databases are not supported with state=import');
    const dbName = db.join(' ');
    const dumpOrImport = a.state === 'dump' || a.state === 'import';
    if (dumpOrImport && a.target === undefined) return fail(`with state=${a.state} target is required`);
    const all = dumpOrImport && db.length === 1 && db[0] === 'all';
    if (!dumpOrImport && db.length === 1 && db[0] === 'all') return fail("name is not allowed to equal 'all' unless state equals import, or dump.");
    const login = mysqlLogin(a, { overridesDefaults: a.config_overrides_defaults });
    const list = db.map(sqlString).join(', ');
    const facts = await ctx.fact(mysqlQueries, {
      login,
      queries: [['exists', `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${list})`]],
      ...(a.target !== undefined ? { target: a.target } : {}),
    });
    if (!facts.client) return fail(NO_CLIENT);
    if (facts.connectError !== undefined) return fail(connectFailure(facts, true));
    if (facts.queryError !== undefined) return fail(facts.queryError);
    const existing = new Set((facts.results.exists ?? []).map((r) => r[0]));
    const present = all ? [] : db.filter((d) => existing.has(d));
    const missing = all ? [] : db.filter((d) => !existing.has(d));
    if (dumpOrImport) {
      const options: DumpImportOptions = {
        bins: facts.bins,
        ...(facts.configExists ? { configFile: facts.configPath } : {}),
        restrictConfigFile: a.restrict_config_file,
        implicitAdmin: facts.as === 'root',
        ...(a.login_user !== undefined ? { user: a.login_user } : {}),
        ...(a.login_password !== undefined ? { password: a.login_password } : {}),
        unsafePassword: a.unsafe_login_password,
        ...(a.client_cert !== undefined ? { clientCert: a.client_cert } : {}),
        ...(a.client_key !== undefined ? { clientKey: a.client_key } : {}),
        ...(a.ca_cert !== undefined ? { caCert: a.ca_cert } : {}),
        force: a.force,
        ...(a.login_unix_socket !== undefined ? { socket: a.login_unix_socket } : {}),
        host: a.login_host,
        port: a.login_port,
        encoding: a.encoding,
        target: a.target!,
      };
      const zip = compressorOf(a.target!);
      if (a.state === 'dump') {
        if (missing.length && !all) return fail(`Cannot dump database(s) '${missing.join(', ')}' - not found`);
        if (ctx.check) return { changed: true, db: dbName, db_list: db };
        if (!facts.bins.mysqldump) return fail('Failed to find required executable "mysqldump" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
        if (zip && !facts.bins[zip]) return fail(`Failed to find required executable "${zip}" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
        const cmd = dumpCommand({
          ...options, databases: db, all, skipLockTables: a.skip_lock_tables, singleTransaction: a.single_transaction, quick: a.quick,
          ignoreTables: a.ignore_tables, hexBlob: a.hex_blob, masterData: a.master_data, ...(a.dump_extra_args !== undefined ? { extraArgs: a.dump_extra_args } : {}), pipefail: a.pipefail,
        });
        return runDumpImport(ctx, cmd, a.pipefail, a.chdir, `dump ${dbName} into ${a.target}`, { db: dbName, db_list: db, executed_commands: [cmd] });
      }
      if (ctx.check) return { changed: true, db: dbName, db_list: db };
      if (!facts.targetExists) return fail(`target ${a.target} does not exist on the host`);
      if (zip && !facts.bins[zip]) return fail(`Failed to find required executable "${zip}" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`);
      const creates = missing.map((d) => [`CREATE DATABASE ${sqlIdentifier(d)}`, ...(a.encoding ? [`CHARACTER SET ${sqlString(a.encoding)}`] : []), ...(a.collation ? [`COLLATE ${sqlString(a.collation)}`] : [])].join(' '));
      if (creates.length) {
        const created = await applySteps(ctx, [{ kind: 'script', script: mysqlScript(login, facts.as, creates), why: `create ${missing.join(', ')}` }], {
          diff: [],
          failure: (f) => `error creating database: ${clientErrorText(f.result.stderr)}`,
        });
        if (created.failed) return { changed: false, failed: true, msg: created.msg };
      }
      const cmd = importCommand({ ...options, database: db.join(''), all });
      return runDumpImport(ctx, cmd.run, false, a.chdir, `import ${a.target} into ${dbName}`, { db: dbName, db_list: db, executed_commands: [...creates, cmd.shown] });
    }
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

/** Runs a dump or import command line as the collection does (sh, or bash for pipefail; in chdir). */
async function runDumpImport(ctx: ModuleContext, cmd: string, pipefail: boolean, chdir: string | undefined, why: string, result: Record<string, unknown>): Promise<ModuleResult> {
  let out = '';
  const inDir = chdir ? `cd ${shellQuote(chdir)} || exit 1\n` : '';
  const script = pipefail ? `${inDir}exec bash -c ${shellQuote(cmd)}` : `${inDir}${cmd}`;
  const applied = await applySteps(ctx, [{ kind: 'script', script, why, onResult: (r) => (out = r.stdout) }], {
    diff: [],
    failure: (f) => f.result.stderr,
  });
  if (applied.failed) return { changed: false, failed: true, msg: applied.msg };
  return { changed: true, ...result, msg: out };
}
