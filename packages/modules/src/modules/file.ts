import { posix } from 'node:path';
import { z } from 'zod';
import { shellQuote, type Fact, type ModuleContext, type ModuleResult } from '@haweb/core';
import {
  appearsBinary,
  applyCommands,
  attributeCommandsForNew,
  fileInfo,
  failed,
  formatMode,
  parseMode,
  pathInfo,
  pathPresence,
  planAttributes,
  planFile,
  PlanError,
  stateDiff,
  statPath,
  type FileInfo,
  type PlannedCommand,
} from '@haweb/hostkit';
import { defineHostModule } from '../util/define.js';
import { fileAttributes, planAttributesFlags } from '../facts/attributes.js';
import { treeMismatch, modeMismatchTests, TreeModeError } from '../facts/tree.js';
import { boolish, modeArg, remotePath, withAliases, fileCommonArgs } from '../util/schema.js';

/** Ansible's prev_state (get_state): what is at a path, a fifo or device counting as a file. */
export type PrevState = 'absent' | 'file' | 'directory' | 'link';

export function prevStateOf(info: FileInfo | undefined): PrevState {
  if (!info) return 'absent';
  return info.type === 'directory' || info.type === 'link' ? info.type : 'file';
}

/**
 * The state the file module works towards (Ansible's additional_parameter_handling): the one asked
 * for; otherwise what is there; otherwise a directory with recurse, else a file. Then its two
 * refusals: recurse needs a directory, src needs link or hard.
 */
export function fileStateOf(args: { state?: string; recurse?: boolean; src?: string }, prev: PrevState): { state: string } | { error: string } {
  const state = args.state ?? (prev !== 'absent' ? prev : args.recurse ? 'directory' : 'file');
  if (args.recurse && state !== 'directory') return { error: "recurse option requires state to be 'directory'" };
  if (args.src !== undefined && state !== 'link' && state !== 'hard') return { error: "src option requires state to be 'link' or 'hard'" };
  return { state };
}

/** Where a link's src is looked for (ensure_symlink): beside the link, or inside a real directory at path. */
export function linkSourcePath(path: string, src: string, pathIsRealDir: boolean): string {
  // os.path.join: an absolute src stands alone.
  return src.startsWith('/') ? src : posix.join(pathIsRealDir ? path : posix.dirname(path), src);
}

/**
 * Ansible's file diff (initial_diff plus what changed): a dict of before/after states, registered as
 * the task's `diff`; the display pair is the same data as text.
 */
function withDiff(result: ModuleResult, path: string, before: Record<string, unknown>, after: Record<string, unknown>): ModuleResult {
  return { ...result, diff: [stateDiff(path, { path, ...before }, { path, ...after })], ansibleDiff: { before: { path, ...before }, after: { path, ...after } } };
}

/** AnsibleModule.add_path_info: a result naming a path (path, else dest) that exists gets its owner, mode, state and size. */
export async function withPathInfo(ctx: ModuleContext, result: ModuleResult): Promise<ModuleResult> {
  const path = typeof result.path === 'string' ? result.path : typeof result.dest === 'string' ? result.dest : undefined;
  if (path === undefined) return result;
  const info = await ctx.fact(pathInfo, { path });
  return info ? { ...result, ...info } : result;
}

/** Ansible's words for an owner or group the host does not know (numbers are ids). */
export function ownerWarning(kind: 'user' | 'group', name: string): string {
  const id = /^\d+$/.test(name);
  const what = kind === 'user' ? (id ? 'user with uid' : 'user') : id ? 'group with gid' : 'group';
  return `failed to look up ${what} ${id ? Number(name) : name}. Create ${kind} up to this point in real play`;
}

async function ownerWarnings(ctx: ModuleContext, args: { owner?: string; group?: string }): Promise<string[]> {
  if (args.owner === undefined && args.group === undefined) return [];
  const script = [
    args.owner !== undefined ? 'getent passwd "$1" >/dev/null || echo user' : ':',
    args.group !== undefined ? 'getent group "$2" >/dev/null || echo group' : ':',
  ].join('; ');
  const r = await ctx.remote.run({ argv: ['sh', '-c', script, 'sh', args.owner ?? '', args.group ?? ''] }, { become: ctx.become });
  const missing = r.stdout.split('\n');
  const out: string[] = [];
  if (args.owner !== undefined && missing.includes('user')) out.push(ownerWarning('user', args.owner));
  if (args.group !== undefined && missing.includes('group')) out.push(ownerWarning('group', args.group));
  return out;
}

