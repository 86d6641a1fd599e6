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
