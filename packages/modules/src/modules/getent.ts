import { z } from 'zod';
import { defineHostModule } from '../util/define.js';
import { failed } from '@haweb/hostkit';
import { boolish } from '../util/schema.js';

/** The databases whose records Ansible's getent splits at ':' by default (the others at whitespace). */
const COLON_DATABASES = ['passwd', 'shadow', 'group', 'gshadow'];

/**
 * getent's output as Ansible's getent module shapes it: key -> the record's other fields; a key seen
 * twice -> a list of field lists. `split` undefined splits at runs of whitespace (Python's split()).
 * Pure.
 */
export function parseGetent(stdout: string, database: string, split?: string): Record<string, unknown> {
  const sep = split ?? (COLON_DATABASES.includes(database) ? ':' : undefined);
  const out: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  for (const line of stdout.split(/\r?\n/)) {
    if (line === '' && sep !== undefined) continue;
    const record = sep === undefined ? line.trim().split(/\s+/).filter((f) => f !== '') : line.split(sep);
    if (record.length === 0) continue;
    const [key, ...rest] = record;
    const n = seen.get(key) ?? 0;
    if (n === 0) out[key] = rest;
    else {
      if (n === 1) out[key] = [out[key]];
      (out[key] as unknown[]).push(rest);
    }
    seen.set(key, n + 1);
  }
  return out;
}

/** getent's exit codes, in Ansible's words. */
const GETENT_ERRORS: Record<number, string> = {
  1: 'Missing arguments, or database unknown.',
  2: 'One or more supplied key could not be found in the database.',
  3: 'Enumeration not supported on this database.',
};

/**
 * Ansible's getent: a name service database (passwd, group, hosts, services...) as the fact
 * `getent_<database>`, set for the host and in the registered result's `ansible_facts`.
 * Example: getent: { database: passwd, key: www-data } then `getent_passwd['www-data'][4]`
 */
export const getentModule = defineHostModule({
  name: 'getent',
  aliases: ['ansible.builtin.getent'],
  description: 'Read a name service database (getent) into the fact getent_<database>.',
  args: z.strictObject({
    database: z.string().min(1),
    key: z.string().optional(),
    service: z.string().optional(),
    split: z.string().optional(),
    // Ansible's default is true; left undefined here (its doc writes the default as 'yes').
    fail_key: boolish.optional(),
  }),
  checkMode: 'full',
  async run(args, ctx) {
    const argv = ['getent', args.database, ...(args.key !== undefined ? [args.key] : []), ...(args.service !== undefined ? ['-s', args.service] : [])];
    const r = await ctx.remote.run({ argv }, { become: ctx.become });
    const tree = `getent_${args.database}`;
    if (r.code === 0) {
      const facts = { [tree]: parseGetent(r.stdout, args.database, args.split) };
      return { changed: false, facts, ansible_facts: facts };
    }
    if (r.code === 2 && args.fail_key === false) {
      const facts = { [tree]: { [args.key ?? '']: null } };
      return { changed: false, facts, ansible_facts: facts, msg: GETENT_ERRORS[2] };
    }
    return failed(GETENT_ERRORS[r.code] ?? 'Unexpected failure!');
  },
});