async function realPath(ctx: ModuleContext, path: string): Promise<string> {
  const out = (await ctx.remote.run({ argv: ['readlink', '-m', '--', path] }, { become: ctx.become })).stdout.trim();
  return out || path;
}

/**
 * Examples:
 *   file: { path: /etc/nginx/conf.d, state: directory, mode: "0755" }
 *   file: { path: /usr/local/nginx/current, state: link, src: /usr/local/nginx-1.22.1 }
 *   file: { path: /tmp/stale, state: absent }
 */
export const fileModule = defineHostModule({
  name: 'file',
  aliases: ['ansible.builtin.file'],
  description: 'Manage a path: directory, symlink, hard link, absent, touch, or the mode/owner/group of an existing file.',
  args: withAliases(z.strictObject({
    path: remotePath,
    state: z.enum(['file', 'directory', 'link', 'absent', 'touch', 'hard']).optional(),
    src: z.string().optional(),
    mode: modeArg.optional(),
    owner: z.string().optional(),
    group: z.string().optional(),
    ...fileCommonArgs,
    force: boolish.optional(),
    recurse: boolish.optional(),
    // 'now', 'preserve', or a time written in the *_format (strptime's directives).
    modification_time: z.string().optional(),
    modification_time_format: z.string().optional(),
    access_time: z.string().optional(),
    access_time_format: z.string().optional(),
    follow: boolish.optional(),
    attributes: z.string().optional(),
    // Ansible's internal arguments (its action plugins pass them; its own tests do too).
    _diff_peek: boolish.optional(),
    _original_basename: z.string().optional(),
  }), { path: ['dest', 'name'], attributes: ['attr'] }),
  checkMode: 'full',
  async run(args, ctx) {
    // In check mode an owner or group that does not exist yet is a warning (it may be created by an
    // earlier task of a real run), as Ansible's check_owner_exists / check_group_exists.
    const warnings = ctx.check && args.state !== 'absent' ? await ownerWarnings(ctx, args) : [];
    const result = await ensure(args, ctx);
    const withWarnings = warnings.length > 0 ? { ...result, warnings: [...((result.warnings as string[] | undefined) ?? []), ...warnings] } : result;
    return withPathInfo(ctx, withWarnings);
  },
});

type FileModuleArgs = {
  path: string;
  state?: 'file' | 'directory' | 'link' | 'absent' | 'touch' | 'hard';
  src?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  force?: boolean;
  recurse?: boolean;
  modification_time?: string;
  modification_time_format?: string;
  access_time?: string;
  access_time_format?: string;
  follow?: boolean;
  attributes?: string;
  _diff_peek?: boolean;
  _original_basename?: string;
};

