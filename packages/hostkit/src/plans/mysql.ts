/**
 * MySQL/MariaDB databases, users and privileges as community.mysql's mysql_db and mysql_user read and
 * change them, through the `mysql` client on the host instead of a Python driver:
 *  - the login (login_user/password/host/port/unix_socket, config_file, TLS files) as the collection's
 *    connection takes it: the config file is the only option file read, login_* override it, the
 *    config's `socket` is used unless login_unix_socket is given, and otherwise the server is reached
 *    over TCP at login_host:login_port (as PyMySQL does, even for `localhost`);
 *  - privilege strings (`db.*:ALL,GRANT/db2.tbl:SELECT`) and SHOW GRANTS lines parsed into the same
 *    `db.table -> privileges` maps, and the user's changes planned in the collection's order (password,
 *    then revokes of what the spec drops, then new grants, then differences), each with its message;
 *  - passwords as mysql_native_password hashes (`*` + SHA1(SHA1(password)), upper case), computed on the
 *    controller, so a clear password only ever goes to the host as the login's own.
 * Pure functions, one fact (the queries), and the script the apply step runs.
 */
import { createHash } from 'node:crypto';
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

/** How the client logs in (the collection's login options, with its defaults filled in). */
export interface MysqlLogin {
  user?: string;
  password?: string;
  host: string;
  port: number;
  socket?: string;
  /** As given (`~/.my.cnf` by default): expanded on the host. */
  configFile: string;
  connectTimeout?: number;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  checkHostname?: boolean;
  /** config_overrides_defaults: the config's [client] host and port win over login_host/login_port. */
  overridesDefaults?: boolean;
  /** The default database of the session (force_context: mysql). */
  database?: string;
  /** check_implicit_admin: try root without a password first. */
  implicitAdmin?: boolean;
}

/** Which login the fact found working: root without a password (check_implicit_admin) or the given one. */
export type MysqlLoginAs = 'root' | 'login';

/** A string literal as PyMySQL escapes it. */
export function sqlString(value: string): string {
  const map: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\x1a': '\\Z', "'": "\\'", '"': '\\"', '\\': '\\\\' };
  return `'${value.replace(/[\0\n\r\x1a'"\\]/g, (c) => map[c])}'`;
}

