/**
 * Host facts (`setup`) gathered in ONE round trip: a script prints labelled sections, a pure parser
 * turns them into Ansible's ansible_* names. Also the small OS-family fact other modules probe with
 * when facts were not gathered.
 */
import type { Fact } from '@haweb/core';
import { DEFAULT_FACT_PATH, localFactsScript, parseLocalFacts } from './local-facts.js';
import { parseInterfaces, type Ipv4Address } from './network.js';
import { selinuxEnabledTest } from '@haweb/hostkit';

/**
 * ansible_selinux: enabled as hostkit's selinuxEnabledTest says (an empty /sys/fs/selinux folder, which
 * systemd-nspawn makes, once made evrardjp.keepalived run its SELinux tasks), then the enforce value.
 */
export function selinuxSection(dir = '/sys/fs/selinux'): string {
  return `${selinuxEnabledTest(dir)} && { echo enabled; cat ${dir}/enforce; }`;
}

const SECTIONS: Array<[string, string]> = [
  ['os-release', 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null'],
  ['debian_version', 'cat /etc/debian_version 2>/dev/null'],
  ['redhat-release', 'cat /etc/redhat-release 2>/dev/null'],
  ['uname', 'uname -s; uname -r; uname -m; uname -v'],
  // The userland's word size (Ansible's userspace_bits: its Python's, platform.architecture()).
  ['longbit', 'getconf LONG_BIT 2>/dev/null'],
  ['hostname', 'hostname 2>/dev/null || cat /proc/sys/kernel/hostname'],
  ['fqdn', 'hostname -f 2>/dev/null'],
  ['fips', 'cat /proc/sys/crypto/fips_enabled 2>/dev/null'],
  ['selinux', selinuxSection()],
  ['links', 'ip -o link show 2>/dev/null'],
  ['addrs', 'ip -o addr show 2>/dev/null'],
  ['route', 'ip -4 route show default 2>/dev/null'],
  ['cpuinfo', 'grep -c ^processor /proc/cpuinfo 2>/dev/null'],
  ['nproc', 'nproc 2>/dev/null'],
  ['meminfo', 'grep -E "^(MemTotal|MemFree|SwapTotal|SwapFree|Buffers|Cached|SwapCached):" /proc/meminfo 2>/dev/null'],
  ['libc', 'getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>&1 | head -n 1'],
  ['init', 'cat /proc/1/comm 2>/dev/null; [ -d /run/systemd/system ] && echo systemd-booted'],
  ['pkg', 'for t in apt-get dnf yum zypper apk; do command -v $t >/dev/null 2>&1 && echo $t; done'],
  ['user', 'id -un; id -u; echo "$HOME"'],
  ['uptime', 'cat /proc/uptime 2>/dev/null'],
  ['machine-id', 'cat /etc/machine-id 2>/dev/null'],
  // What Ansible's Linux virtualization facts read first: containers, then the DMI names (parseVirtual).
  [
    'virt',
    "sed 's/^/cg:/' /proc/1/cgroup 2>/dev/null; tr '\\0' '\\n' </proc/1/environ 2>/dev/null | sed -n 's/^container=/env:/p'; " +
      "[ -s /run/systemd/container ] && sed 's/^/sc:/' /run/systemd/container; { [ -e /.dockerenv ] || [ -e /.dockerinit ]; } && echo de:; " +
      'for k in product_name sys_vendor bios_vendor; do [ -r /sys/devices/virtual/dmi/id/$k ] && echo "$k:$(cat /sys/devices/virtual/dmi/id/$k)"; done',
  ],
  // The Python Ansible would run its modules with (its discovery's first candidates): its facts.
  [
    'python',
    `(for p in /usr/bin/python3 /usr/libexec/platform-python python3 /usr/bin/python; do command -v "$p" >/dev/null 2>&1 && exec "$p" -c 'import sys; v = sys.version_info; print(sys.executable); print(v[0], v[1], v[2], v[3], v[4])
try:
    import ssl; print(hasattr(ssl, "SSLContext"))
except ImportError:
    print(False)'; done)`,
  ],
];

export const SETUP_SCRIPT = setupScript(DEFAULT_FACT_PATH, 10);

/** The one round trip of `setup`: the sections above, then the local facts of `factPath`. */
export function setupScript(factPath: string, gatherTimeout: number): string {
  const sections: Array<[string, string]> = [...SECTIONS, ['local', localFactsScript(factPath, gatherTimeout)]];
  // The closing brace on its own line: the local facts' part is several lines long.
  return sections.map(([name, cmd]) => `echo '@@${name}'; { ${cmd}\n} 2>/dev/null`).join('\n') + '\necho @@end\n';
}

export function splitSections(stdout: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^@@([\w.-]+)$/.exec(line);
    if (m) {
      current = [];
      sections.set(m[1], current);
    } else if (current && line !== '') {
      current.push(line);
    }
  }
  return sections;
}

