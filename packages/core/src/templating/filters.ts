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
import { arithmetic, exactInt, floatRepr, isInt, isNumber, isTuple, newTuple, num, PyFloat, PyRange } from './pytypes.js';
import { pyYamlDump } from './pyyaml.js';
import { PyRandom } from './pyrandom.js';
import { randomSalt, shaCrypt } from './sha-crypt.js';
import { urlize } from './urlize.js';
import { nunjucks } from './nunjucks-internals.js';
import { nativeClassOf } from './native-text.js';
import { TYPE_DEBUG_CLASS, TYPE_DEBUG_NAME } from './transform.js';
import { debopsFilters } from './debops-filters.js';
import { ipaddrFilters } from './ipaddr.js';

/** nunjucks' markup string (Jinja2's Markup): macro output, escape's output. */
const SafeStringClass = (nunjucks.runtime as unknown as { SafeString: new (s: string) => object }).SafeString;
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

function nullableStr(value: unknown): string | null {
  return value === null || value === undefined ? null : pyStr(value);
}

/** Jinja2's map/select/reject family iterate only a true value: None gives nothing. */
const EMPTY_ON_NONE = new Set(['map', 'select', 'reject', 'selectattr', 'rejectattr']);

function list(value: unknown, filter: string): unknown[] {
  assertDefined(value);
  if (value === null && EMPTY_ON_NONE.has(filter)) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  if (value instanceof Set) return [...value];
  throw new FilterError(`${filter}: expected a list, got ${typeName(value)}`);
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (isTuple(value)) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string' || value instanceof SecretString) return 'str';
  if (value instanceof PyFloat) return 'float';
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
    let v = attribute === undefined ? item : attrOf(item, attribute);
    // a missing attribute is Undefined, as in Jinja2: `defined` can test it, anything else fails
    if (v === undefined && attribute !== undefined) v = makeUndefined(`'${typeName(item)} object' has no attribute '${attribute}'`);
    const ok = test === undefined ? pyTruthy(v) : callTest(ctx, test, v, testArgs);
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
  return pyJsonIndented(sorted, indent, 0);
}

function pyJsonOneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJsonOneLine).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonOneLine(v)}`).join(', ')}}`;
  }
  if (value instanceof PyFloat) return floatRepr(value.valueOf());
  if (typeof value === 'number' && !Number.isInteger(value)) return Number.isFinite(value) ? floatRepr(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  // Python's json.dumps escapes every non-ASCII character (ensure_ascii)
  return (JSON.stringify(value) ?? 'null').replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pyJsonIndented(value: unknown, indent: number, level: number): string {
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pyJsonIndented(v, indent, level + 1)).join(',\n')}\n${end}]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad}${pyJsonOneLine(k)}: ${pyJsonIndented(v, indent, level + 1)}`).join(',\n')}\n${end}}`;
  }
  return pyJsonOneLine(value);
}

const FLOAT_MARK = '\ue000float:';

/** JSON.parse, except that `2.0` stays a float (Python's json keeps it; JavaScript would make it 2). */
function parseJsonKeepingFloats(text: string): unknown {
  if (!/\d[.eE]/.test(text)) return JSON.parse(text);
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g, (t) => (t.startsWith('"') || !/[.eE]/.test(t) ? t : `"${FLOAT_MARK}${t}"`));
  return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(FLOAT_MARK) ? PyFloat.of(Number(v.slice(FLOAT_MARK.length))) : v));
}

