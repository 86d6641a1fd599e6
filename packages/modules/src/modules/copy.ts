import { readdir, stat } from 'node:fs/promises';
import { posix, basename, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { hideVaultedDiff, readControllerFile, type ModuleContext, type ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { fileInfo, pathsStat, type FileInfo } from '../facts/files.js';
import { attributeCommandsForNew } from '../operations/files.js';
import { runPlan, type PlannedCommand } from '../util/run.js';
import { ensureFile, readFileInfo } from '../util/file-write.js';
import { boolish, modeArg, remotePath } from '../util/schema.js';
import { failed } from '../util/result.js';

export const fileWriteArgs = {
  dest: remotePath,
  mode: modeArg.optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
  backup: boolish.optional(),
  validate: z.string().optional(),
  force: boolish.optional(),
};

/** Controller files under a directory (following symlinks), as paths relative to it. */
async function walk(root: string): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir)).sort()) {
      const full = join(dir, entry);
      const st = await stat(full);
      const rel = relative(root, full).split(sep).join('/');
      if (st.isDirectory()) {
        dirs.push(rel);
        await visit(full);
      } else if (st.isFile()) files.push(rel);
    }
  };
  await visit(root);
  return { dirs, files };
}

/**
 * A directory src, as Ansible copies it: "dir/" copies its contents into dest, "dir" copies the
 * directory itself. Missing folders are made in one step; each file goes through ensureFile.
 */
async function copyTree(
  ctx: ModuleContext,
  local: string,
  args: { src?: string; dest: string; mode?: string | number; directory_mode?: string | number; owner?: string; group?: string; backup?: boolean; force?: boolean },
): Promise<ModuleResult> {
  const root = args.src!.endsWith('/') ? args.dest.replace(/\/$/, '') || '/' : posix.join(args.dest, basename(local));
  const { dirs, files } = await walk(local);
  const remoteDirs = [root, ...dirs.map((d) => posix.join(root, d))];
  const present = await ctx.fact(pathsStat, { paths: remoteDirs });
  const missing = remoteDirs.filter((d) => present.get(d) === undefined);
  const notDirs = remoteDirs.filter((d) => present.get(d) !== undefined && present.get(d)!.type !== 'directory');
  if (notDirs.length > 0) return failed(`${notDirs[0]} exists and is not a directory`);
  const results: ModuleResult[] = [];
  if (missing.length > 0 && !ctx.check) {
    const commands: PlannedCommand[] = [{ argv: ['mkdir', '-p', '--', ...missing] }];
    for (const d of missing) commands.push(...attributeCommandsForNew(d, { mode: args.directory_mode, owner: args.owner, group: args.group }));
    await runPlan(ctx, commands);
  }
  // In check mode a missing folder means its files are new: say so without asking the host.
  for (const rel of files) {
    const dest = posix.join(root, rel);
    if (ctx.check && missing.includes(posix.dirname(dest))) {
      results.push({ changed: true, msg: 'file would be created' });
      continue;
    }
    // Vault-encrypted sources are decrypted, as Ansible's copy does, and their diffs hidden.
    const source = await readControllerFile(join(local, rel), ctx);
    const result = await ensureFile(ctx, { ...args, dest, content: source.content });
    results.push(source.vaulted ? hideVaultedDiff(result) : result);
  }
  const failure = results.find((r) => r.failed);
  if (failure) return failed(failure.msg ?? 'copy failed', { dest: root });
  const changedFiles = results.filter((r) => r.changed).length;
  return {
    changed: changedFiles > 0 || missing.length > 0,
    dest: root,
    msg: `${changedFiles} of ${files.length} files changed${missing.length ? `, ${missing.length} folders created` : ''}`,
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
    .strictObject({ src: z.string().optional(), content: z.string().optional(), directory_mode: modeArg.optional(), ...fileWriteArgs })
    .refine((a) => (a.src === undefined) !== (a.content === undefined), { message: 'give exactly one of src or content' }),
  checkMode: 'full',
  async run(args, ctx): Promise<ModuleResult> {
    let content: string | Buffer;
    let srcName: string | undefined;
    let vaulted = false;
    if (args.src !== undefined) {
      const local = ctx.resolveLocal(args.src, 'files');
      const st = await stat(local).catch(() => undefined);
      if (!st) return failed(`src ${args.src} not found on the controller (looked at ${local})`);
      if (st.isDirectory()) return copyTree(ctx, local, args);
      const source = await readControllerFile(local, ctx);
      content = source.content;
      vaulted = source.vaulted;
      srcName = basename(local);
    } else {
      content = args.content!;
    }
    const { dest, info } = await resolveDest(ctx, args.dest, srcName);
    const result = await ensureFile(ctx, { ...args, dest, content, info });
    return vaulted ? hideVaultedDiff(result) : result;
  },
});
