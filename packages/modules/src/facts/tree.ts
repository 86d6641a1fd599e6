/**
 * For `file: recurse: yes`: which paths under a directory do not have the wanted owner, group or mode
 * yet. The test is a `find` expression built from the wanted attributes; the host answers with the
 * first few offenders (none: nothing to do).
 */
import { shellJoin, type Fact } from '@haweb/core';
import { parseMode } from '@haweb/hostkit';

export interface TreeArgs {
  path: string;
  owner?: string;
  group?: string;
  mode?: string | number;
  /** Follow symlinks (find -L): links to folders are walked into, link targets compared. */
  follow?: boolean;
}

export class TreeModeError extends Error {}

/** find(1) tests that match a path whose mode differs from what `chmod -R spec` would give. */
export function modeMismatchTests(mode: string | number): string[][] {
  const spec = parseMode(mode);
  if (spec.kind === 'octal') return [['!', '-perm', spec.value.toString(8).padStart(4, '0')]];
  const tests: string[][] = [];
  for (const clause of spec.text.split(',')) {
    const whoText = clause.match(/^[ugoa]*/)![0];
    const who = whoText || 'a';
    const mask = (who.includes('a') ? 0o777 : 0) | (who.includes('u') ? 0o700 : 0) | (who.includes('g') ? 0o070 : 0) | (who.includes('o') ? 0o007 : 0);
    for (const action of clause.slice(whoText.length).match(/[-+=][rwxXst]*/g) ?? []) {
      const [op, perms] = [action[0], action.slice(1)];
      if (op === '=' || /[st]/.test(perms)) throw new TreeModeError(`recurse supports octal modes and symbolic +/- of r, w, x, X (not ${JSON.stringify(clause)})`);
      let bits = 0;
      if (perms.includes('r')) bits |= 0o444;
      if (perms.includes('w')) bits |= 0o222;
      if (perms.includes('x')) bits |= 0o111;
      bits &= mask;
      const xBits = (0o111 & mask).toString(8).padStart(4, '0');
      if (op === '+') {
        if (bits) tests.push(['!', '-perm', `-${bits.toString(8).padStart(4, '0')}`]);
        // X: directories, and files that are executable by someone.
        if (perms.includes('X')) tests.push(['(', '-type', 'd', '-o', '-perm', '/0111', ')', '!', '-perm', `-${xBits}`]);
      } else {
        if (bits) tests.push(['-perm', `/${bits.toString(8).padStart(4, '0')}`]);
        if (perms.includes('X')) tests.push(['-type', 'd', '-perm', `/${xBits}`]);
      }
    }
  }
  return tests;
}

export function treeFindArgv(args: TreeArgs): string[] {
  const alternatives: string[][] = [];
  if (args.owner !== undefined) alternatives.push(['!', '-user', args.owner]);
  if (args.group !== undefined) alternatives.push(['!', '-group', args.group]);
  if (args.mode !== undefined) alternatives.push(...modeMismatchTests(args.mode));
  const expr: string[] = [];
  alternatives.forEach((a, i) => {
    if (i > 0) expr.push('-o');
    expr.push('(', ...a, ')');
  });
  // Without follow, symlinks are not followed and their (meaningless) mode is not checked; with it
  // (find -L) only a link that leads nowhere is still a link, and is left out.
  return ['find', ...(args.follow ? ['-L'] : []), args.path, '!', '-type', 'l', '(', ...expr, ')', '-print', '-quit'];
}

/** The first path that needs a change (undefined: the whole tree is right). */
export const treeMismatch: Fact<TreeArgs, string | undefined> = {
  name: 'file.tree_mismatch',
  command: (args) => `LC_ALL=C ${shellJoin(treeFindArgv(args))} 2>&1`,
  parse(stdout, code) {
    if (code !== 0) throw new Error(`find failed (rc=${code}): ${stdout.trim()}`);
    return stdout.split('\n').find((l) => l !== '');
  },
};
