/** Argument types shared by the modules, accepting what Ansible playbooks write. */
import { z } from 'zod';

/** A boolean as Ansible's `type: bool` reads it: one definition, in @haweb/core (the executor's action modules use it too). */
export { boolish } from '@haweb/core';
import { boolish } from '@haweb/core';

/** A mode: "0644", 644 (YAML reads 0644 as the number 644), or symbolic "u=rw,g=r". */
export const modeArg = z.union([z.string(), z.number().int().nonnegative()]);

/** A list of strings, also given as one comma-separated string. */
export const stringList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (typeof v === 'string' ? v.split(',') : v.map(String)).map((s) => s.trim()).filter((s) => s !== ''));

/**
 * A path on the managed host, as Ansible's `type: path` options take it: absolute, `~/...`, or relative.
 * A relative path is relative to the directory the module runs in, which for Ansible and for this
 * provisioner is the login user's home (the ssh session's working directory; become keeps it).
 */
export const remotePath = z.string().min(1, { message: 'must not be empty' });

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

/**
 * Ansible's common file arguments for SELinux (seuser, serole, setype, selevel) and unsafe_writes,
 * taken by every module that writes or changes a file. defineHostModule applies the SELinux ones
 * once the module has run (util/file-common.ts); unsafe_writes is accepted and has nothing to do:
 * every write here is a temporary file renamed over the destination, and the non-atomic fallback
 * Ansible takes when that rename fails is never needed on the hosts this provisioner manages.
 */
export const fileCommonArgs = {
  seuser: z.string().optional(),
  serole: z.string().optional(),
  setype: z.string().optional(),
  selevel: z.string().optional(),
  unsafe_writes: boolish.default(false),
};

type DefLike = { type: string; shape?: Record<string, unknown>; in?: unknown; out?: unknown; innerType?: unknown; options?: unknown[]; left?: unknown; right?: unknown };
const defLike = (s: unknown): DefLike | undefined => (s as { _zod?: { def?: DefLike } })?._zod?.def;

/** Whether an option's schema is remotePath (through optional/default wrappers). */
function isRemotePath(s: unknown): boolean {
  for (let cur = s, i = 0; cur && i < 8; i++) {
    if (cur === remotePath) return true;
    const def = defLike(cur);
    if (!def || !['optional', 'default', 'nullable', 'prefault'].includes(def.type)) return false;
    cur = def.innerType;
  }
  return false;
}

/** The options a module's spec declares as remote paths (remotePath): Ansible's `type: path` options. */
export function pathOptions(schema: unknown): string[] {
  const def = defLike(schema);
  if (!def) return [];
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape ?? {}).filter(([, s]) => isRemotePath(s)).map(([k]) => k);
    case 'pipe': {
      const before = pathOptions(def.in);
      return before.length ? before : pathOptions(def.out);
    }
    case 'optional':
    case 'default':
    case 'readonly':
      return pathOptions(def.innerType);
    case 'union':
      return [...new Set((def.options ?? []).flatMap(pathOptions))];
    case 'intersection':
      return [...new Set([...pathOptions(def.left), ...pathOptions(def.right)])];
    default:
      return [];
  }
}

/** A path that Ansible's `type: path` would expand with the home of the user the module runs as. */
export const needsHome = (v: unknown): v is string => typeof v === 'string' && /^~(\/|$)|\$\{HOME\}|\$HOME\b/.test(v);

/** `~`, `~/x`, `$HOME/x`, `${HOME}/x` with that home (expanduser, and expandvars for HOME). */
export function expandHome(path: string, home: string): string {
  if (home === '') return path;
  return path.replace(/^~(?=\/|$)/, home).replace(/\$\{HOME\}|\$HOME\b/g, home);
}
