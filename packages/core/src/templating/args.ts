import { isUndefined } from './undefined.js';

/** Nunjucks passes keyword arguments as a trailing object marked `__keywords`; split them off. */
export function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } {
  const last = args[args.length - 1];
  // An undefined variable given as the last argument (`default(nope)`) is an argument, not keywords:
  // reading a property of it would already count as using it.
  if (last && typeof last === 'object' && !isUndefined(last) && (last as Record<string, unknown>).__keywords === true) {
    const { __keywords: _ignored, ...kwargs } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/** Argument `name` given by position `index` or by keyword; `fallback` when absent. */
export function arg<T>(parts: ReturnType<typeof splitArgs>, index: number, name: string, fallback: T): T {
  if (name in parts.kwargs) return parts.kwargs[name] as T;
  if (index < parts.positional.length) return parts.positional[index] as T;
  return fallback;
}