/** Python's urllib quote: letters, digits and _.-~ stay, `safe` too; the rest as UTF-8 %XX. */
function urlQuote(s: string, safe: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_.~-]/.test(c) || safe.includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
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
const JINJA2_BUILTINS = new Set(['min', 'max', 'dictsort', 'items', 'tojson', 'pprint', 'filesizeformat', 'xmlattr', 'format', 'default', 'd', 'int', 'float', 'string', 'lower', 'upper', 'capitalize', 'trim', 'join', 'length', 'count', 'first', 'last', 'sort', 'reverse', 'map', 'select', 'reject', 'selectattr', 'rejectattr', 'replace', 'list', 'sum', 'abs', 'round', 'indent', 'groupby']);

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
    // join uses str(): None is 'None' here, unlike printing
    return list(value, 'join').map((x) => { const v = attribute ? attrOf(x, attribute) : x; return v === null ? 'None' : str(v); }).join(sep);
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
      return parseJsonKeepingFloats(str(value));
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
      for (const x of sub) out.push(newTuple(item, x));
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
  // Python's class name. A variable piped in by name (transform.ts adds it) may hold text Ansible made as
  // NativeJinjaText; other text is 'str' (where Ansible would say AnsibleUnicode or AnsibleUnsafeText
  // for text from YAML or from a lookup, the engine does not know: see docs/compatibility).
  type_debug(this: FilterContext & { ctx?: object }, value, name) {
    if (typeof name === 'string' && name.startsWith(TYPE_DEBUG_NAME)) {
      const variable = name.slice(TYPE_DEBUG_NAME.length);
      // a `{% set %}` of the template itself first (engine.ts __note_set), then the executor's variables
      const local = (this?.ctx as { __native_box?: { locals?: Map<string, { value: unknown; cls: string }> } } | undefined)?.__native_box?.locals?.get(variable);
      const cls = local ? (local.value === value ? local.cls : undefined) : nativeClassOf(this?.ctx, variable, value);
      if (cls) return cls;
    }
    if (typeof name === 'string' && name.startsWith(TYPE_DEBUG_CLASS) && typeof value === 'string') return name.slice(TYPE_DEBUG_CLASS.length);
    return typeName(value);
  },
  hash(value, algorithm) {
    const alg = String(algorithm ?? 'sha1');
    return createHash(alg).update(str(value)).digest('hex');
  },
  /**
   * Ansible's password_hash as Debian's ansible-core runs it (crypt, no passlib): sha512 or sha256 crypt,
   * a random 16-character salt unless one is given, crypt's 5000 rounds unless rounds= is given.
   */
  password_hash(value, ...rest) {
    const a = splitArgs(rest);
    const type = String(arg<unknown>(a, 0, 'hashtype', 'sha512'));
    const salt = arg<unknown>(a, 1, 'salt', null);
    const saltSize = arg<unknown>(a, 2, 'salt_size', null);
    const rounds = arg<unknown>(a, 3, 'rounds', null);
    const algorithm = ({ sha512: 'sha512', sha512_crypt: 'sha512', sha256: 'sha256', sha256_crypt: 'sha256' } as const)[type];
    if (!algorithm) throw new FilterError(`password_hash: the hash type '${type}' is not supported by this engine (sha512, sha256)`);
    const given = salt === null || salt === undefined || isUndefined(salt) ? randomSalt(saltSize === null ? 16 : Number(saltSize)) : str(salt);
    if (/[^./0-9A-Za-z]/.test(given)) throw new FilterError('invalid characters in salt');
    return shaCrypt(algorithm, str(assertDefined(value)), given, rounds === null || rounds === undefined ? undefined : Number(rounds));
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

/** Python's posixpath.dirname / basename (a trailing slash matters: dirname('/a/b/') is '/a/b'). */
function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

/** shlex.quote: safe words as they are, anything else in single quotes ('it'"'"'s). */
function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** Python's round(): halves to even, on the float's exact value. */
function pyRound(n: number, digits: number): number {
  if (!Number.isFinite(n) || digits > 20) return n;
  if (digits < 0) {
    // round(21.3, -1) is 20.0: round the number of tens (halves to even), scale back
    const f = 10 ** -digits;
    return pyRound(n / f, 0) * f;
  }
  // the float's exact decimal expansion decides: only an exact half goes to the even neighbour
  const exact = Math.abs(n).toFixed(Math.min(100, digits + 80));
  const point = exact.indexOf('.');
  const kept = exact.slice(0, point + (digits > 0 ? digits + 1 : 0));
  const rest = exact.slice(point + 1 + digits);
  const sign = n < 0 ? -1 : 1;
  if (/^50*$/.test(rest)) {
    const lastDigit = Number(kept.replace('.', '').slice(-1));
    const down = Number(kept);
    const chosen = lastDigit % 2 === 0 ? down : down + 10 ** -digits;
    return sign * Number(chosen.toFixed(digits));
  }
  return Number(n.toFixed(digits));
}

/** LooseVersion's components: numbers as numbers, letters as text ('1.10a' is [1, 10, 'a']). */
function looseParts(v: string): (number | string)[] {
  return (v.match(/\d+|[a-z]+|\.|[^\d.a-z]+/gi) ?? []).filter((x) => x !== '.').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function compareLoose(a: string, b: string): number {
  const pa = looseParts(a);
  const pb = looseParts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (typeof x !== typeof y) throw new FilterError(`Version comparison failed: '<' not supported between instances of '${typeof x === 'number' ? 'int' : 'str'}' and '${typeof y === 'number' ? 'int' : 'str'}'`);
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Semantic versioning 2.0 precedence (Ansible's SemanticVersion): pre-releases sort before the release. */
function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
    if (!m) throw new FilterError(`invalid semantic version '${v}'`);
    return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] - y.core[i];
  if (!x.pre.length || !y.pre.length) return (x.pre.length ? -1 : 0) - (y.pre.length ? -1 : 0);
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) - Number(q);
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return x.pre.length - y.pre.length;
}

export function compareVersionStrings(a: string, b: string, type: string, strict: boolean): number {
  if (type === 'semver' || type === 'semantic') return compareSemver(a, b);
  if (strict || type === 'strict') {
    const ok = /^\d+\.\d+(\.\d+)?([ab]\d+)?$/;
    if (!ok.test(a) || !ok.test(b)) throw new FilterError(`Version comparison failed: invalid version number '${ok.test(a) ? b : a}'`);
  } else if (type !== 'loose') {
    throw new FilterError(`version_type '${type}' is not supported by this engine`);
  }
  return compareLoose(a, b);
}

/** Jinja2's case-insensitive ordering key (strings lowercased), and Python's < between keys. */
function orderKey(v: unknown, caseSensitive: boolean): unknown {
  const x = v instanceof SecretString ? v.value : v;
  return !caseSensitive && typeof x === 'string' ? x.toLowerCase() : x;
}

function pyLess(a: unknown, b: unknown): boolean {
  const x = a instanceof PyFloat ? a.valueOf() : typeof a === 'boolean' ? Number(a) : a;
  const y = b instanceof PyFloat ? b.valueOf() : typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x < y;
  if (typeof x === 'string' && typeof y === 'string') return x < y;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (pyLess(x[i], y[i])) return true;
      if (pyLess(y[i], x[i])) return false;
    }
    return x.length < y.length;
  }
  throw new FilterError(`'<' not supported between instances of '${typeName(x)}' and '${typeName(y)}'`);
}

