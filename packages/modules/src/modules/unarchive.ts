import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { shellJoin, shellQuote, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { archiveFilePaths, compareExtracted, listLocalArchive, remoteArchive, type ArchiveEntry } from '../facts/archive.js';
import { pathsWithOtherMode, selectEntries } from '../operations/archive.js';
import { applyCommands, applySteps, errorMessage, failed, fileInfo, pathExists, pathsStat, stateDiff, type Step } from '@haweb/hostkit';
import { boolish, modeArg, remotePath, stringList, fileCommonArgs } from '../util/schema.js';

/** Ansible's unzip command line: overwrite, options, the archive, the members to take, -x those to leave, -d dest. */
export function zipArgv(archive: string, dest: string, opts: readonly string[] = [], include: readonly string[] = [], exclude: readonly string[] = []): string[] {
  return ['unzip', '-o', ...opts, archive, ...include, ...(exclude.length ? ['-x', ...exclude] : []), '-d', dest];
}

/** Keep the compression suffix on the upload, for people reading /tmp (GNU tar detects the format itself). */
export function archiveSuffix(file: string): string {
  return /(\.tar\.(?:gz|bz2|xz|zst)|\.t(?:gz|bz2|xz|zst)|\.tar)$/i.exec(file)?.[1] ?? '';
}

/** Checking thousands of paths in one command line would be too long: beyond this, use `creates`. */
const MAX_CHECKED_FILES = 2000;

/**
 * Uploads a controller tarball once (SFTP) and extracts it with tar on the host. Idempotent by
 * comparing the archive's files (size, mtime) with the host's, or by `creates`.
 * Example:
 *   unarchive: { src: nginx-1.22.1.tar.gz, dest: /usr/local/src, creates: /usr/local/src/nginx-1.22.1/configure }
 */
export const unarchiveModule = defineHostModule({
  name: 'unarchive',
  aliases: ['ansible.builtin.unarchive'],
  description: 'Extract a tar archive (from the controller, or already on the host with remote_src) into dest.',
  args: z
    .strictObject({
      src: z.string(),
      dest: remotePath,
      creates: z.string().optional(),
      remote_src: boolish.optional(),
      // Deprecated in Ansible, the inverse of remote_src (its action plugin turns one into the other).
      copy: boolish.optional(),
      // For a src URL (remote_src): downloaded on the host; false accepts any certificate.
      validate_certs: boolish.optional(),
      extra_opts: stringList.optional(),
      owner: z.string().optional(),
      group: z.string().optional(),
      ...fileCommonArgs,
      mode: modeArg.optional(),
      keep_newer: boolish.optional(),
      include: stringList.optional(),
      exclude: stringList.optional(),
      list_files: boolish.optional(),
    })
    .refine((a) => !(a.include?.length && a.exclude?.length), { message: 'parameters are mutually exclusive: include|exclude' })
    .refine((a) => !(a.copy !== undefined && a.remote_src !== undefined), { message: "parameters are mutually exclusive: ('copy', 'remote_src')" })
    .transform(({ copy, ...a }) => (copy === undefined ? a : { ...a, remote_src: !copy })),
  checkMode: 'full',
  async run(args, ctx): Promise<ModuleResult> {
    if (args.creates !== undefined && (await ctx.fact(pathExists, { path: args.creates }))) {
      // Ansible's action plugin checks creates before the module runs (before a download too) and reports the task skipped
      return { changed: false, skipped: true, msg: `skipped, since ${args.creates} exists` };
    }
    // A URL with remote_src: the host downloads it first (Ansible's fetch_file), into a file removed after.
    if (args.remote_src && args.src.includes('://')) {
      const r = await ctx.remote.run(
        { script: `t=$(mktemp) && curl -sS -L --fail ${args.validate_certs === false ? '-k ' : ''}-A ansible-httpget -o "$t" -- ${shellQuote(args.src)} && echo "$t" || { rm -f "$t"; exit 22; }` },
        { become: ctx.become, timeoutMs: 600_000 },
      );
      if (r.code !== 0) return failed(`Failure downloading ${args.src}, ${r.stderr.trim() || `curl exit ${r.code}`}`, { dest: args.dest, src: args.src });
      const downloaded = r.stdout.trim();
      try {
        return { ...(await unarchive({ ...args, src: downloaded }, ctx)), src: args.src };
      } finally {
        await ctx.remote.run({ argv: ['rm', '-f', '--', downloaded] }, { become: ctx.become });
      }
    }
    return unarchive(args, ctx);
  },
});

type UnarchiveArgs = z.output<typeof unarchiveModule.args>;

async function unarchive(args: UnarchiveArgs, ctx: Parameters<typeof unarchiveModule.run>[1]): Promise<ModuleResult> {
  {
    const base = { dest: args.dest, src: args.src };
    const destInfo = await ctx.fact(fileInfo, { path: args.dest, follow: true });
    if (!destInfo || destInfo.type !== 'directory') return failed(`Destination '${args.dest}' is not a directory`, base);

    // The members are read when something needs them (a big tarball takes a while to list).
    const needEntries = args.creates === undefined || args.list_files || args.mode !== undefined || args.include?.length || args.exclude?.length;
    let local: string | undefined;
    let entries: ArchiveEntry[] = [];
    let format: 'zip' | 'tar' = 'tar';
    if (!args.remote_src) {
      local = ctx.resolveLocal(args.src, 'files');
      const st = await stat(local).catch(() => undefined);
      if (!st?.isFile()) return failed(`src ${args.src} not found on the controller (looked at ${local})`, base);
      try {
        if (needEntries) entries = await listLocalArchive(local);
      } catch (err) {
        return failed(`${local} is not a readable tar archive: ${errorMessage(err)}`, base);
      }
    } else {
      // On the host: its format decides the extraction command (zip with unzip, else tar).
      try {
        const archive = await ctx.fact(remoteArchive, { path: args.src, extraOpts: args.extra_opts });
        format = archive.format;
        entries = archive.entries;
      } catch (err) {
        return failed(errorMessage(err), base);
      }
    }
    const selected = selectEntries(entries, args.include, args.exclude);
    // Ansible's list_files: the members as the archive names them (folders with a trailing /).
    const listed = args.list_files ? { files: selected.map((e) => (e.type === 'directory' ? `${e.path}/` : e.path)) } : {};
    const memberPaths = selected.filter((e) => e.type === 'file' || e.type === 'directory').map((e) => posix.join(args.dest, e.path));

    if (args.creates === undefined) {
      // Already extracted: every selected regular file is on the host with the archive's size (and mtime).
      const paths = archiveFilePaths(selected, args.dest);
      if (paths.length > 0 && paths.length <= MAX_CHECKED_FILES) {
        const onHost = await ctx.fact(pathsStat, { paths: args.mode !== undefined ? memberPaths : paths });
        const check = compareExtracted(selected, args.dest, onHost);
        if (check.extracted) {
          const modeFixes = args.mode !== undefined ? pathsWithOtherMode(selected, args.dest, onHost, args.mode) : [];
          if (modeFixes.length === 0) return { changed: false, msg: 'archive already extracted', ...base, ...listed };
          const diff = [stateDiff(args.dest, { mode_differs: modeFixes.length }, { mode: String(args.mode) })];
          const msg = `mode ${args.mode} set on ${modeFixes.length} extracted paths`;
          return applyCommands(ctx, [{ argv: ['chmod', String(args.mode), '--', ...modeFixes] }], { msg, checkMsg: msg, diff, result: { ...base, ...listed } });
        }
      }
    }

    const diff = [stateDiff(args.dest, { extracted: false }, { extracted: args.src })];
    const steps: Step[] = [];
    let archive = args.src;
    let uploaded: string | undefined;
    if (local) {
      uploaded = posix.join('/tmp', `.haweb-archive-${randomBytes(6).toString('hex')}${archiveSuffix(local)}`);
      steps.push({ kind: 'put', local, path: uploaded, mode: '0600', why: `upload ${posix.basename(local)}` });
      archive = uploaded;
    }
    const argv = format === 'zip' ? zipArgv(archive, args.dest, args.extra_opts, args.include, args.exclude) : [
      'tar',
      '-x',
      '-f',
      archive,
      '-C',
      args.dest,
      ...(args.keep_newer ? ['--keep-newer-files'] : []),
      ...(args.extra_opts ?? []),
      ...(args.exclude ?? []).map((x) => `--exclude=${x}`),
      ...(args.include ?? []),
    ];
    // GNU tar restores ownership from the archive only when root; set the requested owner/group after.
    const owner = args.owner !== undefined && args.group !== undefined ? `${args.owner}:${args.group}` : args.owner ?? `:${args.group}`;
    const tops = [...new Set(selected.map((e) => e.path.split('/')[0]))].map((t) => posix.join(args.dest, t));
    const chown =
      (args.owner !== undefined || args.group !== undefined) && format === 'zip'
        ? tops.length ? ` && ${shellJoin(['chown', '-R', owner, '--', ...tops])}` : ''
        : args.owner !== undefined || args.group !== undefined
        ? ` && tar -t -f ${shellJoin([archive])} | sed -e 's|^\\./||' -e 's|/.*||' | sort -u | while IFS= read -r top; do [ -n "$top" ] && chown -R ${shellJoin([
            args.owner !== undefined && args.group !== undefined ? `${args.owner}:${args.group}` : args.owner ?? `:${args.group}`,
          ])} -- ${shellJoin([args.dest])}/"$top"; done`
        : '';
    // Ansible's mode applies to every extracted member (files and folders), symbolic modes included.
    const chmod = args.mode !== undefined && memberPaths.length > 0 ? ` && ${shellJoin(['chmod', String(args.mode), '--', ...memberPaths])}` : '';
    steps.push({ kind: 'script', script: `${shellJoin(argv)}${chown}${chmod}`, why: `extract into ${args.dest}` });
    if (!ctx.check) ctx.progress(`extracting into ${args.dest}`);
    const res = await applySteps(ctx, steps, {
      msg: `extracted ${args.src} into ${args.dest}`,
      checkMsg: `would extract ${args.src} into ${args.dest}`,
      diff,
      result: { ...base, ...listed },
      timeoutMs: 0,
      failure: (f) => (f.step.kind === 'script' ? `tar failed (rc=${f.result.code}): ${(f.result.stderr || f.result.stdout).trim()}` : `uploading ${args.src}: ${f.result.stderr.trim()}`),
    });
    // The uploaded copy goes whatever happened (it is ours, in /tmp).
    if (uploaded && !ctx.check) await ctx.remote.run({ argv: ['rm', '-f', '--', uploaded] }, { become: ctx.become });
    return res.failed ? failed(res.msg!, { ...base, rc: res.rc }) : res;
  }
}
