/**
 * The filters Ansible users expect, with Jinja2/Ansible semantics (not nunjucks' own where they differ).
 * Each gets `this` = the nunjucks context (for map/select, which call other filters and tests).
 */
import { createHash } from 'node:crypto';
import { posix as path } from 'node:path';
import { stringify as yamlStringify, parse as yamlParse, parseAllDocuments } from 'yaml';
import { arg, splitArgs } from './args.js';
import { FilterError, UndefinedUseError } from './errors.js';
import { pyEquals, pyRepr, pyStr, pyTruthy, toBool } from './python.js';
import { pythonRegex, pythonReplacement } from './regex.js';
import { assertDefined, isUndefined, makeUndefined, undefinedReason } from './undefined.js';
import { revealSecrets, SecretString, isPlainObject } from '../vars/secret.js';
import { shellQuote } from '../contract/quote.js';

export interface FilterContext {
  env: {
    getFilter(name: string): (...args: unknown[]) => unknown;
    getTest(name: string): (...args: unknown[]) => unknown;
  };
}
type Filter = (this: FilterContext, value: unknown, ...args: unknown[]) => unknown;

function str(value: unknown): string {
  return pyStr(value);
}

function list(value: unknown, filter: string): unknown[] {
  assertDefined(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  if (value instanceof Set) return [...value];
  throw new FilterError(`${filter}: expected a list, got ${typeName(value)}`);
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string' || value instanceof SecretString) return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (isPlainObject(value)) return 'dict';
  return typeof value;
}

function attrOf(item: unknown, attribute: string): unknown {
  let cur: unknown = item;
  for (const part of attribute.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function callTest(ctx: FilterContext, name: string, value: unknown, args: unknown[]): boolean {
  return ctx.env.getTest(name).call(ctx, value, ...args) === true;
}

/** select/reject/selectattr/rejectattr share this: keep items for which the test (default: truthy) is `want`. */
function selectBy(ctx: FilterContext, items: unknown[], args: unknown[], want: boolean, attribute?: string): unknown[] {
  const [test, ...testArgs] = args as [string | undefined, ...unknown[]];
  return items.filter((item) => {
    const v = attribute === undefined ? item : attrOf(item, attribute);
    const ok = test === undefined ? pyTruthy(v ?? null) : callTest(ctx, test, v, testArgs);
    return ok === want;
  });
}

function compareValues(a: unknown, b: unknown, caseSensitive: boolean): number {
  let x = a;
  let y = b;
  if (!caseSensitive) {
    if (typeof x === 'string') x = x.toLowerCase();
    if (typeof y === 'string') y = y.toLowerCase();
  }
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    if (recursive && isPlainObject(old) && isPlainObject(v)) out[k] = deepMerge(old, v, recursive, listMerge);
    else if (Array.isArray(old) && Array.isArray(v) && listMerge !== 'replace') {
      if (listMerge === 'append') out[k] = [...old, ...v];
      else if (listMerge === 'prepend') out[k] = [...v, ...old];
      else if (listMerge === 'append_rp') out[k] = [...old.filter((x) => !v.includes(x)), ...v];
      else if (listMerge === 'prepend_rp') out[k] = [...v, ...old.filter((x) => !v.includes(x))];
      else out[k] = v;
    } else out[k] = v;
  }
  return out;
}

function contains(items: unknown[], x: unknown): boolean {
  return items.some((y) => pyEquals(y, x));
}

function uniqueValues(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!contains(out, x)) out.push(x);
  return out;
}

/** `container[key]` the way Jinja2's subscript reads data: a missing key or index is a named Undefined. */
function itemOf(container: unknown, key: unknown): unknown {
  const c = assertDefined(container);
  if (Array.isArray(c)) {
    const i = Number(key);
    if (Number.isInteger(i) && i >= -c.length && i < c.length) return c[i < 0 ? c.length + i : i];
    return makeUndefined(`list object has no element ${pyStr(key)}`);
  }
  if (c !== null && typeof c === 'object' && !(c instanceof SecretString)) {
    const k = pyStr(key);
    if (Object.prototype.hasOwnProperty.call(c, k)) return (c as Record<string, unknown>)[k];
    return makeUndefined(`'${typeName(c)} object' has no attribute '${k}'`);
  }
  throw new FilterError(`extract: '${typeName(c)}' object is not subscriptable`);
}

function toJsonValue(value: unknown): unknown {
  return revealSecrets(assertDeep(value));
}

/** Throw if an Undefined hides anywhere inside (to_json of a dict with an undefined member). */
function assertDeep(value: unknown): unknown {
  assertDefined(value);
  if (Array.isArray(value)) value.forEach(assertDeep);
  else if (isPlainObject(value)) Object.values(value).forEach(assertDeep);
  return value;
}

function jsonDump(value: unknown, indent?: number, sortKeys = false): string {
  const v = toJsonValue(value);
  const sorted = sortKeys ? sortDeep(v) : v;
  // Python's json.dumps separators: ", " and ": " on one line.
  if (indent === undefined) return pyJsonOneLine(sorted);
  return JSON.stringify(sorted, null, indent);
}

function pyJsonOneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJsonOneLine).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonOneLine(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep(value[k])]));
  }
  return value;
}

