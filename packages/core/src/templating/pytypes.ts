/**
 * Python's number and tuple types where JavaScript has none of its own:
 *  - a float whose value is whole (`4096/1024`, `1.0`, `'3' | float`) is a PyFloat, so it prints `4.0`
 *    as Python does; other floats are plain numbers (a fraction already says float);
 *  - integers are exact only up to 2**53: beyond that the engine refuses rather than print a rounded
 *    number (Python's integers are unbounded);
 *  - tuples (`(1, 2)`, zip's pairs) are arrays marked as tuples, so they print `(1, 2)`.
 * Values leave the engine with PyFloats turned back into numbers (see unbox).
 */
export class PyFloat extends Number {
  /** A float result: boxed when whole, else the plain number. */
  static of(n: number): number | PyFloat {
    return Number.isInteger(n) ? new PyFloat(n) : n;
  }
}

export function isNumber(v: unknown): v is number | PyFloat {
  return typeof v === 'number' || v instanceof PyFloat;
}

export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** A number (or bool, as Python counts it) as a JavaScript number. */
export function num(v: unknown): number {
  if (v instanceof PyFloat) return v.valueOf();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

/** An integer result, refused when JavaScript cannot hold it exactly. */
export function exactInt(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`integer result ${n} is beyond 2**53: this engine cannot compute it exactly as Python does`);
  return n;
}

const tuples = new WeakSet<unknown[]>();

export function newTuple(...items: unknown[]): unknown[] {
  tuples.add(items);
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && tuples.has(v);
}

/** Values handed to the executor: PyFloats become plain numbers, deep. */
export function unbox(v: unknown): unknown {
  if (v instanceof PyFloat) return v.valueOf();
  if (Array.isArray(v)) return v.some(needsUnbox) ? v.map(unbox) : v;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const rec = v as Record<string, unknown>;
    if (!Object.values(rec).some(needsUnbox)) return v;
    return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, unbox(x)]));
  }
  return v;
}

function needsUnbox(v: unknown): boolean {
  if (v instanceof PyFloat) return true;
  if (Array.isArray(v)) return v.some(needsUnbox);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).some(needsUnbox);
  return false;
}

/** Python's repr() of a float: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, e] = n.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const fixed = String(n);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Python's arithmetic on two numbers (bools count as 0 and 1): int stays int, any float makes a float, `/` is always float. */
export function arithmetic(op: string, a: unknown, b: unknown): number | PyFloat {
  const float = isFloat(a) || isFloat(b);
  const x = num(a);
  const y = num(b);
  const result = (n: number, asFloat: boolean) => (asFloat ? PyFloat.of(n) : exactInt(n));
  switch (op) {
    case '+':
      return result(x + y, float);
    case '-':
      return result(x - y, float);
    case '*':
      return result(x * y, float);
    case '/':
      if (y === 0) throw new Error('division by zero');
      return PyFloat.of(x / y);
    case '//':
      if (y === 0) throw new Error('integer division or modulo by zero');
      return result(Math.floor(x / y), float);
    case '%': {
      if (y === 0) throw new Error('integer division or modulo by zero');
      const m = x % y;
      return result(m !== 0 && m < 0 !== y < 0 ? m + y : m, float);
    }
    case '**':
      if (!float && y < 0) return PyFloat.of(x ** y);
      return result(x ** y, float);
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** What `x.__class__` gives: Python's type object, printed as `<class 'int'>`. */
export class PyType {
  constructor(readonly name: string) {}
  toString(): string {
    return `<class '${this.name}'>`;
  }
}

/**
 * Python's range() too long to hold as a list (Jinja's range is Python's lazy one, unbounded outside a
 * sandbox): `range(2 ** 31, 2 ** 32) | random` picks one of its numbers without making the others.
 * Only `random` reads it; any other use fails with a message rather than filling memory.
 */
export class PyRange {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {}
  get length(): number {
    return Math.max(0, Math.ceil((this.stop - this.start) / this.step));
  }
  at(i: number): number {
    return this.start + this.step * i;
  }
  toString(): string {
    return this.step === 1 ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/** Ranges up to this many numbers are lists (what nunjucks's range gives); longer ones are PyRange. */
export const RANGE_LIST_LIMIT = 1_000_000;

/** Jinja's range(stop) / range(start, stop[, step]). */
export function pyRange(...args: unknown[]): number[] | PyRange {
  const n = args.map((x) => Number(unbox(x)));
  if (n.some((x) => !Number.isInteger(x))) throw new Error('range() integer arguments expected');
  const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
  if (step === 0) throw new Error('range() arg 3 must not be zero');
  const r = new PyRange(start, stop, step);
  if (r.length > RANGE_LIST_LIMIT) return r;
  return Array.from({ length: r.length }, (_, i) => r.at(i));
}
