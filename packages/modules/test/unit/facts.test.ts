import { describe, expect, it } from 'vitest';
import { userspaceFacts } from '../../src/facts/server.js';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONTENT_LIMIT,
  fileInfo,
  identifyOs,
  installedPackages,
  iptablesRulePresent,
  osFamily,
  parseDpkgQuery,
  parseIptablesS,
  parseLibc,
  parseOsRelease,
  parseRpmQuery,
  parseServiceFacts,
  parseSetup,
  parseVirtual,
  pathsStat,
  serviceFacts,
} from '../../src/index.js';
import { memoryMb, parseMeminfo } from '../../src/facts/server.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('fileInfo', () => {
  it.each([
    ['absent', 'absent\n', undefined],
    ['regular file', '81a4 644 root root 0 0 12 1700000000\n', { type: 'file', mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0, size: 12, mtime: 1700000000 }],
    ['directory', '41ed 755 www-data adm 33 4 4096 1700000001\n', { type: 'directory', mode: 0o755, owner: 'www-data', group: 'adm', uid: 33, gid: 4, size: 4096, mtime: 1700000001 }],
    ['symlink', 'a1ff 777 root root 0 0 7 1700000002\nlink:/etc/x\n', { type: 'link', mode: 0o777, owner: 'root', group: 'root', uid: 0, gid: 0, size: 7, mtime: 1700000002, linkTarget: '/etc/x' }],
    ['setuid file with checksum', '89ed 4755 root root 0 0 5 1\nsum:e3b0c442  -\n', { type: 'file', mode: 0o4755, owner: 'root', group: 'root', uid: 0, gid: 0, size: 5, mtime: 1, checksum: 'e3b0c442' }],
    ['fifo', '11a4 644 root root 0 0 0 1\n', { type: 'other', mode: 0o644, owner: 'root', group: 'root', uid: 0, gid: 0, size: 0, mtime: 1 }],
  ])('%s', (_n, out, expected) => {
    expect(fileInfo.parse(out, 0, { path: '/x' })).toEqual(expected);
  });

  it('a hostile path is data: run by a real sh, it stats that file and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-fact-'));
    const marker = join(dir, 'pwned');
    const path = join(dir, "a'b;$(touch pwned);`touch pwned`");
    writeFileSync(path, 'hello');
    const cmd = fileInfo.command({ path, checksum: 'sha256' });
    const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', cwd: dir });
    const info = fileInfo.parse(r.stdout, r.status ?? -1, { path });
    expect(info).toMatchObject({ type: 'file', size: 5, checksum: createHash('sha256').update('hello').digest('hex') });
    expect(existsSync(marker)).toBe(false);
  });

  it('returns small content base64-encoded in the same round trip (binary-safe)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-fact-'));
    const path = join(dir, 'bin');
    const bytes = Buffer.concat([Buffer.from([0, 255, 10, 13]), Buffer.alloc(5000, 'x')]);
    writeFileSync(path, bytes);
    const r = spawnSync('sh', ['-c', fileInfo.command({ path, checksum: 'sha256', content: true })], { encoding: 'utf8' });
    const info = fileInfo.parse(r.stdout, r.status ?? -1, { path, content: true });
    expect(info?.content?.equals(bytes)).toBe(true);
    expect(info?.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(CONTENT_LIMIT + 1, 'y'));
    const rb = spawnSync('sh', ['-c', fileInfo.command({ path: big, content: true })], { encoding: 'utf8' });
    expect(fileInfo.parse(rb.stdout, rb.status ?? -1, { path: big, content: true })?.content).toBeUndefined();
  });

  it.each([['/nonexistent/haweb'], ['/etc/hostname/below-a-file']])('run by a real sh, %s is absent', (path) => {
    const r = spawnSync('sh', ['-c', fileInfo.command({ path, checksum: 'sha256' })], { encoding: 'utf8' });
    expect(fileInfo.parse(r.stdout, r.status ?? -1, { path })).toBeUndefined();
  });

  it('fails loudly on a stat error', () => {
    expect(() => fileInfo.parse('stat: cannot stat', 1, { path: '/x' })).toThrow(/stat failed/);
  });

  it('pathsStat maps lines to paths in order', () => {
    const m = pathsStat.parse('81a4 12 100\n-\n41ed 4096 7\n', 0, { paths: ['/a', '/b', '/c'] });
    expect([...m]).toEqual([
      ['/a', { type: 'file', size: 12, mtime: 100, mode: 0o644 }],
      ['/b', undefined],
      ['/c', { type: 'directory', size: 4096, mtime: 7, mode: 0o755 }],
    ]);
  });
});

