/**
 * What goes into the lab's base image and how it is prepared for life as a lab host. Pure: the image's
 * cache key is a hash of everything here, so changing the package list or a preparation step makes a
 * new image instead of silently reusing a stale one.
 */
import { createHash } from 'node:crypto';
import type { ImageKind, InitKind } from './kinds.js';

export const IMAGE_RELEASE = 'bookworm';
export const IMAGE_VARIANT = 'minbase';

/** python3 lets Debian's ansible manage the hosts as a baseline; the -dev packages let nginx and
 * keepalived build from source without network access; cron is on every Debian server (priority
 * important) and the cron module needs its crontab, as Ansible's does. file (file(1) and libmagic)
 * gives stat's mimetype/charset (on the images Ansible's own integration targets run on). Not acl:
 * with setfacl on a host Ansible hands its temporary files to an unprivileged become_user by an ACL
 * and the files copy writes for that user come out 0604 instead of the umask's 0644 (become.test.ts
 * compares those modes); copy's acls.yml target gets acl from the targets' harness instead. */
export const IMAGE_PACKAGES = [
  'openssh-server', 'iproute2', 'iptables', 'iptables-persistent', 'netfilter-persistent', 'procps',
  'iputils-ping', 'iputils-arping', 'curl', 'ca-certificates', 'build-essential', 'libpcre3-dev',
  'zlib1g-dev', 'libssl-dev', 'libnl-3-dev', 'libnl-genl-3-dev', 'pkg-config', 'sysvinit-core', 'sysv-rc',
  'initscripts', 'insserv', 'python3', 'sudo', 'psmisc', 'cron', 'file',
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

/**
 * The key of today's image (sysvinit, full). Its material is exactly what it was before host kinds
 * existed, so the cached default image stays valid.
 */
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

// ---------------------------------------------------------------------------------------------------
// Images of the other host kinds.

/** What every image has, whatever its init: sshd, ip, ps, python3 (EL9 minimal has python3 too). */
const BASE_PACKAGES = ['openssh-server', 'iproute2', 'procps', 'iputils-ping', 'curl', 'ca-certificates', 'python3', 'sudo'];
/** The tools of the full image that EL minimal installs lack (tar is removed separately: it is Essential);
 * file as in the sysvinit image (stat's mimetype on a systemd host). */
export const FULL_ONLY_PACKAGES = [
  'iptables', 'iptables-persistent', 'netfilter-persistent', 'iputils-arping', 'build-essential', 'libpcre3-dev',
  'zlib1g-dev', 'libssl-dev', 'libnl-3-dev', 'libnl-genl-3-dev', 'pkg-config', 'psmisc', 'file',
];
const SYSVINIT_PACKAGES = ['sysvinit-core', 'sysv-rc', 'initscripts', 'insserv'];
/**
 * systemd as PID 1 with a system bus and logind (polkitd, which firewalld needs, depends on a logind).
 * firewalld is in every systemd image and enabled per host only where the lab's firewall is firewalld;
 * it needs /etc/protocols (netbase), or it exits at start on "INVALID_PROTOCOL: esp".
 */
const SYSTEMD_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'firewalld', 'netbase'];

/** Printed on the console by a systemd host once `systemctl is-system-running --wait` answered. */
export const SYSTEMD_RUNNING_MARKER = 'HAWEB-LAB: system running';
/** Printed instead when the boot ended degraded (failed units) or in any other state. */
export const SYSTEMD_NOT_RUNNING_MARKER = 'HAWEB-LAB: system not running';

/**
 * A unit that waits for the end of boot and reports it on the console, where the supervisor's log
 * reader sees it. Type=simple, so it never holds up the boot it waits for.
 */
export const BOOT_REPORT_UNIT_NAME = 'haweb-lab-boot-report.service';
export const BOOT_REPORT_SCRIPT_PATH = 'usr/lib/haweb-lab/boot-report';
export const BOOT_REPORT_SCRIPT = `#!/bin/sh
# haweb lab host: waits for the end of boot and says on the console how it ended.
state=$(systemctl is-system-running --wait)
if [ "$state" = running ]; then
  echo "${SYSTEMD_RUNNING_MARKER}"
else
  echo "${SYSTEMD_NOT_RUNNING_MARKER} ($state); failed units: $(systemctl list-units --failed --plain --no-legend | cut -d' ' -f1 | tr '\\n' ' ')"
fi
`;
export const BOOT_REPORT_UNIT = `# haweb lab host: reports the end of boot on the console (Type=simple: it never holds up that boot).
[Unit]
Description=haweb lab: report the end of boot on the console
After=multi-user.target

[Service]
Type=simple
ExecStart=/${BOOT_REPORT_SCRIPT_PATH}
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`;

