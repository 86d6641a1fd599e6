/** Jinja2/Ansible tests (`x is defined`, `result is changed`, ...). Nunjucks requires a strict `true`. */
import { existsSync, lstatSync, statSync, type Stats } from 'node:fs';
import { resolve as pathResolve } from 'node:path';
import { pythonRegex } from './regex.js';
import { pyEquals, pyRepr, pyTruthy } from './python.js';
import { arg, splitArgs } from './args.js';
import { compareVersionStrings } from './filters.js';
import { isFloat, isInt, isNumber } from './pytypes.js';
import { assertDefined, isUndefined } from './undefined.js';
import { isPlainObject, SecretString } from '../vars/secret.js';

type Test = (value: unknown, ...args: unknown[]) => boolean;

function result(value: unknown, test: string): Record<string, unknown> {
  assertDefined(value);
  if (!isPlainObject(value)) throw new Error(`the '${test}' test expects a registered task result (a dictionary)`);
  return value;
}

function text(value: unknown): string {
  assertDefined(value);
  return value instanceof SecretString ? value.value : String(value);
}

/** What Ansible's regex tests search: to_text(value), so a dict or list is searched as Python prints it. */
function subject(value: unknown): string {
  assertDefined(value);
  return Array.isArray(value) || isPlainObject(value) ? pyRepr(value) : text(value);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+~]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.\-+~]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

const VERSION_OPS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0, lt: (c) => c < 0,
  '<=': (c) => c <= 0, le: (c) => c <= 0,
  '>': (c) => c > 0, gt: (c) => c > 0,
  '>=': (c) => c >= 0, ge: (c) => c >= 0,
  '==': (c) => c === 0, '=': (c) => c === 0, eq: (c) => c === 0,
  '!=': (c) => c !== 0, '<>': (c) => c !== 0, ne: (c) => c !== 0,
};

/** Jinja2's own tests: Ansible does not give them an `ansible.builtin.` name. */
const JINJA2_TESTS = new Set(['callable', 'true', 'false', 'defined', 'undefined', 'none', 'string', 'number', 'integer', 'float', 'boolean', 'mapping', 'sequence', 'iterable', 'in', 'equalto', 'eq', 'ne', 'sameas', 'even', 'odd', 'lower', 'upper', 'lt', 'le', 'gt', 'ge', 'lessthan', 'greaterthan']);

function asyncFlag(r: Record<string, unknown>, key: 'finished' | 'started'): boolean {
  if (!(key in r)) return true;
  const v = r[key];
  return v === 1 || v === true;
}