describe('packages', () => {
  it.each([
    [
      'installed, config-files only and unknown',
      'nginx\tinstall ok installed\t1.22.1-9\nkeepalived\tdeinstall ok config-files\t1:2.2.7-1\nlibc6:amd64\tinstall ok installed\t2.36-9\n',
      ['nginx', 'keepalived', 'libc6', 'nope'],
      { nginx: '1.22.1-9', keepalived: undefined, libc6: '2.36-9', nope: undefined },
    ],
    ['nothing', '', ['a'], { a: undefined }],
  ])('dpkg-query: %s', (_n, out, names, expected) => {
    expect(Object.fromEntries(parseDpkgQuery(out, names))).toEqual(expected);
  });

  it.each([
    ['installed and missing', 'nginx\t1.20.1-14.el9\npackage keepalived is not installed\n', ['nginx', 'keepalived'], { nginx: '1.20.1-14.el9', keepalived: undefined }],
    ['all missing', 'package gcc is not installed\n', ['gcc'], { gcc: undefined }],
  ])('rpm -q: %s', (_n, out, names, expected) => {
    expect(Object.fromEntries(parseRpmQuery(out, names))).toEqual(expected);
  });

  it('builds the query per tool with quoted names', () => {
    expect(installedPackages.command({ tool: 'apt', names: ['nginx', 'a b'] })).toMatch(/^dpkg-query -W -f='\$\{Package\}\\t\$\{Status\}\\t\$\{Version\}\\n' -- nginx 'a b'/);
    expect(installedPackages.command({ tool: 'yum', names: ['gcc'] })).toMatch(/^rpm -q --qf '%\{NAME\}\\t%\{VERSION\}-%\{RELEASE\}\\n' -- gcc/);
  });
});

describe('services', () => {
  it.each([
    [
      'Debian, running, enabled by update-rc.d links',
      'manager=sysv\nexists=yes\nservice_cmd=yes\nstatus_rc=0\nboot_tool=update-rc.d\nlink=/etc/rc0.d/K01nginx\nlink=/etc/rc2.d/S01nginx\nlink=/etc/rc3.d/S01nginx\n',
      { manager: 'sysv', exists: true, running: true, enabled: true, bootTool: 'update-rc.d', hasServiceCommand: true, startLinks: ['2', '3'], killLinks: ['0'] },
    ],
    [
      'Debian, stopped (LSB 3), disabled (K links only)',
      'manager=sysv\nexists=yes\nservice_cmd=yes\nstatus_rc=3\nboot_tool=update-rc.d\nlink=/etc/rc2.d/K01nginx\nlink=/etc/rc3.d/K01nginx\n',
      { manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'update-rc.d', hasServiceCommand: true, startLinks: [], killLinks: ['2', '3'] },
    ],
    [
      'Debian, no links at all',
      'manager=sysv\nexists=yes\nstatus_rc=3\nboot_tool=update-rc.d\n',
      { manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'update-rc.d', hasServiceCommand: false, startLinks: [], killLinks: [] },
    ],
    [
      'RHEL 6, chkconfig on',
      'manager=sysv\nexists=yes\nservice_cmd=yes\nstatus_rc=0\nboot_tool=chkconfig\nchkconfig: keepalived     \t0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\n',
      { manager: 'sysv', exists: true, running: true, enabled: true, bootTool: 'chkconfig', hasServiceCommand: true, registered: true },
    ],
    [
      'RHEL 6, chkconfig off',
      'manager=sysv\nexists=yes\nservice_cmd=yes\nstatus_rc=3\nboot_tool=chkconfig\nchkconfig: nginx 0:off 1:off 2:off 3:off 4:off 5:off 6:off\n',
      { manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'chkconfig', hasServiceCommand: true, registered: true },
    ],
    [
      'RHEL 6, not registered with chkconfig',
      'manager=sysv\nexists=yes\nservice_cmd=yes\nstatus_rc=3\nboot_tool=chkconfig\n',
      { manager: 'sysv', exists: true, running: false, enabled: false, bootTool: 'chkconfig', hasServiceCommand: true, registered: false },
    ],
    [
      'systemd',
      'manager=systemd\nexists=yes\nstatus_rc=0\nenabled_state=enabled\n',
      { manager: 'systemd', exists: true, running: true, enabled: true, bootTool: 'systemctl', hasServiceCommand: false },
    ],
    ['missing script', 'manager=sysv\nexists=no\nstatus_rc=4\nboot_tool=update-rc.d\n', { manager: 'sysv', exists: false, running: false, enabled: false, bootTool: 'update-rc.d', hasServiceCommand: false, startLinks: [], killLinks: [] }],
  ])('%s', (_n, out, expected) => {
    expect(parseServiceFacts(out)).toEqual(expected);
  });

  it('checks by pattern when asked, and quotes the name', () => {
    expect(serviceFacts.command({ name: 'nginx', pattern: 'nginx: master' })).toContain(`pgrep -f -- 'nginx: master'`);
    expect(serviceFacts.command({ name: 'a;b' })).toContain(`n='a;b'`);
  });
});