/**
 * Units a lab host must not run: they would act on the shared machine (clock, kernel log), or stand in
 * for terminals the hosts do not have.
 */
export const MASKED_UNITS = ['systemd-timesyncd.service', 'console-getty.service', 'getty@.service', 'container-getty@.service'];

/** Where firewalld's enablement lives; the image has none of it, a firewalld host gets it per host. */
export const FIREWALLD_ENABLE_LINKS: [link: string, target: string][] = [
  ['etc/systemd/system/multi-user.target.wants/firewalld.service', '/lib/systemd/system/firewalld.service'],
  ['etc/systemd/system/dbus-org.fedoraproject.FirewallD1.service', '/lib/systemd/system/firewalld.service'],
];

export interface ImageSpec {
  init: InitKind;
  image: ImageKind;
  packages: string[];
  /** Remove tar after debootstrap (it is Essential in Debian, absent from EL minimal installs). */
  withoutTar: boolean;
  key: string;
}

/** Where a minimal image keeps the tar only dpkg-deb uses (apt runs dpkg with it on PATH). */
export const DPKG_TAR_DIR = 'usr/lib/haweb-lab/dpkg-tar';
export const APT_DPKG_PATH_CONF = `// haweb lab minimal image: dpkg-deb needs tar; only apt's dpkg runs find this copy.
DPkg::Path "/usr/sbin:/usr/bin:/sbin:/bin:/${DPKG_TAR_DIR}";
`;

/** The name of the placeholder package that stands in for tar in dpkg's dependencies (see image.ts). */
export const NO_TAR_PACKAGE = 'haweb-lab-no-tar';

export function imageSpec(kind: { init: InitKind; image: ImageKind }): ImageSpec {
  if (kind.init === 'sysvinit' && kind.image === 'full') {
    return { init: 'sysvinit', image: 'full', packages: [...IMAGE_PACKAGES], withoutTar: false, key: imageKey() };
  }
  const packages = [
    ...BASE_PACKAGES,
    ...(kind.init === 'systemd' ? SYSTEMD_PACKAGES : SYSVINIT_PACKAGES),
    ...(kind.image === 'full' ? FULL_ONLY_PACKAGES : []),
  ];
  const withoutTar = kind.image === 'minimal';
  const material = JSON.stringify({
    release: IMAGE_RELEASE,
    variant: IMAGE_VARIANT,
    init: kind.init,
    image: kind.image,
    packages: [...packages].sort(),
    withoutTar,
    inittab: kind.init === 'sysvinit' ? INITTAB : undefined,
    neutralized: kind.init === 'sysvinit' ? NEUTRALIZED_SCRIPTS : undefined,
    noTar: withoutTar ? APT_DPKG_PATH_CONF : undefined,
    units: kind.init === 'systemd' ? { report: BOOT_REPORT_UNIT, script: BOOT_REPORT_SCRIPT, masked: MASKED_UNITS, firewalld: FIREWALLD_ENABLE_LINKS } : undefined,
    sshd: SSHD_LAB_CONFIG,
    rcLocal: RC_LOCAL,
    revision: KINDS_PREP_REVISION,
  });
  const key = `${IMAGE_RELEASE}-${kind.init}-${kind.image}-${createHash('sha256').update(material).digest('hex').slice(0, 12)}`;
  return { init: kind.init, image: kind.image, packages, withoutTar, key };
}

/** Bump when the preparation of the other kinds' images changes in a way the constants do not show. */
export const KINDS_PREP_REVISION = 1;

/**
 * The control file of the placeholder that provides tar (at the removed version, so dpkg's versioned
 * dependency on tar stays satisfied) in a minimal image.
 */
export function renderNoTarControl(tarVersion: string): string {
  if (!/^[\w.+:~-]+$/.test(tarVersion)) throw new Error(`unexpected tar version "${tarVersion}"`);
  return [
    `Package: ${NO_TAR_PACKAGE}`,
    'Version: 1',
    'Architecture: all',
    'Maintainer: haweb lab <root@localhost>',
    `Provides: tar (= ${tarVersion})`,
    'Section: admin',
    'Priority: optional',
    'Description: haweb lab: stands in for tar, which minimal images lack',
    ' EL minimal installs have no tar. This placeholder keeps dpkg\'s dependency',
    ' on tar satisfied (apt runs dpkg with a private copy of tar on its PATH).',
    ' apt-get install tar installs the real tar beside it.',
    '',
  ].join('\n');
}