export function parseOsRelease(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(["$`\\])/g, '$1');
  }
  return out;
}

const DISTRIBUTIONS: Record<string, { name: string; family: string }> = {
  debian: { name: 'Debian', family: 'Debian' },
  ubuntu: { name: 'Ubuntu', family: 'Debian' },
  linuxmint: { name: 'Linux Mint', family: 'Debian' },
  raspbian: { name: 'Debian', family: 'Debian' },
  rhel: { name: 'RedHat', family: 'RedHat' },
  centos: { name: 'CentOS', family: 'RedHat' },
  rocky: { name: 'Rocky', family: 'RedHat' },
  almalinux: { name: 'AlmaLinux', family: 'RedHat' },
  ol: { name: 'OracleLinux', family: 'RedHat' },
  fedora: { name: 'Fedora', family: 'RedHat' },
  amzn: { name: 'Amazon', family: 'RedHat' },
  opensuse: { name: 'openSUSE', family: 'Suse' },
  'opensuse-leap': { name: 'openSUSE Leap', family: 'Suse' },
  sles: { name: 'SLES', family: 'Suse' },
  alpine: { name: 'Alpine', family: 'Alpine' },
  arch: { name: 'Archlinux', family: 'Archlinux' },
};

export interface OsIdentity {
  distribution: string;
  family: string;
  version: string;
  majorVersion: string;
  release: string;
}

/** Distribution, family and version from os-release (plus /etc/debian_version, /etc/redhat-release). */
export function identifyOs(osRelease: Record<string, string>, debianVersion?: string, redhatRelease?: string): OsIdentity {
  const id = (osRelease.ID ?? '').toLowerCase();
  const like = (osRelease.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  const known = DISTRIBUTIONS[id];
  let family = known?.family;
  if (!family) {
    if (like.some((l) => ['rhel', 'centos', 'fedora'].includes(l))) family = 'RedHat';
    else if (like.some((l) => ['debian', 'ubuntu'].includes(l))) family = 'Debian';
    else if (like.includes('suse')) family = 'Suse';
    else if (debianVersion) family = 'Debian';
    else if (redhatRelease) family = 'RedHat';
    else family = 'Unknown';
  }
  let name = known?.name ?? (osRelease.NAME ?? 'Unknown').split(' ')[0];
  let version = osRelease.VERSION_ID ?? '';
  if (!id && redhatRelease) {
    // Old RHEL/CentOS without os-release: "CentOS release 6.10 (Final)".
    const m = /^(.*?) release ([\d.]+)/.exec(redhatRelease);
    if (m) {
      name = /centos/i.test(m[1]) ? 'CentOS' : /red hat/i.test(m[1]) ? 'RedHat' : m[1];
      version = m[2];
    }
  }
  // Debian's point release lives in /etc/debian_version ("12.5"); os-release only has "12".
  if (name === 'Debian' && debianVersion && /^\d+(\.\d+)*$/.test(debianVersion.trim())) version = debianVersion.trim();
  if (family === 'RedHat' && redhatRelease && id !== 'fedora') {
    const m = /release ([\d.]+)/.exec(redhatRelease);
    if (m && m[1].startsWith(version.split('.')[0])) version = m[1];
  }
  return {
    distribution: name,
    family,
    version,
    majorVersion: version.split('.')[0] ?? '',
    release: osRelease.VERSION_CODENAME ?? (/\(([^)]+)\)/.exec(osRelease.VERSION ?? '')?.[1] ?? '').toLowerCase(),
  };
}

export function parseMeminfo(lines: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of lines) {
    const m = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (m) out[m[1]] = Math.floor(Number(m[2]) / 1024);
  }
  return out;
}

/**
 * Ansible's `memory_mb` fact (hardware facts) from /proc/meminfo in MiB: real, nocache and swap
 * figures, each null when a line it needs is missing (geerlingguy.swap reads memory_mb.swap.total).
 */
export function memoryMb(mem: Record<string, number>): Record<string, Record<string, number | null>> {
  const v = (k: string) => mem[k] ?? null;
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  const nocacheFree = mem.Cached === undefined || mem.MemFree === undefined || mem.Buffers === undefined ? null : mem.Cached + mem.MemFree + mem.Buffers;
  return {
    real: { total: v('MemTotal'), used: diff(v('MemTotal'), v('MemFree')), free: v('MemFree') },
    nocache: { free: nocacheFree, used: diff(v('MemTotal'), nocacheFree) },
    swap: { total: v('SwapTotal'), free: v('SwapFree'), used: diff(v('SwapTotal'), v('SwapFree')), cached: v('SwapCached') },
  };
}

