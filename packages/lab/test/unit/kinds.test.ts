import { describe, expect, it } from 'vitest';
import { parseLabArgs } from '../../src/args.js';
import { parseBootLog, renderRepoSource } from '../../src/host.js';
import { APT_DPKG_PATH_CONF, BOOTED_MARKER, IMAGE_PACKAGES, SYSTEMD_NOT_RUNNING_MARKER, SYSTEMD_RUNNING_MARKER, imageKey, imageSpec, renderNoTarControl } from '../../src/image-prep.js';
import { DEFAULT_KIND, RHEL6_IPTABLES_RULES, kindOf, selectAlternative, validateKind, type HostKind } from '../../src/kinds.js';
import { REPO_PACKAGES, renderDownloadSource, renderRelease, repoKey, repoUrl } from '../../src/repo.js';

describe('host kinds', () => {
  it('defaults to what the demo has always used', () => {
    expect(DEFAULT_KIND).toEqual({ init: 'sysvinit', firewall: 'open', image: 'full' });
    expect(kindOf()).toEqual(DEFAULT_KIND);
    expect(kindOf({ init: 'systemd' })).toEqual({ init: 'systemd', firewall: 'open', image: 'full' });
  });

  it.each<[HostKind]>([
    [{ init: 'sysvinit', firewall: 'open', image: 'full' }],
    [{ init: 'systemd', firewall: 'firewalld', image: 'minimal' }],
    [{ init: 'systemd', firewall: 'open', image: 'full' }],
    [{ init: 'sysvinit', firewall: 'rhel6-iptables', image: 'full' }],
    [{ init: 'sysvinit', firewall: 'open', image: 'minimal' }],
  ])('accepts %j', (kind) => {
    expect(validateKind(kind)).toEqual(kind);
  });

  it.each<[HostKind, RegExp]>([
    [{ init: 'sysvinit', firewall: 'firewalld', image: 'full' }, /firewalld needs --init systemd/],
    [{ init: 'systemd', firewall: 'rhel6-iptables', image: 'full' }, /rhel6-iptables needs --init sysvinit/],
    [{ init: 'sysvinit', firewall: 'rhel6-iptables', image: 'minimal' }, /rhel6-iptables needs --image full/],
    [{ init: 'upstart', firewall: 'open', image: 'full' } as unknown as HostKind, /invalid --init "upstart"/],
    [{ init: 'systemd', firewall: 'ufw', image: 'full' } as unknown as HostKind, /invalid --firewall "ufw"/],
  ])('refuses %j', (kind, message) => {
    expect(() => validateKind(kind)).toThrow(message);
  });
});

describe('lab up kind options', () => {
  it.each([
    [['up', '--init', 'systemd'], { init: 'systemd' }],
    [['up', '--init', 'systemd', '--firewall', 'firewalld', '--image', 'minimal'], { init: 'systemd', firewall: 'firewalld', image: 'minimal' }],
    [['up', '--firewall', 'rhel6-iptables'], { firewall: 'rhel6-iptables' }],
  ])('%j', (argv, kind) => {
    expect(parseLabArgs(argv)).toMatchObject({ command: 'up', kind });
  });

  it('leaves the kind unset without kind options (a running lab keeps its own)', () => {
    expect(parseLabArgs(['up'])).not.toHaveProperty('kind');
  });

  it.each([
    [['up', '--init', 'openrc'], /Allowed choices are sysvinit, systemd/],
    [['up', '--firewall', 'firewalld'], /firewalld needs --init systemd/],
    [['up', '--image', 'tiny'], /Allowed choices are full, minimal/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseLabArgs(argv)).toThrow(message);
  });

  it('lists the kinds in `lab up --help`', () => {
    const help = parseLabArgs(['up', '--help']);
    expect(help.command).toBe('help');
    const text = help.command === 'help' ? help.text : '';
    for (const word of ['--init', 'sysvinit', 'systemd', '--firewall', 'open', 'firewalld', 'rhel6-iptables', '--image', 'full', 'minimal']) {
      expect(text).toContain(word);
    }
  });
});

