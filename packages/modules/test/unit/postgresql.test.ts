/**
 * postgresql_user, postgresql_db and postgresql_privs against a fake host whose psql answers the
 * modules' reading queries: what they decide, what they would run, that check mode runs no change and
 * that a password never reaches a command line (it travels on psql's standard input).
 */
import { describe, expect, it } from 'vitest';
import { FakeHost, REAL_FOLDERS, fsContext, runModule } from '@haweb/hostkit/testing';
import { postgresqlDbModule, postgresqlPrivsModule, postgresqlUserModule } from '../../src/index.js';

const MD5_SECRET_BOB = 'md521f3163f8f86fa10bdefbfbd502a8f06';
const ROLE = { rolsuper: false, rolcreaterole: false, rolcreatedb: true, rolinherit: true, rolcanlogin: true, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, comment: null };

/** A host whose psql answers `answer(sql)` and records the statements of every run. */
function pgHost(answer: (sql: string) => string) {
  const host = new FakeHost('pg', REAL_FOLDERS);
  const sqls: string[] = [];
  host.respond((_c, text, options) => {
    if (!text.includes('exec psql')) return undefined;
    const sql = String(options.stdin ?? '').split('\n').slice(1).join('\n');
    sqls.push(sql);
    return { code: 0, stdout: answer(sql), stderr: '' };
  });
  return { host, sqls };
}

const line = (o: unknown) => `${JSON.stringify(o)}\n`;

describe('postgresql_user', () => {
  it('creates a missing user; the password only on standard input', async () => {
    const { host, sqls } = pgHost((sql) => (sql.includes("'version'") ? line({ version: 150000, role: null }) + line({ authid: true, pw: null }) : ''));
    const r = await runModule(postgresqlUserModule, { name: 'bob', password: 'secret', role_attr_flags: 'CREATEDB', login_host: 'localhost', login_unix_socket: '/var/run/postgresql' }, fsContext(host));
    expect(r).toMatchObject({ changed: true, user: 'bob', queries: ['CREATE USER "bob" WITH ENCRYPTED PASSWORD %(password)s CREATEDB'] });
    expect(sqls[1]).toContain(`CREATE USER "bob" WITH ENCRYPTED PASSWORD 'secret' CREATEDB;`);
    expect(host.ran().join('\n')).not.toContain('secret');
    expect(host.ran()[0]).toContain("host='\\''/var/run/postgresql'\\''");
  });

  it('in check mode says what it would run and runs nothing', async () => {
    const { host, sqls } = pgHost(() => line({ version: 150000, role: null }) + line({ authid: true, pw: null }));
    const r = await runModule(postgresqlUserModule, { name: 'bob', password: 'secret' }, fsContext(host, { check: true }));
    expect(r).toMatchObject({ changed: true, queries: ['CREATE USER "bob" WITH ENCRYPTED PASSWORD %(password)s '] });
    expect(sqls).toHaveLength(1);
  });

  it.each([
    ['the same md5 password', { password: 'secret' }, false],
    ['another password', { password: 'other' }, true],
    ['flags it has', { role_attr_flags: 'CREATEDB,LOGIN' }, false],
    ['a flag it lacks', { role_attr_flags: 'SUPERUSER' }, true],
    ['no_password_changes', { password: 'other', no_password_changes: true }, false],
  ])('an existing user: %s -> changed %s', async (_n, args, changed) => {
    const { sqls, host } = pgHost((sql) => (sql.includes("'version'") ? line({ version: 150000, role: ROLE }) + line({ authid: true, pw: MD5_SECRET_BOB }) : ''));
    const r = await runModule(postgresqlUserModule, { name: 'bob', ...args }, fsContext(host));
    expect(r.changed).toBe(changed);
    expect(sqls).toHaveLength(changed ? 2 : 1);
  });

  it('refuses unknown role attribute flags with the collection\'s message', async () => {
    const { host } = pgHost(() => line({ version: 150000, role: null }));
    const r = await runModule(postgresqlUserModule, { name: 'bob', role_attr_flags: 'FLY' }, fsContext(host));
    expect(r).toMatchObject({ failed: true, msg: 'Invalid role_attr_flags specified: FLY' });
  });

  it('says it cannot connect as the collection does', async () => {
    const host = new FakeHost('pg', REAL_FOLDERS);
    host.respond((_c, text) => (text.includes('exec psql') ? { code: 2, stdout: '', stderr: 'psql: error: connection to server on socket "/x" failed: No such file or directory\n' } : undefined));
    const r = await runModule(postgresqlUserModule, { name: 'bob' }, fsContext(host));
    expect(r).toMatchObject({ failed: true, msg: 'unable to connect to database: connection to server on socket "/x" failed: No such file or directory' });
  });
});

