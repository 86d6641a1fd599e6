import type { OsFamily } from '@haweb/hostkit';

/**
 * Boot-time commands through rc.local, as the seed starts nginx. Pure planning: the current file
 * (undefined when absent) in, the new content out.
 *  - RHEL family: /etc/rc.d/rc.local (what /etc/rc.local links to); it must be made executable
 *    (RHEL 7+ ships it without the x bit, so it would not run).
 *  - Debian family: /etc/rc.local, run by initscripts' rc.local service only when executable; it
 *    must start with `#!/bin/sh -e` and end with `exit 0`, so the line goes before `exit 0`.
 */
export function rcLocalPath(family: OsFamily): string {
  return family === 'RedHat' ? '/etc/rc.d/rc.local' : '/etc/rc.local';
}

export interface RcLocalPlan {
  path: string;
  /** The content to write, or undefined when the file already says what is wanted. */
  content?: string;
  /** The file must be chmod 0755 (absent or not executable). */
  makeExecutable: boolean;
}

const DEBIAN_SKELETON = ['#!/bin/sh -e', '#', '# rc.local: run at the end of each multiuser runlevel (managed lines by haweb).', '', 'exit 0', ''];
const RHEL_SKELETON = ['#!/bin/bash', '# rc.local: run at the end of boot (managed lines by haweb).', '', 'touch /var/lock/subsys/local', ''];

export function planRcLocal(
  family: OsFamily,
  current: string | undefined,
  executable: boolean,
  line: string,
  state: 'present' | 'absent',
): RcLocalPlan {
  const path = rcLocalPath(family);
  if (line.includes('\n')) throw new Error('rc_local: line must be a single line');
  const wanted = line.trim();
  const lines = (current ?? (family === 'Debian' ? DEBIAN_SKELETON : RHEL_SKELETON).join('\n')).split('\n');
  const present = lines.some((l) => l.trim() === wanted);
  let next = lines;
  if (state === 'present' && !present) {
    if (family === 'Debian') {
      // Insert before the last `exit 0` (anything after it would never run).
      let exitAt = -1;
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        if (/^\s*exit\s+0\s*$/.test(lines[i])) {
          exitAt = i;
          break;
        }
      }
      next = exitAt >= 0 ? [...lines.slice(0, exitAt), wanted, ...lines.slice(exitAt)] : appendLine(lines, wanted);
    } else {
      next = appendLine(lines, wanted);
    }
  } else if (state === 'absent' && present) {
    next = lines.filter((l) => l.trim() !== wanted);
  }
  const content = next.join('\n');
  const changedContent = current === undefined ? state === 'present' : content !== current;
  return {
    path,
    content: changedContent ? content : undefined,
    makeExecutable: state === 'present' && (!executable || current === undefined),
  };
}

function appendLine(lines: string[], line: string): string[] {
  const trimmed = [...lines];
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return [...trimmed, line, ''];
}
