/**
 * A mount point as ansible.posix.mount manages it on Linux: its fstab line set, changed or removed
 * as Ansible edits it (fields escaped \040 \046 \134, lines of 4 or 5 fields rewritten in full), and
 * the mount/umount/remount commands it runs. Pure; one fact reads fstab, the mount table and whether
 * the path exists.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { outputSections } from '../util/sections.js';

export interface MountEntry {
  src: string;
  name: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

/** Ansible's _escape_fstab. */
export function escapeFstab(v: string): string {
  return v.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/&/g, '\\046');
}

/** Python's readlines(). */
function lines(content: string): string[] {
  return content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Ansible's _set_mount_save_old: fstab with the entry set; changed when a line was added or rewritten. */
export function fstabWithEntry(content: string, entry: MountEntry): { changed: boolean; content: string } {
  const e: MountEntry = {
    src: escapeFstab(entry.src), name: escapeFstab(entry.name), fstype: escapeFstab(entry.fstype),
    opts: escapeFstab(entry.opts), dump: escapeFstab(entry.dump), passno: escapeFstab(entry.passno),
  };
  const out: string[] = [];
  let exists = false;
  // As in Ansible, once a line changed every later line for the same path is rewritten too.
  let changed = false;
  for (let line of lines(content)) {
    if (!line.endsWith('\n')) line += '\n';
    if (!line.trim() || line.trim().startsWith('#')) {
      out.push(line);
      continue;
    }
    const fields = line.trim().split(/\s+/);
    if (![4, 5, 6].includes(fields.length)) {
      out.push(line);
      continue;
    }
    // Missing dump/passno read as the number 0, which never equals the string Ansible compares.
    const ld: Record<keyof MountEntry, string | number> = { src: fields[0], name: fields[1], fstype: fields[2], opts: fields[3], dump: fields[4] ?? 0, passno: fields[5] ?? 0 };
    if (ld.name !== e.name || (ld.name === 'none' && ld.fstype === 'swap' && ld.src !== entry.src)) {
      out.push(line);
      continue;
    }
    exists = true;
    for (const k of ['src', 'fstype', 'opts', 'dump', 'passno'] as const) {
      if (ld[k] !== e[k]) {
        ld[k] = e[k];
        changed = true;
      }
    }
    out.push(changed ? `${ld.src} ${ld.name} ${ld.fstype} ${ld.opts} ${ld.dump} ${ld.passno}\n` : line);
  }
  if (!exists) {
    out.push(`${e.src} ${e.name} ${e.fstype} ${e.opts} ${e.dump} ${e.passno}\n`);
    changed = true;
  }
  return { changed, content: out.join('') };
}

/** Ansible's unset_mount: fstab without the path's 6-field lines. */
export function fstabWithoutEntry(content: string, name: string, src?: string): { changed: boolean; content: string } {
  const escaped = escapeFstab(name);
  const out: string[] = [];
  let changed = false;
  for (const line of lines(content)) {
    const fields = line.trim().split(/\s+/);
    if (!line.trim() || line.trim().startsWith('#') || fields.length !== 6) {
      out.push(line);
      continue;
    }
    if (fields[1] !== escaped || (src !== undefined && fields[1] === 'none' && fields[2] === 'swap' && fields[0] !== src)) {
      out.push(line);
      continue;
    }
    changed = true;
  }
  return { changed, content: out.join('') };
}

/** One line of /proc/self/mountinfo: the mount point, the root of the mounted tree, its type and source. */
export interface MountInfo {
  /** The mount point (\040 and friends decoded). */
  target: string;
  /** The folder of the source file system mounted there ('/' unless a bind mount of a sub-folder). */
  root: string;
  fstype: string;
  source: string;
}

const unescapeMountinfo = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 10 || dash < 6) continue;
    out.push({ target: unescapeMountinfo(f[4]), root: unescapeMountinfo(f[3]), fstype: f[dash + 1], source: unescapeMountinfo(f[dash + 2]) });
  }
  return out;
}

export interface MountFacts {
  /** fstab's content, undefined when the file does not exist. */
  fstab?: string;
  mounts: MountInfo[];
  /** The path exists (a folder to mount on). */
  pathExists: boolean;
}

const MARK = '@@haweb-mount@@';

export const mountState: Fact<{ path: string; fstab: string }, MountFacts> = {
  name: 'mount.state',
  command({ path, fstab }) {
    const f = shellQuote(fstab);
    return [
      `if [ -f ${f} ]; then echo ${MARK}fstab; cat -- ${f}; fi`,
      `echo ${MARK}mountinfo; cat /proc/self/mountinfo`,
      `echo ${MARK}exists; if [ -e ${shellQuote(path)} ]; then echo yes; fi`,
      'exit 0',
    ].join('\n');
  },
  parse(stdout) {
    const s = outputSections(stdout, MARK);
    return { ...(s.has('fstab') ? { fstab: s.get('fstab') } : {}), mounts: parseMountinfo(s.get('mountinfo') ?? ''), pathExists: (s.get('exists') ?? '').trim() === 'yes' };
  },
};

/** The path is a mount point (Ansible's ismount, or a bind mount listed in mountinfo). */
export function isMounted(facts: MountFacts, path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return facts.mounts.some((m) => m.target === p);
}

/** `mount [-T fstab] path`, as Ansible runs it (-T only for another fstab than /etc/fstab). */
export function mountArgv(path: string, fstab: string): string[] {
  return ['mount', ...(fstab !== '/etc/fstab' ? ['-T', fstab] : []), path];
}

/** Ansible's remount: `mount -o remount[,opts] [-T fstab] path`, falling back to umount + mount. */
export function remountScript(path: string, fstab: string, opts?: string): string {
  const remount = ['mount', '-o', opts && opts !== 'defaults' ? `remount,${opts}` : 'remount', ...(fstab !== '/etc/fstab' ? ['-T', fstab] : []), path];
  const q = (argv: string[]) => argv.map(shellQuote).join(' ');
  const fallback = opts && opts !== 'defaults' ? 'false' : `${q(['umount', path])} && ${q(mountArgv(path, fstab))}`;
  return `${q(remount)} || { ${fallback}; }`;
}
