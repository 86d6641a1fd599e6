/** Python semantics Ansible users rely on: truthiness, str() and repr() of values. */
import { assertDefined } from './undefined.js';
import { isPlainObject, SecretString } from '../vars/secret.js';

/** Python's bool(): empty string, list, dict, 0, None and False are false. */
export function pyTruthy(value: unknown): boolean {
  assertDefined(value);
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof SecretString) return value.value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Python's `==` on template data: lists and dicts by value, True == 1, secrets by their text. */
export function pyEquals(a: unknown, b: unknown): boolean {
  const x = a instanceof SecretString ? a.value : a;
  const y = b instanceof SecretString ? b.value : b;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => pyEquals(v, y[i]));
  if (isPlainObject(x) && isPlainObject(y)) {
    const kx = Object.keys(x);
    return kx.length === Object.keys(y).length && kx.every((k) => k in y && pyEquals(x[k], y[k]));
  }
  if (typeof x === 'boolean' && typeof y === 'number') return Number(x) === y;
  if (typeof x === 'number' && typeof y === 'boolean') return x === Number(y);
  return x === y;
}

/** How Jinja2 prints a value inside a template: None as '' (Ansible's finalize), True/False, lists as repr. */
export function pyStr(value: unknown): string {
  assertDefined(value);
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof SecretString) return value.value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (Array.isArray(value) || isObjectLike(value)) return pyRepr(value);
  return String(value);
}

/** Python's repr(): what `{{ [1, 'a'] }}` prints inside a longer string. */
export function pyRepr(value: unknown): string {
  assertDefined(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return reprString(value);
  if (value instanceof SecretString) return reprString(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isObjectLike(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Ansible's `bool` filter and `when: var` on strings: yes/on/1/true (any case) are true. */
export function toBool(value: unknown): boolean {
  assertDefined(value);
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'number') return value === 1;
  const s = String(value).trim().toLowerCase();
  return s === 'yes' || s === 'on' || s === '1' || s === 'true' || s === 'y' || s === 't';
}
