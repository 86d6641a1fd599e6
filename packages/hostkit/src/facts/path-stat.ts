/**
 * Everything Ansible's stat module reports about one path: lstat (or stat with `follow`) as Python's
 * os.stat_result, access as os.access, the link's target and real path, a checksum of a readable
 * regular file, and the MIME type and charset `file` gives. One command; the parser and the shaping
 * into Ansible's keys are pure.
 */
import { shellQuote, type Fact } from '@haweb/core';
import { kindOfRawMode, permissionFlags } from './files.js';
import type { ChecksumAlgorithm } from './files.js';

export interface StatPathArgs {
  path: string;
  /** stat the link's target (os.stat) instead of the link (os.lstat). */
  follow?: boolean;
  /** A digest of a readable regular file. */
  checksum?: ChecksumAlgorithm;
  /** `file --mime-type --mime-encoding` (Ansible's get_mime). */
  mime?: boolean;
}

/** What the command saw, before it is shaped into Ansible's keys. */
export interface StatPathRaw {
  rawMode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** '' when the id has no name (then Ansible leaves pw_name/gr_name out). */
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  atime: number;
  mtime: number;
  ctime: number;
  blocks: number;
  blockSize: number;
  rdev: number;
  readable: boolean;
  writeable: boolean;
  executable: boolean;
  linkTarget?: string;
  realPath?: string;
  checksum?: string;
  /** The output of `file -b --mime-type --mime-encoding`, or undefined when `file` is missing or failed. */
  mime?: string;
}

const FORMAT = '%f %h %u %g %s %i %d %.9X %.9Y %.9Z %b %o %r %U %G';

export const statPath: Fact<StatPathArgs, StatPathRaw | undefined> = {
  name: 'file.stat',
  command({ path, follow, checksum, mime }) {
    const p = shellQuote(path);
    const reg = follow ? `[ -f ${p} ]` : `[ -f ${p} ] && [ ! -L ${p} ]`;
    return [
      `if out=$(LC_ALL=C stat ${follow ? '-L ' : ''}--printf '${FORMAT}\\n' -- ${p} 2>&1); then`,
      `  printf 'stat:%s\\n' "$out"`,
      `  printf 'access:'; [ -r ${p} ] && printf r; [ -w ${p} ] && printf w; [ -x ${p} ] && printf x; echo`,
      follow ? '  :' : `  if [ -L ${p} ]; then printf 'link:'; readlink -- ${p}; printf 'real:'; readlink -m -- ${p}; fi`,
      checksum ? `  if ${reg} && [ -r ${p} ]; then printf 'sum:'; ${checksum}sum < ${p}; fi` : '  :',
      mime ? `  if command -v file >/dev/null 2>&1; then m=$(file -b --mime-type --mime-encoding -- ${p} 2>/dev/null) && printf 'mime:%s\\n' "$m"; fi` : '  :',
      `else`,
      `  case "$out" in *"No such file or directory"*|*"Not a directory"*) echo absent;; *) printf '%s\\n' "$out"; exit 1;; esac`,
      `fi`,
    ].join('\n');
  },
  parse(stdout, code) {
    if (code !== 0) throw new Error(stdout.trim() || `stat failed (rc=${code})`);
    return parseStatPath(stdout);
  },
};

/** Parse the command's lines (pure). */
export function parseStatPath(stdout: string): StatPathRaw | undefined {
  const lines = stdout.split('\n');
  if (lines[0] === 'absent') return undefined;
  const statLine = lines.find((l) => l.startsWith('stat:'));
  if (!statLine) throw new Error(`unexpected stat output ${JSON.stringify(stdout.slice(0, 200))}`);
  const f = statLine.slice(5).split(' ');
  // Owner and group names come last: a missing name is printed as UNKNOWN by stat.
  const name = (s: string | undefined) => (s === undefined || s === 'UNKNOWN' ? '' : s);
  const raw: StatPathRaw = {
    rawMode: parseInt(f[0], 16),
    nlink: Number(f[1]),
    uid: Number(f[2]),
    gid: Number(f[3]),
    size: Number(f[4]),
    inode: Number(f[5]),
    dev: Number(f[6]),
    atime: Number(f[7]),
    mtime: Number(f[8]),
    ctime: Number(f[9]),
    blocks: Number(f[10]),
    blockSize: Number(f[11]),
    rdev: Number(f[12]),
    owner: name(f[13]),
    group: name(f[14]),
    readable: false,
    writeable: false,
    executable: false,
  };
  for (const line of lines) {
    if (line.startsWith('access:')) {
      const a = line.slice(7);
      raw.readable = a.includes('r');
      raw.writeable = a.includes('w');
      raw.executable = a.includes('x');
    } else if (line.startsWith('link:')) raw.linkTarget = line.slice(5);
    else if (line.startsWith('real:')) raw.realPath = line.slice(5);
    else if (line.startsWith('sum:')) raw.checksum = line.slice(4).split(/\s+/)[0];
    else if (line.startsWith('mime:')) raw.mime = line.slice(5);
  }
  return raw;
}

/**
 * The `stat` dict Ansible's stat module returns (its format_output plus access, link, owner names,
 * checksum and MIME keys), with the same names and types. `mime` adds mimetype/charset ('unknown'
 * when `file` is missing or its output cannot be read, as Ansible).
 */
