import { z } from 'zod';
import { applySteps, npmArgv, npmInFolder, npmInstalled, npmOutdated, npmRead, type NpmOptions } from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish } from '../util/schema.js';

/** Ansible's `str` type: scalars as Python prints them. */
const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

/**
 * community.general.npm: install, update or remove a Node.js package (globally or in a project
 * folder), or install a project's package.json (no name) or its lock file (ci), as Ansible's module
 * does: `npm list --json --long` says what is installed, `npm outdated` what `latest` updates, and
 * the install/update/uninstall/ci command lines carry Ansible's flags. Check mode (the reads run, the
 * change does not); returns changed only, as Ansible's. The task's `environment` reaches npm.
 * Example: npm: { name: left-pad, version: 1.3.0, global: true }
 */
export const npmModule = defineHostModule({
  name: 'npm',
  aliases: ['community.general.npm'],
  description: 'Manage Node.js packages with npm, as community.general.npm.',
  args: z.strictObject({
    name: pyStr.optional(),
    path: z.string().optional(),
    version: pyStr.optional(),
    global: boolish.default(false),
    production: boolish.default(false),
    executable: z.string().optional(),
    registry: pyStr.optional(),
    state: z.enum(['present', 'absent', 'latest']).default('present'),
    ignore_scripts: boolish.default(false),
    unsafe_perm: boolish.default(false),
    ci: boolish.default(false),
    no_optional: boolish.default(false),
    no_bin_links: boolish.default(false),
  }),
  checkMode: 'full',
  async run(a, ctx) {
    if (!a.path && !a.global) return { changed: false, failed: true, msg: 'path must be specified when not using global' };
    if (a.state === 'absent' && !a.name) return { changed: false, failed: true, msg: 'uninstalling a package is only available for named packages' };
    const o: NpmOptions = {
      executable: a.executable ? a.executable.split(' ') : ['npm'],
      global: a.global,
      production: a.production,
      ignoreScripts: a.ignore_scripts,
      unsafePerm: a.unsafe_perm,
      nameVersion: a.name !== undefined && a.version !== undefined && a.state !== 'absent' ? `${a.name}@${a.version}` : a.name,
      registry: a.registry,
      noOptional: a.no_optional,
      noBinLinks: a.no_bin_links,
    };
    const notFound = { changed: false, failed: true, msg: `Failed to find required executable "${o.executable[0]}" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };

    const change = async (sub: string) => {
      const argv = npmArgv(o, [sub], true);
      return applySteps(ctx, [{ kind: 'script', script: npmInFolder(a.path, argv), why: argv.join(' '), onResult: (r) => (output = { stdout: r.stdout, stderr: r.stderr }) }], {
        // Ansible's run_command(check_rc=True): the message is npm's stderr.
        failure: (f) => f.result.stderr.trimEnd(),
        result: {},
        timeoutMs: 0,
      });
    };
    let resolved: string | undefined;
    let output: { stdout: string; stderr: string } = { stdout: '', stderr: '' };
    const finish = async (changed: boolean, subs: string[]): Promise<ModuleResult> => {
      for (const sub of subs) {
        const r = await change(sub);
        // Ansible's run_command failure: the command with npm's full path, its exit code and outputs.
        const argv = npmArgv(o, [sub], true);
        if (r.failed) return { changed: false, failed: true, msg: r.msg, rc: r.rc, cmd: [resolved ?? argv[0], ...argv.slice(1)].join(' '), ...output, stdout_lines: lines(output.stdout), stderr_lines: lines(output.stderr) };
      }
      return { changed };
    };

    if (a.ci) return finish(true, ['ci']);
    const listed = await list(ctx, a.path, o);
    if ('data' in listed) resolved = listed.path;
    if ('failed' in listed) return listed.tool ? listed.failure : notFound;
    const { installed, missing } = npmInstalled(listed.data, a.name, o.nameVersion);
    if (a.state === 'present') return missing.length ? finish(true, ['install']) : { changed: false };
    if (a.state === 'latest') {
      const out = await ctx.fact(npmRead, { path: a.path, argv: npmArgv(o, ['outdated'], true) });
      const outdated = npmOutdated(out.stdout.replace(/\n$/, ''));
      const subs = [...(missing.length ? ['install'] : []), ...(outdated.length ? ['update'] : [])];
      return finish(subs.length > 0, subs);
    }
    return a.name !== undefined && installed.includes(a.name) ? finish(true, ['uninstall']) : { changed: false };
  },
});

type Listed = { data: unknown; path: string } | { failed: true; tool: boolean; failure: ModuleResult };

async function list(ctx: ModuleContext, path: string | undefined, o: NpmOptions): Promise<Listed> {
  const r = await ctx.fact(npmRead, { path, argv: npmArgv(o, ['list', '--json', '--long'], false) });
  if (!r.tool) return { failed: true, tool: false, failure: { changed: false } };
  if (r.rc === 90) return { failed: true, tool: true, failure: { changed: false, failed: true, msg: r.stderr.trim() } };
  try {
    return { data: JSON.parse(r.stdout.trim() || '{}'), path: r.path };
  } catch (err) {
    return { failed: true, tool: true, failure: { changed: false, failed: true, msg: `Failed to parse NPM output with error ${(err as Error).message}` } };
  }
}

/** Python's str.splitlines, as Ansible's *_lines keys are made. */
function lines(text: string): string[] {
  const l = text.split(/\r\n|\n|\r/);
  if (l[l.length - 1] === '') l.pop();
  return l;
}
