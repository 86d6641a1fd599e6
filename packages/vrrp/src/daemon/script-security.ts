import { statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

/**
 * Why a script must not be run by a root daemon, or undefined when it is safe: the file and every
 * directory above it must be owned by root and not writable by group or others (a root-owned group
 * with write access is tolerated, as keepalived does for gid 0). A writable directory with the sticky
 * bit (like /tmp) is tolerated above the script, as keepalived does: there only the owner (root, checked
 * on the entry below it) may rename or remove an entry, so nobody else can swap the script.
 */
export function insecureScript(path: string, stat: (p: string) => { uid: number; gid: number; mode: number } = statSync): string | undefined {
  if (!isAbsolute(path)) return `${path} is not an absolute path`;
  let current = path;
  let isLeaf = true;
  for (;;) {
    let st: { uid: number; gid: number; mode: number };
    try {
      st = stat(current);
    } catch (error) {
      return `cannot stat ${current}: ${(error as Error).message}`;
    }
    if (st.uid !== 0) return `${current} is owned by uid ${st.uid}, not root`;
    const stickyDirectory = !isLeaf && (st.mode & 0o1000) !== 0;
    if (!stickyDirectory) {
      if (st.mode & 0o002) return `${current} is writable by everyone`;
      if (st.mode & 0o020 && st.gid !== 0) return `${current} is writable by group ${st.gid}`;
    }
    isLeaf = false;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
