/**
 * Ansible's modules return their results through exit_json, which replaces the values of their
 * no_log options (url_password...) wherever they appear, in a mapping's keys as in its values, with
 * "********" (remove_values): what `register` keeps is masked already, not only what is printed.
 */
const MASK = '********';

export function withoutNoLogValues<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const list = secrets.filter((s): s is string => typeof s === 'string' && s.trim() !== '').sort((a, b) => b.length - a.length);
  if (list.length === 0) return value;
  const mask = (text: string) => list.reduce((out, s) => (out.includes(s) ? out.split(s).join(MASK) : out), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [mask(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}