describe('CentOS 6 ruleset', () => {
  const rules = RHEL6_IPTABLES_RULES.split('\n').filter((l) => l.startsWith('-A '));

  it('accepts established, icmp, loopback and ssh, then rejects the rest of INPUT and FORWARD', () => {
    expect(rules).toEqual([
      '-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
      '-A INPUT -p icmp -j ACCEPT',
      '-A INPUT -i lo -j ACCEPT',
      '-A INPUT -m state --state NEW -m tcp -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
      '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
    ]);
  });

  it('is one filter table in iptables-restore format', () => {
    expect(RHEL6_IPTABLES_RULES).toMatch(/^\*filter$/m);
    expect(RHEL6_IPTABLES_RULES.trimEnd().endsWith('COMMIT')).toBe(true);
  });
});

describe('selectAlternative (update-alternatives --set, as files)', () => {
  // /var/lib/dpkg/alternatives/iptables as Debian 12's iptables package leaves it.
  const ADMIN = `auto
/usr/sbin/iptables
iptables-restore
/usr/sbin/iptables-restore
iptables-save
/usr/sbin/iptables-save

/usr/sbin/iptables-legacy
10
/usr/sbin/iptables-legacy-restore
/usr/sbin/iptables-legacy-save
/usr/sbin/iptables-nft
20
/usr/sbin/iptables-nft-restore
/usr/sbin/iptables-nft-save

`;

  it('selects the legacy backend for the master and its slaves, in manual mode', () => {
    const r = selectAlternative('iptables', ADMIN, '/usr/sbin/iptables-legacy');
    expect(r.admin.split('\n')[0]).toBe('manual');
    expect(r.admin.split('\n').slice(1)).toEqual(ADMIN.split('\n').slice(1));
    expect(r.links).toEqual([
      ['etc/alternatives/iptables', '/usr/sbin/iptables-legacy'],
      ['etc/alternatives/iptables-restore', '/usr/sbin/iptables-legacy-restore'],
      ['etc/alternatives/iptables-save', '/usr/sbin/iptables-legacy-save'],
    ]);
  });

  it('selects the last choice too', () => {
    expect(selectAlternative('iptables', ADMIN, '/usr/sbin/iptables-nft').links[2]).toEqual(['etc/alternatives/iptables-save', '/usr/sbin/iptables-nft-save']);
  });

  it.each([
    ['/usr/sbin/iptables-missing', /no choice \/usr\/sbin\/iptables-missing/],
  ])('refuses an unknown choice %s', (choice, message) => {
    expect(() => selectAlternative('iptables', ADMIN, choice)).toThrow(message);
  });

  it('refuses a file that is not an alternatives admin file', () => {
    expect(() => selectAlternative('iptables', 'hello\n', '/usr/sbin/iptables-legacy')).toThrow(/line 1 should be auto or manual/);
  });
});

describe('images of the kinds', () => {
  it('keeps the default image (and its cache key) as before host kinds, plus cron (issue 15: the cron module) and file (Ansible\'s stat target)', () => {
    const spec = imageSpec(DEFAULT_KIND);
    expect(spec.packages).toEqual(IMAGE_PACKAGES);
    expect(spec.key).toBe(imageKey());
    // bookworm-b724420f3b5f before cron joined IMAGE_PACKAGES, bookworm-e4488d9fec48 before file, bookworm-695892d2980f with file and acl (2026-12-05).
    expect(spec.key).toBe('bookworm-5b913eeb8c33');
    expect(spec.withoutTar).toBe(false);
  });

  it('boots systemd images with systemd, a system bus, logind, firewalld and /etc/protocols', () => {
    const spec = imageSpec({ init: 'systemd', image: 'full' });
    expect(spec.packages).toEqual(expect.arrayContaining(['systemd', 'systemd-sysv', 'dbus', 'libpam-systemd', 'firewalld', 'netbase', 'openssh-server']));
    expect(spec.packages).not.toContain('sysvinit-core');
  });

  it('leaves out of minimal images what EL minimal installs lack, and removes tar', () => {
    const spec = imageSpec({ init: 'systemd', image: 'minimal' });
    for (const pkg of ['build-essential', 'libssl-dev', 'libpcre3-dev', 'zlib1g-dev', 'iptables', 'psmisc', 'pkg-config']) expect(spec.packages).not.toContain(pkg);
    expect(spec.packages).toEqual(expect.arrayContaining(['openssh-server', 'python3', 'curl', 'sudo']));
    expect(spec.withoutTar).toBe(true);
  });

  it('gives every init/image pair its own cache key', () => {
    const keys = (['sysvinit', 'systemd'] as const).flatMap((init) => (['full', 'minimal'] as const).map((image) => imageSpec({ init, image }).key));
    expect(new Set(keys).size).toBe(4);
    expect(imageSpec({ init: 'systemd', image: 'minimal' }).key).toMatch(/^bookworm-systemd-minimal-[0-9a-f]{12}$/);
  });

  it('has a placeholder that provides tar at the removed version', () => {
    const control = renderNoTarControl('1.34+dfsg-1.2+deb12u1');
    expect(control).toMatch(/^Package: haweb-lab-no-tar$/m);
    expect(control).toMatch(/^Provides: tar \(= 1\.34\+dfsg-1\.2\+deb12u1\)$/m);
    expect(control.endsWith('\n')).toBe(true);
    expect(() => renderNoTarControl('1.34\nEssential: yes')).toThrow(/unexpected tar version/);
  });

  it('gives apt (and only apt) a PATH with dpkg-deb\'s private tar', () => {
    expect(APT_DPKG_PATH_CONF).toMatch(/^DPkg::Path "\/usr\/sbin:\/usr\/bin:\/sbin:\/bin:\/usr\/lib\/haweb-lab\/dpkg-tar";$/m);
  });
});