export function parseLibc(lines: readonly string[]): { name: string; version: string } | undefined {
  const line = lines[0] ?? '';
  let m = /^glibc\s+([\d.]+)/i.exec(line);
  if (m) return { name: 'glibc', version: m[1] };
  m = /(?:GLIBC|GNU libc)[^\d]*([\d.]+)\)?\s*([\d.]+)?/.exec(line);
  if (m) return { name: 'glibc', version: m[2] ?? m[1] };
  m = /musl.*?Version\s+([\d.]+)/i.exec(lines.join(' '));
  if (m) return { name: 'musl', version: m[1] };
  return undefined;
}

/** Ansible's `python` facts: the interpreter's path, version and SSL support. */
export function parsePython(lines: readonly string[]): { executable: string; version: { major: number; minor: number; micro: number; releaselevel: string; serial: number }; version_info: (number | string)[]; type: string; has_sslcontext: boolean } | undefined {
  const [executable, version, ssl] = lines;
  const v = /^(\d+) (\d+) (\d+) (\w+) (\d+)$/.exec(version ?? '');
  if (!executable || !v) return undefined;
  const [major, minor, micro, serial] = [v[1], v[2], v[3], v[5]].map(Number);
  return {
    executable,
    has_sslcontext: ssl === 'True',
    type: 'cpython',
    version: { major, minor, micro, releaselevel: v[4], serial },
    version_info: [major, minor, micro, v[4], serial],
  };
}

/**
 * ansible_virtualization_type / _role / _tech_guest / _tech_host as Ansible's Linux facts give them, for
 * the part they read first (a subset): docker, lxc and containerd in /proc/1/cgroup, container= in
 * init's environment, /run/systemd/container, /.dockerenv, then the DMI product, system and BIOS
 * vendor names of KVM, VMware, VirtualBox, Xen, Hyper-V, Parallels, OpenStack and KubeVirt guests. What
 * Ansible finds later (openvz, Xen and KVM hosts, vserver, cpuinfo) is not looked for: "NA", as
 * Ansible says when it finds nothing (the hostname target reads virtualization_type).
 */
export function parseVirtual(lines: readonly string[]): Record<string, unknown> {
  const guest = new Set<string>();
  let found: { type: string; role: string } | undefined;
  const add = (tech: string) => {
    guest.add(tech);
    found ??= { type: tech, role: 'guest' };
  };
  const field = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim());
  for (const line of field('cg:')) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(line)) add('docker');
    if (/\/lxc\//.test(line) || /\/machine.slice\/machine-lxc/.test(line)) add('lxc');
    if (/\/system.slice\/containerd.service/.test(line)) add('containerd');
  }
  for (const value of field('env:')) {
    if (value.startsWith('lxc')) add('lxc');
    if (value.startsWith('podman')) add('podman');
    if (value !== '') add('container');
  }
  const systemdContainer = field('sc:')[0];
  if (systemdContainer) add(systemdContainer);
  if (field('de:').length) add('docker');
  if ([...guest].some((t) => ['docker', 'lxc', 'podman', 'openvz', 'containerd'].includes(t)) || systemdContainer) guest.add('container');
  const product = field('product_name:')[0];
  const vendor = field('sys_vendor:')[0];
  const bios = field('bios_vendor:')[0];
  const dmi: Array<[boolean, string]> = [
    [['KVM', 'KVM Server', 'Bochs', 'AHV'].includes(product ?? ''), 'kvm'],
    [vendor === 'oVirt', 'oVirt'],
    [vendor === 'Red Hat' && product === 'RHEV Hypervisor', 'RHEV'],
    [['VMware Virtual Platform', 'VMware7,1'].includes(product ?? ''), 'VMware'],
    [['OpenStack Compute', 'OpenStack Nova'].includes(product ?? ''), 'openstack'],
    [bios === 'Xen', 'xen'],
    [bios === 'innotek GmbH', 'virtualbox'],
    [['Amazon EC2', 'DigitalOcean', 'Hetzner'].includes(bios ?? ''), 'kvm'],
    [['QEMU', 'Amazon EC2', 'DigitalOcean', 'Google', 'Scaleway', 'Nutanix'].includes(vendor ?? ''), 'kvm'],
    [vendor === 'KubeVirt', 'KubeVirt'],
    [vendor === 'Microsoft Corporation', 'VirtualPC'],
    [vendor === 'Parallels Software International Inc.', 'parallels'],
    [vendor === 'OpenStack Foundation', 'openstack'],
  ];
  for (const [hit, tech] of dmi) if (hit) add(tech);
  return {
    ansible_virtualization_type: found?.type ?? 'NA',
    ansible_virtualization_role: found?.role ?? 'NA',
    ansible_virtualization_tech_guest: [...guest].sort(),
    ansible_virtualization_tech_host: [],
  };
}