async function ensure(args: FileModuleArgs, ctx: ModuleContext): Promise<ModuleResult> {
  // _diff_peek: only whether the file looks binary (Ansible's action plugins ask before a diff).
  if (args._diff_peek !== undefined) return { changed: false, path: args.path, appears_binary: await ctx.fact(appearsBinary, { path: args.path }) };
  let lstat = await ctx.fact(fileInfo, { path: args.path });
  // A directory at path, for any state but link and absent, means a path inside it named after
  // _original_basename or src (Ansible's additional_parameter_handling: a hard link into a folder).
  if (args.state !== 'link' && args.state !== 'absent' && lstat && (args._original_basename !== undefined || args.src !== undefined)) {
    const isDir = lstat.type === 'directory' || (lstat.type === 'link' && (await ctx.fact(fileInfo, { path: args.path, follow: true }))?.type === 'directory');
    if (isDir) {
      args = { ...args, path: posix.join(args.path, args._original_basename ?? posix.basename(args.src!)) };
      lstat = await ctx.fact(fileInfo, { path: args.path });
    }
  }
  const prev = prevStateOf(lstat);
  const chosen = fileStateOf(args, prev);
  if ('error' in chosen) return failed(chosen.error, { path: args.path });
  const state = chosen.state;
  const follow = args.follow ?? true;
  const attrs = { mode: args.mode, owner: args.owner, group: args.group };

  if (state === 'absent') {
    if (!lstat) return { changed: false, path: args.path, state: 'absent' };
    // A directory's diff lists what goes with it (Ansible's path_content: its folders and files).
    const content = prev === 'directory' ? { path_content: await ctx.fact(treeContent, { path: args.path }) } : {};
    const r = await applyCommands(ctx, [{ argv: ['rm', '-rf', '--', args.path] }], { msg: `removed ${prev}`, checkMsg: `would remove ${prev}`, result: { path: args.path, state: 'absent' } });
    return withDiff(r, args.path, { state: prev, ...content }, { state: 'absent' });
  }
  if (state === 'link') return ensureSymlink(ctx, args, lstat, prev, follow);
  if (state === 'hard') return ensureHardlink(ctx, args, lstat, prev);

  // file, directory and touch act on a followed link's target (its real path).
  let path = args.path;
  let info = lstat;
  let current = prev;
  if (follow && prev === 'link' && state !== 'touch') {
    path = await realPath(ctx, args.path);
    info = await ctx.fact(fileInfo, { path });
    current = prevStateOf(info);
  }
  if (state === 'file' && current !== 'file') {
    return failed(`file (${path}) is ${current}, cannot continue`, { path, state: current });
  }
  if (state === 'directory' && current !== 'absent' && current !== 'directory') {
    return failed(`${path} already exists as a ${current}`, { path });
  }
  let plan;
  try {
    // touch's default: both times now (planFile's touch -m -a); explicit times are set below.
    const explicit = (t: string | undefined) => t !== undefined && t !== 'now' && t !== 'preserve';
    const simple = (t: string | undefined): 'now' | 'preserve' | undefined => (explicit(t) ? 'preserve' : (t as 'now' | 'preserve' | undefined));
    plan = planFile(info, { ...attrs, path, state: state as 'file' | 'directory' | 'touch', modification_time: simple(args.modification_time), access_time: simple(args.access_time) });
  } catch (err) {
    if (err instanceof PlanError) return failed(err.message, { path });
    throw err;
  }
  const resultKeys = state === 'touch' ? { dest: path } : { path };
  if (args.recurse) {
    const extra = await planTree(ctx, { ...attrs, path, follow }, info !== undefined);
    if ('error' in extra) return failed(extra.error, resultKeys);
    plan.commands.push(...extra.commands);
    plan.changes.push(...extra.changes);
  }
  if (args.attributes !== undefined) {
    // A path made by this plan has no attributes yet (none set); one that exists is asked.
    const have = info ? await ctx.fact(fileAttributes, { path }) : '';
    const flags = planAttributesFlags(path, have, args.attributes);
    if (flags.commands.length > 0) {
      plan.commands.push(...flags.commands);
      plan.changes.push(`attributes ${have || '(none)'} -> ${flags.after || '(none)'}`);
      plan.before = { ...plan.before, attributes: have };
      plan.after = { ...plan.after, attributes: flags.after };
    }
  }
  // Times asked for explicitly (or 'now' on a state other than touch): set when they differ.
  if (info || !ctx.check) {
    const times = await planTimes(ctx, path, state, args);
    if ('error' in times) return failed(times.error, resultKeys);
    plan.commands.push(...times.commands);
    plan.changes.push(...times.changes);
    Object.assign(plan.before, times.before);
    Object.assign(plan.after, times.after);
  }
  const stateChange = current !== (state === 'touch' ? 'touch' : state) ? { before: { state: current }, after: { state } } : { before: {}, after: {} };
  const before = { ...stateChange.before, ...withoutPath(plan.before) };
  const after = { ...stateChange.after, ...withoutPath(plan.after) };
  if (plan.commands.length === 0) return withDiff({ changed: false, ...resultKeys }, path, before, after);
  const msg = plan.changes.join(', ');
  // A file touch creates is removed again when its attributes cannot be set (as Ansible does).
  const commands = state === 'touch' && !info && plan.commands.length > 1 ? [undoOnFailure(plan.commands, path)] : plan.commands;
  const r = await applyCommands(ctx, commands, { msg, checkMsg: msg, result: resultKeys });
  return withDiff(r, path, before, after);
}

