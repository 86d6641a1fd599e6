import { z } from 'zod';
import {
  addSource,
  aptSourcesFiles,
  applySteps,
  dumpSources,
  parseMode,
  parseRepoArgument,
  parseSourcesFiles,
  planSourcesChanges,
  removeSource,
  suggestSourcesFilename,
  type Step,
} from '@haweb/hostkit';
import type { FileDiff, ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, intish, modeArg, withAliases } from '../util/schema.js';

/** Return values (Ansible's RETURN of apt_repository): repo, state (not on a failure, as Ansible); the diff per sources file with --diff. */
export type AptRepositoryResult = ModuleResult & { repo?: string; state?: string };

const args = withAliases(
  z.strictObject({
    repo: z.string(),
    state: z.enum(['absent', 'present']).default('present'),
    mode: modeArg.optional(),
    // Ansible's defaults (true) are applied in run(): its spec writes them as 'yes'.
    update_cache: boolish.optional(),
    update_cache_retries: intish.default(5),
    update_cache_retry_max_delay: intish.default(12),
    filename: z.string().min(1).optional(),
    // Ansible installs python3-apt on the host with it; the sources files are read here without it.
    install_python_apt: boolish.optional(),
    validate_certs: boolish.optional(),
    codename: z.string().optional(),
  }),
  { update_cache: ['update-cache'] },
);

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** apt-get update with Ansible's retries and backoff; the last error when every try failed. */
export async function updateAptCache(ctx: ModuleContext, retries: number, maxDelay: number): Promise<string | undefined> {
  let err = 'unknown reason';
  for (let attempt = 0; attempt < Math.max(1, retries); attempt++) {
    const r = await ctx.remote.run({ argv: ['apt-get', 'update', '-q', '--error-on=any'] }, { become: ctx.become, timeoutMs: 600_000, env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' } });
    if (r.code === 0) return undefined;
    // apt's errors as `E:<message>`, joined with ", ".
    err = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => /^[EW]: /.test(l)).map((l) => l.replace(/^([EW]): /, '$1:')).join(', ') || `apt-get update exit ${r.code}`;
    if (attempt + 1 < retries) await sleep(Math.min(2 ** attempt, maxDelay));
  }
  return err;
}

/**
 * Examples:
 *   apt_repository: { repo: 'deb [trusted=yes] http://198.51.100.1/debian ./', filename: lab, update_cache: false }
 *   apt_repository: repo="deb http://deb.example.org/debian bookworm main" state=absent
 */
export const aptRepositoryModule = defineHostModule({
  name: 'apt_repository',
  aliases: ['ansible.builtin.apt_repository'],
  description: 'Add or remove an apt repository line in sources.list.d (file named as Ansible names it), then update the cache.',
  args,
  checkMode: 'full',
  async run(a, ctx): Promise<AptRepositoryResult> {
    const base = { repo: a.repo, state: a.state };
    if (!a.repo) return { changed: false, failed: true, msg: "Please set argument 'repo' to a non-empty value" };
    if (a.repo.startsWith('ppa:')) {
      return { changed: false, failed: true, msg: 'PPA repositories (ppa:) need Launchpad on the internet and are Ubuntu-only: not supported by this provisioner; give the deb line and the key (apt_key) instead' };
    }
    const parsed = parseRepoArgument(a.repo);
    // Ansible's failures (fail_json) carry the message only.
    if ('error' in parsed) return { changed: false, failed: true, msg: parsed.error } as AptRepositoryResult;
    const onDisk = await ctx.fact(aptSourcesFiles, {});
    const before = parseSourcesFiles(onDisk);
    let after = before;
    let appendedTo: string | undefined;
    if (a.state === 'present') ({ files: after, appendedTo } = addSource(before, parsed.source, suggestSourcesFilename(parsed.source, a.filename)));
    else after = removeSource(before, parsed.source);
    const plan = planSourcesChanges(onDisk, before, after);
    if (!plan.changed) return { ...base, changed: false };

    const dumpBefore = dumpSources(before);
    const dumpAfter = dumpSources(after);
    const diff: FileDiff[] = [...new Set([...dumpBefore.keys(), ...dumpAfter.keys()])].map((path) => ({
      before: dumpBefore.get(path) ?? '',
      after: dumpAfter.get(path) ?? '',
      beforeHeader: dumpBefore.has(path) ? path : '/dev/null',
      afterHeader: dumpAfter.has(path) ? path : '/dev/null',
    }));
    const modeOf = (path: string, existed: boolean): string | undefined => {
      // Ansible: the mode option applies to a file a repository was appended to; a new file is 0644 otherwise.
      if (path === appendedTo && a.mode !== undefined) {
        const spec = parseMode(a.mode);
        if (spec.kind === 'octal') return spec.value.toString(8).padStart(4, '0');
      }
      return existed ? undefined : '0644';
    };
    const steps: Step[] = plan.writes.map((w) =>
      w.content === undefined
        ? { kind: 'run', argv: ['rm', '-f', '--', w.path], why: `remove ${w.path}` }
        : { kind: 'file', path: w.path, content: w.content, mode: modeOf(w.path, w.before !== undefined), why: `write ${w.path}` },
    );
    const applied = await applySteps(ctx, steps, { diff: ctx.diff ? diff : [], result: base, msg: `${a.state === 'present' ? 'add' : 'remove'} ${parsed.source}` });
    if (applied.failed) return applied as AptRepositoryResult;
    // Ansible's result says changed, repo, state (and the diff): no message.
    const done = { ...base, changed: true, ...(applied.diff ? { diff: applied.diff } : {}) };
    if (ctx.check) return done;
    if (a.update_cache ?? true) {
      const err = await updateAptCache(ctx, a.update_cache_retries, a.update_cache_retry_max_delay);
      if (err !== undefined) {
        // As Ansible: the sources files go back to what they were.
        const revert: Step[] = plan.writes.map((w) =>
          w.before === undefined
            ? { kind: 'run', argv: ['rm', '-f', '--', w.path], why: `remove ${w.path}` }
            : { kind: 'file', path: w.path, content: w.before, why: `restore ${w.path}` },
        );
        await applySteps(ctx, revert);
        // python-apt's update returns False on fetch failures, so Ansible's message says `unknown reason`
        // (its result has the message only); apt's own errors go to the log (-v).
        ctx.log(`apt_repository: apt-get update failed: ${err}`);
        return { changed: false, failed: true, msg: 'Failed to update apt cache: unknown reason' } as AptRepositoryResult;
      }
    }
    return done;
  },
});