/** Ansible's ansible_userspace_bits, and on x86_64 its ansible_userspace_architecture (x86_64 or i386). */
export function userspaceFacts(machine: string, bits: string): Record<string, string> {
  if (!bits) return {};
  const arch = machine === 'x86_64' ? ({ '64': 'x86_64', '32': 'i386' } as Record<string, string>)[bits] : undefined;
  return { ansible_userspace_bits: bits, ...(arch ? { ansible_userspace_architecture: arch } : {}) };
}

function serviceManager(init: readonly string[]): string {
  if (init.includes('systemd-booted') || init[0] === 'systemd') return 'systemd';
  if (init[0] === 'init') return 'sysvinit';
  if (init[0] === 'openrc-init') return 'openrc';
  return init[0] ?? 'unknown';
}

/** Turn the setup script's output into ansible_* facts. */
export function parseSetup(stdout: string): Record<string, unknown> {
  const s = splitSections(stdout);
  const get = (k: string) => s.get(k) ?? [];
  const os = identifyOs(parseOsRelease(get('os-release')), get('debian_version')[0], get('redhat-release')[0]);
  const [system, kernel, machine, kernelVersion] = get('uname');
  const hostname = (get('hostname')[0] ?? '').trim();
  const fqdn = (get('fqdn')[0] ?? '').trim() || hostname;
  const interfaces = parseInterfaces(get('links'), get('addrs'));
  const mem = parseMeminfo(get('meminfo'));
  const route = /^default\s+via\s+(\S+)\s+dev\s+(\S+)/.exec(get('route')[0] ?? '') ?? /^default\s+dev\s+(\S+)/.exec(get('route')[0] ?? '');
  const selinux = get('selinux');
  const facts: Record<string, unknown> = {
    // FIPS mode and SELinux as Ansible reports them on a host without them: false, status disabled.
    ansible_fips: (get('fips')[0] ?? '').trim() === '1',
    ansible_selinux: selinux[0] === 'enabled' ? { status: 'enabled', mode: selinux[1]?.trim() === '1' ? 'enforcing' : 'permissive' } : { status: 'disabled' },
    ansible_system: system ?? 'Linux',
    ansible_kernel: kernel ?? '',
    ansible_kernel_version: kernelVersion ?? '',
    ansible_architecture: machine ?? '',
    ansible_machine: machine ?? '',
    ...userspaceFacts(machine ?? '', (get('longbit')[0] ?? '').trim()),
    ansible_os_family: os.family,
    ansible_distribution: os.distribution,
    ansible_distribution_version: os.version,
    ansible_distribution_major_version: os.majorVersion,
    ansible_distribution_release: os.release,
    ansible_hostname: hostname.split('.')[0],
    ansible_nodename: hostname,
    ansible_fqdn: fqdn,
    ansible_domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    ansible_interfaces: [...interfaces.keys()],
    ansible_all_ipv4_addresses: [...interfaces.values()]
      .filter((i) => i.type !== 'loopback')
      .flatMap((i) => [i.ipv4, ...(i.ipv4_secondaries ?? [])])
      .filter((a): a is Ipv4Address => a !== undefined)
      .map((a) => a.address),
    ansible_processor_vcpus: Number(get('cpuinfo')[0] ?? 0) || Number(get('nproc')[0] ?? 0),
    ansible_processor_nproc: Number(get('nproc')[0] ?? 0),
    ansible_memtotal_mb: mem.MemTotal ?? 0,
    ansible_memfree_mb: mem.MemFree ?? 0,
    ansible_swaptotal_mb: mem.SwapTotal ?? 0,
    ansible_swapfree_mb: mem.SwapFree ?? 0,
    ansible_memory_mb: memoryMb(mem),
    ansible_service_mgr: serviceManager(get('init')),
    ansible_pkg_mgr: pkgManager(get('pkg')),
    ansible_user_id: get('user')[0] ?? '',
    ansible_user_uid: Number(get('user')[1] ?? -1),
    ansible_user_dir: get('user')[2] ?? '',
    ansible_uptime_seconds: Math.floor(Number((get('uptime')[0] ?? '0').split(' ')[0])),
    ansible_machine_id: get('machine-id')[0] ?? '',
    ...parseVirtual(get('virt')),
  };
  facts.ansible_local = parseLocalFacts(get('local')).facts;
  const python = parsePython(get('python'));
  if (python) {
    facts.ansible_python = python;
    facts.ansible_python_version = `${python.version.major}.${python.version.minor}.${python.version.micro}`;
  }
  const libc = parseLibc(get('libc'));
  if (libc) facts.ansible_libc = libc;
  for (const [name, iface] of interfaces) facts[`ansible_${name.replace(/[^A-Za-z0-9_]/g, '_')}`] = iface;
  if (route) {
    const dev = route.length === 3 ? route[2] : route[1];
    const gateway = route.length === 3 ? route[1] : undefined;
    const iface = interfaces.get(dev);
    facts.ansible_default_ipv4 = {
      interface: dev,
      ...(gateway ? { gateway } : {}),
      ...(iface?.ipv4 ?? {}),
      ...(iface?.macaddress ? { macaddress: iface.macaddress } : {}),
      ...(iface?.mtu ? { mtu: iface.mtu } : {}),
      type: iface?.type ?? 'unknown',
    };
  } else {
    facts.ansible_default_ipv4 = {};
  }
  return facts;
}

