import { describe, expect, it } from 'vitest';
import {
  HostPlanError,
  RC_LOCAL_DROP_IN,
  catchAllPosition,
  dropInPath,
  missingPackages,
  packageInstallScript,
  parseFirewallState,
  parseHostProfile,
  planDaemonReload,
  planFirewall,
  planRestoreLabels,
  planServiceBoot,
  planServiceRun,
  renderDaemonUnit,
  renderSourceUnitDropIn,
  runDir,
  serviceFilePath,
  stepText,
  vrrpdRefusal,
  withBuildTools,
  type HostProfile,
  type Opening,
} from '../../src/index.js';
import { CENTOS6, CENTOS6_INPUT, CENTOS7, DEBIAN12_SYSTEMD, DEBIAN12_SYSVINIT, FIREWALLD_DEFAULT, ROCKY8, ROCKY9 } from './fixtures/hosts.js';

const HOSTS = {
  'CentOS 6': parseHostProfile(CENTOS6),
  'CentOS 7': parseHostProfile(CENTOS7),
  'Rocky 8': parseHostProfile(ROCKY8),
  'Rocky 9': parseHostProfile(ROCKY9),
  'Debian 12 sysvinit': parseHostProfile(DEBIAN12_SYSVINIT),
  'Debian 12 systemd': parseHostProfile(DEBIAN12_SYSTEMD),
} satisfies Record<string, HostProfile>;
type HostName = keyof typeof HOSTS;

const lines = (steps: { kind: string }[]) => steps.map((s) => stepText(s as Parameters<typeof stepText>[0]));

describe('host profile parser', () => {
  it.each([
    ['CentOS 6', { family: 'RedHat', distribution: 'centos', majorVersion: 6, init: 'sysvinit', firewall: 'iptables', iptables: { check: true, wait: false }, iptablesRestore: 'iptables-services', hasRun: false, selinux: 'enforcing', glibc: '2.12' }],
    ['CentOS 7', { family: 'RedHat', distribution: 'centos', majorVersion: 7, init: 'systemd', firewall: 'firewalld', iptables: { check: true, wait: true }, iptablesRestore: 'none', hasRun: true, selinux: 'enforcing', glibc: '2.17' }],
    ['Rocky 8', { family: 'RedHat', distribution: 'rocky', majorVersion: 8, init: 'systemd', firewall: 'firewalld', iptables: { check: true, wait: true }, iptablesRestore: 'none', hasRun: true, selinux: 'enforcing', glibc: '2.28' }],
    ['Rocky 9', { family: 'RedHat', distribution: 'rocky', majorVersion: 9, init: 'systemd', firewall: 'firewalld', iptablesRestore: 'none', hasRun: true, selinux: 'enforcing', glibc: '2.34' }],
    ['Debian 12 sysvinit', { family: 'Debian', distribution: 'debian', majorVersion: 12, init: 'sysvinit', firewall: 'none', iptables: { check: true, wait: true }, iptablesRestore: 'netfilter-persistent', hasRun: true, selinux: 'disabled', glibc: '2.36' }],
    ['Debian 12 systemd', { family: 'Debian', distribution: 'debian', majorVersion: 12, init: 'systemd', firewall: 'none', iptables: { check: true, wait: true }, iptablesRestore: 'none', hasRun: true, selinux: 'disabled', glibc: '2.36' }],
  ] as const)('%s', (host, expected) => {
    const { tools: _tools, ...profile } = HOSTS[host as HostName];
    expect(profile).toEqual(expected);
  });

  it('tools: chkconfig on EL6-EL8, not on EL9; tar not on minimal EL8/EL9', () => {
    expect(Object.fromEntries(Object.entries(HOSTS).map(([n, p]) => [n, [p.tools.chkconfig, p.tools.tar]]))).toEqual({
      'CentOS 6': [true, true],
      'CentOS 7': [true, true],
      'Rocky 8': [true, false],
      'Rocky 9': [false, false],
      'Debian 12 sysvinit': [false, true],
      'Debian 12 systemd': [false, true],
    });
  });

  it('an unknown OS is a clear error naming the host', () => {
    expect(() => parseHostProfile('id=alpine\nversion=3.20\n', 'lb1')).toThrow(/lb1: cannot tell the OS family .*"alpine"/);
  });
});