function pick(items: unknown[], rest: unknown[], want: 'min' | 'max'): unknown {
  const a = splitArgs(rest);
  const caseSensitive = arg<unknown>(a, 0, 'case_sensitive', false) === true;
  const attribute = arg<string | undefined>(a, 1, 'attribute', undefined);
  if (items.length === 0) return makeUndefined(`No ${want === 'min' ? 'smallest' : 'largest'} item, sequence was empty.`);
  const key = (x: unknown) => orderKey(attribute === undefined ? x : attrOf(x, attribute), caseSensitive);
  let best = items[0];
  for (const x of items.slice(1)) if (want === 'min' ? pyLess(key(x), key(best)) : pyLess(key(best), key(x))) best = x;
  return best;
}

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** The Ansible namespace for to_uuid (uuid.uuid5). */
const ANSIBLE_UUID_NAMESPACE = '361e6d51-faec-444a-9079-341386da8e2e';

function uuid5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Jinja2's tojson: sorted keys, and <, >, &, ' escaped for HTML. */
function htmlSafeJson(value: unknown): string {
  return jsonDump(value, undefined, true).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027');
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

Object.assign(filters, {
  to_yaml(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const flowStyle = 'default_flow_style' in a.kwargs ? a.kwargs.default_flow_style : null;
    if (flowStyle === true) throw new FilterError('to_yaml: default_flow_style=True is not supported by this engine');
    return pyYamlDump(value, { indent: Number(a.kwargs.indent ?? 2), flowLeaves: flowStyle === null });
  },
  to_nice_yaml(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    return pyYamlDump(value, { indent: Number(arg(a, 0, 'indent', 4)), flowLeaves: false });
  },
  /** Ansible's comment filter: a prefix line, each line decorated, a postfix line (plain: "#", "# text", "#"). */
  comment(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const style = str(arg(a, 0, 'style', 'plain'));
    const styles: Record<string, Record<string, string>> = {
      plain: { decoration: '# ' },
      erlang: { decoration: '% ' },
      c: { decoration: '// ' },
      cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
      xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
    };
    const chosen = styles[style];
    if (!chosen) throw new FilterError(`comment: unknown style '${style}'`);
    const prepostfix = 'decoration' in a.kwargs ? str(a.kwargs.decoration) : chosen.decoration;
    const p: Record<string, unknown> = { newline: '\n', beginning: '', prefix: prepostfix.trimEnd(), prefix_count: 1, decoration: '', postfix: prepostfix.trimEnd(), postfix_count: 1, end: '', ...chosen, ...a.kwargs };
    const nl = str(p.newline);
    const deco = str(p.decoration);
    const beginning = p.beginning ? `${str(p.beginning)}${nl}` : '';
    let prefix = '';
    if (p.prefix) prefix = (p.prefix !== nl ? `${str(p.prefix)}${nl}` : nl).repeat(Number(p.prefix_count));
    const text = `${deco}${str(value).split(nl).join(`${nl}${deco}`)}`.split(`${deco}${nl}`).join(`${deco.trimEnd()}${nl}`);
    const postfix = ['', ...Array.from({ length: Number(p.postfix_count) }, () => str(p.postfix))].join(nl);
    const end = p.end ? `${nl}${str(p.end)}` : '';
    return `${beginning}${prefix}${text}${postfix}${end}`;
  },
  float(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    assertDefined(value);
    if (value instanceof PyFloat) return value;
    if (typeof value === 'number') return PyFloat.of(value);
    const t = str(value).trim();
    const n = /^[-+]?(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|infinity|nan)$/i.test(t) ? Number(t.replace(/_/g, '').replace(/^([-+]?)inf(inity)?$/i, '$1Infinity')) : NaN;
    if (Number.isNaN(n) && !/nan/i.test(t)) {
      const fallback = arg<unknown>(a, 0, 'default', 0);
      return typeof fallback === 'number' ? PyFloat.of(fallback) : fallback;
    }
    return PyFloat.of(n);
  },
  int(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const v = assertDefined(value);
    if (v instanceof PyFloat) return v.valueOf();
    return toInt(v, arg(a, 0, 'default', 0), Number(arg(a, 1, 'base', 10)));
  },
  round(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const precision = Number(arg(a, 0, 'precision', 0));
    const method = str(arg(a, 1, 'method', 'common'));
    const v = assertDefined(value);
    const n = Number(v instanceof PyFloat ? v.valueOf() : v);
    if (method === 'common') {
      // round(int, 0) stays an int in Python; round(float, n) is a float
      if (isInt(v)) return v;
      return PyFloat.of(pyRound(n, precision));
    }
    if (method !== 'ceil' && method !== 'floor') throw new FilterError('method must be common, ceil or floor');
    const f = 10 ** precision;
    return PyFloat.of((method === 'ceil' ? Math.ceil(n * f) : Math.floor(n * f)) / f);
  },
  abs(value: unknown) {
    const v = assertDefined(value);
    if (v instanceof PyFloat) return PyFloat.of(Math.abs(v.valueOf()));
    return Math.abs(Number(v));
  },
  sum(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const attribute = arg<string | undefined>(a, 0, 'attribute', undefined);
    let acc: unknown = arg<unknown>(a, 1, 'start', 0);
    for (const x of list(value, 'sum')) {
      const item = attribute === undefined ? x : attrOf(x, attribute);
      if (Array.isArray(acc) && Array.isArray(item)) acc = [...acc, ...item];
      else if (isNumber(acc) || typeof acc === 'boolean') acc = arithmetic('+', acc, item);
      else throw new FilterError(`unsupported operand type(s) for +: '${typeName(acc)}' and '${typeName(item)}'`);
    }
    return acc;
  },
  unique(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const caseSensitive = arg<unknown>(a, 0, 'case_sensitive', false) === true;
    const attribute = arg<string | undefined>(a, 1, 'attribute', undefined);
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const x of list(value, 'unique')) {
      const key = orderKey(attribute === undefined ? x : attrOf(x, attribute), caseSensitive);
      if (seen.some((k) => pyEquals(k, key))) continue;
      seen.push(key);
      out.push(x);
    }
    return out;
  },
  min(value: unknown, ...rest: unknown[]) {
    return pick(list(value, 'min'), rest, 'min');
  },
  max(value: unknown, ...rest: unknown[]) {
    return pick(list(value, 'max'), rest, 'max');
  },
  flatten(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const levels = arg<unknown>(a, 0, 'levels', null);
    const skipNulls = arg<unknown>(a, 1, 'skip_nulls', true) !== false;
    const depth = typeof levels === 'number' ? levels : Infinity;
    const flat = (l: unknown[], d: number): unknown[] =>
      l.flatMap((x) => (Array.isArray(x) && d > 0 ? flat(x, d - 1) : skipNulls && (x === null || x === 'None') ? [] : [x]));
    return flat(list(value, 'flatten'), depth);
  },
  string: (value: unknown) => (assertDefined(value) === null ? 'None' : str(value)),
  basename: (value: unknown) => str(value).slice(str(value).lastIndexOf('/') + 1),
  dirname: (value: unknown) => pyDirname(str(value)),
  quote: (value: unknown) => shlexQuote(str(value)),
  splitext(value: unknown) {
    const s = str(value);
    const base = s.slice(s.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return newTuple(s, '');
    const cut = s.length - base.length + dot;
    return newTuple(s.slice(0, cut), s.slice(cut));
  },
  zip(value: unknown, ...others: unknown[]) {
    const lists = [list(value, 'zip'), ...others.map((o) => list(o, 'zip'))];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => newTuple(...lists.map((l) => l[i])));
  },
  zip_longest(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const lists = [list(value, 'zip_longest'), ...a.positional.map((o) => list(o, 'zip_longest'))];
    const fill = 'fillvalue' in a.kwargs ? a.kwargs.fillvalue : null;
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => newTuple(...lists.map((l) => (i < l.length ? l[i] : fill))));
  },
  product(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const repeat = Number(a.kwargs.repeat ?? 1);
    const base = [list(value, 'product'), ...a.positional.map((o) => list(o, 'product'))];
    const lists = Array.from({ length: Math.max(1, repeat) }, () => base).flat();
    return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]).map((t) => newTuple(...t));
  },
  dictsort(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const caseSensitive = arg<unknown>(a, 0, 'case_sensitive', false) === true;
    const by = str(arg(a, 1, 'by', 'key'));
    const reverse = arg<unknown>(a, 2, 'reverse', false) === true;
    const d = assertDefined(value);
    if (!isPlainObject(d)) throw new FilterError('dictsort: expected a dictionary');
    const pos = by === 'value' ? 1 : 0;
    const items = Object.entries(d).map(([k, v]) => newTuple(k, v));
    const sorted = items.sort((x, y) => (pyLess(orderKey(x[pos], caseSensitive), orderKey(y[pos], caseSensitive)) ? -1 : pyLess(orderKey(y[pos], caseSensitive), orderKey(x[pos], caseSensitive)) ? 1 : 0));
    return reverse ? sorted.reverse() : sorted;
  },
  items(value: unknown) {
    if (isUndefined(value)) return [];
    const d = value;
    if (d === null) return [];
    if (!isPlainObject(d)) throw new FilterError(`items: can only get item pairs from a mapping, not '${typeName(d)}'`);
    return Object.entries(d).map(([k, v]) => newTuple(k, v));
  },
  regex_findall(value: unknown, pattern: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const flags = 'g' + (a.kwargs.ignorecase === true ? 'i' : '') + (a.kwargs.multiline === true ? 'm' : '');
    return [...str(value).matchAll(pythonRegex(str(pattern), flags))].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : newTuple(...m.slice(1).map((g) => g ?? ''))));
  },
  regex_replace(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    for (const k of Object.keys(a.kwargs)) {
      if (!['pattern', 'replacement', 'ignorecase', 'multiline'].includes(k)) throw new FilterError(`regex_replace() got an unexpected keyword argument '${k}'`);
    }
    const pattern = str(arg(a, 0, 'pattern', ''));
    const replacement = str(arg(a, 1, 'replacement', ''));
    const flags = 'g' + (arg<unknown>(a, 2, 'ignorecase', false) === true ? 'i' : '') + (arg<unknown>(a, 3, 'multiline', false) === true ? 'm' : '');
    return str(value).replace(pythonRegex(pattern, flags), pythonReplacement(replacement));
  },
  tojson: (value: unknown) => htmlSafeJson(value),
  /** Ansible's shuffle: a shuffled copy; with seed=, the order Python's Random(seed).shuffle gives. */
  shuffle(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const seed = arg<unknown>(a, 0, 'seed', null);
    const items = [...list(value, 'shuffle')];
    if (seed !== null && seed !== '' && seed !== 0 && seed !== false && typeof seed !== 'string' && !isInt(seed)) throw new FilterError('shuffle: a seed other than a string or an integer is not supported by this engine');
    const rng = seed ? new PyRandom(seed as string | number) : undefined;
    for (let i = items.length - 1; i > 0; i--) {
      const j = rng ? rng.below(i + 1) : Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  },
  /** Ansible's random: a number below `end` (start, step) or an item of a list; with seed= reproducible, as Python's. */
  random(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const start = arg<unknown>(a, 0, 'start', null);
    const step = arg<unknown>(a, 1, 'step', null);
    const seed = arg<unknown>(a, 2, 'seed', null);
    const v = assertDefined(value);
    if (seed !== null && typeof seed !== 'string' && !isInt(seed)) throw new FilterError('random: a seed other than a string or an integer is not supported by this engine');
    const rng = seed === null ? undefined : new PyRandom(seed as string | number);
    const below = (n: number) => (rng ? rng.below(n) : Math.floor(Math.random() * n));
    if (isInt(v)) {
      const s = start ? Number(start) : 0;
      const st = step ? Number(step) : 1;
      if (rng) return rng.randrange(s, v, st);
      const count = st > 0 ? Math.ceil((v - s) / st) : Math.ceil((v - s) / st);
      if (count <= 0) throw new FilterError('empty range for randrange()');
      return s + st * below(count);
    }
    if (start || step) throw new FilterError('start and step can only be used with integer values');
    if (v instanceof PyRange) {
      if (v.length === 0) throw new FilterError('Cannot choose from an empty sequence');
      return v.at(below(v.length));
    }
    const items = typeof v === 'string' ? [...v] : Array.isArray(v) ? v : isPlainObject(v) ? Object.keys(v) : undefined;
    if (!items) throw new FilterError(`random: cannot choose from a ${typeName(v)}`);
    if (items.length === 0) throw new FilterError('Cannot choose from an empty sequence');
    return items[below(items.length)];
  },
  /** Ansible's rekey_on_member: a list (or dict) of dicts as a dict keyed by each item's `key`. */
  rekey_on_member(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const key = str(arg(a, 0, 'key', ''));
    const duplicates = str(arg(a, 1, 'duplicates', 'error'));
    if (duplicates !== 'error' && duplicates !== 'overwrite') throw new FilterError(`duplicates parameter to rekey_on_member has unknown value: ${duplicates}`);
    const data = assertDefined(value);
    const items = Array.isArray(data) ? data : isPlainObject(data) ? Object.values(data) : undefined;
    if (!items) throw new FilterError('Type is not a valid list, set, or dict');
    const out: Record<string, unknown> = {};
    for (const item of items) {
      if (!isPlainObject(item)) throw new FilterError('List item is not a valid dict');
      if (!(key in item)) throw new FilterError(`Key ${key} was not found`);
      const k = str(item[key]);
      if (duplicates === 'error' && k in out) throw new FilterError(`Key ${k} is not unique, cannot correctly turn into dict`);
      out[k] = item;
    }
    return out;
  },
  /** markupsafe's escape: & < > ' " as &amp; &lt; &gt; &#39; &#34;. */
  // escape gives markup, which a second escape leaves alone (markupsafe)
  escape: (value: unknown) => (value instanceof SafeStringClass ? value : new SafeStringClass(xmlEscape(str(value)))),
  e: (value: unknown) => (value instanceof SafeStringClass ? value : new SafeStringClass(xmlEscape(str(value)))),
  forceescape: (value: unknown) => xmlEscape(str(value)),
  urlize(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const limit = arg<unknown>(a, 0, 'trim_url_limit', null);
    const schemes = arg<unknown>(a, 4, 'extra_schemes', null);
    return urlize(str(value), {
      trimUrlLimit: limit === null || limit === undefined ? null : Number(num(limit)),
      nofollow: pyTruthy(arg<unknown>(a, 1, 'nofollow', false)),
      target: nullableStr(arg<unknown>(a, 2, 'target', null)),
      rel: nullableStr(arg<unknown>(a, 3, 'rel', null)),
      extraSchemes: schemes === null || schemes === undefined ? null : list(schemes, 'urlize').map(str),
    });
  },
  /** Jinja2's truncate: length 255, a leeway of 5 before cutting, whole words unless killwords. */
  truncate(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const s = str(value);
    const length = Number(arg(a, 0, 'length', 255));
    const killwords = arg<unknown>(a, 1, 'killwords', false) === true;
    const end = str(arg(a, 2, 'end', '...'));
    const leeway = Number(arg<unknown>(a, 3, 'leeway', null) ?? 5);
    if (length < end.length) throw new FilterError(`expected length >= ${end.length}, got ${length}`);
    if (leeway < 0) throw new FilterError(`expected leeway >= 0, got ${leeway}`);
    if (s.length <= length + leeway) return s;
    if (killwords) return s.slice(0, length - end.length) + end;
    const cut = s.slice(0, length - end.length);
    const space = cut.lastIndexOf(' ');
    return (space >= 0 ? cut.slice(0, space) : cut) + end;
  },
  /** Ansible's strftime: a time (now, or `second` since the epoch) in the controller's local time. */
  strftime(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const second = arg<unknown>(a, 0, 'second', null);
    if ('utc' in a.kwargs) throw new FilterError('strftime: utc= is not supported by this engine');
    const d = second === null || second === undefined ? new Date() : new Date(Number(num(second)) * 1000);
    if (Number.isNaN(d.getTime())) throw new FilterError(`Invalid value for epoch value (${str(second)})`);
    const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    const yearStart = new Date(d.getFullYear(), 0, 1);
    const dayOfYear = Math.floor((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(yearStart.getFullYear(), 0, 1)) / 86400000) + 1;
    const fields: Record<string, () => string> = {
      Y: () => String(d.getFullYear()),
      y: () => p2(d.getFullYear() % 100),
      m: () => p2(d.getMonth() + 1),
      d: () => p2(d.getDate()),
      H: () => p2(d.getHours()),
      I: () => p2(d.getHours() % 12 || 12),
      M: () => p2(d.getMinutes()),
      S: () => p2(d.getSeconds()),
      p: () => (d.getHours() < 12 ? 'AM' : 'PM'),
      j: () => String(dayOfYear).padStart(3, '0'),
      a: () => days[d.getDay()].slice(0, 3),
      A: () => days[d.getDay()],
      b: () => months[d.getMonth()].slice(0, 3),
      B: () => months[d.getMonth()],
      w: () => String(d.getDay()),
      s: () => String(Math.floor(d.getTime() / 1000)),
      F: () => `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`,
      T: () => `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`,
      '%': () => '%',
    };
    return str(value).replace(/%(.)/g, (_m, c: string) => {
      const f = fields[c];
      if (!f) throw new FilterError(`strftime: the directive %${c} is not supported by this engine`);
      return f();
    });
  },
  /** Jinja2's wordwrap (Python's textwrap.wrap per line); a hyphenated word that would need breaking is refused. */
  wordwrap(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const width = Number(arg(a, 0, 'width', 79));
    const breakLong = arg<unknown>(a, 1, 'break_long_words', true) !== false;
    const wrapstring = arg<unknown>(a, 2, 'wrapstring', null);
    const sep = wrapstring === null || wrapstring === undefined ? '\n' : str(wrapstring);
    const wrapLine = (line: string): string[] => {
      const chunks = line.split(/(\s+)/).filter((c) => c !== '');
      const lines: string[] = [];
      let cur = '';
      for (const chunk of chunks) {
        const space = /^\s+$/.test(chunk);
        if (cur.length + chunk.length <= width) {
          if (!(space && cur === '')) cur += chunk;
          continue;
        }
        if (space) {
          lines.push(cur.trimEnd());
          cur = '';
          continue;
        }
        if (chunk.includes('-')) throw new FilterError('wordwrap: breaking a hyphenated word is not supported by this engine');
        if (cur.trim() !== '') lines.push(cur.trimEnd());
        cur = '';
        let word = chunk;
        while (word.length > width && breakLong) {
          lines.push(word.slice(0, width));
          word = word.slice(width);
        }
        cur = word;
      }
      if (cur.trim() !== '') lines.push(cur.trimEnd());
      return lines;
    };
    return str(value).split(/\r\n|\r|\n/).map((line) => wrapLine(line).join(sep)).join(sep);
  },
  /** Jinja2's urlencode: a string with '/' kept; a dict or pairs as a query string (spaces as '+'). */
  urlencode(value: unknown) {
    const v = assertDefined(value);
    const qs = (x: unknown) => urlQuote(str(x), '').replace(/%20/g, '+');
    if (typeof v === 'string' || v instanceof SecretString) return urlQuote(str(v), '/');
    if (isPlainObject(v)) return Object.entries(v).map(([k, x]) => `${qs(k)}=${qs(x)}`).join('&');
    if (Array.isArray(v)) return v.map((pair) => `${qs((pair as unknown[])[0])}=${qs((pair as unknown[])[1])}`).join('&');
    return urlQuote(str(v), '/');
  },
  pprint(value: unknown) {
    const text = pyRepr(assertDefined(value));
    if (text.length > 80) throw new FilterError('pprint: values longer than 80 characters are wrapped by Python; this engine does not wrap them');
    return text;
  },
  filesizeformat(value: unknown, binary: unknown = false) {
    const bytes = Number(num(assertDefined(value)));
    const base = binary === true ? 1024 : 1000;
    const prefixes = binary === true ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let unit = base;
    let prefix = prefixes[0];
    for (let i = 0; i < prefixes.length; i++) {
      unit = base ** (i + 2);
      prefix = prefixes[i];
      if (bytes < unit) break;
    }
    return `${((base * bytes) / unit).toFixed(1)} ${prefix}`;
  },
  xmlattr(value: unknown, autospace: unknown = true) {
    const d = assertDefined(value);
    if (!isPlainObject(d)) throw new FilterError('xmlattr: expected a dictionary');
    const parts = Object.entries(d)
      .filter(([, v]) => v !== null && !isUndefined(v))
      .map(([k, v]) => {
        if (/[\s/>=]/.test(k)) throw new FilterError(`Invalid character in attribute name: '${k}'`);
        return `${xmlEscape(k)}="${xmlEscape(str(v))}"`;
      });
    const out = parts.join(' ');
    return out && autospace !== false ? ` ${out}` : out;
  },
  expanduser(value: unknown) {
    const s = str(value);
    const home = process.env.HOME ?? '';
    return s === '~' ? home : s.startsWith('~/') ? home + s.slice(1) : s;
  },
  realpath(value: unknown) {
    return path.resolve('/', str(value));
  },
  human_readable(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const isbits = arg<unknown>(a, 0, 'isbits', false) === true;
    const unit = arg<unknown>(a, 1, 'unit', null);
    let n = Number(num(assertDefined(value)));
    if (typeof value === 'string') n = Number(value);
    let i = 0;
    if (unit !== null) i = UNITS.indexOf(str(unit).charAt(0).toUpperCase());
    else while (Math.abs(n) >= 1024 ** (i + 1) && i < UNITS.length - 1) i++;
    const scaled = n / 1024 ** i;
    const suffix = isbits ? 'b' : 'B';
    return `${scaled.toFixed(2)} ${i === 0 ? (isbits ? 'bits' : 'Bytes') : UNITS[i] + suffix}`;
  },
  human_to_bytes(value: unknown, ...rest: unknown[]) {
    const a = splitArgs(rest);
    const isbits = arg<unknown>(a, 1, 'isbits', false) === true;
    const m = /^\s*(\d*\.?\d+)\s*([KMGTPEZY]?)([bB]?(?:ytes?|its?)?)?\s*$/i.exec(str(value));
    if (!m) throw new FilterError(`human_to_bytes() can't interpret following string: ${str(value)}`);
    const unitChar = m[2].toUpperCase();
    const unitWord = m[3] ?? '';
    if (unitWord && !isbits && /^b$|^bits?$/.test(unitWord) && unitChar) throw new FilterError(`human_to_bytes() failed to convert ${str(value)}: the unit is bits`);
    // Ansible: int(round(number * multiplier)), Python's round (halves to even)
    return exactInt(pyRound(Number(m[1]) * 1024 ** UNITS.indexOf(unitChar), 0));
  },
  log(value: unknown, base: unknown) {
    const n = Number(num(assertDefined(value)));
    return PyFloat.of(base === undefined ? Math.log(n) : base === 10 ? Math.log10(n) : Math.log(n) / Math.log(Number(num(base))));
  },
  pow: (value: unknown, y: unknown) => PyFloat.of(Number(num(assertDefined(value))) ** Number(num(y))),
  root(value: unknown, base: unknown = 2) {
    const n = Number(num(assertDefined(value)));
    const b = Number(num(base));
    return PyFloat.of(b === 2 ? Math.sqrt(n) : n ** (1 / b));
  },
  urlsplit(value: unknown, query: unknown = '') {
    const u = new URL(str(value));
    const parts: Record<string, unknown> = {
      scheme: u.protocol.replace(/:$/, ''),
      netloc: `${u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : ''}${u.host}`,
      path: u.pathname,
      query: u.search.replace(/^\?/, ''),
      fragment: u.hash.replace(/^#/, ''),
      username: u.username || null,
      password: u.password || null,
      hostname: u.hostname.toLowerCase() || null,
      port: u.port ? Number(u.port) : null,
    };
    if (query) {
      if (!(str(query) in parts)) throw new FilterError(`urlsplit: unknown URL component: ${str(query)}`);
      return parts[str(query)];
    }
    return parts;
  },
  to_uuid: (value: unknown, namespace: unknown = ANSIBLE_UUID_NAMESPACE) => uuid5(str(value), str(namespace)),
});

filters.d = filters.default;
filters.count = filters.length;
// Ansible's fully qualified names (`x | ansible.builtin.combine(y)`) for the filters Ansible itself ships.
for (const name of Object.keys(filters)) {
  if (!JINJA2_BUILTINS.has(name)) filters[`ansible.builtin.${name}`] = filters[name];
}
// Filters of collections that roles in use call by their full names (DebOps' own, ansible.utils' ipaddr).
Object.assign(filters, debopsFilters, ipaddrFilters);