/** A database name in backticks (the collection's mysql_quote_identifier for one part). */
export function sqlIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** mysql_native_password's hash of a clear password. */
export function nativePasswordHash(password: string): string {
  const once = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(once).digest('hex').toUpperCase()}`;
}

/** Whether a password given with `encrypted` looks like a mysql_native_password hash. */
export function isNativeHash(password: string): boolean {
  return /^\*[0-9a-fA-F]{40}$/.test(password);
}

/** The client's `ERROR 1698 (28000): text` as PyMySQL's exception prints: `(1698, "text")`. */
export function clientErrorText(stderr: string): string {
  const line = stderr.split('\n').find((l) => /^ERROR \d+/.test(l));
  const m = line ? /^ERROR (\d+)(?: \([0-9A-Z]+\))?(?: at line \d+)?: (.*)$/.exec(line) : null;
  return m ? `(${m[1]}, "${m[2]}")` : stderr.trim();
}

export type PrivMap = Map<string, string[]>;

/** Sorted column lists in `SELECT (b, a)` (the collection's sort_column_order). */
function sortColumns(statement: string): string {
  const [name, rest = ''] = statement.split('(');
  const cols = rest.replace(/\)+$/, '').split(',').map((c) => c.trim().replace(/^`+|`+$/g, ''));
  cols.sort();
  return `${name}(${cols.join(', ')})`;
}

/** Privileges split on commas inside `SELECT (a, b)` put back together, columns sorted (normalize_col_grants). */
export function normalizeColumnGrants(privileges: string[]): string[] {
  let out = [...privileges];
  for (const grant of ['SELECT', 'UPDATE', 'INSERT', 'REFERENCES']) {
    let start: number | undefined;
    let end: number | undefined;
    for (let n = 0; n < out.length; n++) {
      if (out[n].includes(`${grant} (`)) start = n;
      if (start !== undefined && out[n].includes(')')) {
        end = n;
        break;
      }
    }
    if (start === undefined || end === undefined) continue;
    if (start !== end) out = [...out.slice(0, start), sortColumns(out.slice(start, end + 1).join(', ')), ...out.slice(end + 1)];
    else out[start] = sortColumns(out[start]);
  }
  return out;
}

export class MysqlPrivError extends Error {}

/**
 * A priv string (`db.*:ALL,GRANT/db2.tbl:SELECT`) as the collection unpacks it: names quoted with
 * backticks (double quotes in ANSI mode) except `*`, privileges upper-cased, and `*.*: USAGE` added
 * when absent (unless subtracting).
 */
export function parsePrivString(priv: string, ansi: boolean, ensureUsage = true): PrivMap {
  const quote = ansi ? '"' : '`';
  const out: PrivMap = new Map();
  for (const item of priv.trim().split('/')) {
    const trimmed = item.trim();
    const colon = trimmed.lastIndexOf(':');
    if (colon < 0) throw new MysqlPrivError(`invalid privileges string: ${trimmed}`);
    const target = trimmed.slice(0, colon);
    const privs = trimmed.slice(colon + 1);
    const dot = target.lastIndexOf('.');
    const sides = dot < 0 ? [target] : [target.slice(0, dot), target.slice(dot + 1)];
    let objectType = '';
    const sp = sides[0].indexOf(' ');
    if (sp > 0 && ['FUNCTION', 'PROCEDURE'].includes(sides[0].slice(0, sp))) {
      objectType = `${sides[0].slice(0, sp)} `;
      sides[0] = sides[0].slice(sp + 1);
    }
    const key = objectType + sides.map((s) => (s.replace(/^`+|`+$/g, '') === '*' ? s : `${quote}${s.replace(/^`+|`+$/g, '')}${quote}`)).join('.');
    const list = privs.includes('(') ? privs.toUpperCase().split(/,\s*(?=[^)]*(?:\(|$))/) : privs.toUpperCase().split(',');
    out.set(key, normalizeColumnGrants(list));
  }
  if (ensureUsage && !out.has('*.*')) out.set('*.*', ['USAGE']);
  return out;
}

/** A dict priv (`{'db.*': 'ALL'}`) as the string the collection joins it into. */
export function privDictToString(priv: Record<string, unknown>): string {
  return Object.entries(priv).map(([k, v]) => `${k}:${String(v)}`).join('/');
}