describe('iptables', () => {
  it.each([
    ['present', 'rc=0\n', true],
    ['absent (nft message)', 'iptables: Bad rule (does a matching rule exist in that chain?).\nrc=1\n', false],
    ['absent (legacy, silent)', 'rc=1\n', false],
  ])('-C %s', (_n, out, expected) => {
    expect(iptablesRulePresent.parse(out, 0, { table: 'filter', chain: 'INPUT', spec: [] })).toBe(expected);
  });

  it('-C with a bad rule or missing chain is an error, not "absent"', () => {
    expect(() => iptablesRulePresent.parse("iptables: No chain/target/match by that name.\nrc=1\n", 0, { table: 'filter', chain: 'X', spec: [] })).toThrow(/No chain/);
    expect(() => iptablesRulePresent.parse("iptables v1.8.9 (nf_tables): unknown protocol \"tcpp\"\nrc=2\n", 0, { table: 'filter', chain: 'INPUT', spec: [] })).toThrow(/rc=2/);
  });

  it('command quotes the spec', () => {
    expect(iptablesRulePresent.command({ table: 'filter', chain: 'INPUT', spec: ['-m', 'comment', '--comment', 'web; rm -rf /', '-j', 'ACCEPT'] })).toBe(
      `iptables -w -t filter -C INPUT -m comment --comment 'web; rm -rf /' -j ACCEPT 2>&1; echo "rc=$?"`,
    );
  });

  it('parses iptables -S', () => {
    const chains = parseIptablesS('-P INPUT ACCEPT\n-P FORWARD DROP\n-N WEB\n-A INPUT -p vrrp -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 80 -j WEB\n');
    expect(chains.get('INPUT')).toEqual({ policy: 'ACCEPT', rules: ['-p vrrp -j ACCEPT', '-p tcp -m tcp --dport 80 -j WEB'] });
    expect(chains.get('WEB')).toEqual({ rules: [] });
    expect(chains.get('FORWARD')?.policy).toBe('DROP');
  });
});

