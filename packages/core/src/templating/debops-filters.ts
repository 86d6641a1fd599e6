/**
 * DebOps' own filters (collection debops.debops), as DebOps' roles call them:
 * `debops.debops.parse_kv_items` and `debops.debops.parse_kv_config`. Both merge lists of entries that
 * name the same thing (by `name`, or the key given as `name=`) in order, later entries updating
 * earlier ones, and give the merged entries sorted by their weight (`id` + `weight`, `id` being ten
 * times the position of the first entry of that name). Written from the behaviour of DebOps' Python
 * filter plugin (plugins/filter/debops_filter_plugins.py), including its quirks: a string in `empty`
 * is read character by character, an `append` entry never creates one.
 */
import { splitArgs } from './args.js';
import { FilterError } from './errors.js';
import { pyStr, pyTruthy } from './python.js';
import { isPlainObject } from '../vars/secret.js';
import { assertDefined } from './undefined.js';
import { PyFloat } from './pytypes.js';

type Dict = Record<string, unknown>;
type Filter = (value: unknown, ...args: unknown[]) => unknown;

/** A merged `value` list keyed by its items' names, kept apart from a user's own dictionary. */
class NamedValues extends Map<unknown, Dict> {}

function isDict(v: unknown): v is Dict {
  return isPlainObject(v);
}

/** Python's int() of a value: ints, bools, floats truncated, decimal strings. */
function pyInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return Math.trunc(Number(v));
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    const t = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    throw new FilterError(`invalid literal for int() with base 10: '${v}'`);
  }
  throw new FilterError(`int() argument must be a string, a bytes-like object or a real number, not '${v === null ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v}'`);
}

/** Python's float() of a value. */
function pyFloat(v: unknown): PyFloat {
  if (typeof v === 'boolean') return PyFloat.of(v ? 1 : 0);
  if (typeof v === 'number' || v instanceof PyFloat) return PyFloat.of(Number(v));
  const t = typeof v === 'string' ? v.trim() : '';
  if (t !== '' && !Number.isNaN(Number(t))) return PyFloat.of(Number(t));
  throw new FilterError(`could not convert string to float: '${pyStr(v)}'`);
}

/** A dictionary key as Python hashes it: only scalars can name an entry. */
function hashable(v: unknown): unknown {
  if (v instanceof PyFloat) return Number(v) === Math.trunc(Number(v)) ? Number(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  throw new FilterError(`unhashable type: '${Array.isArray(v) ? 'list' : 'dict'}'`);
}

/** Python's iteration of a value (`for x in v`): a list's items, a dict's keys, a string's characters. */
function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()];
  if (isDict(v)) return Object.keys(v);
  if (typeof v === 'string') return [...v];
  throw new FilterError(`'${v === null || v === undefined ? 'NoneType' : typeof v}' object is not iterable`);
}

/** The positional lists of the filter, flattened into one list of entries. */
function flatten(args: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const sublist of args) out.push(...iterate(assertDefined(sublist)));
  return out;
}

function has(d: Dict, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, key);
}

function get(d: Dict, key: string, fallback?: unknown): unknown {
  return has(d, key) ? d[key] : fallback;
}

