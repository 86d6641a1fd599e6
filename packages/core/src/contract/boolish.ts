/**
 * The boolean of module arguments, as Ansible's `type: bool` reads it (module_utils/parsing/
 * convert_bool.py, BOOLEANS_TRUE / BOOLEANS_FALSE): a YAML boolean, one of the words below in any
 * case and with blanks around it, or the numbers 1 and 0. One definition for the executor's own
 * action modules and for the built-in modules (which reach it through @haweb/modules' util/schema).
 */
import { z } from 'zod';

/** Ansible's BOOLEANS_TRUE words (lower case). */
export const BOOLEAN_TRUE_WORDS: readonly string[] = ['y', 'yes', 'on', '1', 'true', 't'];
/** Ansible's BOOLEANS_FALSE words (lower case). */
export const BOOLEAN_FALSE_WORDS: readonly string[] = ['n', 'no', 'off', '0', 'false', 'f'];

/** A boolean, also written yes/no/true/false/on/off/y/n/t/f/1/0 (YAML 1.2 reads `yes` as a string). */
export const boolish = z.union([z.boolean(), z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (v === 1) return true;
    if (v === 0) return false;
  } else {
    const s = v.trim().toLowerCase();
    if (BOOLEAN_TRUE_WORDS.includes(s)) return true;
    if (BOOLEAN_FALSE_WORDS.includes(s)) return false;
  }
  ctx.addIssue({ code: 'custom', message: `expected a boolean (yes/no/true/false), got ${JSON.stringify(v)}` });
  return z.NEVER;
});
