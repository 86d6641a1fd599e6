/**
 * mysql_db / mysql_user's pure parts (priv strings, SHOW GRANTS, the planned changes and their
 * messages, hashes, quoting) and seboolean's parsers, table-driven. Expected values are what
 * community.mysql 3.7.2 and MariaDB 10.11 produce (checked side by side in test/provision/mysql-modules.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  clientErrorText, createUserStatements, nativePasswordHash, parseGetsebool, parseGrants, parsePrivString, parseSemanageBooleans, planUserMod,
  privDictToString, samePrivs, sanitizeRequires, parseRequires, requiresClause, sameRequires, dumpCommand, importCommand, compressorOf, setseboolArgv, sqlIdentifier, sqlString, isNativeHash, MysqlPrivError,
} from '../../src/index.js';

const m = (o: Record<string, string[]>) => new Map(Object.entries(o));

describe('parsePrivString', () => {
  it.each([
    ['*.*:ALL', false, true, { '*.*': ['ALL'] }],
    ['foodb.*:ALL', false, true, { '`foodb`.*': ['ALL'], '*.*': ['USAGE'] }],
    ['db.*:select,insert/db2.tbl:ALL,GRANT', false, true, { '`db`.*': ['SELECT', 'INSERT'], '`db2`.`tbl`': ['ALL', 'GRANT'], '*.*': ['USAGE'] }],
    ['`db`.*:SELECT', true, true, { '"db".*': ['SELECT'], '*.*': ['USAGE'] }],
    ['db.*:INSERT', false, false, { '`db`.*': ['INSERT'] }],
    ['db.t:SELECT (b, a),INSERT', false, true, { '`db`.`t`': ['SELECT (A, B)', 'INSERT'], '*.*': ['USAGE'] }],
    ['FUNCTION db.f:EXECUTE', false, true, { 'FUNCTION `db`.`f`': ['EXECUTE'], '*.*': ['USAGE'] }],
    [' my-db.*:ALL ', false, true, { '`my-db`.*': ['ALL'], '*.*': ['USAGE'] }],
  ] as const)('%s', (priv, ansi, usage, want) => {
    expect(Object.fromEntries(parsePrivString(priv, ansi, usage))).toEqual(want);
  });
  it('refuses an item without privileges', () => expect(() => parsePrivString('db.*', false)).toThrow(MysqlPrivError));
  it('takes a dict as the collection joins it', () => expect(privDictToString({ 'db.*': 'ALL', 'b.*': 'SELECT' })).toBe('db.*:ALL/b.*:SELECT'));
});

describe('parseGrants', () => {
  it.each([
    [["GRANT ALL PRIVILEGES ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*0D3CED9BEC10A777AEC23CCC353A8C08A633045E'"], { '*.*': ['ALL'] }],
    [['GRANT USAGE ON *.* TO `u`@`%`', 'GRANT SELECT, INSERT ON `foodb`.* TO `u`@`%`', 'GRANT ALL PRIVILEGES ON `bardb`.* TO `u`@`%` WITH GRANT OPTION'],
      { '*.*': ['USAGE'], '`foodb`.*': ['SELECT', 'INSERT'], '`bardb`.*': ['ALL', 'GRANT'] }],
    [['GRANT SELECT (`b`, `a`), INSERT ON `db`.`t` TO `u`@`localhost`'], { '`db`.`t`': ['SELECT (a, b)', 'INSERT'] }],
    [['GRANT `admin` TO `u`@`localhost`', 'GRANT USAGE ON *.* TO `u`@`localhost`'], { '*.*': ['USAGE'] }],
  ] as const)('%j', (lines, want) => {
    expect(Object.fromEntries(parseGrants(lines))).toEqual(want);
  });
  it('refuses what it cannot read', () => expect(() => parseGrants(['REVOKE x'])).toThrow(/unable to parse the MySQL grant string/));
});

describe('planUserMod', () => {
  const base = { user: 'u', host: '%', currentHash: nativePasswordHash('abc'), append: false, subtract: false };
  it.each([
    ['nothing to do', { wantHash: nativePasswordHash('abc') }, []],
    ['a new password', { wantHash: nativePasswordHash('def') }, [['Password updated', 'Password updated (new style)']]],
    ['same privileges', { priv: m({ '*.*': ['ALL'] }), current: m({ '*.*': ['ALL'] }) }, []],
    ['privileges moved to databases', { priv: m({ '`a`.*': ['SELECT'], '*.*': ['USAGE'] }), current: m({ '*.*': ['ALL'] }) },
      [['New privileges granted', 'New privileges granted'], ["Privileges updated: granted ['USAGE'], revoked ['ALL']", "Privileges updated: granted ['USAGE'], revoked ['ALL']"]]],
    ['a database dropped from the spec', { priv: m({ '*.*': ['USAGE'] }), current: m({ '*.*': ['USAGE'], '`a`.*': ['SELECT'] }) }, [['Privileges updated', 'Privileges updated']]],
    ['ALL replaces listed privileges without revokes', { priv: m({ '`a`.*': ['ALL'], '*.*': ['USAGE'] }), current: m({ '*.*': ['USAGE'], '`a`.*': ['SELECT'] }) },
      [["Privileges updated: granted ['ALL'], revoked []", "Privileges updated: granted ['ALL'], revoked []"]]],
    ['appended', { append: true, priv: m({ '`a`.*': ['UPDATE'], '*.*': ['USAGE'] }), current: m({ '*.*': ['USAGE'], '`a`.*': ['SELECT'], '`b`.*': ['ALL'] }) },
      [["Privileges updated: granted ['UPDATE'], revoked []", "Privileges updated: granted ['UPDATE'], revoked []"]]],
    ['subtracted', { subtract: true, priv: m({ '`a`.*': ['SELECT', 'DELETE'] }), current: m({ '*.*': ['USAGE'], '`a`.*': ['SELECT', 'INSERT'] }) },
      [["Privileges updated: granted [], revoked ['SELECT']", "Privileges updated: granted [], revoked ['SELECT']"]]],
  ] as const)('%s', (_name, input, want) => {
    expect(planUserMod({ ...base, ...input }).map((a) => [a.msg, a.doneMsg])).toEqual(want);
  });
  it('writes the statements the collection runs', () => {
    const actions = planUserMod({ ...base, wantHash: nativePasswordHash('def'), priv: m({ '`a`.*': ['ALL', 'GRANT'], '*.*': ['USAGE'] }), current: m({ '*.*': ['ALL'] }) });
    expect(actions.flatMap((a) => a.statements)).toEqual([
      "ALTER USER 'u'@'%' IDENTIFIED WITH mysql_native_password AS '*EFA28F5E94885AA962E1AFC1912CE376EE374F65'",
      "GRANT ALL ON `a`.* TO 'u'@'%' WITH GRANT OPTION",
      "REVOKE ALL ON *.* FROM 'u'@'%'",
      'FLUSH PRIVILEGES',
      "GRANT USAGE ON *.* TO 'u'@'%'",
    ]);
  });
  it('drops the grant option first when the spec drops it', () => {
    const actions = planUserMod({ ...base, priv: m({ '`a`.*': ['ALL'], '*.*': ['USAGE'] }), current: m({ '*.*': ['USAGE'], '`a`.*': ['ALL', 'GRANT'] }) });
    expect(actions.flatMap((a) => a.statements)).toEqual(["REVOKE GRANT OPTION ON `a`.* FROM 'u'@'%'", 'FLUSH PRIVILEGES']);
  });
});

describe('statements and helpers', () => {
  it.each([
    ['abc', '*0D3CED9BEC10A777AEC23CCC353A8C08A633045E'],
    ['def', '*EFA28F5E94885AA962E1AFC1912CE376EE374F65'],
    ['secret', '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'],
  ])('native hash of %s', (pw, hash) => {
    expect(nativePasswordHash(pw)).toBe(hash);
    expect(isNativeHash(hash)).toBe(true);
  });
  it('quotes as PyMySQL escapes', () => {
    expect(sqlString("it's \\ \"x\"\n")).toBe("'it\\'s \\\\ \\\"x\\\"\\n'");
    expect(sqlIdentifier('a`b')).toBe('`a``b`');
  });
  it('creates a user with a hash, a given hash, or none', () => {
    expect(createUserStatements('u', 'h', { value: '*AB', given: false }, m({ '*.*': ['ALL'] }))).toEqual([
      "CREATE USER 'u'@'h' IDENTIFIED WITH mysql_native_password AS '*AB'",
      "GRANT ALL ON *.* TO 'u'@'h'",
    ]);
    expect(createUserStatements('u', 'h', { value: '*AB', given: true }, undefined)).toEqual(["CREATE USER 'u'@'h' IDENTIFIED BY PASSWORD '*AB'"]);
    expect(createUserStatements('u', 'h', undefined, undefined)).toEqual(["CREATE USER 'u'@'h'"]);
  });
  it('prints client errors as PyMySQL does', () => {
    expect(clientErrorText("ERROR 1698 (28000): Access denied for user 'root'@'localhost'\n")).toBe(`(1698, "Access denied for user 'root'@'localhost'")`);
    expect(clientErrorText('ERROR 1007 (HY000) at line 1: Can\'t create database \'x\'; database exists')).toBe(`(1007, "Can't create database 'x'; database exists")`);
  });
  it('compares privilege maps in order', () => {
    expect(samePrivs(m({ a: ['X', 'Y'] }), m({ a: ['X', 'Y'] }))).toBe(true);
    expect(samePrivs(m({ a: ['X', 'Y'] }), m({ a: ['Y', 'X'] }))).toBe(false);
  });
});

describe('seboolean parsers', () => {
  it.each([
    ['httpd_can_network_connect_db --> on\n', true],
    ['httpd_can_network_connect_db --> off\n', false],
    ['Error getting active value for nope\n', undefined],
  ])('getsebool %j', (out, want) => expect(parseGetsebool(out, out.startsWith('Error') ? 'nope' : 'httpd_can_network_connect_db')).toBe(want));
  it.each([
    ['mysql_connect_any              (off  ,   on)  Allow mysqld to connect to all ports\n', true],
    ['mysql_connect_any              (on   ,  off)  Allow mysqld to connect to all ports\n', false],
    ['other_bool (on , on) x\n', undefined],
  ])('semanage boolean -l %j', (out, want) => expect(parseSemanageBooleans(out, 'mysql_connect_any')).toBe(want));
  it('sets with -P when persistent', () => {
    expect(setseboolArgv('b', true, true)).toEqual(['setsebool', '-P', 'b', 'on']);
    expect(setseboolArgv('b', false, false)).toEqual(['setsebool', 'b', 'off']);
  });
});

describe('tls_requires', () => {
  it.each([
    [undefined, null],
    [{}, null],
    [{ ssl: true }, 'SSL'],
    [{ X509: '' }, 'X509'],
    [{ ssl: 1, x509: 1 }, 'X509'],
    [{ subject: '/CN=a', ssl: 1, cipher: 'AES' }, { SUBJECT: '/CN=a', CIPHER: 'AES' }],
  ] as const)('sanitized %j', (given, want) => expect(sanitizeRequires(given as Record<string, unknown> | undefined)).toEqual(want));
  it.each([
    ["CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*AB'", null],
    ["CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*AB' REQUIRE SSL", 'SSL'],
    ['CREATE USER `u`@`%` REQUIRE X509 PASSWORD EXPIRE', 'X509'],
    ["CREATE USER `u`@`%` REQUIRE NONE", null],
    ["CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*AB' REQUIRE ISSUER '/CN=ca' SUBJECT '/CN=app'", { ISSUER: '/CN=ca', SUBJECT: '/CN=app' }],
  ] as const)('read from %s', (line, want) => expect(parseRequires(line)).toEqual(want));
  it('writes and compares them', () => {
    expect(requiresClause({ SUBJECT: '/CN=a', ISSUER: '/CN=b' })).toBe(" REQUIRE SUBJECT '/CN=a' AND ISSUER '/CN=b'");
    expect(requiresClause('SSL')).toBe(' REQUIRE SSL');
    expect(requiresClause(null)).toBe('');
    expect(sameRequires({ A: '1', B: '2' }, { B: '2', A: '1' })).toBe(true);
    expect(sameRequires('SSL', null)).toBe(false);
    expect(planUserMod({ user: 'u', host: 'h', currentHash: '', append: false, subtract: false, requires: { current: 'SSL', want: null } }).flatMap((a) => a.statements)).toEqual([
      "ALTER USER 'u'@'h' REQUIRE NONE",
    ]);
  });
});

describe('dump and import command lines (the collection\'s, as executed_commands shows them)', () => {
  const base = {
    bins: { mysql: '/usr/bin/mysql', mysqldump: '/usr/bin/mysqldump', gzip: '/usr/bin/gzip', bzip2: '/usr/bin/bzip2', xz: '/usr/bin/xz' },
    restrictConfigFile: false, implicitAdmin: false, unsafePassword: false, force: false, host: 'localhost', port: 3306, encoding: '',
  };
  const dump = { databases: ['a'], all: false, skipLockTables: false, singleTransaction: false, quick: true, ignoreTables: [], hexBlob: false, masterData: 0, pipefail: false };
  it.each([
    ['one database over TCP', { ...base, target: '/b/a.sql' }, dump, '/usr/bin/mysqldump --host=localhost --port=3306 a --quick > /b/a.sql'],
    ['the config file, a login, every option', { ...base, target: '/b/a.sql.bz2', configFile: '/root/.my.cnf', user: 'u', password: 'p w', force: true, socket: '/s', encoding: 'utf8' },
      { ...dump, databases: ['a', 'b'], skipLockTables: true, singleTransaction: true, ignoreTables: ['a.t'], hexBlob: true, masterData: 2, extraArgs: '--routines', pipefail: true },
      "set -o pipefail && /usr/bin/mysqldump --defaults-extra-file=/root/.my.cnf --user=u --password='p w' --force --socket=/s --databases a b --skip-lock-tables --default-character-set=utf8 --single-transaction=true --quick --ignore-table=a.t --hex-blob --master-data=2 --routines | /usr/bin/bzip2 > /b/a.sql.bz2"],
    ['all databases as root (check_implicit_admin)', { ...base, target: '/b/all.sql', implicitAdmin: true, restrictConfigFile: true, configFile: '/c' }, { ...dump, databases: ['all'], all: true, quick: false },
      "/usr/bin/mysqldump --defaults-file=/c --user=root --password='' --host=localhost --port=3306 --all-databases > /b/all.sql"],
  ] as const)('dump: %s', (_why, o, d, want) => {
    expect(dumpCommand({ ...o, ...d })).toBe(want);
  });
  it('imports a plain file, or a compressed one through the compressor (shown as the collection shows it)', () => {
    expect(importCommand({ ...base, target: '/b/a.sql', database: 'a', all: false, socket: '/s' })).toEqual({
      run: '/usr/bin/mysql --socket=/s --one-database a < /b/a.sql', shown: '/usr/bin/mysql --socket=/s --one-database a < /b/a.sql',
    });
    expect(importCommand({ ...base, target: '/b/a.sql.xz', database: 'a', all: false, implicitAdmin: true })).toEqual({
      run: "/usr/bin/xz -dc /b/a.sql.xz | /usr/bin/mysql --user=root --password='' --host=localhost --port=3306 --one-database a",
      shown: `/usr/bin/xz -dc /b/a.sql.xz | ['/usr/bin/mysql', "--user=root --password=''", '--host=localhost', '--port=3306', '--one-database', 'a']`,
    });
    expect([compressorOf('/x/a.sql.gz'), compressorOf('/x/a.bz2'), compressorOf('/x/a.xz'), compressorOf('/x/a.sql'), compressorOf('/x/.gz')]).toEqual(['gzip', 'bzip2', 'xz', undefined, undefined]);
  });
});