describe('setup', () => {
  it('Debian 12 lab host', () => {
    const f = parseSetup(fixture('setup-debian12.txt'));
    expect(f).toMatchObject({
      ansible_os_family: 'Debian',
      ansible_distribution: 'Debian',
      ansible_distribution_version: '12.11',
      ansible_distribution_major_version: '12',
      ansible_distribution_release: 'bookworm',
      ansible_architecture: 'x86_64',
      ansible_kernel: '6.1.0-37-amd64',
      ansible_hostname: 'edu-proxy-01',
      ansible_fqdn: 'edu-proxy-01.lab.example',
      ansible_domain: 'lab.example',
      ansible_interfaces: ['lo', 'eth1', 'dummy0'],
      ansible_all_ipv4_addresses: ['198.51.100.51', '198.51.100.50'],
      ansible_processor_vcpus: 2,
      ansible_memtotal_mb: 1966,
      ansible_libc: { name: 'glibc', version: '2.36' },
      ansible_service_mgr: 'sysvinit',
      ansible_pkg_mgr: 'apt',
      ansible_user_id: 'root',
    });
    expect(f.ansible_eth1).toEqual({
      device: 'eth1',
      active: true,
      mtu: 1500,
      macaddress: '02:42:c6:33:64:33',
      type: 'ether',
      ipv4: { address: '198.51.100.51', prefix: '24', netmask: '255.255.255.0', network: '198.51.100.0', broadcast: '198.51.100.255' },
      ipv4_secondaries: [{ address: '198.51.100.50', prefix: '24', netmask: '255.255.255.0', network: '198.51.100.0' }],
      ipv6: [{ address: 'fe80::42:c6ff:fe33:6433', prefix: '64', scope: 'link' }],
    });
    expect(f.ansible_dummy0).toMatchObject({ active: false });
    expect(f.ansible_default_ipv4).toEqual({
      interface: 'eth1',
      gateway: '198.51.100.1',
      address: '198.51.100.51',
      prefix: '24',
      netmask: '255.255.255.0',
      network: '198.51.100.0',
      broadcast: '198.51.100.255',
      macaddress: '02:42:c6:33:64:33',
      mtu: 1500,
      type: 'ether',
    });
  });

  it('CentOS 7 (RHEL family, systemd, yum)', () => {
    const f = parseSetup(fixture('setup-centos7.txt'));
    expect(f).toMatchObject({
      ansible_os_family: 'RedHat',
      ansible_distribution: 'CentOS',
      ansible_distribution_version: '7.9.2009',
      ansible_distribution_major_version: '7',
      ansible_hostname: 'web-02',
      ansible_service_mgr: 'systemd',
      ansible_pkg_mgr: 'yum',
      ansible_libc: { name: 'glibc', version: '2.17' },
      ansible_processor_vcpus: 4,
      ansible_memtotal_mb: 3789,
      ansible_user_id: 'deploy',
    });
    expect(f.ansible_default_ipv4).toMatchObject({ interface: 'ens33', address: '198.51.100.62', netmask: '255.255.255.128', network: '198.51.100.0' });
  });

  it('CentOS 6 without os-release (sysvinit, chkconfig era)', () => {
    const f = parseSetup(fixture('setup-centos6.txt'));
    expect(f).toMatchObject({
      ansible_os_family: 'RedHat',
      ansible_distribution: 'CentOS',
      ansible_distribution_version: '6.10',
      ansible_distribution_major_version: '6',
      ansible_service_mgr: 'sysvinit',
      ansible_fqdn: 'lb-01',
    });
  });

  it('osFamily probe parses the same sections', () => {
    expect(osFamily.parse(fixture('setup-centos7.txt'), 0, {})).toEqual({
      family: 'RedHat',
      distribution: 'CentOS',
      majorVersion: '7',
      pkgMgr: 'yum',
      serviceMgr: 'systemd',
    });
  });

  it.each([
    [{ ID: 'ubuntu', VERSION_ID: '22.04', VERSION_CODENAME: 'jammy' }, { distribution: 'Ubuntu', family: 'Debian', version: '22.04', majorVersion: '22', release: 'jammy' }],
    [{ ID: 'rocky', ID_LIKE: 'rhel centos fedora', VERSION_ID: '9.3' }, { distribution: 'Rocky', family: 'RedHat', version: '9.3', majorVersion: '9', release: '' }],
    [{ ID: 'someos', ID_LIKE: 'rhel', VERSION_ID: '1' }, { distribution: 'Unknown', family: 'RedHat', version: '1', majorVersion: '1', release: '' }],
  ])('identifyOs %j', (osr, expected) => {
    expect(identifyOs(osr as Record<string, string>)).toEqual(expected);
  });

  it.each([
    [['glibc 2.36'], { name: 'glibc', version: '2.36' }],
    [['ldd (Debian GLIBC 2.36-9+deb12u4) 2.36'], { name: 'glibc', version: '2.36' }],
    [['musl libc (x86_64)', 'Version 1.2.4'], { name: 'musl', version: '1.2.4' }],
    [[], undefined],
  ])('parseLibc %j', (lines, expected) => {
    expect(parseLibc(lines)).toEqual(expected);
  });

  it('os-release values are unquoted', () => {
    expect(parseOsRelease(['NAME="Debian GNU/Linux"', "ID='debian'", 'X="a \\"q\\""'])).toEqual({ NAME: 'Debian GNU/Linux', ID: 'debian', X: 'a "q"' });
  });
});

