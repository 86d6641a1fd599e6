/**
 * Attribute access the Jinja2 way: dict keys, list indexes (negative too) and the Python methods
 * Ansible users call in templates (`d.items()`, `s.split(',')`, `s.startswith('x')`). A missing key
 * yields a named Undefined rather than JavaScript's undefined.
 */
import { makeUndefined, isUndefined, undefinedReason } from './undefined.js';
import { typeName, xmlEscape } from './filters.js';
import { splitArgs } from './args.js';
import { pyFormat } from './str-format.js';
import { pyEquals, pyStr } from './python.js';
import { newTuple, PyType } from './pytypes.js';
import { nunjucks } from './nunjucks-internals.js';
import { isPlainObject, SecretString } from '../vars/secret.js';

type Method = (...args: unknown[]) => unknown;

const SafeString = (nunjucks.runtime as unknown as { SafeString: new (s: string) => object }).SafeString;

/** Macro output: a string for indexing and methods. */
function isSafeString(v: unknown): boolean {
  return v instanceof SafeString;
}

/** Markup.format escapes what it substitutes, unless that is markup itself (markupsafe). */
const formatLookups = {
  getAttr: (o: unknown, k: string | number) => getAttr(o, k),
  hasAttribute: (o: unknown, k: string) => k === '__class__' || !isPlainObject(o) || k in dictMethods({}),
};
const markupHooks = {
  ...formatLookups,
  escapeValue: (value: unknown, text: string) => (isSafeString(value) ? text : xmlEscape(text)),
};
const plainHooks = formatLookups;

function stringMethods(s: string, markup = false): Record<string, Method> {
  const strip = (chars: unknown, left: boolean, right: boolean) => {
    if (typeof chars !== 'string') return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
    let i = 0;
    let j = s.length;
    while (left && i < j && chars.includes(s[i])) i++;
    while (right && j > i && chars.includes(s[j - 1])) j--;
    return s.slice(i, j);
  };
  return {
    split: (sep?: unknown, max?: unknown) => {
      const parts = sep === undefined || sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(String(sep));
      if (typeof max === 'number' && max >= 0 && parts.length > max + 1) return [...parts.slice(0, max), parts.slice(max).join(String(sep ?? ' '))];
      return parts;
    },
    splitlines: () => s.split(/\r?\n/).filter((_, i, a) => i < a.length - 1 || a[i] !== ''),
    strip: (c?: unknown) => strip(c, true, true),
    lstrip: (c?: unknown) => strip(c, true, false),
    rstrip: (c?: unknown) => strip(c, false, true),
    lower: () => s.toLowerCase(),
    upper: () => s.toUpperCase(),
    capitalize: () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
    title: () => s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
    startswith: (p: unknown) => (Array.isArray(p) ? p.some((x) => s.startsWith(String(x))) : s.startsWith(String(p))),
    endswith: (p: unknown) => (Array.isArray(p) ? p.some((x) => s.endsWith(String(x))) : s.endsWith(String(p))),
    replace: (a: unknown, b: unknown) => s.split(String(a)).join(String(b)),
    find: (x: unknown) => s.indexOf(String(x)),
    count: (x: unknown) => s.split(String(x)).length - 1,
    join: (items: unknown) => (Array.isArray(items) ? items.map((i) => pyStr(i)).join(s) : ''),
    isdigit: () => /^\d+$/.test(s),
    format: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      const out = pyFormat(s, positional, kwargs, markup ? markupHooks : plainHooks);
      return markup ? new SafeString(out) : out;
    },
    format_map: (mapping: unknown) => {
      if (!isPlainObject(mapping)) throw new Error(`str.format_map: expected a dict, got ${typeName(mapping)}`);
      const out = pyFormat(s, [], mapping, markup ? markupHooks : plainHooks);
      return markup ? new SafeString(out) : out;
    },
  };
}

