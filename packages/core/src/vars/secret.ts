/**
 * Secrets: values written with the YAML tag `!secret`, or registered by the executor for `no_log` tasks.
 * A SecretString renders as its plain value (templates and modules need the real value) but is
 * recognisable, so the executor can collect every secret value and give the set to its reporter,
 * which masks them in any output, diff or error message.
 */
import { UnsafeString } from './unsafe.js';

export class SecretString {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
  /** JSON of a secret is its value: to_json in a template must produce a working config. */
  toJSON(): string {
    return this.value;
  }
  /** What a stray console.log or util.inspect shows: never the value. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SecretString(********)';
  }
}

export const SECRET_MASK = '********';

export function isSecret(value: unknown): value is SecretString {
  return value instanceof SecretString;
}

/** The same data with every SecretString (and `!unsafe` string) replaced by its plain string (for zod and modules). */
export function revealSecrets(value: unknown): unknown {
  if (value instanceof SecretString) return value.value;
  if (value instanceof UnsafeString) return value.value;
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = revealSecrets(v);
    return out;
  }
  return value;
}

/**
 * The same data with every string turned into a SecretString: the values of a vault-encrypted vars
 * file are all secrets. Numbers and booleans stay data (templates compute with them; masking `80` or
 * `true` everywhere would garble every line of output).
 */
export function secretStrings(value: unknown): unknown {
  if (typeof value === 'string') return new SecretString(value);
  if (Array.isArray(value)) return value.map(secretStrings);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = secretStrings(v);
    return out;
  }
  return value;
}

/** Every secret value found anywhere inside `value`. */
export function collectSecrets(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (value instanceof SecretString) {
    if (value.value !== '') into.add(value.value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, into);
  } else if (isPlainObject(value)) {
    for (const v of Object.values(value)) collectSecrets(v, into);
  }
  return into;
}

/**
 * Every secret value anywhere in a loaded structure that may share or cycle references (a playbook:
 * plays, blocks, tasks, role entries): task, block and role vars and task arguments included.
 */
export function collectSecretsIn(value: unknown, into: Set<string> = new Set(), seen: WeakSet<object> = new WeakSet()): Set<string> {
  if (value instanceof SecretString) {
    if (value.value !== '') into.add(value.value);
  } else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    if (Array.isArray(value)) for (const v of value) collectSecretsIn(v, into, seen);
    else if (isPlainObject(value)) for (const v of Object.values(value)) collectSecretsIn(v, into, seen);
  }
  return into;
}

/**
 * The set of values the reporter must never print. The executor adds the secrets of every host's
 * variables and the rendered arguments/results of no_log tasks; the reporter calls `mask` on every line.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Register a secret value (strings shorter than 3 characters are ignored: masking them would garble output). */
  add(value: unknown): void {
    const text = value instanceof SecretString ? value.value : typeof value === 'string' ? value : undefined;
    if (text === undefined || text.length < 3 || this.values.has(text)) return;
    this.values.add(text);
    this.pattern = undefined;
  }

  /** Register every SecretString found inside a variables object (or any value). */
  addFrom(value: unknown): void {
    for (const s of collectSecrets(value)) this.add(s);
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  get size(): number {
    return this.values.size;
  }

  /** `text` with every registered secret replaced by ********. Longest secrets first, so a secret containing another is masked whole. */
  mask(text: string): string {
    if (this.values.size === 0 || text === '') return text;
    if (!this.pattern) {
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
    }
    return text.replace(this.pattern, SECRET_MASK);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