/** The commands in one shell: if any after the first fails, the path the first made is removed. */
export function undoOnFailure(commands: readonly PlannedCommand[], path: string): PlannedCommand {
  const [first, ...rest] = commands.map((c) => c.argv.map(shellQuote).join(' '));
  return { argv: ['sh', '-c', `${first} || exit 1; { ${rest.join(' && ')}; } || { rm -f -- ${shellQuote(path)}; exit 1; }`] };
}

/** The folders and files below a directory, as Ansible's file module lists them in an absent diff. */
export const treeContent: Fact<{ path: string }, { directories: string[]; files: string[] }> = {
  name: 'file.tree_content',
  command: ({ path }) => {
    const p = shellQuote(path);
    return `find ${p} -mindepth 1 -type d -printf 'd %p\\n'; find ${p} -mindepth 1 ! -type d -printf 'f %p\\n'`;
  },
  parse: (stdout) => {
    const out = { directories: [] as string[], files: [] as string[] };
    for (const line of stdout.split('\n')) {
      if (line.startsWith('d ')) out.directories.push(line.slice(2));
      else if (line.startsWith('f ')) out.files.push(line.slice(2));
    }
    return out;
  },
};

function withoutPath(v: Record<string, unknown>): Record<string, unknown> {
  const { path: _path, state: _state, ...rest } = v;
  return rest;
}

/** state=link as Ansible's ensure_symlink: its refusals, its idea of changed, then the attributes. */
async function ensureSymlink(ctx: ModuleContext, args: FileModuleArgs, lstat: FileInfo | undefined, prev: PrevState, follow: boolean): Promise<ModuleResult> {
  const path = args.path;
  let src = args.src;
  // No src: an existing link is kept pointing where it points (follow), and only its attributes change.
  if (src === undefined && follow && prev === 'link' && (await ctx.fact(pathPresence, { path })).exists) src = lstat?.linkTarget;
  const base = { dest: path, src: src ?? null };
  if (src !== undefined && !args.force) {
    const absrc = linkSourcePath(path, src, prev === 'directory');
    if (!(await ctx.fact(pathPresence, { path: absrc })).exists) {
      return failed(`src file does not exist, use "force=yes" if you really want to create the link: ${absrc}`, { path, src });
    }
  }
  const commands: PlannedCommand[] = [];
  if (prev === 'directory') {
    if (!args.force) return failed(`refusing to convert from directory to symlink for ${path}`, { path });
    if ((await ctx.fact(pathPresence, { path })).emptyDir === false) return failed(`the directory ${path} is not empty, refusing to convert it`, { path });
  } else if (prev === 'file' && !args.force) {
    return failed(`refusing to convert from file to symlink for ${path}`, { path });
  }
  const before: Record<string, unknown> = prev !== 'link' ? { state: prev } : {};
  const after: Record<string, unknown> = prev !== 'link' ? { state: 'link' } : {};
  if (prev !== 'link') {
    if (src === undefined) return failed('src is required for creating new symlinks', {});
    if (prev === 'directory') commands.push({ argv: ['rmdir', '--', path] });
    commands.push({ argv: ['ln', '-sfn', '--', src, path] });
  } else if (src !== undefined && lstat?.linkTarget !== src) {
    before.src = lstat?.linkTarget;
    after.src = src;
    commands.push({ argv: ['ln', '-sfn', '--', src, path] });
  }
  // The attributes: of the link's target with follow (none when it does not exist), of the link itself without.
  const attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const wantsAttrs = attrs.mode !== undefined || attrs.owner !== undefined || attrs.group !== undefined;
  const warnings: string[] = [];
  if (wantsAttrs) {
    const target = src !== undefined ? linkSourcePath(path, src, false) : path;
    if (follow) {
      const info = await ctx.fact(fileInfo, { path: target, follow: true });
      if (!info) warnings.push('Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.');
      else {
        const plan = planAttributes(target, info, attrs);
        commands.push(...plan.commands);
        Object.assign(before, plan.before);
        Object.assign(after, plan.after);
      }
    } else if (commands.length > 0) {
      // A link made now: chown -h once it exists (Linux links have no mode of their own).
      commands.push(...attributeCommandsForNew(path, attrs, true));
    } else if (lstat) {
      const plan = planAttributes(path, lstat, attrs, true);
      commands.push(...plan.commands);
      Object.assign(before, plan.before);
      Object.assign(after, plan.after);
    }
  }
  const extra = warnings.length > 0 ? { warnings } : {};
  if (commands.length === 0) return withDiff({ changed: false, ...base, ...extra }, path, before, after);
  const msg = prev === 'link' ? `link -> ${src}` : `${prev} -> link to ${src}`;
  const r = await applyCommands(ctx, commands, { msg, checkMsg: msg, result: { ...base, ...extra } });
  return withDiff(r, path, before, after);
}