describe('boot log of a systemd host', () => {
  it.each([
    [[`2026 haweb-supervisor: boot 1 starting`, `[  OK  ] Reached target multi-user.target`], { boots: 1, booted: false, ended: false }],
    [[`2026 haweb-supervisor: boot 1 starting`, `x boot-report[37]: ${SYSTEMD_RUNNING_MARKER}`], { boots: 1, booted: true, ended: false }],
    [[`2026 haweb-supervisor: boot 1 starting`, `x boot-report[37]: ${SYSTEMD_NOT_RUNNING_MARKER} (degraded); failed units: x.service `], { boots: 1, booted: false, ended: true }],
    [[`2026 haweb-supervisor: boot 1 starting`, SYSTEMD_RUNNING_MARKER, 'haweb-supervisor: host stopped (exit status 133)', 'haweb-supervisor: boot 2 starting'], { boots: 2, booted: false, ended: false }],
    [[`2026 haweb-supervisor: boot 1 starting`, BOOTED_MARKER], { boots: 1, booted: true, ended: false }],
  ])('%j', (lines, expected) => {
    expect(parseBootLog(lines.join('\n'))).toEqual(expected);
  });
});

describe('the LAN repository', () => {
  it('offers what the minimal image lacks, tar first', () => {
    expect(REPO_PACKAGES[0]).toBe('tar');
    expect(REPO_PACKAGES).toEqual(expect.arrayContaining(['build-essential', 'libssl-dev', 'libpcre3-dev', 'zlib1g-dev', 'iptables']));
    expect(repoKey()).toMatch(/^bookworm-[0-9a-f]{12}$/);
    expect(repoKey(['tar'])).not.toBe(repoKey());
  });

  it('is served at the lab gateway, and hosts name it as a flat, trusted source', () => {
    expect(repoUrl({ gateway: '198.18.17.254' })).toBe('http://198.18.17.254/');
    expect(renderRepoSource('http://198.18.17.254/')).toMatch(/^deb \[trusted=yes\] http:\/\/198\.18\.17\.254\/ \.\/$/m);
  });

  it('downloads from the machine\'s mirror, the image\'s release and component only', () => {
    const deb822 = 'Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /etc/keys/debian.gpg\n';
    expect(renderDownloadSource({ deb822 })).toBe('Types: deb\nURIs: http://mirror.example.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /etc/keys/debian.gpg\n');
    expect(renderDownloadSource({ oneLine: 'deb http://one.example.org/debian bookworm main\n' })).toContain('Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg');
    expect(() => renderDownloadSource({})).toThrow(/no Debian mirror/);
  });

  it('writes a Release file with each index\'s SHA-256 and size', () => {
    const text = renderRelease([{ name: 'Packages', content: Buffer.from('abc') }], new Date(Date.UTC(2026, 11, 5, 12, 0, 0)));
    expect(text).toContain('Date: Sat, 05 Dec 2026 12:00:00 GMT');
    expect(text).toContain(' ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad        3 Packages');
  });
});