function pkgManager(found: readonly string[]): string {
  if (found.includes('apt-get')) return 'apt';
  if (found.includes('dnf')) return 'dnf';
  if (found.includes('yum')) return 'yum';
  return found[0] ?? 'unknown';
}

export interface SetupParams {
  /** Where local facts are read (Ansible's fact_path). */
  factPath?: string;
  /** Seconds each local fact script may run (gather_timeout). */
  gatherTimeout?: number;
}

export const setupFacts: Fact<SetupParams, { facts: Record<string, unknown>; warnings: string[] }> = {
  name: 'server.setup',
  command: (p) => setupScript(p.factPath ?? DEFAULT_FACT_PATH, p.gatherTimeout ?? 10),
  parse: (stdout) => ({ facts: parseSetup(stdout), warnings: parseLocalFacts(splitSections(stdout).get('local') ?? []).warnings }),
};

/** The smaller probe used by package/service/iptables when facts were not gathered. */
export interface OsFamilyInfo {
  family: string;
  distribution: string;
  majorVersion: string;
  pkgMgr: string;
  serviceMgr: string;
}

export const osFamily: Fact<Record<string, never>, OsFamilyInfo> = {
  name: 'server.os_family',
  command: () =>
    [
      ['os-release', 'cat /etc/os-release 2>/dev/null'],
      ['debian_version', 'cat /etc/debian_version 2>/dev/null'],
      ['redhat-release', 'cat /etc/redhat-release 2>/dev/null'],
      ['init', 'cat /proc/1/comm 2>/dev/null; [ -d /run/systemd/system ] && echo systemd-booted'],
      ['pkg', 'for t in apt-get dnf yum zypper apk; do command -v $t >/dev/null 2>&1 && echo $t; done'],
    ]
      .map(([n, c]) => `echo '@@${n}'; { ${c}; } 2>/dev/null`)
      .join('\n') + '\necho @@end\n',
  parse(stdout) {
    const s = splitSections(stdout);
    const os = identifyOs(parseOsRelease(s.get('os-release') ?? []), s.get('debian_version')?.[0], s.get('redhat-release')?.[0]);
    return {
      family: os.family,
      distribution: os.distribution,
      majorVersion: os.majorVersion,
      pkgMgr: pkgManager(s.get('pkg') ?? []),
      serviceMgr: serviceManager(s.get('init') ?? []),
    };
  },
};

/** OS family from gathered facts, or probed (one round trip) when gather_facts was off. */
export async function hostOs(ctx: { facts: Readonly<Record<string, unknown>>; fact: <A, T>(f: Fact<A, T>, a: A) => Promise<T> }): Promise<OsFamilyInfo> {
  const f = ctx.facts;
  if (typeof f.ansible_os_family === 'string' && typeof f.ansible_pkg_mgr === 'string' && typeof f.ansible_service_mgr === 'string') {
    return {
      family: f.ansible_os_family,
      distribution: String(f.ansible_distribution ?? ''),
      majorVersion: String(f.ansible_distribution_major_version ?? ''),
      pkgMgr: f.ansible_pkg_mgr,
      serviceMgr: f.ansible_service_mgr,
    };
  }
  return ctx.fact(osFamily, {});
}
