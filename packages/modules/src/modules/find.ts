import { z } from 'zod';
import {
  contentMatches,
  directoryWalk,
  findResultEntry,
  parseAge,
  parseSize,
  selectEntries,
  sha1Digests,
  type FindFilters,
  failed,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { boolish, intish, stringList, withAliases } from '../util/schema.js';

/**
 * Ansible's find: the files (or directories, links) under some paths that match name patterns, age,
 * size and content. Never changes anything. Returns Ansible's keys: `files` (each with Ansible's stat
 * keys), `matched`, `examined`, `skipped_paths`, `msg`.
 * Example: find: { paths: /var/log, patterns: '*.gz', age: 2d, recurse: yes } + register: old_logs
 */
export const findModule = defineHostModule({
  name: 'find',
  aliases: ['ansible.builtin.find'],
  description: 'List the files under some paths that match patterns, age, size, type or content (read-only).',
  args: withAliases(
    z.strictObject({
      paths: stringList.pipe(z.array(z.string()).min(1)),
      patterns: stringList.default([]),
      excludes: stringList.optional(),
      contains: z.string().optional(),
      read_whole_file: boolish.default(false),
      file_type: z.enum(['any', 'directory', 'file', 'link']).default('file'),
      age: z.union([z.string(), z.number()]).transform(String).optional(),
      age_stamp: z.enum(['atime', 'ctime', 'mtime']).default('mtime'),
      size: z.union([z.string(), z.number()]).transform(String).optional(),
      recurse: boolish.default(false),
      hidden: boolish.default(false),
      follow: boolish.default(false),
      get_checksum: boolish.default(false),
      use_regex: boolish.default(false),
      depth: intish.optional(),
    }),
    { paths: ['name', 'path'], patterns: ['pattern'], excludes: ['exclude'] },
  ),
  checkMode: 'full',
  async run(args, ctx) {
    const age = args.age === undefined ? undefined : parseAge(args.age);
    if (args.age !== undefined && age === undefined) return { ...failed('failed to process age'), age: args.age };
    const size = args.size === undefined ? undefined : parseSize(args.size);
    if (args.size !== undefined && size === undefined) return { ...failed('failed to process size'), size: args.size };
    const filters: FindFilters = {
      patterns: args.patterns,
      excludes: args.excludes ?? [],
      useRegex: args.use_regex,
      fileType: args.file_type,
      hidden: args.hidden,
      recurse: args.recurse,
      depth: args.depth,
      age,
      ageStamp: args.age_stamp,
      size,
    };
    // Age is measured against the host's clock, as Ansible's module (running there) does.
    const now = Number((await ctx.remote.run({ argv: ['date', '+%s.%N'] })).stdout.trim()) || Date.now() / 1000;
    const files: Record<string, unknown>[] = [];
    const skipped: Record<string, string> = {};
    let examined = 0;
    for (const path of args.paths) {
      const walk = await ctx.fact(directoryWalk, { path, recurse: args.recurse, depth: args.depth, follow: args.follow });
      if (!walk.ok) {
        skipped[path] = walk.reason;
        continue;
      }
      examined += walk.entries.length;
      let matches = selectEntries(walk.entries, filters, now);
      if (args.contains !== undefined && args.file_type === 'file') {
        const kept = [];
        for (const e of matches) {
          const content = await ctx.remote.readFile(e.path, { become: ctx.become }).catch(() => undefined);
          if (content && contentMatches(content.toString('utf8'), args.contains, args.read_whole_file)) kept.push(e);
        }
        matches = kept;
      }
      const regular = matches.filter((e) => e.kind === 'file').map((e) => e.path);
      const digests = args.get_checksum && regular.length ? await ctx.fact(sha1Digests, { paths: regular }) : {};
      for (const e of matches) {
        const entry = findResultEntry(e);
        if (args.get_checksum && e.kind === 'file' && digests[e.path] !== undefined) entry.checksum = digests[e.path];
        files.push(entry);
      }
    }
    const skippedAny = Object.keys(skipped).length > 0;
    return {
      changed: false,
      files,
      matched: files.length,
      examined,
      skipped_paths: skipped,
      msg: skippedAny ? 'Not all paths examined, check warnings for details' : 'All paths examined',
      // Ansible's warning text, its trailing newline included.
      ...(skippedAny ? { warnings: Object.entries(skipped).map(([p, why]) => `Skipped '${p}' path due to this access issue: ${why}\n`) } : {}),
    };
  },
});
