/** Python semantics Ansible users rely on: truthiness, str() and repr() of values. */
import { assertDefined } from './undefined.js';
import { isPlainObject, SecretString } from '../vars/secret.js';
import { exactInt, floatRepr, isTuple, PyFloat, PyType } from './pytypes.js';
import { nunjucks } from './nunjucks-internals.js';

/** Macro and caller() output: text, whatever filter it is passed to. */
const SafeString = (nunjucks.runtime as unknown as { SafeString: new (s: string) => object }).SafeString;

/** Python's bool(): empty string, list, dict, 0, None and False are false. */
export function pyTruthy(value: unknown): boolean {
  assertDefined(value);
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (value instanceof PyFloat) return value.valueOf() !== 0;
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
  const x = a instanceof SecretString ? a.value : a instanceof PyFloat ? a.valueOf() : a;
  const y = b instanceof SecretString ? b.value : b instanceof PyFloat ? b.valueOf() : b;
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
  if (value instanceof SafeString) return String(value);
  if (value instanceof SecretString) return value.value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || value instanceof PyFloat) return pyNumber(value);
  if (value instanceof PyType) return String(value);
  if (Array.isArray(value) || isObjectLike(value)) return pyRepr(value);
  return String(value);
}

/** Python's repr(): what `{{ [1, 'a'] }}` prints inside a longer string. */
export function pyRepr(value: unknown): string {
  assertDefined(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || value instanceof PyFloat) return pyNumber(value);
  if (typeof value === 'string') return reprString(value);
  if (value instanceof SecretString) return reprString(value.value);
  if (value instanceof SafeString) return reprString(String(value));
  if (value instanceof PyType) return String(value);
  if (isTuple(value)) return `(${(value as unknown[]).map(pyRepr).join(', ')}${(value as unknown[]).length === 1 ? ',' : ''})`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isObjectLike(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

function pyNumber(n: number | PyFloat): string {
  if (n instanceof PyFloat) return floatRepr(n.valueOf());
  if (!Number.isInteger(n)) return floatRepr(n);
  // A whole number beyond 2**53 held by data is a float JSON gave (uri's json: 1.234567890E+34, which
  // Python's json reads as a float): printed as Python prints that float. Arithmetic beyond 2**53 is
  // still refused (exactInt in arithmetic).
  if (!Number.isSafeInteger(n) && Math.abs(n) >= 1e16) return floatRepr(n);
  return String(exactInt(n));
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    // Python escapes the other control characters as \xNN
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