function dictMethods(d: Record<string, unknown>): Record<string, Method> {
  return {
    items: () => Object.entries(d).map(([k, v]) => newTuple(k, v)),
    keys: () => Object.keys(d),
    values: () => Object.values(d),
    get: (k: unknown, fallback: unknown = null) => (Object.prototype.hasOwnProperty.call(d, String(k)) ? d[String(k)] : fallback),
  };
}

/** Lists written in the template itself: only these may be changed, so no template alters a host's variables. */
const templateLists = new WeakSet<unknown[]>();

export function newList(...items: unknown[]): unknown[] {
  templateLists.add(items);
  return items;
}

function listMethods(l: unknown[]): Record<string, Method> {
  const mutable = (name: string, fn: Method): Method => (...args: unknown[]) => {
    if (!templateLists.has(l)) throw new Error(`${name}() can only change a list created in the template ({% set l = [] %}); variables are read-only`);
    const result = fn(...args);
    return result === undefined ? '' : result;
  };
  return {
    index: (x: unknown) => l.indexOf(x),
    count: (x: unknown) => l.filter((y) => y === x).length,
    append: mutable('append', (x) => void l.push(x)),
    extend: mutable('extend', (xs) => void l.push(...(Array.isArray(xs) ? xs : [xs]))),
    insert: mutable('insert', (i, x) => void l.splice(Number(i), 0, x)),
    pop: mutable('pop', (i = -1) => {
      if (l.length === 0) throw new Error('pop from empty list');
      const at = Number(i) < 0 ? l.length + Number(i) : Number(i);
      if (at < 0 || at >= l.length) throw new Error('pop index out of range');
      return l.splice(at, 1)[0];
    }),
    remove: mutable('remove', (x) => {
      const at = l.findIndex((y) => pyEquals(y, x));
      if (at < 0) throw new Error('list.remove(x): x not in list');
      l.splice(at, 1);
    }),
    copy: () => newList(...l),
  };
}

/** Jinja2's namespace(): the one object a template may assign attributes to (`{% set ns.found = true %}`). */
export class Namespace {
  constructor(init: Record<string, unknown>) {
    Object.assign(this, init);
  }
}

/** `{% set target.key = value %}`: allowed on namespaces only, as in Jinja2. */
export function setAttr(target: unknown, key: unknown, value: unknown): string {
  if (!(target instanceof Namespace)) throw new Error('cannot assign attribute on non-namespace object (use {% set ns = namespace() %})');
  const k = String(key);
  if (FORBIDDEN.has(k)) throw new Error(`assigning '${k}' is not allowed in templates`);
  (target as unknown as Record<string, unknown>)[k] = value;
  return '';
}

/** nunjucks' loop object (index, index0, revindex, revindex0, first, last, length): Jinja2 also has loop.cycle(). */
function isLoopObject(obj: Record<string, unknown>): boolean {
  return typeof obj.index0 === 'number' && typeof obj.revindex0 === 'number' && typeof obj.first === 'boolean' && 'length' in obj;
}

const NOT_LOOP = Symbol('not a loop attribute');
const lastChanged = new WeakMap<object, unknown[]>();

/** Jinja2's loop attributes nunjucks lacks: cycle(), previtem, nextitem, changed(), depth. */
function loopAttribute(loop: Record<string, unknown>, k: string): unknown {
  const i = loop.index0 as number;
  const items = loop.__items as unknown[] | undefined;
  switch (k) {
    case 'cycle':
      return (...values: unknown[]) => values[i % values.length];
    case 'depth':
      return 1;
    case 'depth0':
      return 0;
    case 'previtem':
      if (!items) throw new Error('loop.previtem is not available in this loop (a dict loop with two variables)');
      return i > 0 ? items[i - 1] : makeUndefined('there is no previous item');
    case 'nextitem':
      if (!items) throw new Error('loop.nextitem is not available in this loop (a dict loop with two variables)');
      return i + 1 < items.length ? items[i + 1] : makeUndefined('there is no next item');
    case 'changed':
      return (...values: unknown[]) => {
        const key = (items ?? loop) as object;
        const before = lastChanged.get(key);
        lastChanged.set(key, values);
        return before === undefined || !pyEquals(before, values);
      };
    default:
      return NOT_LOOP;
  }
}

