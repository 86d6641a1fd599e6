import { describe, expect, it } from 'vitest';
import { BOOTED_MARKER, IMAGE_PACKAGES, INITTAB, imageKey, neutralizeInitScript } from '../../src/image-prep.js';

const entries = INITTAB.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
  // id:runlevels:action:process (the process may itself contain colons)
  const [id, levels, action, ...rest] = l.split(':');
  return [id, levels, action, rest.join(':')];
});

describe('inittab', () => {
  it('boots to runlevel 2 through the distribution rc scripts', () => {
    expect(entries).toContainEqual(['id', '2', 'initdefault', '']);
    expect(entries).toContainEqual(['si', '', 'sysinit', '/etc/init.d/rcS']);
    expect(entries).toContainEqual(['l2', '2', 'wait', '/etc/init.d/rc 2']);
    expect(entries).toContainEqual(['l6', '6', 'wait', '/etc/init.d/rc 6']);
  });

  it('has no gettys, sulogin or power-fail entries (hosts have no terminals)', () => {
    expect(INITTAB).not.toMatch(/getty|sulogin|powerfail|ctrlaltdel/);
    expect(entries.every((e) => e.length === 4)).toBe(true);
  });

  it('prints the boot-complete marker only after rc 2, as a wait entry of runlevel 2', () => {
    const rc2 = entries.findIndex((e) => e[0] === 'l2');
    const marker = entries.findIndex((e) => e[3]?.includes(BOOTED_MARKER));
    expect(marker).toBeGreaterThan(rc2);
    expect(entries[marker].slice(1, 3)).toEqual(['2', 'wait']);
  });
});

describe('neutralizeInitScript', () => {
  const original = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          hwclock
# Default-Start:     S
### END INIT INFO
hwclock --systohc
`;
  const result = neutralizeInitScript(original, 'hwclock.sh');

  it('keeps the LSB header for insserv', () => {
    expect(result).toContain('### BEGIN INIT INFO\n# Provides:          hwclock\n# Default-Start:     S\n### END INIT INFO');
  });

  it('does nothing when run', () => {
    expect(result).not.toContain('hwclock --systohc');
    expect(result.trimEnd().endsWith('exit 0')).toBe(true);
  });
});

describe('image contents', () => {
  it.each(['openssh-server', 'sysvinit-core', 'build-essential', 'libpcre3-dev', 'zlib1g-dev', 'libssl-dev', 'libnl-genl-3-dev', 'python3', 'iputils-arping', 'iptables', 'cron', 'file'])(
    'includes %s',
    (pkg) => expect(IMAGE_PACKAGES).toContain(pkg),
  );

  it('keys the cache by content', () => {
    expect(imageKey()).toMatch(/^bookworm-[0-9a-f]{12}$/);
    expect(imageKey()).toBe(imageKey());
  });
});
