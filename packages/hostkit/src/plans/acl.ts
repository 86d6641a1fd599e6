/**
 * POSIX ACLs as ansible.posix's acl module reads and sets them on Linux, with getfacl and setfacl:
 * an entry given as one text (`[d[efault]:]type:entity[:perms]`) split and its type normalized, the
 * entry setfacl gets, the command lines in the module's option order, whether `setfacl --test` says
 * a change is due (any line not ending in `*,*`), and getfacl's output as the module's `acl` list.
 * One fact reads the tools' paths (PATH plus the sbin folders, as get_bin_path) and whether the path
 * exists. Pure builders and parsers; the module runs the commands.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

const MARK = '@@haweb-acl@@';

export type AclType = 'user' | 'group' | 'mask' | 'other';

/** An entry text split as the module splits it: default flag (true or undefined), type, entity, permissions. */
export function splitAclEntry(entry: string): { default?: true; etype?: AclType; entity: string; permissions?: string } {
  const parts = entry.split(':');
  let def: true | undefined;
  if (entry.toLowerCase().startsWith('d')) {
    def = true;
    parts.shift();
  }
  if (parts.length === 2) parts.push(undefined as unknown as string);
  if (parts.length !== 3) throw new Error(`${parts.length > 3 ? 'too many' : 'not enough'} values to unpack (expected 3, got ${parts.length})`);
  const [t, e, p] = parts;
  const lt = t.toLowerCase();
  const etype: AclType | undefined = lt.startsWith('u') ? 'user' : lt.startsWith('g') ? 'group' : lt.startsWith('m') ? 'mask' : lt.startsWith('o') ? 'other' : undefined;
  return { default: def, etype, entity: e, permissions: p ?? undefined };
}

/** The entry setfacl gets: type:entity[:permissions] (NFSv4: type:entity:permissions:allow). */
export function buildAclEntry(etype: string, entity: string, permissions?: string, nfsv4 = false): string {
  if (nfsv4) return [etype, entity, permissions ?? '', 'allow'].join(':');
  return permissions ? `${etype}:${entity}:${permissions}` : `${etype}:${entity}`;
}

export interface AclCommand {
  mode: 'set' | 'rm' | 'get';
  path: string;
  follow: boolean;
  default: boolean;
  recursive: boolean;
  recalculateMask: 'default' | 'mask' | 'no_mask';
  entry?: string;
}

/** The getfacl/setfacl command (the tool's path first), in the module's order. */
export function aclArgv(tool: string, c: AclCommand): string[] {
  const argv = [tool];
  if (c.mode === 'set') argv.push('-m', c.entry ?? '');
  else if (c.mode === 'rm') argv.push('-x', c.entry ?? '');
  else argv.push('--omit-header', '--absolute-names');
  if (c.recursive) argv.push('--recursive');
  if (c.recalculateMask === 'mask' && c.mode !== 'get') argv.push('--mask');
  else if (c.recalculateMask === 'no_mask' && c.mode !== 'get') argv.push('--no-mask');
  if (!c.follow) argv.push('--physical');
  if (c.default) argv.splice(1, 0, '-d');
  argv.push(c.path);
  return argv;
}

/** A setfacl command as a dry run (--test after the tool). */
export function aclTestArgv(argv: string[]): string[] {
  return [argv[0], '--test', ...argv.slice(1)];
}

/** The module's reading of getfacl/setfacl output: lines not starting with '#', stripped, a last empty one dropped. */
export function aclLines(out: string): string[] {
  const lines = out
    .split(/\r\n|\n|\r/)
    .filter((l, i, all) => !(i === all.length - 1 && l === ''))
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.trim());
  if (lines.length && lines[lines.length - 1].split(/\s+/).filter(Boolean).length === 0) return lines.slice(0, -1);
  return lines;
}

/** setfacl --test's output says a change is due: a line that does not end in `*,*`. */
export function aclWouldChange(testOutput: string): boolean {
  return aclLines(testOutput).some((l) => !l.endsWith('*,*'));
}

export interface AclFacts {
  getfacl?: string;
  setfacl?: string;
  exists: boolean;
}

export const aclTools: Fact<{ path: string }, AclFacts> = {
  name: 'acl.tools',
  command({ path }) {
    return [
      'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"; export PATH',
      `echo ${MARK}getfacl; command -v getfacl 2>/dev/null`,
      `echo ${MARK}setfacl; command -v setfacl 2>/dev/null`,
      `if [ -e ${shellQuote(path)} ]; then echo ${MARK}exists; fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return { getfacl: (s.get('getfacl') ?? '').trim() || undefined, setfacl: (s.get('setfacl') ?? '').trim() || undefined, exists: s.has('exists') };
  },
};
