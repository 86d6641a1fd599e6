/**
 * Ansible's `!unsafe` YAML tag: the value is data, never a template. It is read as an UnsafeString and
 * stays one until it is handed over: the templater gives its text back without rendering it (in task
 * arguments, set_fact values and variables), and a variable whose template reads an unsafe variable is
 * not rendered a second time (Ansible marks that result unsafe too).
 */
export class UnsafeString {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
  toJSON(): string {
    return this.value;
  }
}

export function isUnsafe(value: unknown): value is UnsafeString {
  return value instanceof UnsafeString;
}

/** Does the value hold an UnsafeString anywhere (lists and mappings walked)? */
export function containsUnsafe(value: unknown, depth = 0): boolean {
  if (value instanceof UnsafeString) return true;
  if (depth > 50 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsUnsafe(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).some((v) => containsUnsafe(v, depth + 1));
}

/** The same data with every UnsafeString replaced by its text (a value that holds none is returned as is). */
export function unwrapUnsafe(value: unknown): unknown {
  if (value instanceof UnsafeString) return value.value;
  if (!containsUnsafe(value)) return value;
  if (Array.isArray(value)) return value.map(unwrapUnsafe);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = unwrapUnsafe(v);
  return out;
}
