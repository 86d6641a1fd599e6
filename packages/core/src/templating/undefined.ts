import { UndefinedUseError } from './errors.js';

/**
 * Ansible's StrictUndefined, in JavaScript. A missing variable or attribute resolves to one of these
 * instead of `undefined`, so the error can name what was missing; any real use of it (printing,
 * comparing, iterating, passing to a filter other than default/mandatory, truth testing) throws.
 * Only `is defined`/`is undefined`, `default` and attribute access (which yields another Undefined,
 * so `foo.bar is defined` works as in Ansible) are allowed.
 */
const BRAND = Symbol('haweb.undefined');

export interface UndefinedInfo {
  /** The message used when it is used: "'foo' is undefined". */
  reason: string;
}

export type UndefinedValue = object & { readonly [BRAND]: UndefinedInfo };

export function makeUndefined(reason: string): UndefinedValue {
  const info: UndefinedInfo = { reason };
  const fail = (): never => {
    throw new UndefinedUseError(reason);
  };
  return new Proxy(Object.create(null) as object, {
    get(_t, prop) {
      if (prop === BRAND) return info;
      // Promise resolution and Node's inspection probe these; answering keeps them harmless.
      if (prop === 'then' || prop === Symbol.for('nodejs.util.inspect.custom')) return undefined;
      // The keyword-arguments probe on a call's last argument (nunjucks' and splitArgs'): an Undefined
      // passed as an argument, as in `x | default(y.missing)`, is not a use of it (Jinja2 passes it on).
      if (prop === '__keywords') return undefined;
      if (prop === Symbol.toPrimitive) return fail;
      return fail();
    },
    has: (_t, prop) => (prop === '__keywords' ? false : fail()),
    ownKeys: fail,
    set: fail,
    getOwnPropertyDescriptor: (_t, prop) => (prop === '__keywords' ? undefined : fail()),
  }) as UndefinedValue;
}

export function isUndefined(value: unknown): value is UndefinedValue {
  if (value === undefined) return true;
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] !== undefined;
}

/** The reason of an Undefined, or a generic one for JavaScript's own undefined. */
export function undefinedReason(value: unknown, fallback = 'value is undefined'): string {
  if (typeof value === 'object' && value !== null) {
    const info = (value as Record<symbol, UndefinedInfo | undefined>)[BRAND];
    if (info) return info.reason;
  }
  return fallback;
}

/** Throw the Undefined's own error when `value` is undefined; else return it. */
export function assertDefined<T>(value: T): T {
  if (isUndefined(value)) throw new UndefinedUseError(undefinedReason(value));
  return value;
}