function toInt(value: unknown, fallback: unknown, base: number): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  const s = str(value).trim();
  const n = base === 10 ? Number(s) : parseInt(s, base);
  if (s === '' || Number.isNaN(n)) return Number(fallback);
  return Math.trunc(n);
}

/** Python's `%` string formatting, as Jinja2's `format` filter uses it: %s %r %d %i %f %x %o %%, widths, %(name)s. */
export function percentFormat(fmt: string, args: unknown[], named: Record<string, unknown>): string {
  let i = 0;
  return fmt.replace(/%(?:\(([^)]+)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdifrxXoeEgG%])/g, (_m, name: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const value = name !== undefined ? named[name] : args[i++];
    if (value === undefined && name === undefined) throw new FilterError('format: not enough arguments for format string');
    let text: string;
    switch (conv) {
      case 'd':
      case 'i':
        text = String(Math.trunc(Number(assertDefined(value))));
        break;
      case 'f':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        const n = Number(assertDefined(value));
        const p = precision === undefined ? 6 : Number(precision);
        text = conv === 'f' ? n.toFixed(p) : conv.toLowerCase() === 'e' ? n.toExponential(p) : String(Number(n.toPrecision(p || 1)));
        if (conv === 'E' || conv === 'G') text = text.toUpperCase();
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        text = Math.trunc(Number(assertDefined(value))).toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') text = text.toUpperCase();
        break;
      }
      case 'r':
        text = pyRepr(value);
        break;
      default:
        text = str(value);
        if (precision !== undefined) text = text.slice(0, Number(precision));
    }
    if (flags.includes('+') && 'dif'.includes(conv) && !text.startsWith('-')) text = `+${text}`;
    const w = width === undefined || width === '*' ? 0 : Number(width);
    if (text.length < w) {
      if (flags.includes('-')) text = text.padEnd(w);
      else if (flags.includes('0') && conv !== 's') text = (text.startsWith('-') ? '-' : '') + text.replace(/^-/, '').padStart(w - (text.startsWith('-') ? 1 : 0), '0');
      else text = text.padStart(w);
    }
    return text;
  });
}

/** Jinja2's own filters: Ansible does not give them an `ansible.builtin.` name. */
const JINJA2_BUILTINS = new Set(['format', 'default', 'd', 'int', 'float', 'string', 'lower', 'upper', 'capitalize', 'trim', 'join', 'length', 'count', 'first', 'last', 'sort', 'reverse', 'map', 'select', 'reject', 'selectattr', 'rejectattr', 'replace', 'list', 'sum', 'abs', 'round', 'indent', 'groupby']);

