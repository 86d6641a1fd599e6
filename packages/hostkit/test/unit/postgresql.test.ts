import { describe, expect, it } from 'vitest';
import {
  dangerousInputs, parsePsqlJson, parseRoleAttrFlags, passwordChanges, pgConnInfo, pgConnParams, pgLiteral, privsStatement, privsStatusDiffers,
  psqlError, psqlInput, roleFlagsChanging, scramMatches, type PgLogin, type PrivsQuery,
} from '../../src/index.js';

const login = (over: Partial<PgLogin> = {}): PgLogin => ({
  login_user: 'postgres', login_password: '', login_host: '', login_unix_socket: '', port: 5432, ssl_mode: 'prefer', connect_params: {}, ...over,
});

describe('pgConnParams: the libpq keywords the collection hands to psycopg2', () => {
  it.each([
    ['defaults: no host (libpq default socket)', login(), undefined, { user: 'postgres', port: '5432', sslmode: 'prefer' }],
    ['localhost with a socket: the socket folder', login({ login_host: 'localhost', login_unix_socket: '/var/run/postgresql' }), 'app', { host: '/var/run/postgresql', user: 'postgres', port: '5432', sslmode: 'prefer', dbname: 'app' }],
    ['another host keeps its name', login({ login_host: 'db1', login_unix_socket: '/run/pg' }), undefined, { host: 'db1', user: 'postgres', port: '5432', sslmode: 'prefer' }],
    ['connect_params on top', login({ connect_params: { connect_timeout: 3 } }), undefined, { user: 'postgres', port: '5432', sslmode: 'prefer', connect_timeout: '3' }],
  ] as const)('%s', (_n, l, db, want) => {
    expect(pgConnParams(l, db)).toEqual(want);
  });

  it('quotes conninfo values', () => {
    expect(pgConnInfo({ host: '/run/pg', user: "o'brien\\x" })).toBe("host='/run/pg' user='o\\'brien\\\\x'");
  });
});

describe('psql input, output and errors', () => {
  it('password on the first line, newlines dropped', () => {
    expect(psqlInput('se\ncret', 'SELECT 1;')).toBe('secret\nSELECT 1;\n');
  });
  it('reads one JSON value a line', () => {
    expect(parsePsqlJson('{"a":1}\nSET\n{"b":null}\n')).toEqual([{ a: 1 }, { b: null }]);
  });
  it.each([
    ['psql:<stdin>:3: ERROR:  role "x" does not exist\n', 'role "x" does not exist'],
    ['psql: error: connection to server on socket "/x/.s.PGSQL.5432" failed: FATAL:  role "y" does not exist\n', 'connection to server on socket "/x/.s.PGSQL.5432" failed: FATAL:  role "y" does not exist'],
  ])('%j', (stderr, want) => {
    expect(psqlError(stderr)).toBe(want);
  });
});

describe('literals and trust_input', () => {
  it.each([
    ['UTF-8', "'UTF-8'"],
    ["it's", "'it''s'"],
    ['a\\b', "E'a\\\\b'"],
  ])('%s', (v, want) => {
    expect(pgLiteral(v)).toBe(want);
  });
  it('finds what the collection calls dangerous', () => {
    expect(dangerousInputs(['app', "x' --", 'a; DROP TABLE t', undefined, true, ['ok', 'UNION SELECT 1']])).toEqual(["x' --", 'a; DROP TABLE t', 'UNION SELECT 1']);
  });
});

describe('role_attr_flags', () => {
  it.each([
    ['', 150000, ''],
    ['createdb,NOSUPERUSER,createdb', 150000, 'CREATEDB NOSUPERUSER'],
    ['BYPASSRLS', 90500, 'BYPASSRLS'],
  ])('%s', (flags, version, want) => {
    expect(parseRoleAttrFlags(flags, version)).toBe(want);
  });
  it('refuses unknown flags and BYPASSRLS before 9.5', () => {
    expect(() => parseRoleAttrFlags('CREATEDB,FLY', 150000)).toThrow('Invalid role_attr_flags specified: FLY');
    expect(() => parseRoleAttrFlags('BYPASSRLS', 90400)).toThrow('Invalid role_attr_flags specified: BYPASSRLS');
  });
  it.each([
    ['CREATEDB', { rolcreatedb: true }, false],
    ['CREATEDB NOSUPERUSER', { rolcreatedb: true, rolsuper: true }, true],
    ['NOLOGIN', { rolcanlogin: true }, true],
    ['', { rolcanlogin: true }, false],
  ])('%s changes %j: %s', (flags, current, want) => {
    expect(roleFlagsChanging(flags, current)).toBe(want);
  });
});