/** SHOW GRANTS lines as a db.table -> privileges map (privileges_get); role grants are skipped. */
export function parseGrants(lines: readonly string[]): PrivMap {
  const out: PrivMap = new Map();
  for (const line of lines) {
    if (!line.trim()) continue;
    const m = /^GRANT (.+) ON (.+) TO (['`"]).*\3@(['`"]).*\4( IDENTIFIED BY PASSWORD (['`"]).+\6)? ?(.*)/.exec(line);
    if (!m) {
      if (/^GRANT (.+) TO (['`"]).*/.test(line)) continue;
      throw new MysqlPrivError(`unable to parse the MySQL grant string: ${line}`);
    }
    const privileges = normalizeColumnGrants(m[1].split(',').map((x) => (x.trim() === 'ALL PRIVILEGES' ? 'ALL' : x.trim())));
    if (m[7].includes('WITH GRANT OPTION')) privileges.push('GRANT');
    out.set(m[2], [...(out.get(m[2]) ?? []), ...privileges]);
  }
  return out;
}

const userAt = (user: string, host: string) => `${sqlString(user)}@${sqlString(host)}`;

/** privileges_grant's statement. */
export function grantStatement(user: string, host: string, target: string, privs: readonly string[]): string {
  const list = privs.filter((p) => p !== 'GRANT').join(',');
  return `GRANT ${list} ON ${target} TO ${userAt(user, host)}${privs.includes('GRANT') ? ' WITH GRANT OPTION' : ''}`;
}

/** privileges_revoke's statements. */
export function revokeStatements(user: string, host: string, target: string, privs: readonly string[], grantOption: boolean): string[] {
  const out: string[] = [];
  if (grantOption) out.push(`REVOKE GRANT OPTION ON ${target} FROM ${userAt(user, host)}`);
  const list = privs.filter((p) => p !== 'GRANT').join(',');
  if (list) out.push(`REVOKE ${list} ON ${target} FROM ${userAt(user, host)}`);
  out.push('FLUSH PRIVILEGES');
  return out;
}

/** An account's TLS requirement: SSL, X509, the ISSUER/SUBJECT/CIPHER values, or none (null). */
export type TlsRequires = 'SSL' | 'X509' | Record<string, string> | null;

/** tls_requires as the collection sanitizes it: keys upper-cased; ISSUER/SUBJECT/CIPHER win over SSL and X509. */
export function sanitizeRequires(given: Record<string, unknown> | undefined): TlsRequires {
  if (!given || Object.keys(given).length === 0) return null;
  const up: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) up[k.toUpperCase()] = String(v);
  if (['CIPHER', 'ISSUER', 'SUBJECT'].some((k) => k in up)) {
    delete up.SSL;
    delete up.X509;
    return up;
  }
  return 'X509' in up ? 'X509' : 'SSL';
}

/** Words split as Python's shlex.split does for the quoted values SHOW CREATE USER prints. */
function shlexWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The requirement in SHOW CREATE USER's line (the collection's get_tls_requires). */
export function parseRequires(createUser: string): TlsRequires {
  if (!createUser.includes('REQUIRE')) return null;
  const m = /\bREQUIRE\b(.*?)(?=\bPASSWORD\b|$)/.exec(createUser);
  const req = m ? m[1].trim() : '';
  if (!req) return null;
  for (const w of ['SSL', 'X509', 'NONE'] as const) {
    if (req.startsWith(w)) return w === 'NONE' ? null : w;
  }
  const words = shlexWords(req);
  const out: Record<string, string> = {};
  for (let n = 0; n + 1 < words.length; n += 2) out[words[n]] = words[n + 1];
  return Object.keys(out).length ? out : null;
}

export function sameRequires(a: TlsRequires, b: TlsRequires): boolean {
  if (a === null || b === null || typeof a === 'string' || typeof b === 'string') return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** ` REQUIRE ...` for CREATE/ALTER USER ('' for none). */
export function requiresClause(req: TlsRequires): string {
  if (req === null) return '';
  if (typeof req === 'string') return ` REQUIRE ${req}`;
  return ` REQUIRE ${Object.entries(req).map(([k, v]) => `${k} ${sqlString(v)}`).join(' AND ')}`;
}

/** One change of a user, in the collection's order: its message (check mode's answer) and statements. */
export interface UserAction {
  /** The message check mode returns when this is the first change. */
  msg: string;
  /** The message after it ran (the password's differs: "(new style)"). */
  doneMsg: string;
  statements: string[];
  /** A password or plugin change. */
  password?: boolean;
  /** A revoke or a grant on a new db.table: the collection counts it as a change outright. */
  counts: boolean;
}

export interface UserModInput {
  user: string;
  host: string;
  /** The user's current password hash at this host (Password, else authentication_string), '' if none. */
  currentHash: string;
  /** The desired hash (clear passwords hashed), undefined: leave the password. */
  wantHash?: string;
  /** The desired privileges, undefined: leave them. */
  priv?: PrivMap;
  /** The current ones (SHOW GRANTS), needed when priv is given. */
  current?: PrivMap;
  append: boolean;
  subtract: boolean;
  /** The account's TLS requirement now (SHOW CREATE USER) and as wanted; compared always, as the collection does. */
  requires?: { current: TlsRequires; want: TlsRequires };
}

const pySet = (a: readonly string[], b: readonly string[], keep: boolean) => [...new Set(a.filter((x) => b.includes(x) === keep))];
const pyList = (l: readonly string[]) => `[${l.map((x) => `'${x}'`).join(', ')}]`;

/** user_mod's changes for one host, in order. */
export function planUserMod(i: UserModInput): UserAction[] {
  const actions: UserAction[] = [];
  if (i.wantHash !== undefined && i.currentHash !== i.wantHash) {
    actions.push({
      msg: 'Password updated',
      doneMsg: 'Password updated (new style)',
      statements: [`ALTER USER ${userAt(i.user, i.host)} IDENTIFIED WITH mysql_native_password AS ${sqlString(i.wantHash)}`],
      password: true,
      counts: true,
    });
  }
  if (!i.priv) return [...actions, ...planRequires(i.user, i.host, i.requires)];
  const curr = i.current ?? new Map<string, string[]>();
  let grantOption = false;
  if (!i.append && !i.subtract) {
    for (const [target, privs] of curr) {
      if (privs.includes('GRANT')) grantOption = true;
      if (!i.priv.has(target) && i.user !== 'root' && !privs.includes('PROXY')) {
        actions.push({ msg: 'Privileges updated', doneMsg: 'Privileges updated', statements: revokeStatements(i.user, i.host, target, privs, grantOption), counts: true });
      }
    }
  }
  if (!i.subtract) {
    for (const [target, privs] of i.priv) {
      if (!curr.has(target)) {
        actions.push({ msg: 'New privileges granted', doneMsg: 'New privileges granted', statements: [grantStatement(i.user, i.host, target, privs)], counts: true });
      }
    }
  }
  for (const [target, want] of i.priv) {
    const have = curr.get(target);
    if (!have) continue;
    let grant: string[] = [];
    let revoke: string[] = [];
    if (i.append) grant = pySet(want, have, false);
    else if (i.subtract) revoke = pySet(want, have, true);
    else {
      grant = pySet(want, have, false);
      revoke = pySet(have, want, false);
      if (grant.includes('ALL') || grant.includes('ALL PRIVILEGES')) revoke = revoke.filter((p) => p === 'GRANT' || p === 'PROXY');
      grantOption = revoke.includes('GRANT') && !grant.includes('GRANT');
    }
    if (grant.length === 1 && grant[0] === 'GRANT') grant.push('USAGE');
    if (grant.length + revoke.length === 0) continue;
    const msg = `Privileges updated: granted ${pyList(grant)}, revoked ${pyList(revoke)}`;
    const statements = [
      ...(revoke.length ? revokeStatements(i.user, i.host, target, revoke, grantOption) : []),
      ...(grant.length ? [grantStatement(i.user, i.host, target, grant)] : []),
    ];
    actions.push({ msg, doneMsg: msg, statements, counts: false });
  }
  return [...actions, ...planRequires(i.user, i.host, i.requires)];
}

/** The TLS requirement's change after the privileges (also REQUIRE NONE when tls_requires is not given). */
export function planRequires(user: string, host: string, requires: { current: TlsRequires; want: TlsRequires } | undefined): UserAction[] {
  if (!requires || sameRequires(requires.current, requires.want)) return [];
  const clause = requires.want === null ? ' REQUIRE NONE' : requiresClause(requires.want);
  return [{ msg: 'TLS requires updated', doneMsg: 'TLS requires updated', statements: [`ALTER USER ${userAt(user, host)}${clause}`], counts: true }];
}

/** user_add's statements: CREATE USER (with the hash) and the grants. */
export function createUserStatements(user: string, host: string, hash: { value: string; given: boolean } | undefined, priv: PrivMap | undefined, requires: TlsRequires = null): string[] {
  const create = (hash
    ? hash.given
      ? `CREATE USER ${userAt(user, host)} IDENTIFIED BY PASSWORD ${sqlString(hash.value)}`
      : `CREATE USER ${userAt(user, host)} IDENTIFIED WITH mysql_native_password AS ${sqlString(hash.value)}`
    : `CREATE USER ${userAt(user, host)}`) + requiresClause(requires);
  return [create, ...[...(priv ?? new Map<string, string[]>())].map(([target, privs]) => grantStatement(user, host, target, privs))];
}

export function dropUserStatement(user: string, host: string): string {
  return `DROP USER IF EXISTS ${userAt(user, host)}`;
}

/** Two privilege maps hold the same (the collection compares dicts of lists: order counts within a list). */
export function samePrivs(a: PrivMap, b: PrivMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length || w.some((x, n) => x !== v[n])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The client on the host.

const MARK = '@@haweb-mysql@@';

/** The config file's path as a shell word (`~/` expanded by the host's shell). */
function configWord(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}

/**
 * The shell lines that define `run` (the client with the login's options, as the fact found working)
 * and `$cfg` (the expanded config path). `as` undefined: try root first (check_implicit_admin), then
 * the login, and print which worked under the marker.
 */
export function mysqlPrelude(login: MysqlLogin, as?: MysqlLoginAs): string {
  const cnfHas = `cnf_has() { [ -f "$cfg" ] && awk -v k="$1" '/^[[:space:]]*\\[/ { s = ($0 ~ /^[[:space:]]*\\[client\\][[:space:]]*$/) } s { l = $0; sub(/^[[:space:]]+/, "", l); split(l, a, /[[:space:]]*=/); if (a[1] == k) f = 1 } END { exit !f }' "$cfg"; }`;
  const fixed = [
    ...(login.connectTimeout !== undefined ? [`--connect-timeout=${login.connectTimeout}`] : []),
    ...(login.caCert ? [`--ssl-ca=${login.caCert}`] : []),
    ...(login.clientCert ? [`--ssl-cert=${login.clientCert}`] : []),
    ...(login.clientKey ? [`--ssl-key=${login.clientKey}`] : []),
    ...(login.checkHostname === true ? ['--ssl-verify-server-cert'] : []),
    ...(login.database ? [`--database=${login.database}`] : []),
  ].map(shellQuote);
  const lines = [
    'PATH="$PATH:/usr/local/bin:/usr/sbin:/sbin"; export PATH',
    `cfg=${configWord(login.configFile)}`,
    cnfHas,
    'cfgopt=--no-defaults; [ -f "$cfg" ] && cfgopt="--defaults-file=$cfg"',
  ];
  if (login.socket) {
    lines.push(`sock=${shellQuote(`--socket=${login.socket}`)}; host=; port=; proto=--protocol=socket`);
  } else {
    lines.push(`sock=; host=${shellQuote(`--host=${login.host}`)}; port=${shellQuote(`--port=${login.port}`)}; proto=--protocol=tcp`);
    // The config's socket is used whatever login_host says (PyMySQL reads it from the file).
    lines.push('if cnf_has socket; then proto=--protocol=socket; host=; port=; fi');
    if (login.overridesDefaults) lines.push('if cnf_has host; then host=; fi; if cnf_has port; then port=; fi');
  }
  const base = `mysql "$cfgopt" \${sock:+"$sock"} \${host:+"$host"} \${port:+"$port"} "$proto"${fixed.length ? ` ${fixed.join(' ')}` : ''}`;
  const mine = [
    ...(login.user !== undefined ? [shellQuote(`--user=${login.user}`)] : []),
    ...(login.password !== undefined ? [shellQuote(`--password=${login.password}`)] : []),
  ].join(' ');
  lines.push(`as_root() { ${base} --user=root --password= "$@"; }`);
  lines.push(`as_login() { ${base}${mine ? ` ${mine}` : ''} "$@"; }`);
  if (as === 'root') lines.push('run() { as_root "$@"; }');
  else if (as === 'login') lines.push('run() { as_login "$@"; }');
  else if (login.implicitAdmin) {
    lines.push(`if as_root -e 'SELECT 1' >/dev/null 2>&1; then echo ${MARK}as; echo root; run() { as_root "$@"; }; else echo ${MARK}as; echo login; run() { as_login "$@"; }; fi`);
  } else lines.push(`echo ${MARK}as; echo login; run() { as_login "$@"; }`);
  return lines.join('\n');
}

/** The statements as one -e argument (the client stops at the first error, as the module does). */
export function mysqlScript(login: MysqlLogin, as: MysqlLoginAs, statements: readonly string[]): string {
  return `${mysqlPrelude(login, as)}\nrun -N -B -r -e ${shellQuote(statements.map((s) => `${s};`).join('\n'))}`;
}

export interface MysqlQueryFacts {
  /** The mysql client is on the host. */
  client: boolean;
  /** The config file, expanded, and whether it exists. */
  configPath: string;
  configExists: boolean;
  /** Which login worked (or was tried last). */
  as: MysqlLoginAs;
  /** The connection failed: the client's error as PyMySQL prints it. */
  connectError?: string;
  /** The queries failed: the client's error. */
  queryError?: string;
  /** Each named query's rows (tab-separated columns). */
  results: Record<string, string[][]>;
  /** The tools' paths (mysql, mysqldump, gzip, bzip2, xz; '' when missing). */
  bins: Record<string, string>;
  /** The dump/import target exists (when asked). */
  targetExists: boolean;
}

/** Named queries (each one statement) run after the login is settled. */
export const mysqlQueries: Fact<{ login: MysqlLogin; queries: readonly (readonly [string, string])[]; target?: string }, MysqlQueryFacts> = {
  name: 'mysql.queries',
  command({ login, queries, target }) {
    const sql = queries.map(([name, q]) => `SELECT ${sqlString(`${MARK}q:${name}`)};\n${q};`).join('\n');
    return [
      `if ! PATH="$PATH:/usr/local/bin:/usr/sbin:/sbin" command -v mysql >/dev/null 2>&1; then exit 0; fi`,
      `echo ${MARK}client`,
      mysqlPrelude(login),
      `echo ${MARK}cfg; printf '%s\\n' "$cfg"; [ -f "$cfg" ] && echo ${MARK}cfgexists`,
      `echo ${MARK}bins; for t in mysql mysqldump gzip bzip2 xz; do printf '%s=%s\\n' "$t" "$(command -v "$t")"; done`,
      ...(target !== undefined ? [`if [ -e ${shellQuote(target)} ]; then echo ${MARK}target; fi`] : []),
      'e=$(mktemp)',
      `if ! run -N -B -r -e 'SELECT 1' >/dev/null 2>"$e"; then echo ${MARK}connerr; cat "$e"; rm -f "$e"; exit 0; fi`,
      `run -N -B -r -e ${shellQuote(sql)} 2>"$e" || { echo ${MARK}queryerr; cat "$e"; }`,
      'rm -f "$e"',
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    const results: Record<string, string[][]> = {};
    for (const [k, v] of s) {
      if (!k.startsWith('q:')) continue;
      results[k.slice(2)] = v.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    }
    return {
      client: s.has('client'),
      configPath: (s.get('cfg') ?? '').trim(),
      configExists: s.has('cfgexists'),
      as: (s.get('as') ?? '').trim() === 'root' ? 'root' : 'login',
      ...(s.has('connerr') ? { connectError: clientErrorText(s.get('connerr') ?? '') } : {}),
      ...(s.has('queryerr') ? { queryError: clientErrorText(s.get('queryerr') ?? '') } : {}),
      results,
      bins: Object.fromEntries((s.get('bins') ?? '').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
      targetExists: s.has('target'),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// mysql_db's dump and import: the shell commands the collection builds (and returns in
// executed_commands), with the tools' paths as the host resolves them.

export interface DumpImportOptions {
  /** Paths of mysql, mysqldump, gzip, bzip2, xz on the host ('' when missing). */
  bins: Record<string, string>;
  /** The expanded config file, when it exists. */
  configFile?: string;
  restrictConfigFile: boolean;
  /** check_implicit_admin held (root without a password logged in). */
  implicitAdmin: boolean;
  user?: string;
  password?: string;
  unsafePassword: boolean;
  clientCert?: string;
  clientKey?: string;
  caCert?: string;
  force: boolean;
  socket?: string;
  host: string;
  port: number;
  encoding: string;
  target: string;
}

/** The compressor a target's extension names (.gz, .bz2, .xz), as the collection picks it. */
export function compressorOf(target: string): 'gzip' | 'bzip2' | 'xz' | undefined {
  const m = /(\.[^./]*)$/.exec(target.replace(/^.*\//, '').replace(/^\.+/, ''));
  return m?.[1] === '.gz' ? 'gzip' : m?.[1] === '.bz2' ? 'bzip2' : m?.[1] === '.xz' ? 'xz' : undefined;
}

function loginWords(o: DumpImportOptions, dump: boolean): string[] {
  const w: string[] = [];
  if (o.configFile) w.push(`${o.restrictConfigFile ? '--defaults-file' : '--defaults-extra-file'}=${shellQuote(o.configFile)}`);
  if (o.implicitAdmin) w.push("--user=root --password=''");
  else {
    if (dump ? o.user !== undefined : o.user) w.push(`--user=${shellQuote(o.user!)}`);
    if (dump ? o.password !== undefined : o.password) w.push(`--password=${o.unsafePassword ? o.password : shellQuote(o.password!)}`);
  }
  if (o.clientCert !== undefined) w.push(`--ssl-cert=${shellQuote(o.clientCert)}`);
  if (o.clientKey !== undefined) w.push(`--ssl-key=${shellQuote(o.clientKey)}`);
  if (o.caCert !== undefined) w.push(`--ssl-ca=${shellQuote(o.caCert)}`);
  return w;
}

/** db_dump's command line (run with sh, or bash for pipefail). */
export function dumpCommand(
  o: DumpImportOptions & {
    databases: readonly string[]; all: boolean; skipLockTables: boolean; singleTransaction: boolean; quick: boolean; ignoreTables: readonly string[];
    hexBlob: boolean; masterData: number; extraArgs?: string; pipefail: boolean;
  },
): string {
  const w = [o.bins.mysqldump, ...loginWords(o, true)];
  if (o.force) w.push('--force');
  if (o.socket !== undefined) w.push(`--socket=${shellQuote(o.socket)}`);
  else w.push(`--host=${shellQuote(o.host)} --port=${o.port}`);
  if (o.all) w.push('--all-databases');
  else if (o.databases.length > 1) w.push(`--databases ${o.databases.join(' ')}`);
  else w.push(shellQuote(o.databases.join(' ')));
  if (o.skipLockTables) w.push('--skip-lock-tables');
  if (o.encoding) w.push(`--default-character-set=${shellQuote(o.encoding)}`);
  if (o.singleTransaction) w.push('--single-transaction=true');
  if (o.quick) w.push('--quick');
  for (const t of o.ignoreTables) w.push(`--ignore-table=${t}`);
  if (o.hexBlob) w.push('--hex-blob');
  if (o.masterData) w.push(`--master-data=${o.masterData}`);
  if (o.extraArgs !== undefined) w.push(o.extraArgs);
  const cmd = w.join(' ');
  const zip = compressorOf(o.target);
  if (zip) return `${o.pipefail ? 'set -o pipefail && ' : ''}${cmd} | ${o.bins[zip]} > ${shellQuote(o.target)}`;
  return `${cmd} > ${shellQuote(o.target)}`;
}

/** db_import's command line (a compressed target decompressed into the client). */
export function importCommand(o: DumpImportOptions & { database: string; all: boolean }): { run: string; shown: string } {
  const w = [o.bins.mysql, ...loginWords(o, false)];
  if (o.force) w.push('-f');
  if (o.socket !== undefined) w.push(`--socket=${shellQuote(o.socket)}`);
  else w.push(`--host=${shellQuote(o.host)}`, `--port=${o.port}`);
  if (o.encoding) w.push(`--default-character-set=${shellQuote(o.encoding)}`);
  if (!o.all) w.push('--one-database', shellQuote(o.database));
  const zip = compressorOf(o.target);
  if (zip) {
    // The collection reports this one with its argument list as Python prints a list.
    const pyRepr = (x: string) => (x.includes("'") && !x.includes('"') ? `"${x}"` : `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
    return { run: `${o.bins[zip]} -dc ${shellQuote(o.target)} | ${w.join(' ')}`, shown: `${o.bins[zip]} -dc ${o.target} | [${w.map(pyRepr).join(', ')}]` };
  }
  const cmd = `${w.join(' ')} < ${shellQuote(o.target)}`;
  return { run: cmd, shown: cmd };
}
