/**
 * What goes into the lab's base image and how it is prepared for life as a lab host. Pure: the image's
 * cache key is a hash of everything here, so changing the package list or a preparation step makes a
 * new image instead of silently reusing a stale one.
 */
import { createHash } from 'node:crypto';

export const IMAGE_RELEASE = 'bookworm';
export const IMAGE_VARIANT = 'minbase';

/** python3 lets Debian's ansible manage the hosts as a baseline; the -dev packages let nginx and
 * keepalived build from source without network access. */
export const IMAGE_PACKAGES = [
  'openssh-server', 'iproute2', 'iptables', 'iptables-persistent', 'netfilter-persistent', 'procps',
  'iputils-ping', 'iputils-arping', 'curl', 'ca-certificates', 'build-essential', 'libpcre3-dev',
  'zlib1g-dev', 'libssl-dev', 'libnl-3-dev', 'libnl-genl-3-dev', 'pkg-config', 'sysvinit-core', 'sysv-rc',
  'initscripts', 'insserv', 'python3', 'sudo', 'psmisc',
];

/** Printed on the host's console by init once runlevel 2 (including /etc/rc.local) is done. */
export const BOOTED_MARKER = 'HAWEB-LAB: runlevel 2 complete';

/** No gettys or sulogin (hosts have no terminals); a wait entry after `rc 2` marks the end of boot. */
export const INITTAB = `# /etc/inittab of a haweb lab host (written by the lab's image preparation).
id:2:initdefault:
si::sysinit:/etc/init.d/rcS
l0:0:wait:/etc/init.d/rc 0
l1:1:wait:/etc/init.d/rc 1
l2:2:wait:/etc/init.d/rc 2
l3:3:wait:/etc/init.d/rc 3
l4:4:wait:/etc/init.d/rc 4
l5:5:wait:/etc/init.d/rc 5
l6:6:wait:/etc/init.d/rc 6
hb:2:wait:/bin/echo "${BOOTED_MARKER}"
`;

/**
 * Boot scripts that would touch the shared machine (hwclock writes the RTC, urandom feeds the shared
 * pool) or only check and mount real disks (the overlay is mounted before init runs). They keep their
 * LSB headers, so insserv/update-rc.d still resolve dependencies, but do nothing.
 * procps stays: /proc/sys is read-only except the host's own net.*, so it can only set per-host sysctls.
 */
export const NEUTRALIZED_SCRIPTS = [
  'hwclock.sh', 'urandom', 'brightness', 'checkroot.sh', 'checkfs.sh', 'checkroot-bootclean.sh',
  'mountall.sh', 'mountall-bootclean.sh', 'mountnfs.sh', 'mountnfs-bootclean.sh', 'mount-configfs',
  'umountfs', 'umountnfs.sh', 'umountroot',
];

export const SSHD_LAB_CONFIG = `# haweb lab host: key authentication only, one host key written per host by the lab.
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
`;

export const RC_LOCAL = `#!/bin/sh -e
# /etc/rc.local: run at the end of each multi-user boot of this lab host.
exit 0
`;

/** Keeps the script's LSB header (what insserv reads) and replaces the body by a no-op. */
export function neutralizeInitScript(original: string, name: string): string {
  const begin = original.indexOf('### BEGIN INIT INFO');
  const endMarker = '### END INIT INFO';
  const end = original.indexOf(endMarker);
  const header = begin >= 0 && end > begin ? original.slice(begin, end + endMarker.length) : '';
  return `#!/bin/sh\n${header}\n# Disabled for haweb lab hosts: ${name} would act on the shared machine or on real disks.\nexit 0\n`;
}

/** Bump when the preparation code changes in a way the constants above do not show. */
export const PREP_REVISION = 1;

export function imageKey(): string {
  const material = JSON.stringify({
    release: IMAGE_RELEASE,
    variant: IMAGE_VARIANT,
    packages: [...IMAGE_PACKAGES].sort(),
    inittab: INITTAB,
    neutralized: NEUTRALIZED_SCRIPTS,
    sshd: SSHD_LAB_CONFIG,
    rcLocal: RC_LOCAL,
    revision: PREP_REVISION,
  });
  return `${IMAGE_RELEASE}-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
}