describe('password comparison (md5 and SCRAM-SHA-256 verifiers)', () => {
  // Made with Python's hashlib/hmac for password "secret" (salt "0123456789abcdef", 4096 rounds) and md5("secret" + "bob").
  const scram = 'SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$bpSY5Ze9NUH+I35LC3gVq+DpBfK46iXBxvhAKqVu9pE=:VpYlBuxyzeCI1KnctrefdljpB1mk3Gp7sBI/t11+NkQ=';
  const md5 = 'md521f3163f8f86fa10bdefbfbd502a8f06';
  it('verifies a SCRAM verifier', () => {
    expect(scramMatches(scram, 'secret')).toBe(true);
    expect(scramMatches(scram, 'Secret')).toBe(false);
  });
  it.each([
    ['same password, SCRAM stored', scram, true, 'secret', true, false],
    ['other password, SCRAM stored', scram, true, 'other', true, true],
    ['same password, md5 stored', md5, true, 'secret', true, false],
    ['other password, md5 stored', md5, true, 'other', true, true],
    ['md5 hash given', md5, true, md5, true, false],
    ['verifier given as it is stored', scram, true, scram, true, false],
    ['no password stored yet', null, true, 'secret', true, true],
    ['empty password clears a stored one', md5, true, '', true, true],
    ['empty password, none stored', null, true, '', true, false],
    ['no password given', md5, true, undefined, true, false],
    ['pg_authid not readable', undefined, false, 'secret', true, true],
  ] as const)('%s', (_n, stored, readable, password, encrypted, want) => {
    expect(passwordChanges(stored, readable, 'bob', password, encrypted)).toBe(want);
  });
});

describe('postgresql_privs statements, as the collection words them', () => {
  const base: PrivsQuery = { state: 'present', type: 'table', privs: ['SELECT'], objs: ['t1', 't2'], forWhom: '"bob"', schema: 'public', usageOnTypes: true };
  it.each([
    ['table grant', base, 'GRANT SELECT ON table "public"."t1","public"."t2" TO "bob";'],
    ['with grant option', { ...base, grantOption: true }, 'GRANT SELECT ON table "public"."t1","public"."t2" TO "bob" WITH GRANT OPTION;'],
    ['grant option revoked', { ...base, grantOption: false }, 'GRANT SELECT ON table "public"."t1","public"."t2" TO "bob";\nREVOKE GRANT OPTION FOR SELECT ON table "public"."t1","public"."t2" FROM "bob";'],
    ['table revoke', { ...base, state: 'absent' }, 'REVOKE SELECT ON table "public"."t1","public"."t2" FROM "bob";'],
    ['all in schema', { ...base, allInSchema: 'ALL TABLES IN SCHEMA', privs: ['SELECT', 'INSERT'] }, 'GRANT SELECT,INSERT ON ALL TABLES IN SCHEMA "public" TO "bob";'],
    ['database', { ...base, type: 'database', privs: ['CONNECT'], objs: ['app'], schema: undefined }, 'GRANT CONNECT ON database "app" TO "bob";'],
    ['schema to PUBLIC', { ...base, type: 'schema', privs: ['USAGE'], objs: ['s'], schema: undefined, forWhom: 'PUBLIC', state: 'absent' }, 'REVOKE USAGE ON schema "s" FROM PUBLIC;'],
    ['function', { ...base, type: 'function', privs: ['EXECUTE'], objs: ['f(int,text)'] }, 'GRANT EXECUTE ON function "public"."f"(int,text) TO "bob";'],
    ['group with admin option', { ...base, type: 'group', privs: undefined, objs: ['admins'], schema: undefined, grantOption: true }, 'GRANT "admins" TO "bob" WITH ADMIN OPTION;'],
    [
      'default privileges for a role',
      { ...base, type: 'default_privs', objs: ['TABLES'], asWho: '"owner"' },
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" REVOKE ALL ON TABLES FROM "bob";\nALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT SELECT ON TABLES TO "bob";\nALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT USAGE ON TYPES TO "bob";',
    ],
  ] as const)('%s', (_n, q, want) => {
    expect(privsStatement(q as PrivsQuery)).toBe(want);
  });
  it('refuses a function without its signature', () => {
    expect(() => privsStatement({ ...base, type: 'function', objs: ['f'] })).toThrow('Illegal function / procedure signature: "f".');
  });
  it('compares access lists sorted, NULL as empty', () => {
    expect(privsStatusDiffers([null, '{a=r/b}'], ['{a=r/b}', null])).toBe(false);
    expect(privsStatusDiffers([null], ['{bob=c/postgres}'])).toBe(true);
  });
});