export const filters: Record<string, Filter> = {
  format(value, ...rest) {
    const a = splitArgs(rest);
    const single = a.positional.length === 1 && isPlainObject(a.positional[0]) ? (a.positional[0] as Record<string, unknown>) : undefined;
    return percentFormat(str(value), a.positional, { ...single, ...a.kwargs });
  },
  default(value, ...rest) {
    const a = splitArgs(rest);
    const fallback = arg<unknown>(a, 0, 'default_value', '');
    const boolean = arg<unknown>(a, 1, 'boolean', false);
    if (isUndefined(value)) return fallback;
    if (boolean === true && !pyTruthy(value)) return fallback;
    return value;
  },
  mandatory(value, msg) {
    if (isUndefined(value)) {
      throw new UndefinedUseError(typeof msg === 'string' ? msg : `Mandatory variable has not been overridden: ${undefinedReason(value)}`);
    }
    return value;
  },
  bool: (value) => toBool(value),
  int(value, ...rest) {
    const a = splitArgs(rest);
    return toInt(assertDefined(value), arg(a, 0, 'default', 0), Number(arg(a, 1, 'base', 10)));
  },
  float(value, ...rest) {
    const a = splitArgs(rest);
    const n = typeof value === 'number' ? value : Number(str(value).trim());
    return Number.isNaN(n) || str(value).trim() === '' ? Number(arg(a, 0, 'default', 0)) : n;
  },
  string: (value) => str(value),
  lower: (value) => str(value).toLowerCase(),
  upper: (value) => str(value).toUpperCase(),
  capitalize: (value) => {
    const s = str(value);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  trim: (value, chars) => {
    const s = str(value);
    if (typeof chars !== 'string') return s.trim();
    const set = new Set(chars);
    let i = 0;
    let j = s.length;
    while (i < j && set.has(s[i])) i++;
    while (j > i && set.has(s[j - 1])) j--;
    return s.slice(i, j);
  },
  join(value, ...rest) {
    const a = splitArgs(rest);
    const sep = str(arg(a, 0, 'd', ''));
    const attribute = arg<string | undefined>(a, 1, 'attribute', undefined);
    return list(value, 'join').map((x) => str(attribute ? attrOf(x, attribute) : x)).join(sep);
  },
  length(value) {
    assertDefined(value);
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (value instanceof SecretString) return value.value.length;
    if (isPlainObject(value)) return Object.keys(value).length;
    throw new FilterError(`length: object of type '${typeName(value)}' has no len()`);
  },
  first: (value) => list(value, 'first')[0],
  last: (value) => {
    const l = list(value, 'last');
    return l[l.length - 1];
  },
  unique: (value) => uniqueValues(list(value, 'unique')),
  sort(value, ...rest) {
    const a = splitArgs(rest);
    const reverse = arg<unknown>(a, 0, 'reverse', false) === true;
    const caseSensitive = arg<unknown>(a, 1, 'case_sensitive', false) === true;
    const attribute = arg<string | undefined>(a, 2, 'attribute', undefined);
    const out = [...list(value, 'sort')].sort((x, y) =>
      compareValues(attribute ? attrOf(x, attribute) : x, attribute ? attrOf(y, attribute) : y, caseSensitive),
    );
    return reverse ? out.reverse() : out;
  },
  reverse(value) {
    if (typeof value === 'string') return [...value].reverse().join('');
    return [...list(value, 'reverse')].reverse();
  },
  map(value, ...rest) {
    const a = splitArgs(rest);
    const items = list(value, 'map');
    const attribute = a.kwargs.attribute;
    if (typeof attribute === 'string') {
      return items.map((x) => {
        const v = attrOf(x, attribute);
        if (v === undefined) {
          if ('default' in a.kwargs) return a.kwargs.default;
          throw new UndefinedUseError(`'${typeName(x)} object' has no attribute '${attribute}'`);
        }
        return v;
      });
    }
    const [name, ...filterArgs] = a.positional as [string, ...unknown[]];
    if (typeof name !== 'string') throw new FilterError('map: expected a filter name or attribute=');
    const f = this.env.getFilter(name);
    return items.map((x) => f.call(this, x, ...filterArgs));
  },
  select(value, ...args) {
    return selectBy(this, list(value, 'select'), args, true);
  },
  reject(value, ...args) {
    return selectBy(this, list(value, 'reject'), args, false);
  },
  selectattr(value, attribute, ...args) {
    return selectBy(this, list(value, 'selectattr'), args, true, String(attribute));
  },
  rejectattr(value, attribute, ...args) {
    return selectBy(this, list(value, 'rejectattr'), args, false, String(attribute));
  },
  to_json(value, ...rest) {
    const a = splitArgs(rest);
    const indent = a.kwargs.indent;
    return jsonDump(value, typeof indent === 'number' ? indent : undefined, a.kwargs.sort_keys === true);
  },
  to_nice_json(value, ...rest) {
    const a = splitArgs(rest);
    return jsonDump(value, Number(arg(a, 0, 'indent', 4)), true);
  },
  to_yaml(value) {
    return yamlStringify(toJsonValue(value));
  },
  to_nice_yaml(value, ...rest) {
    const a = splitArgs(rest);
    return yamlStringify(toJsonValue(value), { indent: Number(arg(a, 0, 'indent', 4)) });
  },
  from_json(value) {
    try {
      return JSON.parse(str(value));
    } catch (e) {
      throw new FilterError(`from_json: ${(e as Error).message}`);
    }
  },
  from_yaml(value) {
    try {
      return yamlParse(str(value));
    } catch (e) {
      throw new FilterError(`from_yaml: ${(e as Error).message}`);
    }
  },
  regex_replace(value, ...rest) {
    const a = splitArgs(rest);
    const pattern = str(arg(a, 0, 'pattern', ''));
    const replacement = str(arg(a, 1, 'replacement', ''));
    const flags = 'g' + (arg<unknown>(a, 2, 'ignorecase', false) === true ? 'i' : '') + (arg<unknown>(a, 3, 'multiline', false) === true ? 'm' : '');
    return str(value).replace(pythonRegex(pattern, flags), pythonReplacement(replacement));
  },
  regex_search(value, pattern, ...rest) {
    const a = splitArgs(rest);
    const flags = (a.kwargs.ignorecase === true ? 'i' : '') + (a.kwargs.multiline === true ? 'm' : '');
    const m = pythonRegex(str(pattern), flags).exec(str(value));
    if (!m) return null;
    const groups = a.positional.map(String);
    if (groups.length === 0) return m[0];
    return groups.map((g) => {
      const named = /^\\g<(\w+)>$/.exec(g);
      if (named) return /^\d+$/.test(named[1]) ? m[Number(named[1])] : m.groups?.[named[1]];
      const num = /^\\(\d+)$/.exec(g);
      return num ? m[Number(num[1])] : undefined;
    });
  },
  regex_findall(value, pattern, ...rest) {
    const a = splitArgs(rest);
    const flags = 'g' + (a.kwargs.ignorecase === true ? 'i' : '') + (a.kwargs.multiline === true ? 'm' : '');
    return [...str(value).matchAll(pythonRegex(str(pattern), flags))].map((m) =>
      m.length === 1 ? m[0] : m.length === 2 ? m[1] : m.slice(1),
    );
  },
  regex_escape: (value) => str(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  basename: (value) => path.basename(str(value)),
  dirname: (value) => path.dirname(str(value)),
  quote: (value) => shellQuote(str(value)),
  b64encode: (value) => Buffer.from(str(value), 'utf8').toString('base64'),
  b64decode: (value) => Buffer.from(str(value), 'base64').toString('utf8'),
  dict2items(value, ...rest) {
    const a = splitArgs(rest);
    const keyName = String(arg(a, 0, 'key_name', 'key'));
    const valueName = String(arg(a, 1, 'value_name', 'value'));
    assertDefined(value);
    if (!isPlainObject(value)) throw new FilterError(`dict2items requires a dictionary, got ${typeName(value)}`);
    return Object.entries(value).map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
  },
  items2dict(value, ...rest) {
    const a = splitArgs(rest);
    const keyName = String(arg(a, 0, 'key_name', 'key'));
    const valueName = String(arg(a, 1, 'value_name', 'value'));
    const out: Record<string, unknown> = {};
    for (const item of list(value, 'items2dict')) {
      if (!isPlainObject(item) || !(keyName in item) || !(valueName in item)) {
        throw new FilterError(`items2dict requires a list of dictionaries with '${keyName}' and '${valueName}'`);
      }
      out[String(item[keyName])] = item[valueName];
    }
    return out;
  },
  combine(value, ...rest) {
    const a = splitArgs(rest);
    const recursive = a.kwargs.recursive === true;
    const listMerge = String(a.kwargs.list_merge ?? 'replace');
    const dicts = [value, ...a.positional].flatMap((d) => (Array.isArray(d) ? d : [d]));
    return dicts.reduce<Record<string, unknown>>((acc, d) => {
      assertDefined(d);
      if (!isPlainObject(d)) throw new FilterError(`combine: expected dictionaries, got ${typeName(d)}`);
      return deepMerge(acc, d, recursive, listMerge);
    }, {});
  },
  ternary(value, whenTrue, whenFalse, whenNone) {
    if (value === null && whenNone !== undefined) return whenNone;
    return pyTruthy(value) ? whenTrue : whenFalse;
  },
  split(value, sep, maxsplit) {
    const s = str(value);
    const parts = sep === undefined || sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(str(sep));
    if (typeof maxsplit === 'number' && maxsplit >= 0 && parts.length > maxsplit + 1) {
      return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep === undefined ? ' ' : str(sep))];
    }
    return parts;
  },
  replace(value, old, replacement, count) {
    const s = str(value);
    const o = str(old);
    const r = str(replacement);
    if (typeof count !== 'number') return s.split(o).join(r);
    let out = s;
    for (let i = 0, at = 0; i < count; i++) {
      const idx = out.indexOf(o, at);
      if (idx < 0) break;
      out = out.slice(0, idx) + r + out.slice(idx + o.length);
      at = idx + r.length;
    }
    return out;
  },
  list(value) {
    return [...list(value, 'list')];
  },
  flatten(value, levels) {
    const depth = typeof levels === 'number' ? levels : Infinity;
    const flat = (l: unknown[], d: number): unknown[] =>
      l.flatMap((x) => (Array.isArray(x) && d > 0 ? flat(x, d - 1) : x === null ? [] : [x]));
    return flat(list(value, 'flatten'), depth);
  },
  min: (value) => [...list(value, 'min')].sort((a, b) => compareValues(a, b, true))[0],
  max: (value) => [...list(value, 'max')].sort((a, b) => compareValues(b, a, true))[0],
  sum: (value, ...rest) => {
    const a = splitArgs(rest);
    const attribute = a.kwargs.attribute;
    return list(value, 'sum').reduce<number>(
      (acc, x) => acc + Number(typeof attribute === 'string' ? attrOf(x, attribute) : x),
      Number(a.kwargs.start ?? 0),
    );
  },
  abs: (value) => Math.abs(Number(assertDefined(value))),
  round(value, precision, method) {
    const p = typeof precision === 'number' ? precision : 0;
    const f = 10 ** p;
    const n = Number(assertDefined(value)) * f;
    const r = method === 'ceil' ? Math.ceil(n) : method === 'floor' ? Math.floor(n) : Math.round(n);
    return r / f;
  },
  // Set operations compare items by value (dicts and lists too) and keep the first list's order.
  difference: (value, other) => uniqueValues(list(value, 'difference').filter((x) => !contains(list(other, 'difference'), x))),
  intersect: (value, other) => uniqueValues(list(value, 'intersect').filter((x) => contains(list(other, 'intersect'), x))),
  union: (value, other) => uniqueValues([...list(value, 'union'), ...list(other, 'union')]),
  symmetric_difference(value, other) {
    const a = list(value, 'symmetric_difference');
    const b = list(other, 'symmetric_difference');
    return uniqueValues([...a.filter((x) => !contains(b, x)), ...b.filter((x) => !contains(a, x))]);
  },
  zip: (value, ...others) => {
    const lists = [list(value, 'zip'), ...others.map((o) => list(o, 'zip'))];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
  },
  zip_longest(value, ...rest) {
    const a = splitArgs(rest);
    const lists = [list(value, 'zip_longest'), ...a.positional.map((o) => list(o, 'zip_longest'))];
    const fill = 'fillvalue' in a.kwargs ? a.kwargs.fillvalue : null;
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : fill)));
  },
  /** Ansible's extract: `container[item]`, then `[key]` for each of morekeys (one key or a list). */
  extract(item, container, morekeys) {
    let v = itemOf(container, assertDefined(item));
    const keys = morekeys === undefined || morekeys === null ? [] : Array.isArray(morekeys) ? morekeys : [morekeys];
    for (const k of keys) v = isUndefined(v) ? v : itemOf(v, k);
    return v;
  },
  /** The cartesian product of the value and the other lists (itertools.product). */
  product(value, ...rest) {
    const a = splitArgs(rest);
    const repeat = Number(a.kwargs.repeat ?? 1);
    const base = [list(value, 'product'), ...a.positional.map((o) => list(o, 'product'))];
    const lists = Array.from({ length: Math.max(1, repeat) }, () => base).flat();
    return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
  },
  /** `users | subelements('groups')`: [user, group] for each group of each user (skip_missing=True allowed). */
  subelements(value, ...rest) {
    const a = splitArgs(rest);
    const key = str(arg(a, 0, 'subelements', ''));
    const skipMissing = arg<unknown>(a, 1, 'skip_missing', false) === true;
    const out: unknown[][] = [];
    for (const item of list(value, 'subelements')) {
      let sub: unknown = item;
      for (const part of key.split('.')) sub = isPlainObject(sub) ? sub[part] : undefined;
      if (sub === undefined) {
        if (skipMissing) continue;
        throw new FilterError(`subelements: could not find '${key}' in ${pyRepr(item)}`);
      }
      if (!Array.isArray(sub)) throw new FilterError(`subelements: '${key}' of ${pyRepr(item)} is not a list`);
      for (const x of sub) out.push([item, x]);
    }
    return out;
  },
  /** Join path parts like Python's os.path.join: an absolute part restarts the path. */
  path_join(value) {
    const parts = typeof value === 'string' || value instanceof SecretString ? [str(value)] : list(value, 'path_join').map(str);
    return parts.reduce((acc, p) => (p.startsWith('/') || acc === '' ? p : acc.endsWith('/') ? acc + p : `${acc}/${p}`), '');
  },
  /** Jinja2's groupby: [grouper, items] pairs sorted by the grouper (`{% for key, members in l | groupby('dc') %}`). */
  groupby(value, attribute, ...rest) {
    const a = splitArgs(rest);
    const groups: [unknown, unknown[]][] = [];
    for (const item of list(value, 'groupby')) {
      let k = attrOf(item, str(attribute));
      if (k === undefined) {
        if (!('default' in a.kwargs)) throw new UndefinedUseError(`'${typeName(item)} object' has no attribute '${str(attribute)}'`);
        k = a.kwargs.default;
      }
      const g = groups.find(([key]) => pyEquals(key, k));
      if (g) g[1].push(item);
      else groups.push([k, [item]]);
    }
    return groups.sort((x, y) => compareValues(x[0], y[0], true));
  },
  from_yaml_all(value) {
    try {
      return parseAllDocuments(str(value)).map((d) => d.toJS());
    } catch (e) {
      throw new FilterError(`from_yaml_all: ${(e as Error).message}`);
    }
  },
  indent(value, ...rest) {
    const a = splitArgs(rest);
    const width = arg<unknown>(a, 0, 'width', 4);
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const first = arg<unknown>(a, 1, 'first', false) === true;
    const blank = arg<unknown>(a, 2, 'blank', false) === true;
    return str(value)
      .split('\n')
      .map((line, i) => ((i === 0 && !first) || (line === '' && !blank) ? line : pad + line))
      .join('\n');
  },
  type_debug: (value) => typeName(value),
  hash(value, algorithm) {
    const alg = String(algorithm ?? 'sha1');
    return createHash(alg).update(str(value)).digest('hex');
  },
  checksum: (value) => createHash('sha1').update(str(value)).digest('hex'),
  md5: (value) => createHash('md5').update(str(value)).digest('hex'),
  sha1: (value) => createHash('sha1').update(str(value)).digest('hex'),
  splitext(value) {
    const s = str(value);
    const ext = path.extname(s);
    return [s.slice(0, s.length - ext.length), ext];
  },
  comment(value) {
    return str(value)
      .split('\n')
      .map((l) => `# ${l}`.trimEnd())
      .join('\n');
  },
};
filters.d = filters.default;
filters.count = filters.length;
// Ansible's fully qualified names (`x | ansible.builtin.combine(y)`) for the filters Ansible itself ships.
for (const name of Object.keys(filters)) {
  if (!JINJA2_BUILTINS.has(name)) filters[`ansible.builtin.${name}`] = filters[name];
}