/** state=hard as Ansible's ensure_hardlink: a second name of src's inode. */
async function ensureHardlink(ctx: ModuleContext, args: FileModuleArgs, lstat: FileInfo | undefined, prev: PrevState): Promise<ModuleResult> {
  const path = args.path;
  const src = args.src;
  if (src === undefined) return failed('src is required for creating new hardlinks', {});
  if (!(await ctx.fact(pathPresence, { path: src })).exists) return failed('src does not exist', { dest: path, src });
  const base = { dest: path, src };
  const same = prev !== 'absent' && (await ctx.remote.run({ argv: ['test', path, '-ef', src] }, { become: ctx.become })).code === 0;
  const commands: PlannedCommand[] = [];
  const before: Record<string, unknown> = prev !== 'file' ? { state: prev } : {};
  const after: Record<string, unknown> = prev !== 'file' ? { state: 'hard' } : {};
  if (!same) {
    if (prev === 'file' && !args.force) return failed(`Cannot link, file exists at destination`, { dest: path, src });
    if (prev === 'directory') return failed(`Cannot link: different hard link exists at destination`, { dest: path, src });
    if (prev === 'link') {
      before.src = lstat?.linkTarget;
      after.src = src;
    }
    commands.push({ argv: ['ln', '-f', '--', src, path] });
  }
  const attrs = { mode: args.mode, owner: args.owner, group: args.group };
  if (attrs.mode !== undefined || attrs.owner !== undefined || attrs.group !== undefined) {
    const info = await ctx.fact(fileInfo, { path: src, follow: true });
    if (info) {
      const plan = planAttributes(src, info, attrs);
      commands.push(...plan.commands);
      Object.assign(before, plan.before);
      Object.assign(after, plan.after);
    }
  }
  if (commands.length === 0) return withDiff({ changed: false, ...base }, path, before, after);
  const msg = same ? 'attributes' : `hard link to ${src}`;
  const r = await applyCommands(ctx, commands, { msg, checkMsg: msg, result: base });
  return withDiff(r, path, before, after);
}

/**
 * strptime for the directives a timestamp format uses (%Y %y %m %d %H %M %S %%, other characters
 * literally): the time as `YYYY-MM-DD HH:MM:SS`, for `date -d` on the host (Ansible's time.mktime
 * reads it in the host's local time too).
 */