export const tests: Record<string, Test> = {
  defined: (value) => !isUndefined(value),
  undefined: (value) => isUndefined(value),
  none: (value) => assertDefined(value) === null,
  string: (value) => typeof assertDefined(value) === 'string' || value instanceof SecretString,
  number: (value) => isNumber(assertDefined(value)),
  integer: (value) => isInt(assertDefined(value)),
  float: (value) => isFloat(assertDefined(value)),
  boolean: (value) => typeof assertDefined(value) === 'boolean',
  mapping: (value) => isPlainObject(assertDefined(value)),
  sequence: (value) => Array.isArray(assertDefined(value)) || typeof value === 'string',
  iterable: (value) => Array.isArray(assertDefined(value)) || typeof value === 'string' || isPlainObject(value),
  succeeded: (value) => result(value, 'succeeded').failed !== true,
  failed: (value) => result(value, 'failed').failed === true,
  changed: (value) => result(value, 'changed').changed === true,
  skipped: (value) => result(value, 'skipped').skipped === true,
  // async_status results: finished/started are 0 or 1 (True counts as 1, as Python's ==); a result
  // without the key (a task not run with async) counts as finished/started, as in Ansible.
  finished: (value) => asyncFlag(result(value, 'finished'), 'finished'),
  started: (value) => asyncFlag(result(value, 'started'), 'started'),
  match: (value, pattern, ...rest) => pythonRegex(`^(?:${text(pattern)})`, ignoreCase(rest)).test(subject(value)),
  search: (value, pattern, ...rest) => pythonRegex(text(pattern), ignoreCase(rest)).test(subject(value)),
  regex: (value, pattern, ...rest) => pythonRegex(text(pattern), ignoreCase(rest)).test(subject(value)),
  in: (value, container) => {
    assertDefined(value);
    assertDefined(container);
    if (typeof container === 'string') return container.includes(text(value));
    if (Array.isArray(container)) return container.includes(value);
    if (isPlainObject(container)) return Object.prototype.hasOwnProperty.call(container, String(value));
    return false;
  },
  contains: (container, value) => tests.in(value, container),
  truthy: (value) => pyTruthy(value),
  falsy: (value) => !pyTruthy(value),
  equalto: (value, other) => pyEquals(assertDefined(value), other),
  eq: (value, other) => pyEquals(assertDefined(value), other),
  sameas: (value, other) => assertDefined(value) === other,
  even: (value) => Number(assertDefined(value)) % 2 === 0,
  odd: (value) => Math.abs(Number(assertDefined(value)) % 2) === 1,
  lower: (value) => text(value) === text(value).toLowerCase(),
  upper: (value) => text(value) === text(value).toUpperCase(),
  version: (value, ...rest) => {
    const a = splitArgs(rest);
    const other = arg<unknown>(a, 0, 'version', undefined);
    const op = String(arg<unknown>(a, 1, 'operator', '=='));
    const strict = arg<unknown>(a, 2, 'strict', false) === true;
    const type = String(arg<unknown>(a, 3, 'version_type', 'loose') ?? 'loose');
    const check = VERSION_OPS[op];
    if (!check) throw new Error(`version test: unknown operator '${op}'`);
    return check(compareVersionStrings(text(value), text(other), type, strict));
  },
  // Ansible's file tests look at the controller's file system
  exists: (value) => existsSync(text(value)),
  directory: (value) => statOr(text(value))?.isDirectory() === true,
  file: (value) => statOr(text(value))?.isFile() === true,
  link: (value) => lstatOr(text(value))?.isSymbolicLink() === true,
  link_exists: (value) => lstatOr(text(value)) !== undefined,
  mount: (value) => isMountPoint(text(value)),
  same_file: (value, other) => {
    const a = statOr(text(value));
    const b = statOr(text(other));
    return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
  },
  nan: (value) => typeof assertDefined(value) === 'number' && Number.isNaN(value),
  abs: (value) => text(value).startsWith('/'),
  callable: (value) => typeof assertDefined(value) === 'function',
};
tests.true = (value) => assertDefined(value) === true;
tests.false = (value) => assertDefined(value) === false;
// Ansible's all/any: every (some) item of a list is true.
tests.all = (value) => listOf(value, 'all').every((x) => pyTruthy(x));
tests.any = (value) => listOf(value, 'any').some((x) => pyTruthy(x));
tests.success = tests.succeeded;
tests.successful = tests.succeeded;
tests.failure = tests.failed;
tests.change = tests.changed;
tests.skip = tests.skipped;
tests.version_compare = tests.version;
// Jinja2's operator aliases, used with selectattr/select: selectattr('port', '>=', 1024)
const cmp = (f: (a: number, b: number) => boolean): Test => (value, other) => f(assertDefined(value) as number, other as number);
tests['=='] = tests.eq;
tests['!='] = (value, other) => !pyEquals(assertDefined(value), other);
tests.ne = tests['!='];
tests['<'] = cmp((a, b) => a < b);
tests.lt = tests['<'];
tests.lessthan = tests['<'];
tests['<='] = cmp((a, b) => a <= b);
tests.le = tests['<='];
tests['>'] = cmp((a, b) => a > b);
tests.gt = tests['>'];
tests.greaterthan = tests['>'];
tests['>='] = cmp((a, b) => a >= b);
tests.ge = tests['>='];
tests.subset = (value, other) => Array.isArray(value) && Array.isArray(other) && value.every((x) => other.includes(x));
tests.superset = (value, other) => Array.isArray(value) && Array.isArray(other) && other.every((x) => value.includes(x));

tests.is_dir = tests.directory;
tests.is_file = tests.file;
tests.is_link = tests.link;
tests.is_abs = tests.abs;
tests.is_same_file = tests.same_file;
tests.is_mount = tests.mount;

function statOr(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function lstatOr(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** os.path.ismount: a directory on another device than its parent, or the same inode (the root). */
function isMountPoint(p: string): boolean {
  const here = lstatOr(p);
  if (!here || here.isSymbolicLink() || !here.isDirectory()) return false;
  const parent = lstatOr(pathResolve(p, '..'));
  if (!parent) return false;
  return here.dev !== parent.dev || here.ino === parent.ino;
}

// Ansible's fully qualified names: `x is ansible.builtin.version('1.2', '>=')`.
for (const name of Object.keys(tests)) {
  if (/^[a-z]/.test(name) && !JINJA2_TESTS.has(name)) tests[`ansible.builtin.${name}`] = tests[name];
}

function listOf(value: unknown, test: string): unknown[] {
  assertDefined(value);
  if (!Array.isArray(value)) throw new Error(`the '${test}' test expects a list`);
  return value;
}

function ignoreCase(rest: unknown[]): string {
  const last = rest[rest.length - 1];
  if (last && typeof last === 'object' && (last as Record<string, unknown>).ignorecase === true) return 'i';
  return rest[0] === true ? 'i' : '';
}