function keyInNestedDict(key: string, d: unknown): boolean {
  const entries = d instanceof NamedValues ? [...d.values()].map((v, i) => [String(i), v] as const) : isDict(d) ? Object.entries(d) : undefined;
  if (!entries) return false;
  for (const [k, v] of entries) {
    if (!(d instanceof NamedValues) && k === key) return true;
    if (isDict(v) || v instanceof NamedValues) {
      if (keyInNestedDict(key, v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) if (keyInNestedDict(key, item)) return true;
    }
  }
  return false;
}

function copyIdFrom(parsed: Map<unknown, Dict>, element: Dict, current: Dict): void {
  if (!has(element, 'copy_id_from')) return;
  const src = parsed.get(hashable(element.copy_id_from));
  if (src) current.id = pyInt(src.id) + pyInt(get(src, 'weight', 0));
}

function addWeight(element: Dict, current: Dict): void {
  if (has(element, 'weight')) current.weight = pyInt(get(element, 'weight', get(current, 'weight', 0))) + pyInt(get(current, 'weight', 0));
}

function realWeight(current: Dict): number {
  return pyInt(current.id) + pyInt(current.weight);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

/** DebOps' _parse_kv_value: a parameter's `value` set (cast if asked), or a list merged into named items. */
function parseKvValue(current: Dict, next: Dict, index: number): void {
  if (!has(next, 'value')) return;
  const oldValue = get(current, 'value', null);
  const value = next.value;
  const cast = get(next, 'value_cast', null);
  if (isScalar(value)) {
    if (isScalar(oldValue) || isDict(oldValue) || oldValue instanceof NamedValues) {
      if (cast === 'null' || cast === 'none' || cast === 'None') current.value = null;
      else if (cast === 'int' || cast === 'integer') current.value = pyInt(value);
      else if (cast === 'str' || cast === 'string') current.value = pyStr(value);
      else if (cast === 'bool' || cast === 'boolean') current.value = pyTruthy(value);
      else if (cast === 'float') current.value = pyFloat(value);
      else current.value = value;
    }
    return;
  }
  if (!Array.isArray(value)) return;
  const items = new NamedValues(oldValue instanceof NamedValues ? oldValue : isDict(oldValue) ? Object.entries(oldValue).map(([k, v]) => [k, v as Dict]) : []);
  value.forEach((element, elementIndex) => {
    if (typeof element === 'string' || (typeof element === 'number' && Number.isInteger(element)) || typeof element === 'boolean') {
      const key = hashable(element);
      const item: Dict = { ...(items.get(key) ?? {}) };
      if (!pyTruthy(get(item, 'name', null))) {
        Object.assign(item, { name: element, id: index * 10 + elementIndex, weight: get(item, 'weight', 0), state: 'present' });
        item.real_weight = realWeight(item);
        items.set(key, item);
        current.value = items;
      }
      return;
    }
    if (!isDict(element)) return;
    const elementName = get(element, 'param', get(element, 'name', null));
    if (!pyTruthy(elementName) || get(element, 'state', 'present') === 'ignore') return;
    const cursors = typeof elementName === 'string' || typeof elementName === 'number' ? [elementName] : iterate(elementName);
    for (const cursor of cursors) {
      const key = hashable(cursor);
      const item: Dict = { ...(items.get(key) ?? {}) };
      Object.assign(item, { name: cursor, id: index * 10 + elementIndex, weight: pyInt(get(item, 'weight', 0)), state: get(element, 'state', 'present') });
      copyIdFrom(items, element, item);
      if (has(element, 'weight')) item.weight = pyInt(get(element, 'weight', get(item, 'weight', 0))) + pyInt(get(item, 'weight', 0));
      item.real_weight = realWeight(item);
      for (const k of Object.keys(element)) {
        if (!['name', 'state', 'id', 'weight', 'real_weight', 'param', 'copy_id_from'].includes(k)) item[k] = element[k];
      }
      items.set(key, item);
      current.value = items;
    }
  });
}

/** The merged entries as a list sorted by weight, each merged `value` dictionary as a sorted list. */
function sortedOutput(parsed: Map<unknown, Dict>): Dict[] {
  const out: Dict[] = [];
  for (const params of parsed.values()) {
    const v = params.value;
    if (v instanceof NamedValues || isDict(v)) {
      const values = v instanceof NamedValues ? [...v.values()] : Object.values(v);
      params.value = sortByRealWeight(values as Dict[]);
    }
    out.push(params);
  }
  return sortByRealWeight(out);
}

function sortByRealWeight(list: unknown[]): Dict[] {
  for (const x of list) if (!isDict(x) || !has(x, 'real_weight')) throw new FilterError(isDict(x) ? "KeyError: 'real_weight'" : 'TypeError: list indices must be integers or slices, not str');
  // Python's sorted(): stable, by the key
  return (list as Dict[]).map((d, i) => [d, i] as const).sort((a, b) => compareWeights(a[0].real_weight, b[0].real_weight) || a[1] - b[1]).map(([d]) => d);
}

function compareWeights(a: unknown, b: unknown): number {
  return Number(a) - Number(b);
}

function mergeList(current: unknown, added: unknown, key: string): unknown[] {
  if (!Array.isArray(current) || !Array.isArray(added)) throw new FilterError(`can only concatenate list (not "${typeof added === 'string' ? 'str' : isDict(added) ? 'dict' : 'NoneType'}") to list (merging '${key}')`);
  return [...current, ...added];
}

export function parseKvConfig(args: unknown[], kwargs: Dict): Dict[] {
  const name = pyStr(get(kwargs, 'name', 'name'));
  const parsed = new Map<unknown, Dict>();
  const entries = flatten(args);
  entries.forEach((raw, elementIndex) => {
    const element = typeof raw === 'string' ? { [name]: raw } : raw;
    if (!isDict(element)) return;
    if (has(element, name)) {
      const state = get(element, 'state', 'present');
      if (state === 'ignore') return;
      const paramName = element[name];
      const key = hashable(paramName);
      if (state === 'append' && get(parsed.get(key) ?? {}, 'state', 'present') === 'init') return;
      const current: Dict = { ...(parsed.get(key) ?? {}) };
      current.state = state === 'append' ? get(current, 'state', 'present') : get(element, 'state', get(current, 'state', 'present'));
      if (current.state === 'init' && state !== 'init' && keyInNestedDict('value', current)) current.state = 'present';
      Object.assign(current, {
        [name]: paramName,
        id: pyInt(get(current, 'id', elementIndex * 10)),
        weight: pyInt(get(current, 'weight', 0)),
        separator: get(element, 'separator', get(current, 'separator', false)),
        section: get(element, 'section', get(current, 'section', 'unknown')),
      });
      copyIdFrom(parsed, element, current);
      addWeight(element, current);
      current.real_weight = realWeight(current);
      parseKvValue(current, element, pyInt(current.id));
      if (has(element, 'option')) current.option = element.option;
      if (has(element, 'comment')) current.comment = element.comment;
      const mergeKeys: string[] = Array.isArray(kwargs.merge_keys) ? (kwargs.merge_keys as unknown[]).map((k) => pyStr(k)) : [];
      if (!mergeKeys.includes('options')) mergeKeys.push('options');
      for (const k of mergeKeys) {
        if (has(element, k)) current[k] = parseKvConfig([mergeList(get(current, k, []), element[k], k)], { merge_keys: mergeKeys });
      }
      for (const k of Object.keys(element)) {
        if (!mergeKeys.includes(k) && ![name, 'state', 'id', 'weight', 'real_weight', 'separator', 'value', 'comment', 'option', 'section'].includes(k)) current[k] = element[k];
      }
      parsed.set(key, current);
      return;
    }
    // A dictionary of `parameter: value` pairs (not only the special keys): each pair one parameter.
    if (Object.keys(element).every((k) => [name, 'option', 'state', 'comment', 'section', 'weight', 'value', 'copy_id_from'].includes(k))) return;
    for (const [k, v] of Object.entries(element)) {
      const current: Dict = { ...(parsed.get(k) ?? {}) };
      Object.assign(current, { [name]: k, state: 'present', id: pyInt(get(current, 'id', elementIndex * 10)), weight: pyInt(get(current, 'weight', 0)), section: get(current, 'section', 'unknown') });
      current.real_weight = realWeight(current);
      parseKvValue(current, { value: v }, pyInt(current.id));
      parsed.set(k, current);
    }
  });
  return sortedOutput(parsed);
}

export function parseKvItems(args: unknown[], kwargs: Dict): Dict[] {
  const name = pyStr(get(kwargs, 'name', 'name'));
  const empty = get(kwargs, 'empty', {});
  const defaults = get(kwargs, 'defaults', {});
  const mergeKeys = [...new Set(iterate(get(kwargs, 'merge_keys', [])).map((k) => pyStr(k)))];
  if (!mergeKeys.includes('options')) mergeKeys.push('options');
  const parsed = new Map<unknown, Dict>();
  flatten(args).forEach((raw, elementIndex) => {
    const element = typeof raw === 'string' ? { [name]: raw } : raw;
    if (!isDict(element)) return;
    const state = typeof raw === 'string' ? 'present' : get(element, 'state', 'present');
    if (!has(element, name) || state === 'ignore') return;
    const paramName = element[name];
    const key = hashable(paramName);
    if (state === 'append' && (!parsed.has(key) || get(parsed.get(key) as Dict, 'state', 'present') === 'init')) return;
    const current: Dict = { ...(parsed.get(key) ?? {}) };
    current.state = state === 'append' ? get(current, 'state', 'present') : get(element, 'state', get(current, 'state', 'present'));
    if (current.state === 'init' && state !== 'init' && keyInNestedDict('value', current)) current.state = 'present';
    Object.assign(current, {
      [name]: paramName,
      id: pyInt(get(current, 'id', elementIndex * 10)),
      weight: pyInt(get(current, 'weight', 0)),
      separator: get(element, 'separator', get(current, 'separator', false)),
    });
    copyIdFrom(parsed, element, current);
    addWeight(element, current);
    current.real_weight = realWeight(current);
    if (has(element, 'comment')) current.comment = element.comment;
    if (isDict(defaults)) for (const [k, v] of Object.entries(defaults)) current[k] = get(current, k, v);
    else throw new FilterError("'defaults' must be a dictionary");
    for (const k of mergeKeys) {
      if (has(element, k)) current[k] = parseKvConfig([mergeList(get(current, k, []), element[k], k)], { merge_keys: mergeKeys });
    }
    for (const k of Object.keys(element)) {
      if (![name, 'state', 'id', 'weight', 'real_weight', 'separator', 'comment', 'options'].includes(k) && !mergeKeys.includes(k)) current[k] = element[k];
    }
    if (!isDict(empty)) throw new FilterError("'empty' must be a dictionary");
    for (const [toSet, toCheck] of Object.entries(empty)) {
      if (has(current, toSet)) continue;
      for (const k of iterate(toCheck)) {
        if (typeof k === 'string' && has(current, k)) {
          current[toSet] = current[k];
          break;
        }
      }
    }
    parsed.set(key, current);
  });
  return sortedOutput(parsed);
}

function filter(impl: (args: unknown[], kwargs: Dict) => Dict[]): Filter {
  return (value: unknown, ...rest: unknown[]) => {
    // Every positional argument is a list of entries; the options come by keyword.
    const a = splitArgs(rest);
    return impl([value, ...a.positional], a.kwargs);
  };
}

export const debopsFilters: Record<string, Filter> = {
  'debops.debops.parse_kv_items': filter(parseKvItems),
  'debops.debops.parse_kv_config': filter(parseKvConfig),
};
