/**
 * Planning for files (pyinfra's operations): compare a path's facts with the desired state and return
 * only the commands needed. Pure functions: facts + args -> plan.
 */
import type { FileInfo } from '../facts/files.js';
import { formatMode, parseMode, resolveMode } from '../util/mode.js';
import type { PlannedCommand } from '../util/run.js';

export interface DesiredAttributes {
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface Plan {
  commands: PlannedCommand[];
  /** Human-readable list of what changes (empty: nothing to do). */
  changes: string[];
  /** before/after state for the diff. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

function matchesUser(desired: string, name: string, id: number): boolean {
  return desired === name || desired === String(id);
}

/**
 * chmod/chown needed so that an existing path has these attributes. `noFollow`: act on a symlink
 * itself (chown -h); Linux has no link modes, so mode is skipped for links.
 */
export function planAttributes(path: string, info: FileInfo, want: DesiredAttributes, noFollow = false): Plan {
  const commands: PlannedCommand[] = [];
  const changes: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (want.mode !== undefined && !(noFollow && info.type === 'link')) {
    const target = resolveMode(parseMode(want.mode), info.mode, info.type === 'directory');
    if (target !== info.mode) {
      commands.push({ argv: ['chmod', formatMode(target), '--', path] });
      changes.push(`mode ${formatMode(info.mode)} -> ${formatMode(target)}`);
      before.mode = formatMode(info.mode);
      after.mode = formatMode(target);
    }
  }
  const ownerChange = want.owner !== undefined && !matchesUser(want.owner, info.owner, info.uid);
  const groupChange = want.group !== undefined && !matchesUser(want.group, info.group, info.gid);
  if (ownerChange || groupChange) {
    const spec = ownerChange && groupChange ? `${want.owner}:${want.group}` : ownerChange ? want.owner! : `:${want.group}`;
    commands.push({ argv: ['chown', ...(noFollow ? ['-h'] : []), spec, '--', path] });
    if (ownerChange) {
      changes.push(`owner ${info.owner} -> ${want.owner}`);
      before.owner = info.owner;
      after.owner = want.owner;
    }
    if (groupChange) {
      changes.push(`group ${info.group} -> ${want.group}`);
      before.group = info.group;
      after.group = want.group;
    }
  }
  return { commands, changes, before, after };
}

/** Commands that give a path we are about to create its attributes (nothing to compare yet). */
export function attributeCommandsForNew(path: string, want: DesiredAttributes, noFollow = false): PlannedCommand[] {
  const commands: PlannedCommand[] = [];
  if (want.mode !== undefined && !noFollow) {
    const spec = parseMode(want.mode);
    // Symbolic modes are applied by chmod itself, relative to what creation produced.
    commands.push({ argv: ['chmod', spec.kind === 'octal' ? formatMode(spec.value) : spec.text, '--', path] });
  }
  if (want.owner !== undefined || want.group !== undefined) {
    const spec = want.owner !== undefined && want.group !== undefined ? `${want.owner}:${want.group}` : want.owner ?? `:${want.group}`;
    commands.push({ argv: ['chown', ...(noFollow ? ['-h'] : []), spec, '--', path] });
  }
  return commands;
}

export type FileState = 'file' | 'directory' | 'link' | 'absent' | 'touch' | 'hard';

export interface FileArgs extends DesiredAttributes {
  path: string;
  state: FileState;
  src?: string;
  force?: boolean;
  /** touch: 'now' (default, always changed, as Ansible) or 'preserve'. */
  modification_time?: 'now' | 'preserve';
  access_time?: 'now' | 'preserve';
}

export class PlanError extends Error {}

const noPlan = (): Plan => ({ commands: [], changes: [], before: {}, after: {} });

/** The file module's whole decision. */
export function planFile(info: FileInfo | undefined, args: FileArgs): Plan {
  const { path } = args;
  const attrs = { mode: args.mode, owner: args.owner, group: args.group };
  const typeName = (t: string) => (t === 'file' ? 'a regular file' : t === 'directory' ? 'a directory' : t === 'link' ? 'a symlink' : 'a special file');
  switch (args.state) {
    case 'absent': {
      if (!info) return noPlan();
      return {
        commands: [{ argv: ['rm', '-rf', '--', path] }],
        changes: [`remove ${typeName(info.type)}`],
        before: { path, state: info.type },
        after: { path, state: 'absent' },
      };
    }
    case 'directory': {
      if (!info) {
        const commands: PlannedCommand[] = [{ argv: ['mkdir', '-p', '--', path] }, ...attributeCommandsForNew(path, attrs)];
        return { commands, changes: ['create directory'], before: { path, state: 'absent' }, after: { path, state: 'directory' } };
      }
      if (info.type !== 'directory' && !(info.type === 'link')) {
        throw new PlanError(`${path} exists and is ${typeName(info.type)}, not a directory`);
      }
      return planAttributes(path, info, attrs);
    }
    case 'file': {
      if (!info) throw new PlanError(`${path} does not exist (state=file only changes an existing file; use state=touch to create it)`);
      if (info.type === 'directory') throw new PlanError(`${path} is a directory, not a file`);
      return planAttributes(path, info, attrs);
    }
    case 'touch': {
      if (!info) {
        const commands: PlannedCommand[] = [{ argv: ['touch', '--', path] }, ...attributeCommandsForNew(path, attrs)];
        return { commands, changes: ['create file'], before: { path, state: 'absent' }, after: { path, state: 'file' } };
      }
      const plan = planAttributes(path, info, attrs);
      const touchFlags = [
        ...(args.modification_time === 'preserve' ? [] : ['-m']),
        ...(args.access_time === 'preserve' ? [] : ['-a']),
      ];
      if (touchFlags.length > 0) {
        plan.commands.unshift({ argv: ['touch', ...touchFlags, '--', path] });
        plan.changes.unshift('update timestamps');
      }
      return plan;
    }
    case 'link':
    case 'hard': {
      if (args.src === undefined) throw new PlanError(`state=${args.state} needs src (what ${path} should point to)`);
      const src = args.src;
      if (args.state === 'hard') throw new PlanError('state=hard is not supported; use state=link');
      if (info && info.type === 'link' && info.linkTarget === src) {
        return planAttributes(path, info, { owner: attrs.owner, group: attrs.group }, true);
      }
      if (info && info.type === 'directory') throw new PlanError(`${path} is a directory; refusing to replace it with a link`);
      if (info && info.type !== 'link' && !args.force) {
        throw new PlanError(`${path} exists and is ${typeName(info.type)}; set force: true to replace it with a link`);
      }
      // ln -sfn replaces an existing link in one rename-like step and does not descend into a linked directory.
      const commands: PlannedCommand[] = [
        { argv: ['ln', '-sfn', '--', src, path] },
        ...attributeCommandsForNew(path, { owner: attrs.owner, group: attrs.group }, true),
      ];
      return {
        commands,
        changes: [info ? `relink ${info.linkTarget ?? '(not a link)'} -> ${src}` : `link -> ${src}`],
        before: { path, state: info ? info.type : 'absent', ...(info?.linkTarget ? { src: info.linkTarget } : {}) },
        after: { path, state: 'link', src },
      };
    }
  }
}