/** JavaScript internals a template must never reach (`x.constructor.constructor('code')()`). */
const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Python slicing: obj[start:stop:step] on lists and strings. */
function slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const seq = typeof obj === 'string' ? [...obj] : obj instanceof SecretString ? [...obj.value] : Array.isArray(obj) ? obj : undefined;
  if (!seq) return makeUndefined(`'${typeName(obj)} object' is not subscriptable`);
  const n = seq.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new Error('slice step cannot be zero');
  const norm = (v: unknown, dflt: number) => {
    if (v === null || v === undefined) return dflt;
    const i = Number(v);
    return i < 0 ? Math.max(n + i, st > 0 ? 0 : -1) : Math.min(i, st > 0 ? n : n - 1);
  };
  const a = norm(start, st > 0 ? 0 : n - 1);
  const b = norm(stop, st > 0 ? n : -1);
  const out: unknown[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(seq[i]);
  return typeof obj === 'string' || obj instanceof SecretString ? out.join('') : out;
}

export function getAttr(obj: unknown, key: unknown, ...sliceRest: unknown[]): unknown {
  if (isUndefined(obj)) return makeUndefined(undefinedReason(obj));
  // nunjucks compiles `x[a:b:c]` to three arguments
  if (sliceRest.length === 2) return slice(obj, key, sliceRest[0], sliceRest[1]);
  const k = typeof key === 'number' ? key : String(key);
  if (typeof k === 'string' && FORBIDDEN.has(k)) return makeUndefined(`access to '${k}' is not allowed in templates`);
  if (k === '__class__') return new PyType(isSafeString(obj) ? 'markupsafe.Markup' : typeName(obj));
  if (obj === null) return makeUndefined(`'None' has no attribute '${k}'`);
  if (typeof obj === 'string' || obj instanceof SecretString || isSafeString(obj)) {
    const s = typeof obj === 'string' ? obj : obj instanceof SecretString ? obj.value : String(obj);
    if (typeof k === 'number' || /^-?\d+$/.test(k)) {
      const i = Number(k) < 0 ? s.length + Number(k) : Number(k);
      return i >= 0 && i < s.length ? s[i] : makeUndefined(`string index ${k} out of range`);
    }
    const m = stringMethods(s, isSafeString(obj))[k];
    return m ?? makeUndefined(`'str object' has no attribute '${k}'`);
  }
  if (Array.isArray(obj)) {
    if (typeof k === 'number' || /^-?\d+$/.test(k)) {
      const i = Number(k) < 0 ? obj.length + Number(k) : Number(k);
      return i >= 0 && i < obj.length ? obj[i] : makeUndefined(`list object has no element ${k}`);
    }
    const m = listMethods(obj)[k];
    return m ?? makeUndefined(`'list object' has no attribute '${k}'`);
  }
  if (typeof obj === 'object') {
    const rec = obj as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(rec, k)) {
      const v = rec[k];
      return typeof v === 'function' ? (v as Method).bind(obj) : v;
    }
    if (isPlainObject(obj)) {
      if (isLoopObject(rec)) {
        const extra = loopAttribute(rec, String(k));
        if (extra !== NOT_LOOP) return extra;
      }
      const m = dictMethods(rec)[k];
      return m ?? makeUndefined(`'dict object' has no attribute '${k}'`);
    }
    const v = rec[k];
    if (typeof v === 'function') return (v as Method).bind(obj);
    return v === undefined ? makeUndefined(`'${typeName(obj)} object' has no attribute '${k}'`) : v;
  }
  return makeUndefined(`'${typeName(obj)} object' has no attribute '${k}'`);
}