export function parseTimestamp(text: string, format: string): string {
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let i = 0;
  for (let f = 0; f < format.length; f++) {
    const c = format[f];
    if (c !== '%') {
      if (text[i] !== c) throw new Error(`time data '${text}' does not match format '${format}'`);
      i++;
      continue;
    }
    const d = format[++f];
    if (d === '%') {
      if (text[i++] !== '%') throw new Error(`time data '${text}' does not match format '${format}'`);
      continue;
    }
    const width = d === 'Y' ? 4 : 2;
    if (!'YymdHMS'.includes(d ?? '')) throw new Error(`the directive %${d ?? ''} is not supported in a timestamp format (supported: %Y %y %m %d %H %M %S %%)`);
    const m = new RegExp(`^\\d{1,${width}}`).exec(text.slice(i));
    if (!m) throw new Error(`time data '${text}' does not match format '${format}'`);
    i += m[0].length;
    const n = Number(m[0]);
    if (d === 'y') parts.Y = n < 69 ? 2000 + n : 1900 + n;
    else parts[d] = n;
  }
  if (i !== text.length) throw new Error(`unconverted data remains: ${text.slice(i)}`);
  const range: [string, number, number][] = [['m', 1, 12], ['d', 1, 31], ['H', 0, 23], ['M', 0, 59], ['S', 0, 61]];
  for (const [k, lo, hi] of range) if (parts[k] < lo || parts[k] > hi) throw new Error(`time data '${text}' does not match format '${format}'`);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${String(parts.Y).padStart(4, '0')}-${p2(parts.m)}-${p2(parts.d)} ${p2(parts.H)}:${p2(parts.M)}:${p2(parts.S)}`;
}

/**
 * modification_time / access_time other than touch's default (update_timestamp_for_file): 'now' sets
 * the time (always a change), an explicit time is set when the path's differs; diff before/after.
 */
async function planTimes(
  ctx: ModuleContext,
  path: string,
  state: string,
  args: FileModuleArgs,
): Promise<{ commands: PlannedCommand[]; changes: string[]; before: Record<string, unknown>; after: Record<string, unknown> } | { error: string }> {
  const out = { commands: [] as PlannedCommand[], changes: [] as string[], before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  const wanted: [string, 'mtime' | 'atime', string | undefined, string][] = [
    ['-m', 'mtime', args.modification_time, args.modification_time_format ?? '%Y%m%d%H%M.%S'],
    ['-a', 'atime', args.access_time, args.access_time_format ?? '%Y%m%d%H%M.%S'],
  ];
  // touch's own 'now' is planFile's; 'preserve' (the default elsewhere) leaves the time alone.
  const todo = wanted.filter(([, , t]) => t !== undefined && t !== 'preserve' && !(t === 'now' && state === 'touch'));
  if (todo.length === 0) return out;
  const raw = await ctx.fact(statPath, { path, follow: true });
  for (const [flag, key, t, format] of todo) {
    const previous = raw ? raw[key] : undefined;
    let epoch: number;
    if (t === 'now') epoch = Date.now() / 1000;
    else {
      let local: string;
      try {
        local = parseTimestamp(t!, format);
      } catch (err) {
        return { error: `Error while obtaining timestamp for time ${t} using format ${format}: ${(err as Error).message}` };
      }
      const r = await ctx.remote.run({ argv: ['date', '-d', local, '+%s'] }, { become: ctx.become });
      if (r.code !== 0 || !/^-?\d+$/.test(r.stdout.trim())) return { error: `Error while obtaining timestamp for time ${t} using format ${format}: ${r.stderr.trim() || r.stdout.trim()}` };
      epoch = Number(r.stdout.trim());
      if (previous === epoch) continue;
    }
    out.commands.push({ argv: ['touch', flag, '-d', t === 'now' ? 'now' : `@${epoch}`, '--', path] });
    out.changes.push(`${key} ${previous ?? '-'} -> ${epoch}`);
    out.before[key] = previous;
    out.after[key] = epoch;
  }
  return out;
}

/** recurse: owner/group/mode for everything below the directory, only when something differs. */
async function planTree(
  ctx: ModuleContext,
  args: { path: string; mode?: string | number; owner?: string; group?: string; follow?: boolean },
  exists: boolean,
): Promise<{ commands: PlannedCommand[]; changes: string[] } | { error: string }> {
  if (args.mode === undefined && args.owner === undefined && args.group === undefined) return { commands: [], changes: [] };
  try {
    if (args.mode !== undefined) modeMismatchTests(args.mode);
  } catch (err) {
    if (err instanceof TreeModeError) return { error: err.message };
    throw err;
  }
  // A directory that does not exist yet has nothing below it to compare: just apply.
  let offender: string | undefined;
  try {
    offender = exists ? await ctx.fact(treeMismatch, { path: args.path, owner: args.owner, group: args.group, mode: args.mode, follow: args.follow }) : args.path;
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (offender === undefined) return { commands: [], changes: [] };
  const commands: PlannedCommand[] = [];
  // With follow (Ansible's default), links are followed into their targets (find -L), a link that
  // leads nowhere left alone; without, chown/chmod -R never follow a link.
  const each = (argv: string[]): PlannedCommand =>
    args.follow ? { argv: ['find', '-L', args.path, '!', '-type', 'l', '-exec', ...argv, '{}', '+'] } : { argv: [argv[0], '-R', ...argv.slice(1), '--', args.path] };
  if (args.owner !== undefined || args.group !== undefined) {
    const spec = args.owner !== undefined && args.group !== undefined ? `${args.owner}:${args.group}` : args.owner ?? `:${args.group}`;
    commands.push(each(['chown', spec]));
  }
  if (args.mode !== undefined) {
    const spec = parseMode(args.mode);
    commands.push(each(['chmod', spec.kind === 'octal' ? formatMode(spec.value) : spec.text]));
  }
  return { commands, changes: [`recursive attributes (first difference: ${offender})`] };
}