describe('postgresql_db', () => {
  const info = { owner: 'postgres', encoding: 'UTF8', encoding_id: 6, lc_collate: 'C.UTF-8', lc_ctype: 'C.UTF-8', conn_limit: -1, tablespace: 'pg_default' };
  it.each([
    ['missing, created', { exists: false, info: null, encoding_id: 6 }, {}, true, [`CREATE DATABASE "app" OWNER "bob" TEMPLATE "template0" ENCODING 'UTF-8'`]],
    ['there with another owner', { exists: true, info, encoding_id: 6 }, {}, true, ['ALTER DATABASE "app" OWNER TO "bob"']],
    ['there as asked', { exists: true, info: { ...info, owner: 'bob' }, encoding_id: 6 }, {}, false, []],
    ['check mode, missing', { exists: false, info: null, encoding_id: 6 }, { check: true }, true, []],
  ])('%s', async (_n, facts, opts, changed, commands) => {
    const { host, sqls } = pgHost((sql) => (sql.includes("'version'") ? line({ version: 150000, target_exists: false, ...facts }) : ''));
    const r = await runModule(postgresqlDbModule, { name: 'app', owner: 'bob', template: 'template0', encoding: 'UTF-8' }, fsContext(host, opts));
    expect(r).toMatchObject({ changed, db: 'app', executed_commands: commands });
    expect(sqls).toHaveLength(changed && !('check' in opts) ? 2 : 1);
  });

  it('fails on another encoding, as the collection does', async () => {
    const { host } = pgHost(() => line({ version: 150000, exists: true, info, encoding_id: 8 }));
    const r = await runModule(postgresqlDbModule, { name: 'app', encoding: 'LATIN1' }, fsContext(host));
    expect(r).toMatchObject({ failed: true, msg: 'Changing database encoding is not supported. Current encoding: UTF8' });
  });
});

describe('postgresql_privs', () => {
  it.each([
    ['a new grant', ['{a=r/b}'], ['{a=r/b,bob=c/postgres}'], true],
    ['a grant it has', ['{bob=c/postgres}'], ['{bob=c/postgres}'], false],
  ])('%s: changed when the access list moved', async (_n, before, after, changed) => {
    const { host, sqls } = pgHost((sql) => {
      if (sql.includes("'version'")) return line({ version: 150000, roles: ['bob'], schema_exists: true });
      if (sql.includes('ROLLBACK')) return line({ before }) + line({ after });
      return '';
    });
    const r = await runModule(postgresqlPrivsModule, { db: 'app', roles: 'bob', type: 'database', privs: 'CONNECT' }, fsContext(host));
    expect(r).toMatchObject({ changed, queries: ['GRANT CONNECT ON database "app" TO "bob";'] });
    expect(sqls.filter((s) => s.includes('COMMIT'))).toHaveLength(changed ? 1 : 0);
  });

  it('a missing role fails, or warns with fail_on_role: false', async () => {
    const { host } = pgHost(() => line({ version: 150000, roles: [], schema_exists: true }));
    expect(await runModule(postgresqlPrivsModule, { db: 'app', roles: 'nobody', type: 'database', privs: 'CONNECT' }, fsContext(host))).toMatchObject({ failed: true, msg: "Role 'nobody' does not exist" });
    expect(await runModule(postgresqlPrivsModule, { db: 'app', roles: 'nobody', type: 'database', privs: 'CONNECT', fail_on_role: false }, fsContext(host))).toMatchObject({ changed: false, queries: [] });
  });

  it('checks its arguments as the collection does', async () => {
    const { host } = pgHost(() => '');
    expect(await runModule(postgresqlPrivsModule, { db: 'app', roles: 'bob', privs: 'SELECT' }, fsContext(host))).toMatchObject({ failed: true, msg: 'Argument "objs" is required for type "table".' });
    expect(await runModule(postgresqlPrivsModule, { db: 'app', roles: 'bob', type: 'schema', objs: 's', schema: 'x', privs: 'USAGE' }, fsContext(host))).toMatchObject({ failed: true, msg: 'Argument "schema" is not allowed for type "schema".' });
  });
});
