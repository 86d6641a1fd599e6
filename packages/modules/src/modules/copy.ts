import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { posix, basename, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { hideVaultedDiff, readControllerFile, VaultError, type ModuleContext, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { applyCommands, attributeCommandsForNew, ensureFile, failed, fileInfo, pathsStat, readFileInfo, stateDiff, type FileInfo, type PlannedCommand } from '@haweb/hostkit';
import { boolish, expandHome, modeArg, remotePath, fileCommonArgs } from '../util/schema.js';
import { withPathInfo } from './file.js';

export const fileWriteArgs = {
  dest: remotePath,
  mode: modeArg.optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
  ...fileCommonArgs,
  backup: boolish.optional(),
  validate: z.string().optional(),
  force: boolish.optional(),
};

/**
 * Controller files under a directory, as paths relative to it. Symlinks are followed, unless
 * `followLinks` is false (Ansible's local_follow: no): then they are listed as links, to be recreated.
 */
async function walk(root: string, followLinks = true): Promise<{ dirs: string[]; files: string[]; links: [string, string][] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  const links: [string, string][] = [];
  // The real paths of the folders being walked (through followed links): a link back to one of them is a loop.
  const visit = async (dir: string, depth = 0, chain: readonly string[] = []): Promise<void> => {
    const walked = [...chain, await realpath(dir)];
    if (depth > 64) throw new Error(`${dir}: more than 64 folders deep (a loop of links?)`);
    const below: [string, string][] = [];
    for (const entry of (await readdir(dir)).sort()) {
      const full = join(dir, entry);
      const rel = relative(root, full).split(sep).join('/');
      if (!followLinks && (await lstat(full)).isSymbolicLink()) {
        links.push([rel, await readlink(full)]);
        continue;
      }
      // A link that leads nowhere (missing target, a loop) is copied as the link it is, as Ansible does.
      const st = await stat(full).catch(() => undefined);
      if (!st) {
        if ((await lstat(full)).isSymbolicLink()) links.push([rel, await readlink(full)]);
        continue;
      }
      if (st.isDirectory()) {
        // A followed link to a folder that holds it (`circles -> ../`) stays a link: following it
        // would never end (Ansible's _walk_dirs keeps such links too).
        if ((await lstat(full)).isSymbolicLink()) {
          const [target, here] = await Promise.all([realpath(full), realpath(dir)]);
          if (walked.includes(target) || here.startsWith(target.endsWith('/') ? target : `${target}/`)) {
            links.push([rel, await readlink(full)]);
            continue;
          }
        }
        dirs.push(rel);
        below.push([full, rel]);
      } else if (st.isFile()) files.push(rel);
    }
    // A folder's own files first, then its subfolders (os.walk's order, which Ansible's copy follows).
    for (const [full] of below) await visit(full, depth + 1, walked);
  };
  await visit(root);
  return { dirs, files, links };
}

/** follow: a symlink at dest is written through (its target gets the content), not replaced. */
export async function throughLink(ctx: ModuleContext, at: { dest: string; info: FileInfo | null }): Promise<{ dest: string; info: FileInfo | null }> {
  if (at.info?.type !== 'link') return at;
  const target = (await ctx.remote.run({ argv: ['readlink', '-f', '--', at.dest] }, { become: ctx.become })).stdout.trim();
  if (!target) return at;
  return { dest: target, info: (await readFileInfo(ctx, target, ctx.diff)) ?? null };
}

/** Ansible's `mode: preserve`: the source file's own permission bits. */
export function preservedMode(mode: string | number | undefined, sourceMode: number): string | number | undefined {
  return mode === 'preserve' ? (sourceMode & 0o7777).toString(8).padStart(4, '0') : mode;
}

/** A symlink at `dest` pointing at `target`, made or corrected only when needed. */
async function ensureLink(ctx: ModuleContext, dest: string, target: string): Promise<ModuleResult> {
  const info = await ctx.fact(fileInfo, { path: dest });
  if (info?.type === 'link' && info.linkTarget === target) return { changed: false, dest };
  if (info?.type === 'directory') return failed(`${dest} is a directory, not replaced by a link`, { dest });
  const diff = [stateDiff(dest, { state: info?.type ?? 'absent' }, { state: 'link', src: target })];
  const msg = `link to ${target}`;
  return applyCommands(ctx, [{ argv: ['ln', '-sfn', '--', target, dest] }], { msg, checkMsg: msg, diff, result: { dest } });
}

/**
 * A directory src, as Ansible copies it: "dir/" copies its contents into dest, "dir" copies the
 * directory itself. Missing folders are made in one step; each file goes through ensureFile.
 */
async function copyTree(
  ctx: ModuleContext,
  local: string,
  args: { src?: string; dest: string; mode?: string | number; directory_mode?: string | number; owner?: string; group?: string; backup?: boolean; force?: boolean; local_follow?: boolean },
): Promise<ModuleResult> {
  const root = args.src!.endsWith('/') ? args.dest.replace(/\/$/, '') || '/' : posix.join(args.dest, basename(local));
  const { dirs, files, links } = await walk(local, args.local_follow !== false);
  const remoteDirs = [root, ...dirs.map((d) => posix.join(root, d))];
  const present = await ctx.fact(pathsStat, { paths: remoteDirs });
  const missing = remoteDirs.filter((d) => present.get(d) === undefined);
  const notDirs = remoteDirs.filter((d) => present.get(d) !== undefined && present.get(d)!.type !== 'directory');
  if (notDirs.length > 0) return failed(`${notDirs[0]} exists and is not a directory`);
  const results: ModuleResult[] = [];
  if (missing.length > 0) {
    const commands: PlannedCommand[] = [{ argv: ['mkdir', '-p', '--', ...missing] }];
    for (const d of missing) commands.push(...attributeCommandsForNew(d, { mode: args.directory_mode, owner: args.owner, group: args.group }));
    const made = await applyCommands(ctx, commands, { msg: `${missing.length} folders created` });
    if (made.failed) return failed(made.msg!, { dest: root });
  }
  // In check mode a missing folder means its files are new: say so without asking the host.
  for (const rel of files) {
    const dest = posix.join(root, rel);
    if (ctx.check && missing.includes(posix.dirname(dest))) {
      results.push({ changed: true, msg: 'file would be created' });
      continue;
    }
    // Vault-encrypted sources are decrypted, as Ansible's copy does, and their diffs hidden.
    const source = await readSource(join(local, rel), ctx);
    if ('error' in source) return source.error;
    const mode = preservedMode(args.mode, (await stat(join(local, rel))).mode);
    const result = await ensureFile(ctx, { ...args, mode, dest, content: source.content });
    results.push(source.vaulted ? hideVaultedDiff(result) : result);
  }
  for (const [rel, target] of links) results.push(await ensureLink(ctx, posix.join(root, rel), target));
  const failure = results.find((r) => r.failed);
  if (failure) return failed(failure.msg ?? 'copy failed', { dest: root });
  const changedFiles = results.filter((r) => r.changed).length;
  return {
    changed: changedFiles > 0 || missing.length > 0,
    dest: root,
    msg: `${changedFiles} of ${files.length + links.length} files changed${missing.length ? `, ${missing.length} folders created` : ''}`,
    diff: results.flatMap((r) => r.diff ?? []),
  };
}

/**
 * Where the content goes: a destination ending in "/" or naming a directory gets the source's name.
 * Returns the destination with its file facts (read once: they also serve ensureFile).
 */
export async function resolveDest(
  ctx: ModuleContext,
  dest: string,
  srcName: string | undefined,
): Promise<{ dest: string; info: FileInfo | null }> {
  const inside = async (dir: string) => {
    const path = posix.join(dir, srcName!);
    return { dest: path, info: (await readFileInfo(ctx, path, ctx.diff)) ?? null };
  };
  if (srcName !== undefined && dest.endsWith('/')) return inside(dest);
  const info = await readFileInfo(ctx, dest, ctx.diff);
  if (srcName !== undefined && info) {
    const isDir = info.type === 'directory' || (info.type === 'link' && (await ctx.fact(fileInfo, { path: dest, follow: true }))?.type === 'directory');
    if (isDir) return inside(dest);
  }
  return { dest, info: info ?? null };
}

/**
 * A folder on the host copied on the host (remote_src), where Ansible's copy module puts it: "dir/"
 * into dest itself, "dir" into dest/dir. A missing target is copied whole (cp -R, modes and times
 * kept, links kept as links unless local_follow); an existing one gets what differs from src (a
 * recursive compare, then a copy over it). owner/group are then given to the whole target.
 */
async function copyRemoteTree(
  ctx: ModuleContext,
  args: { src: string; dest: string; owner?: string; group?: string; local_follow?: boolean },
): Promise<ModuleResult> {
  const from = args.src.endsWith('/') ? args.src : `${args.src}/`;
  const target = args.src.endsWith('/') ? args.dest.replace(/(.)\/+$/, '$1') : posix.join(args.dest, posix.basename(args.src));
  const deref = args.local_follow ? '-L' : '-P';
  const probe = [
    'if [ ! -e "$2" ]; then echo missing',
    `elif diff -rq ${args.local_follow ? '' : '--no-dereference '}-- "$1" "$2" 2>/dev/null | grep -v "^Only in $2" | grep -q .; then echo differs`,
    'else echo same; fi',
    args.owner !== undefined || args.group !== undefined
      ? `if [ -e "$2" ] && [ -n "$(find "$2" \\( ${[args.owner !== undefined ? '! -user "$3"' : '', args.group !== undefined ? '! -group "$4"' : ''].filter(Boolean).join(' -o ')} \\) -print -quit 2>/dev/null)" ]; then echo owner; fi`
      : ':',
  ].join('\n');
  const r = await ctx.remote.run({ argv: ['sh', '-c', probe, 'sh', from, target, args.owner ?? '', args.group ?? ''] }, { become: ctx.become });
  if (r.code !== 0) return failed(`cannot compare ${from} with ${target}: ${r.stderr.trim() || r.stdout.trim()}`);
  const [state, owner] = r.stdout.trim().split('\n');
  const commands: PlannedCommand[] = [];
  if (state === 'missing') commands.push({ argv: ['mkdir', '-p', '--', posix.dirname(target)] }, { argv: ['cp', '-R', deref, '--preserve=mode,timestamps', '--', from.replace(/\/$/, '/.'), target] });
  else if (state === 'differs') commands.push({ argv: ['cp', '-R', deref, '--preserve=mode,timestamps', '--', from.replace(/\/$/, '/.'), target] });
  if ((args.owner !== undefined || args.group !== undefined) && (state === 'missing' || owner === 'owner')) {
    const spec = args.owner !== undefined && args.group !== undefined ? `${args.owner}:${args.group}` : args.owner ?? `:${args.group}`;
    commands.push({ argv: ['chown', '-R', spec, '--', target] });
  }
  const result = { dest: args.dest, src: args.src, md5sum: null, checksum: null };
  if (commands.length === 0) return { changed: false, ...result };
  const msg = state === 'missing' ? `copied ${from} to ${target}` : `updated ${target} from ${from}`;
  return applyCommands(ctx, commands, { msg, checkMsg: msg, result });
}

/** A controller file, decrypted if vaulted; with no vault password given, Ansible's failure words. */
async function readSource(path: string, ctx: ModuleContext): Promise<{ content: Buffer; vaulted: boolean } | { error: ModuleResult }> {
  try {
    return await readControllerFile(path, ctx);
  } catch (err) {
    if (err instanceof VaultError && /is encrypted with Ansible Vault: give its password/.test(err.message)) {
      return { error: failed(`A vault password or secret must be specified to decrypt ${path}`) };
    }
    throw err;
  }
}

/** The login (or become) user's home on the host. */
async function remoteHome(ctx: ModuleContext): Promise<string> {
  return (await ctx.remote.run({ argv: ['sh', '-c', 'printf %s "$HOME"'] }, { become: ctx.become })).stdout;
}

export { expandHome };

/**
 * What Ansible's copy reports for one file: `dest`, the SHA-1 `checksum` of the content, and, written,
 * the `md5sum` and `src`; then (add_path_info) the owner, mode, state and size of dest. In check
 * mode a change is only `changed` (and the diff), as Ansible's action returns before the module runs.
 */
export async function copyResult(ctx: ModuleContext, result: ModuleResult, written: { dest: string; content: string | Buffer; src?: string }): Promise<ModuleResult> {
  if (result.failed) return result;
  if (ctx.check && result.changed) return result;
  const checksum = createHash('sha1').update(written.content).digest('hex');
  const out: ModuleResult = { ...result, dest: written.dest, checksum };
  if (result.changed) {
    out.md5sum = createHash('md5').update(written.content).digest('hex');
    if (written.src !== undefined) out.src = written.src;
  } else out.path = written.dest;
  return withPathInfo(ctx, out);
}

/**
 * Examples:
 *   copy: { src: index.html, dest: /usr/local/nginx/html/index.html, mode: "0644" }
 *   copy: { content: "{{ motd }}\n", dest: /etc/motd, backup: yes }
 *   copy: { src: nginx.conf, dest: /etc/nginx/nginx.conf, validate: "nginx -t -c %s" }
 *   copy: { src: html/, dest: /usr/local/nginx/html }      # the folder's contents
 */
export const copyModule = defineHostModule({
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  description: 'Copy a controller file or directory (src) or literal content to the host; each file atomically.',
  args: z
    .strictObject({
      src: z.string().optional(),
      content: z.string().optional(),
      directory_mode: modeArg.optional(),
      remote_src: boolish.optional(),
      follow: boolish.optional(),
      local_follow: boolish.optional(),
      checksum: z.string().optional(),
      decrypt: boolish.optional(),
      ...fileWriteArgs,
      // Required, but checked below to fail with Ansible's copy action's words.
      dest: remotePath.optional(),
    })
    // Ansible's action plugin checks, in its order and words (an empty src counts as none).
    .refine((a) => (a.src !== undefined && a.src !== '') || a.content !== undefined, { message: 'src (or content) is required' })
    .refine((a) => a.dest !== undefined, { message: 'dest is required' })
    .refine((a) => a.src === undefined || a.content === undefined, { message: 'src and content are mutually exclusive' })
    .refine((a) => !(a.content !== undefined && a.dest?.endsWith('/')), { message: 'can not use content with a dir as dest' })
    .refine((a) => !(a.remote_src && a.content !== undefined), { message: 'remote_src needs src' }),
  checkMode: 'full',
  // Ansible's action does not support async: such a task fails when it runs.
  noAsync: true,
  async run(parsed, ctx): Promise<ModuleResult> {
    let args = { ...parsed, dest: parsed.dest! };
    let content: string | Buffer;
    let srcName: string | undefined;
    let vaulted = false;
    let mode = args.mode;
    if (args.src !== undefined && args.remote_src) {
      // The source is on the host: read it there (a file; a folder is not copied host-side yet). Its
      // path is expanded there as Ansible's `path` type does (~ and $HOME).
      if (/^~(\/|$)|\$\{?HOME\b/.test(args.src)) args = { ...args, src: expandHome(args.src, await remoteHome(ctx)) };
      const src = await ctx.fact(fileInfo, { path: args.src!, follow: true });
      if (!src) return failed(`Source ${args.src} not found`);
      if (src.type === 'directory') return withPathInfo(ctx, await copyRemoteTree(ctx, { ...args, src: args.src! }));
      if (src.type !== 'file') return failed(`Cannot copy invalid source '${args.src}': not a file`);
      content = (await ctx.remote.readFile(args.src!, { become: ctx.become }))!;
      srcName = posix.basename(args.src!);
      mode = preservedMode(mode, src.mode);
    } else if (args.src !== undefined) {
      const local = ctx.resolveLocal(args.src, 'files');
      const st = await stat(local).catch(() => undefined);
      if (!st) return failed(`src ${args.src} not found on the controller (looked at ${local})`);
      if (st.isDirectory()) return copyTree(ctx, local, args);
      srcName = basename(local);
      if (args.local_follow === false && (await lstat(local)).isSymbolicLink()) {
        const { dest } = await resolveDest(ctx, args.dest, srcName);
        return ensureLink(ctx, dest, await readlink(local));
      }
      // Vault-encrypted sources are decrypted, as Ansible's copy does, and their diffs hidden (decrypt: no
      // copies the vault text itself).
      const source = args.decrypt === false ? { content: await readFile(local), vaulted: false } : await readSource(local, ctx);
      if ('error' in source) return source.error;
      content = source.content;
      vaulted = source.vaulted;
      mode = preservedMode(mode, st.mode);
    } else {
      content = args.content!;
      // Ansible writes content to a controller temp file (mkstemp: 0600) and copies that: preserve keeps its 0600
      mode = preservedMode(mode, 0o600);
    }
    const resolved = await resolveDest(ctx, args.dest, srcName);
    if (args.content !== undefined && resolved.info?.type === 'directory') return failed('can not use content with a dir as dest');
    // A missing parent folder: made when dest ends in "/" (with directory_mode), else Ansible's failure.
    if (!resolved.info) {
      const parent = posix.dirname(resolved.dest);
      const parentInfo = await ctx.fact(fileInfo, { path: parent, follow: true });
      if (!parentInfo) {
        if (!args.dest.endsWith('/')) return failed(`Destination directory ${parent} does not exist`, { dest: resolved.dest });
        if (ctx.check) return { changed: true, msg: `dest directory ${parent} would be created`, src: args.src };
        const made = await applyCommands(ctx, [{ argv: ['mkdir', '-p', '--', parent] }, ...attributeCommandsForNew(parent, { mode: args.directory_mode, owner: args.owner, group: args.group })], { msg: `created ${parent}` });
        if (made.failed) return failed(made.msg ?? `cannot create ${parent}`, { dest: resolved.dest });
      }
    }
    const { dest, info } = args.follow ? await throughLink(ctx, resolved) : resolved;
    // checksum: the SHA-1 the content must have; a mismatch fails before dest is touched (as Ansible).
    if (args.checksum !== undefined) {
      const actual = createHash('sha1').update(content).digest('hex');
      if (actual !== args.checksum.toLowerCase()) return failed(`the content's SHA-1 is ${actual}, not the expected checksum ${args.checksum}: nothing copied`, { dest });
    }
    // force: no leaves an existing dest entirely alone, attributes included (as Ansible's copy does).
    if (args.force === false && info) return { changed: false, dest, msg: `${dest} exists and force is off: left alone` };
    const result = await ensureFile(ctx, { ...args, mode, dest, content, info });
    return copyResult(ctx, vaulted ? hideVaultedDiff(result) : result, { dest, content, src: args.src });
  },
});