describe('services through the host service manager', () => {
  const fresh = { installed: true, running: false, enabled: false };
  it.each([
    ['CentOS 6', '/etc/init.d/vrrpd', ['chkconfig --add vrrpd', 'chkconfig vrrpd on', '/etc/init.d/vrrpd start'], '/var/run'],
    ['CentOS 7', '/etc/systemd/system/vrrpd.service', ['systemctl daemon-reload', 'systemctl enable vrrpd.service', 'systemctl start vrrpd.service'], '/run'],
    ['Rocky 8', '/etc/systemd/system/vrrpd.service', ['systemctl daemon-reload', 'systemctl enable vrrpd.service', 'systemctl start vrrpd.service'], '/run'],
    ['Rocky 9', '/etc/systemd/system/vrrpd.service', ['systemctl daemon-reload', 'systemctl enable vrrpd.service', 'systemctl start vrrpd.service'], '/run'],
    ['Debian 12 sysvinit', '/etc/init.d/vrrpd', ['update-rc.d vrrpd defaults', 'update-rc.d vrrpd enable', '/etc/init.d/vrrpd start'], '/run'],
    ['Debian 12 systemd', '/etc/systemd/system/vrrpd.service', ['systemctl daemon-reload', 'systemctl enable vrrpd.service', 'systemctl start vrrpd.service'], '/run'],
  ] as const)('%s: fresh install of vrrpd', (host, file, commands, run) => {
    const p = HOSTS[host as HostName];
    expect(serviceFilePath(p, 'vrrpd')).toBe(file);
    expect(runDir(p)).toBe(run);
    const steps = [...planDaemonReload(p, true), ...planServiceBoot(p, 'vrrpd', true, fresh), ...planServiceRun(p, 'vrrpd', 'started', fresh)];
    expect(lines(steps)).toEqual(commands);
    // EL9 has no chkconfig: nothing may create /etc/init.d there (chkconfig's package wants a symlink).
    expect(lines(steps).some((l) => /mkdir .*init\.d|chkconfig/.test(l))).toBe(host === 'CentOS 6');
  });

  it.each([
    ['CentOS 6', 'stopped', ['/etc/init.d/vrrpd stop'], ['chkconfig vrrpd off']],
    ['Rocky 9', 'stopped', ['systemctl stop vrrpd.service'], ['systemctl disable vrrpd.service']],
    ['Debian 12 sysvinit', 'reloaded', ['/etc/init.d/vrrpd reload'], ['update-rc.d vrrpd disable']],
    ['Debian 12 systemd', 'restarted', ['systemctl restart vrrpd.service'], ['systemctl disable vrrpd.service']],
  ] as const)('%s: a running, enabled service %s, then disabled', (host, desired, run, boot) => {
    const p = HOSTS[host as HostName];
    const state = { installed: true, running: true, enabled: true };
    expect(lines(planServiceRun(p, 'vrrpd', desired, state))).toEqual(run);
    expect(lines(planServiceBoot(p, 'vrrpd', false, state))).toEqual(boot);
    expect(planServiceBoot(p, 'vrrpd', true, state)).toEqual([]);
    expect(planDaemonReload(p, false)).toEqual([]);
  });

  it('a daemon started outside systemd (init script over SSH) is stopped by its PID, then started by systemd', () => {
    const p = HOSTS['Rocky 9'];
    const steps = planServiceRun(p, 'keepalived', 'started', { installed: true, running: false, enabled: true, strayPid: 4242 }, {
      exe: '/usr/local/keepalived/sbin/keepalived',
      stopTimeoutSeconds: 10,
    });
    expect(lines(steps)).toEqual([
      "if tr '\\0' ' ' < /proc/4242/cmdline 2>/dev/null | grep -qF -- '/usr/local/keepalived/sbin/keepalived'; then kill -TERM 4242; " +
        'i=0; while kill -0 4242 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; ' +
        'kill -0 4242 2>/dev/null && { echo "PID 4242 did not stop in 10s" >&2; exit 1; }; fi; true',
      'systemctl start keepalived.service',
    ]);
    expect(lines(steps).some((l) => /pkill|killall/.test(l))).toBe(false);
  });

  it('a stray daemon and state stopped: only the PID is stopped', () => {
    const steps = planServiceRun(HOSTS['Debian 12 systemd'], 'vrrpd', 'stopped', { installed: true, running: false, enabled: false, strayPid: 77 }, { exe: '/usr/local/vrrpd/sbin/vrrpd', stopTimeoutSeconds: 5 });
    expect(lines(steps)).toHaveLength(1);
    expect(lines(steps)[0]).toMatch(/^if tr .*\/proc\/77\/cmdline .*kill -TERM 77; .*-lt 50 \]/);
  });

  it('refuses what it cannot do, by name', () => {
    const el9sysv: HostProfile = { ...HOSTS['Rocky 9'], init: 'sysvinit' };
    expect(() => planServiceBoot(el9sysv, 'vrrpd', true, { installed: true, running: false, enabled: false })).toThrow(HostPlanError);
    expect(() => planServiceRun(HOSTS['Rocky 9'], 'vrrpd', 'started', { installed: false, running: false, enabled: false })).toThrow(/no unit \/etc\/systemd\/system\/vrrpd\.service/);
  });
});

