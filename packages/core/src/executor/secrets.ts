/** What a secret is replaced with in every output. */
export const MASK = '********';

/**
 * Collects values that must never be shown (no_log, loader-marked secrets, ctx.markSecret) and
 * replaces them in any text or structure before it reaches a reporter.
 */
export class SecretMasker {
  private readonly secrets = new Set<string>();
  private sorted: string[] | undefined;

  add(value: unknown): void {
    if (value === undefined || value === null) return;
    const text = typeof value === 'string' ? value : String(value);
    // An empty string cannot be found in text; whitespace-only values would blank out output.
    if (text.trim() === '') return;
    if (!this.secrets.has(text)) {
      this.secrets.add(text);
      this.sorted = undefined;
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  mask(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    // Longest first, so a secret containing another is replaced whole.
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of this.sorted) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A deep copy of `value` with every string (keys included) masked. Non-plain objects (Buffers, Errors) become text. */
  maskDeep<T>(value: T): T {
    return this.walk(value, new WeakMap()) as T;
  }

  private walk(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.mask(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      const text = String(value);
      return this.secrets.has(text) ? MASK : value;
    }
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.walk(v, seen));
      return out;
    }
    if (Buffer.isBuffer(value)) return this.mask(value.toString('utf8'));
    if (value instanceof Error) return this.mask(value.message);
    if (value instanceof Map) return this.walk(Object.fromEntries(value), seen);
    if (value instanceof Set) return this.walk([...value], seen);
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    // Keys too, as Ansible's remove_values masks a mapping's keys (uri's json echoing a query string).
    for (const [k, v] of Object.entries(value)) out[this.mask(k)] = this.walk(v, seen);
    return out;
  }
}