export function ansibleStat(path: string, raw: StatPathRaw | undefined, opts: { mime?: boolean } = {}): Record<string, unknown> {
  if (!raw) return { exists: false };
  const m = raw.rawMode;
  const kind = kindOfRawMode(m);
  const out: Record<string, unknown> = {
    exists: true,
    path,
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    isdir: kind === 'directory',
    ischr: kind === 'char',
    isblk: kind === 'block',
    isreg: kind === 'file',
    isfifo: kind === 'fifo',
    islnk: kind === 'link',
    issock: kind === 'socket',
    uid: raw.uid,
    gid: raw.gid,
    size: raw.size,
    inode: raw.inode,
    dev: raw.dev,
    nlink: raw.nlink,
    atime: raw.atime,
    mtime: raw.mtime,
    ctime: raw.ctime,
    ...permissionFlags(m),
    blocks: raw.blocks,
    block_size: raw.blockSize,
    device_type: raw.rdev,
    readable: raw.readable,
    writeable: raw.writeable,
    executable: raw.executable,
  };
  if (kind === 'link') {
    out.lnk_source = raw.realPath ?? raw.linkTarget;
    out.lnk_target = raw.linkTarget;
  }
  if (raw.owner !== '') out.pw_name = raw.owner;
  if (raw.group !== '') out.gr_name = raw.group;
  if (raw.checksum !== undefined && kind === 'file' && raw.readable) out.checksum = raw.checksum;
  if (opts.mime) {
    const parsed = parseMime(raw.mime);
    out.mimetype = parsed.mimetype;
    out.charset = parsed.charset;
  }
  return out;
}

/** `text/plain; charset=us-ascii` → its two parts; 'unknown' for both when it cannot be read (as Ansible). */
export function parseMime(text: string | undefined): { mimetype: string; charset: string } {
  const m = text === undefined ? null : /^([^;]*);\s*charset=(.*)$/.exec(text.trim());
  if (!m) return { mimetype: 'unknown', charset: 'unknown' };
  return { mimetype: m[1].trim(), charset: m[2].trim() };
}

/** What Ansible's AnsibleModule.add_path_info adds to a result naming a path that exists. */
export interface AnsiblePathInfo {
  uid: number;
  gid: number;
  owner: string;
  group: string;
  /** '0%03o' of the permission bits: '0644', '04755'. */
  mode: string;
  state: 'link' | 'directory' | 'hard' | 'file';
  size: number;
}

/**
 * add_path_info's view of a path: nothing unless it exists (os.path.exists: a dangling link does not);
 * then lstat's owner, mode and size, and its kind (a link, a directory through links, a file with more
 * than one link is 'hard').
 */
export const pathInfo: Fact<{ path: string }, AnsiblePathInfo | undefined> = {
  name: 'file.path_info',
  command({ path }) {
    const p = shellQuote(path);
    return [
      `if [ -e ${p} ]; then`,
      `  LC_ALL=C stat --printf '%u %g %f %s %U %G\\n' -- ${p} || exit 1`,
      `  if [ -L ${p} ]; then echo link; elif [ -d ${p} ]; then echo directory; elif [ "$(stat -L -c %h -- ${p})" -gt 1 ]; then echo hard; else echo file; fi`,
      `else echo absent; fi`,
    ].join('\n');
  },
  parse(stdout, code) {
    if (code !== 0) throw new Error(stdout.trim() || `stat failed (rc=${code})`);
    return parsePathInfo(stdout);
  },
};

/** Parse pathInfo's output (pure). An unknown owner or group is its number, as Ansible. */
export function parsePathInfo(stdout: string): AnsiblePathInfo | undefined {
  const [first, kind] = stdout.split('\n');
  if (first === 'absent') return undefined;
  const [uid, gid, raw, size, owner, group] = first.split(' ');
  const bits = parseInt(raw, 16) & 0o7777;
  return {
    uid: Number(uid),
    gid: Number(gid),
    owner: owner === undefined || owner === 'UNKNOWN' ? uid : owner,
    group: group === undefined || group === 'UNKNOWN' ? gid : group,
    mode: `0${bits.toString(8).padStart(3, '0')}`,
    state: kind === 'link' || kind === 'directory' || kind === 'hard' ? kind : 'file',
    size: Number(size),
  };
}

/** os.path.exists (a dangling link does not) and, for a directory, whether it has entries. */
export const pathPresence: Fact<{ path: string }, { exists: boolean; emptyDir?: boolean }> = {
  name: 'file.presence',
  command({ path }) {
    const p = shellQuote(path);
    return `if [ -e ${p} ]; then if [ -d ${p} ] && [ ! -L ${p} ]; then if [ -z "$(ls -A -- ${p})" ]; then echo empty-dir; else echo dir; fi; else echo yes; fi; else echo no; fi`;
  },
  parse(stdout) {
    const w = stdout.trim();
    return w === 'no' ? { exists: false } : w === 'empty-dir' ? { exists: true, emptyDir: true } : w === 'dir' ? { exists: true, emptyDir: false } : { exists: true };
  },
};

/** The file module's _diff_peek: a NUL byte in the first 8192 bytes makes a file look binary. */
export const appearsBinary: Fact<{ path: string }, boolean> = {
  name: 'file.appears_binary',
  command({ path }) {
    const p = shellQuote(path);
    return `if [ -r ${p} ] && [ -f ${p} ]; then head -c 8192 -- ${p} | tr -dc '\\000' | wc -c; else echo 0; fi`;
  },
  parse: (stdout) => Number(stdout.trim()) > 0,
};