describe('units', () => {
  it('vrrpd as a native unit: foreground, restarts on failure, SIGTERM to the main process (its stop path gives the VIPs up)', () => {
    const unit = renderDaemonUnit({
      name: 'vrrpd',
      description: 'VRRP daemon (haweb vrrpd)',
      exec: '/usr/local/vrrpd/sbin/vrrpd',
      args: "-f /etc/vrrpd/vrrpd.conf -p /run/vrrpd.pid",
      foregroundFlag: '--dont-fork',
      environmentFile: '/etc/sysconfig/vrrpd',
      optionsVar: 'VRRPD_OPTIONS',
      stopTimeoutSeconds: 10,
    });
    expect(unit).toBe(
      [
        '# Managed by haweb.',
        '[Unit]',
        'Description=VRRP daemon (haweb vrrpd)',
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=simple',
        'EnvironmentFile=-/etc/sysconfig/vrrpd',
        'ExecStart=/usr/local/vrrpd/sbin/vrrpd --dont-fork -f /etc/vrrpd/vrrpd.conf -p /run/vrrpd.pid $VRRPD_OPTIONS',
        'ExecReload=/bin/kill -HUP $MAINPID',
        'KillMode=mixed',
        'TimeoutStopSec=10',
        'Restart=on-failure',
        'RestartSec=1',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  it('a VRRP engine starts after, and stops before, what starts the service it fronts (rc-local.service)', () => {
    const spec = { name: 'vrrpd', description: 'd', exec: '/x', args: '', foregroundFlag: '--dont-fork', environmentFile: '/e', optionsVar: 'X', stopTimeoutSeconds: 10 };
    expect(renderDaemonUnit({ ...spec, after: ['rc-local.service'] })).toContain('After=network-online.target\nAfter=rc-local.service\n\n[Service]');
    expect(renderSourceUnitDropIn({ name: 'keepalived', environmentFile: '/e', pidFile: '/p', after: ['rc-local.service'] })).toBe(
      '# Managed by haweb: run with the options and pid file the playbook declares.\n[Unit]\nAfter=rc-local.service\n[Service]\nEnvironmentFile=\nEnvironmentFile=-/e\nPIDFile=/p\n',
    );
    expect(() => renderDaemonUnit({ ...spec, after: ['rc-local.service\nExecStartPre=/bin/evil'] })).toThrow(/unit name/);
  });

  it("keepalived's own unit gets a drop-in with the managed options file and pid file", () => {
    expect(dropInPath('keepalived')).toBe('/etc/systemd/system/keepalived.service.d/haweb.conf');
    expect(renderSourceUnitDropIn({ name: 'keepalived', environmentFile: '/etc/sysconfig/keepalived', pidFile: '/run/keepalived.pid' })).toBe(
      '# Managed by haweb: run with the options and pid file the playbook declares.\n[Service]\nEnvironmentFile=\nEnvironmentFile=-/etc/sysconfig/keepalived\nPIDFile=/run/keepalived.pid\n',
    );
  });

  it('rc-local.service runs after the network is online', () => {
    expect(RC_LOCAL_DROP_IN).toContain('After=network-online.target\n');
    expect(RC_LOCAL_DROP_IN).toContain('Wants=network-online.target\n');
  });

  it('refuses names and values that would break the unit', () => {
    expect(() => renderDaemonUnit({ name: 'a b', description: 'x', exec: '/x', args: '', foregroundFlag: '-n', environmentFile: '/e', optionsVar: 'X', stopTimeoutSeconds: 1 })).toThrow(/unit name/);
    expect(() => renderDaemonUnit({ name: 'a', description: 'x\nExecStartPre=/bin/evil', exec: '/x', args: '', foregroundFlag: '-n', environmentFile: '/e', optionsVar: 'X', stopTimeoutSeconds: 1 })).toThrow(/one line/);
  });
});

describe('firewall openings: nginx port 88 and VRRP from the peer', () => {
  const openings: Opening[] = [
    { kind: 'port', port: 88, protocol: 'tcp' },
    { kind: 'vrrp', peers: ['198.18.16.12'] },
  ];
  const RICH = 'rule family="ipv4" source address="198.18.16.12" destination address="224.0.0.18" protocol value="vrrp" accept';
  const FIREWALLD = [
    'firewall-cmd --permanent --add-port=88/tcp',
    'firewall-cmd --add-port=88/tcp',
    `firewall-cmd --permanent '--add-rich-rule=${RICH}'`,
    `firewall-cmd '--add-rich-rule=${RICH}'`,
  ];
  const SAVE_RHEL =
    "mkdir -p /etc/sysconfig && t=$(mktemp /etc/sysconfig/.iptables.XXXXXX) && if iptables-save > \"$t\" && chmod 0600 \"$t\" && mv -f \"$t\" /etc/sysconfig/iptables; then :; else rm -f \"$t\"; exit 1; fi";

  it.each([
    [
      'CentOS 6',
      { iptablesInput: CENTOS6_INPUT },
      [
        'iptables -I INPUT 5 -p tcp -m tcp --dport 88 -j ACCEPT',
        'iptables -I INPUT 6 -s 198.18.16.12/32 -d 224.0.0.18/32 -p 112 -j ACCEPT',
        SAVE_RHEL,
      ],
    ],
    ['CentOS 7', parseFirewallState(FIREWALLD_DEFAULT, 'firewalld'), FIREWALLD],
    ['Rocky 8', parseFirewallState(FIREWALLD_DEFAULT, 'firewalld'), FIREWALLD],
    ['Rocky 9', parseFirewallState(FIREWALLD_DEFAULT, 'firewalld'), FIREWALLD],
    ['Debian 12 sysvinit', {}, []],
    ['Debian 12 systemd', {}, []],
  ] as const)('%s', (host, state, commands) => {
    expect(lines(planFirewall(HOSTS[host as HostName], openings, state))).toEqual(commands);
  });

  it('CentOS 6 after the run: the rules are found (vrrp spelled by name) and nothing is planned', () => {
    const after = [...CENTOS6_INPUT.slice(0, 5), '-A INPUT -p tcp -m tcp --dport 88 -j ACCEPT', '-A INPUT -s 198.18.16.12/32 -d 224.0.0.18/32 -p vrrp -j ACCEPT', CENTOS6_INPUT[5]];
    expect(planFirewall(HOSTS['CentOS 6'], openings, { iptablesInput: after })).toEqual([]);
  });

  it('firewalld: only the scope that lacks an opening gets it (permanent present, runtime lost by a reload)', () => {
    const state = parseFirewallState(`@@runtime_ports\n\n@@runtime_rich\n\n@@permanent_ports\n88/tcp\n@@permanent_rich\n${RICH}\n`, 'firewalld');
    expect(lines(planFirewall(HOSTS['Rocky 9'], openings, state))).toEqual(['firewall-cmd --add-port=88/tcp', `firewall-cmd '--add-rich-rule=${RICH}'`]);
  });

  it('unicast peers: VRRP from each peer to this host, no multicast destination', () => {
    const state = parseFirewallState(FIREWALLD_DEFAULT, 'firewalld');
    expect(lines(planFirewall(HOSTS['Rocky 9'], [{ kind: 'vrrp', peers: ['10.0.0.2', '10.0.0.3'], unicast: true }], state))).toEqual([
      `firewall-cmd --permanent '--add-rich-rule=rule family="ipv4" source address="10.0.0.2" protocol value="vrrp" accept'`,
      `firewall-cmd '--add-rich-rule=rule family="ipv4" source address="10.0.0.2" protocol value="vrrp" accept'`,
      `firewall-cmd --permanent '--add-rich-rule=rule family="ipv4" source address="10.0.0.3" protocol value="vrrp" accept'`,
      `firewall-cmd '--add-rich-rule=rule family="ipv4" source address="10.0.0.3" protocol value="vrrp" accept'`,
    ]);
  });

  it('iptables with -w where it has it, and the restore service installed and enabled where missing', () => {
    // A Debian 12 host with a catch-all DROP and no netfilter-persistent; an EL7 host using iptables instead of firewalld.
    const debian: HostProfile = { ...HOSTS['Debian 12 systemd'], firewall: 'iptables' };
    const input = ['-P INPUT ACCEPT', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m comment --comment "default deny" -j DROP'];
    expect(lines(planFirewall(debian, [{ kind: 'port', port: 88, protocol: 'tcp' }], { iptablesInput: input }))).toEqual([
      'iptables -w -I INPUT 2 -p tcp -m tcp --dport 88 -j ACCEPT',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables-persistent',
      "mkdir -p /etc/iptables && t=$(mktemp /etc/iptables/.rules.v4.XXXXXX) && if iptables-save > \"$t\" && chmod 0640 \"$t\" && mv -f \"$t\" /etc/iptables/rules.v4; then :; else rm -f \"$t\"; exit 1; fi",
      'systemctl enable netfilter-persistent.service',
    ]);
    const el7: HostProfile = { ...HOSTS['CentOS 7'], firewall: 'iptables' };
    expect(lines(planFirewall(el7, [{ kind: 'port', port: 88, protocol: 'tcp' }], { iptablesInput: CENTOS6_INPUT }))).toEqual([
      'iptables -w -I INPUT 5 -p tcp -m tcp --dport 88 -j ACCEPT',
      'yum install -y iptables-services',
      SAVE_RHEL,
      'systemctl enable iptables.service',
    ]);
  });

  it('catch-all detection ignores DROP rules that match something', () => {
    expect(catchAllPosition(['-A INPUT -m state --state INVALID -j DROP', '-A INPUT -p tcp --dport 23 -j REJECT', '-A INPUT -j DROP'])).toBe(3);
    expect(catchAllPosition(['-A INPUT -i lo -j ACCEPT'])).toBeUndefined();
  });

  it('a peer that is not an address is refused', () => {
    expect(() => planFirewall(HOSTS['Rocky 9'], [{ kind: 'vrrp', peers: ['lb2; rm -rf /'] }], parseFirewallState(FIREWALLD_DEFAULT, 'firewalld'))).toThrow(/not an IPv4 address/);
  });
});

describe('build dependencies include tar', () => {
  it.each([
    ['CentOS 6', ['gcc', 'make', 'tar'], 'yum install -y openssl-devel libnl3-devel'],
    ['Rocky 9', ['gcc', 'make'], 'yum install -y openssl-devel libnl3-devel tar'],
    ['Debian 12 sysvinit', ['build-essential', 'libssl-dev', 'tar'], undefined],
  ] as const)('%s', (host, installed, install) => {
    const p = HOSTS[host as HostName];
    const deps = withBuildTools(p.family === 'RedHat' ? ['gcc', 'make', 'openssl-devel', 'libnl3-devel'] : ['build-essential', 'libssl-dev']);
    const missing = missingPackages(deps, new Set(installed));
    expect(missing.length ? packageInstallScript(p.family, missing) : undefined).toBe(install);
  });
});

describe('SELinux labels', () => {
  it.each([
    ['CentOS 6', ['restorecon -F -- /etc/init.d/keepalived /etc/sysconfig/keepalived', 'restorecon -R -F -- /usr/local/keepalived']],
    ['Rocky 9', ['restorecon -F -- /etc/init.d/keepalived /etc/sysconfig/keepalived', 'restorecon -R -F -- /usr/local/keepalived']],
    ['Debian 12 sysvinit', []],
  ] as const)('%s', (host, commands) => {
    const steps = planRestoreLabels(HOSTS[host as HostName], { files: ['/etc/init.d/keepalived', '/etc/sysconfig/keepalived'], trees: ['/usr/local/keepalived'] });
    expect(lines(steps)).toEqual(commands);
  });
});

describe('vrrpd on old glibc: refused before any change, naming the keepalived engine', () => {
  it.each([
    ['CentOS 6', /lb1: vrrpd cannot run here: .*glibc 2\.28 and this host \(centos\) has glibc 2\.12.*ha_engine=keepalived/],
    ['CentOS 7', /has glibc 2\.17.*keepalived engine/],
    ['Rocky 8', undefined],
    ['Rocky 9', undefined],
    ['Debian 12 sysvinit', undefined],
  ] as const)('%s', (host, message) => {
    const p = HOSTS[host as HostName];
    const refusal = vrrpdRefusal('lb1', p.glibc, p.distribution);
    if (message) expect(refusal).toMatch(message);
    else expect(refusal).toBeUndefined();
  });
});

describe('the service module under systemd: a daemon its init script started over SSH', () => {
  it('is found through the init script pid file and stopped by PID before systemd starts the unit', async () => {
    const { parseServiceFacts, planService } = await import('../../src/index.js');
    const facts = parseServiceFacts(
      'manager=systemd\nexists=yes\nstatus_rc=3\nenabled_state=disabled\nstray_pid=4242\nstray_cmd=/usr/local/keepalived/sbin/keepalived -f /etc/keepalived/keepalived.conf -D \n',
    );
    expect(facts).toMatchObject({ manager: 'systemd', running: false, strayPid: 4242, strayCommand: '/usr/local/keepalived/sbin/keepalived -f /etc/keepalived/keepalived.conf -D' });
    const plan = planService(facts, { name: 'keepalived', state: 'stopped', enabled: false });
    expect(plan.runCommands.map((c) => c.argv.slice(0, 2))).toEqual([['sh', '-c']]);
    expect(plan.runCommands[0].argv[2]).toMatch(/grep -qF -- '\/usr\/local\/keepalived\/sbin\/keepalived'; then kill -TERM 4242;/);
    expect(plan.bootCommands.map((c) => c.argv.join(' '))).toEqual([]);
    expect(plan.changes).toEqual(['stop PID 4242 (started outside systemd)']);
  });
});

describe('the host-profile probe under a real sh', () => {
  it('runs on this machine and parses into a profile that agrees with getconf', async () => {
    const { spawnSync } = await import('node:child_process');
    const { HOST_PROFILE_COMMAND } = await import('../../src/index.js');
    const run = spawnSync('sh', ['-c', HOST_PROFILE_COMMAND], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const profile = parseHostProfile(run.stdout, 'controller');
    const glibc = /(\d+\.\d+)/.exec(spawnSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }).stdout)?.[1];
    expect(profile.glibc).toBe(glibc);
    expect(['RedHat', 'Debian']).toContain(profile.family);
    expect(profile.init).toBe(spawnSync('sh', ['-c', '[ -d /run/systemd/system ]']).status === 0 ? 'systemd' : 'sysvinit');
  });
});