describe('setup: fips and selinux facts', () => {
  it('a host without SELinux or FIPS says so', () => {
    const f = parseSetup('@@fips\n0\n@@selinux\n@@end\n');
    expect(f).toMatchObject({ ansible_fips: false, ansible_selinux: { status: 'disabled' } });
    expect(parseSetup('@@fips\n1\n@@selinux\nenabled\n1\n@@end\n')).toMatchObject({ ansible_fips: true, ansible_selinux: { status: 'enabled', mode: 'enforcing' } });
  });
});

describe('memory_mb (hardware facts; geerlingguy.swap reads memory_mb.swap.total)', () => {
  it('from every /proc/meminfo line Ansible reads, in MiB (floor of kB / 1024)', () => {
    const mem = parseMeminfo([
      'MemTotal:        8000000 kB', 'MemFree:         1000000 kB', 'Buffers:          102400 kB', 'Cached:          2048000 kB',
      'SwapCached:            0 kB', 'SwapTotal:       1048576 kB', 'SwapFree:         524288 kB',
    ]);
    expect(memoryMb(mem)).toEqual({
      real: { total: 7812, used: 6836, free: 976 },
      nocache: { free: 3076, used: 4736 },
      swap: { total: 1024, free: 512, used: 512, cached: 0 },
    });
  });
  it('a figure whose lines are missing is null (Python None), as Ansible', () => {
    expect(memoryMb(parseMeminfo(['MemTotal: 2048 kB', 'SwapTotal: 0 kB']))).toEqual({
      real: { total: 2, used: null, free: null },
      nocache: { free: null, used: null },
      swap: { total: 0, free: null, used: null, cached: null },
    });
  });
  it('setup reports it with swapfree_mb', () => {
    const f = parseSetup(fixture('setup-centos7.txt'));
    expect(f.ansible_swapfree_mb).toBe(2047);
    expect((f.ansible_memory_mb as { swap: { total: number } }).swap.total).toBe(2047);
  });
});

describe('parseVirtual (the container and DMI part of Ansible\'s Linux virtualization facts)', () => {
  it.each([
    [[], 'NA', 'NA', []],
    [['cg:0::/init.scope'], 'NA', 'NA', []],
    [['cg:0::/system.slice/docker-0123abcd.scope'], 'docker', 'guest', ['container', 'docker']],
    [['cg:12:cpu:/lxc/web1'], 'lxc', 'guest', ['container', 'lxc']],
    [['env:lxc'], 'lxc', 'guest', ['container', 'lxc']],
    [['env:podman'], 'podman', 'guest', ['container', 'podman']],
    [['env:docker'], 'container', 'guest', ['container']],
    [['sc:systemd-nspawn'], 'systemd-nspawn', 'guest', ['container', 'systemd-nspawn']],
    [['de:'], 'docker', 'guest', ['container', 'docker']],
    [['product_name:KVM'], 'kvm', 'guest', ['kvm']],
    [['product_name:Standard PC (Q35 + ICH9, 2009)', 'sys_vendor:QEMU', 'bios_vendor:SeaBIOS'], 'kvm', 'guest', ['kvm']],
    [['product_name:VMware Virtual Platform'], 'VMware', 'guest', ['VMware']],
    [['bios_vendor:innotek GmbH'], 'virtualbox', 'guest', ['virtualbox']],
    [['product_name:PowerEdge R640', 'sys_vendor:Dell Inc.'], 'NA', 'NA', []],
  ])('%j -> %s %s', (lines, type, role, guest) => {
    expect(parseVirtual(lines)).toEqual({ ansible_virtualization_type: type, ansible_virtualization_role: role, ansible_virtualization_tech_guest: guest, ansible_virtualization_tech_host: [] });
  });
});

describe('userspace facts (Ansible platform facts: userspace_bits, userspace_architecture on x86_64)', () => {
  it.each([
    ['x86_64', '64', { ansible_userspace_bits: '64', ansible_userspace_architecture: 'x86_64' }],
    ['x86_64', '32', { ansible_userspace_bits: '32', ansible_userspace_architecture: 'i386' }],
    ['aarch64', '64', { ansible_userspace_bits: '64' }],
    ['x86_64', '', {}],
  ])('%s with a %s-bit userland', (machine, bits, facts) => expect(userspaceFacts(machine, bits)).toEqual(facts));
});
