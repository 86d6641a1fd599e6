import { describe, expect, it } from 'vitest';
import { insecureScript } from '../../../src/daemon/script-security.js';

const tree = (entries: Record<string, { uid?: number; gid?: number; mode: number }>) => (p: string) => {
  const e = entries[p];
  if (!e) throw new Error('ENOENT');
  return { uid: e.uid ?? 0, gid: e.gid ?? 0, mode: e.mode };
};

describe('enable_script_security check', () => {
  const safe = { '/': { mode: 0o40755 }, '/etc': { mode: 0o40755 }, '/etc/keepalived': { mode: 0o40755 } };
  it.each([
    ['root-owned, not group/other writable', { ...safe, '/etc/keepalived/check.sh': { mode: 0o100755 } }, undefined],
    ['writable by everyone', { ...safe, '/etc/keepalived/check.sh': { mode: 0o100777 } }, '/etc/keepalived/check.sh is writable by everyone'],
    ['owned by a user', { ...safe, '/etc/keepalived/check.sh': { uid: 1000, mode: 0o100755 } }, '/etc/keepalived/check.sh is owned by uid 1000, not root'],
    ['a group-writable directory above it', { ...safe, '/etc/keepalived': { gid: 50, mode: 0o40775 }, '/etc/keepalived/check.sh': { mode: 0o100755 } }, '/etc/keepalived is writable by group 50'],
    ['missing', safe, 'cannot stat /etc/keepalived/check.sh: ENOENT'],
  ])('%s', (_, entries, expected) => {
    expect(insecureScript('/etc/keepalived/check.sh', tree(entries))).toBe(expected);
  });
  const tmp = { '/': { mode: 0o40755 }, '/tmp': { mode: 0o41777 } };
  it.each([
    ['in a root-owned directory under sticky /tmp', { ...tmp, '/tmp/d': { mode: 0o40755 }, '/tmp/d/c.sh': { mode: 0o100755 } }, '/tmp/d/c.sh', undefined],
    ['directly in sticky /tmp, root-owned', { ...tmp, '/tmp/c.sh': { mode: 0o100755 } }, '/tmp/c.sh', undefined],
    ['under a world-writable directory without the sticky bit', { ...tmp, '/tmp/d': { mode: 0o40777 }, '/tmp/d/c.sh': { mode: 0o100755 } }, '/tmp/d/c.sh', '/tmp/d is writable by everyone'],
    ['a sticky bit on the script itself does not excuse it', { ...tmp, '/tmp/c.sh': { mode: 0o101777 } }, '/tmp/c.sh', '/tmp/c.sh is writable by everyone'],
    ['a user-owned entry in sticky /tmp', { ...tmp, '/tmp/d': { uid: 1000, mode: 0o40755 }, '/tmp/d/c.sh': { mode: 0o100755 } }, '/tmp/d/c.sh', '/tmp/d is owned by uid 1000, not root'],
  ])('sticky directories (as keepalived): %s', (_, entries, path, expected) => {
    expect(insecureScript(path, tree(entries))).toBe(expected);
  });
  it('a relative path is refused', () => {
    expect(insecureScript('check.sh', tree(safe))).toBe('check.sh is not an absolute path');
  });
});
