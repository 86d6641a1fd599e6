/** Argument types shared by the modules, accepting what Ansible playbooks write. */
import { z } from 'zod';

const TRUE = ['yes', 'true', 'on', '1', 'y'];
const FALSE = ['no', 'false', 'off', '0', 'n'];

/** A boolean, also written yes/no/true/false/on/off (YAML 1.2 reads `yes` as a string). */
export const boolish = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (TRUE.includes(s)) return true;
    if (FALSE.includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: `expected a boolean (yes/no/true/false), got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/** A mode: "0644", 644 (YAML reads 0644 as the number 644), or symbolic "u=rw,g=r". */
export const modeArg = z.union([z.string(), z.number().int().nonnegative()]);

/** A list of strings, also given as one comma-separated string. */
export const stringList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v.map(String)).map((s) => s.trim()).filter((s) => s !== ''));

/** A path on the managed host: absolute. */
export const remotePath = z.string().min(1).refine((p) => p.startsWith('/') || p.startsWith('~'), {
  message: 'must be an absolute path on the host',
});

/** Integers written as strings too ("80"). */
export const intish = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform((v) => Number(v));

const DECLARED_ALIASES = new WeakMap<z.ZodType, Readonly<Record<string, readonly string[]>>>();

/**
 * Ansible's option aliases (`dest` and `name` for file's `path`...): each alias is renamed to its
 * option before the spec checks the arguments; giving an option and its alias together is an error.
 * `aliases` maps each option to the other names Ansible accepts for it.
 */
export function withAliases<S extends z.ZodType>(schema: S, aliases: Readonly<Record<string, readonly string[]>>) {
  const optionOf = new Map<string, string>();
  for (const [option, names] of Object.entries(aliases)) for (const n of names) optionOf.set(n, option);
  const wrapped = z.preprocess((input, ctx) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
    const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const [alias, option] of optionOf) {
      if (!(alias in out)) continue;
      if (option in out) {
        ctx.issues.push({ code: 'custom', message: `give '${option}' or its alias '${alias}', not both`, input, path: [alias] });
        continue;
      }
      out[option] = out[alias];
      delete out[alias];
    }
    return out;
  }, schema);
  DECLARED_ALIASES.set(wrapped, aliases);
  return wrapped;
}

/** The aliases a module's spec declares (withAliases), option -> alias names. */
export function declaredAliases(schema: z.ZodType): Readonly<Record<string, readonly string[]>> {
  return DECLARED_ALIASES.get(schema) ?? {};
}
