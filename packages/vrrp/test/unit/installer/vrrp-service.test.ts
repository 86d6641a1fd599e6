import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { vrrpService } from '../../../src/installer/index.js';
import { FakeHost, fakeContext, DEBIAN_FACTS, RHEL_FACTS } from '@haweb/hostkit/testing';
import { runtimeFixture } from './fixture.js';

const { root, top } = runtimeFixture();
afterAll(() => rmSync(top, { recursive: true, force: true }));

const CONF = 'vrrp_instance VI_1 {\n    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n}\n';
const P = '/usr/local/vrrpd';

/** Answers vrrp_service's state command from the fake host's files, like the real script would. */
function emulate(host: FakeHost, service: { running: boolean; enabled: boolean; arch?: string; libc?: string; profile?: string; stray?: number }): FakeHost {
  return host
    .on(/^echo @@manifest/, (line) => {
      const managed = /sha256sum (.*) 2>\/dev\/null/.exec(line)![1].split(' ');
      const sums = managed.filter((f) => host.files.has(f)).map((f) => `${createHash('sha256').update(host.stored(f)!.content).digest('hex')}  ${f}`);
      const modes = managed.filter((f) => host.files.has(f)).map((f) => `${host.stored(f)!.mode.replace(/^0/, '')} ${f}`);
      const runtime = host.files.has(`${P}/node/bin/node`) && host.files.has(`${P}/lib/dist/bin/vrrpd.js`);
      return {
        stdout: ['@@manifest', host.text(`${P}/.haweb-install.json`) ?? '', '', '@@arch', service.arch ?? 'x86_64', '@@libc', service.libc ?? 'glibc 2.36',
          '@@sums', ...sums, '@@modes', ...modes, '@@runtime', runtime ? 'present' : '',
          '@@service', host.files.has('/etc/init.d/vrrpd') || host.files.has('/etc/systemd/system/vrrpd.service') ? 'installed' : '', service.running ? 'running' : '', service.enabled ? 'enabled' : '',
          ...(service.stray ? ['@@stray', String(service.stray)] : []), ...(service.profile ? ['@@profile', service.profile] : []), ''].join('\n'),
      };
    })
    .on(/tar -xzf .*runtime-upload/, () => {
      host.file(`${P}/lib/dist/bin/vrrpd.js`, 'x');
      return {};
    })
    .on(/^rm -f '?\/usr\/local\/vrrpd\/\.haweb-install\.json'?$|&& rm -f \/usr\/local\/vrrpd\/\.haweb-install\.json 2>&1$/, () => {
      host.files.delete(`${P}/.haweb-install.json`);
      return {};
    });
}

const transfers = (host: FakeHost): string[] => host.log.map((l) => l.replace(/^putFile \S+ /, 'putFile '));

describe('vrrp_service on a fresh host', () => {
  it.each([
    ['Debian', DEBIAN_FACTS, '/etc/default/vrrpd', 'update-rc.d vrrpd defaults && update-rc.d vrrpd enable 2>&1'],
    ['RedHat', RHEL_FACTS, '/etc/sysconfig/vrrpd', 'chkconfig --add vrrpd && chkconfig vrrpd on 2>&1'],
  ])('%s: node, runtime, files, validated config, enable, start', async (_family, facts, defaults, enable) => {
    const host = emulate(new FakeHost('edu-proxy-01'), { running: false, enabled: false });
    const ctx = fakeContext(host, { facts });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), ctx);
    expect(result.failed).toBeUndefined();
    expect(result.changed).toBe(true);
    expect(transfers(host).slice(1)).toEqual([
      `mkdir -p ${P}/sbin ${P}/node/bin && rm -f ${P}/.haweb-install.json 2>&1`,
      `putFile ${P}/node/bin/node`,
      `putFile ${P}/.runtime-upload.tar.gz`,
      expect.stringMatching(/^rm -rf \/usr\/local\/vrrpd\/lib\.new && mkdir -p \/usr\/local\/vrrpd\/lib\.new && tar -xzf .* && mv \/usr\/local\/vrrpd\/lib\.new \/usr\/local\/vrrpd\/lib && /),
      `mkdir -p ${P}/sbin 2>&1`,
      `writeFile ${P}/sbin/vrrpd 0755`,
      'mkdir -p /etc/init.d 2>&1',
      'writeFile /etc/init.d/vrrpd 0755',
      `mkdir -p ${defaults.replace(/\/vrrpd$/, '')} 2>&1`,
      `writeFile ${defaults} 0644`,
      `writeFile ${P}/.haweb-install.json 0644`,
      'mkdir -p /etc/vrrpd && chmod 0700 /etc/vrrpd 2>&1',
      'writeFile /etc/vrrpd/.vrrpd.conf.haweb-new 0600',
      `${P}/sbin/vrrpd -t -f /etc/vrrpd/.vrrpd.conf.haweb-new 2>&1`,
      'mv -f /etc/vrrpd/.vrrpd.conf.haweb-new /etc/vrrpd/vrrpd.conf',
      enable,
      '/etc/init.d/vrrpd start',
    ]);
    expect(host.stored('/etc/vrrpd/vrrpd.conf')).toEqual({ content: Buffer.from(CONF), mode: '0600' });
    expect(host.text(`${P}/sbin/vrrpd`)).toBe(`#!/bin/sh\n# Managed by haweb: runs the VRRP runtime with its own Node.\nexec ${P}/node/bin/node ${P}/lib/dist/bin/vrrpd.js "$@"\n`);
    expect(host.text('/etc/init.d/vrrpd')).toContain(`[ -r '${defaults}' ] && . '${defaults}'`);
    expect(JSON.parse(host.text(`${P}/.haweb-install.json`)!)).toEqual({
      runtime_digest: result.runtime_digest, node: `controller node ${process.version} linux-${process.arch}`,
    });
    expect(ctx.secrets).toEqual(['1111']);

    // Second run: one command, nothing changed.
    const again = emulate(host, { running: true, enabled: true });
    again.log.length = 0;
    const second = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(again, { facts }));
    expect(second).toMatchObject({ changed: false, msg: 'vrrpd is installed, configured and started' });
    expect(again.log).toHaveLength(1);
  });
});

describe('vrrp_service on an installed host', () => {
  async function installed(): Promise<FakeHost> {
    const host = emulate(new FakeHost(), { running: false, enabled: false });
    await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS }));
    return host;
  }

  it('a config change is validated, written and reloaded (no restart, no upload)', async () => {
    const host = emulate(await installed(), { running: true, enabled: true });
    host.log.length = 0;
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF.replace('VI_1', 'VI_2'), runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.changed).toBe(true);
    expect(host.log.some((l) => l.startsWith('putFile'))).toBe(false);
    expect(host.log.at(-1)).toBe('/etc/init.d/vrrpd reload');
    expect(host.text('/etc/vrrpd/vrrpd.conf')).toContain('VI_2');
  });

  it('a config refused by vrrpd -t keeps the old config and does not reload', async () => {
    const host = emulate(await installed(), { running: true, enabled: true }).on(/vrrpd -t -f/, { code: 1, stdout: '/etc/vrrpd/.vrrpd.conf.haweb-new:3:5: unknown keyword "bogus"\n' });
    host.log.length = 0;
    const result = await vrrpService.run(vrrpService.args.parse({ config: 'bogus\n', runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.failed).toBe(true);
    expect(result.msg).toMatch(/^\/etc\/vrrpd\/vrrpd\.conf refused by vrrpd -t \(the old config is kept and the daemon untouched\): .*unknown keyword "bogus"/);
    expect(host.text('/etc/vrrpd/vrrpd.conf')).toBe(CONF);
    expect(host.files.has('/etc/vrrpd/.vrrpd.conf.haweb-new')).toBe(false);
    expect(host.log.some((l) => l.startsWith('/etc/init.d/vrrpd '))).toBe(false);
  });

  it('a new runtime is uploaded and the daemon restarted', async () => {
    const host = emulate(await installed(), { running: true, enabled: true });
    host.file(`${P}/.haweb-install.json`, JSON.stringify({ runtime_digest: 'old', node: `controller node ${process.version} linux-${process.arch}` }));
    host.log.length = 0;
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.changed).toBe(true);
    expect(transfers(host).filter((l) => l.startsWith('putFile'))).toEqual([`putFile ${P}/.runtime-upload.tar.gz`]);
    expect(host.log.at(-1)).toBe('/etc/init.d/vrrpd restart');
  });

  it('check mode reports and changes nothing', async () => {
    const host = emulate(new FakeHost(), { running: false, enabled: false });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS, check: true }));
    expect(result.changed).toBe(true);
    expect(result.msg).toMatch(/^would: runtime not installed; .*start the daemon$/);
    expect(host.log).toHaveLength(1);
  });

  it('check mode with diff: the files it would write as diffs, nothing run, nothing packed', async () => {
    const host = emulate(new FakeHost(), { running: false, enabled: false });
    const ctx = fakeContext(host, { facts: DEBIAN_FACTS, check: true, diff: true });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), ctx);
    expect(result.changed).toBe(true);
    expect((result.diff ?? []).map((d) => d.afterHeader)).toEqual([
      `${P}/sbin/vrrpd (after)`,
      '/etc/init.d/vrrpd (after)',
      '/etc/default/vrrpd (after)',
      '/etc/vrrpd/vrrpd.conf (after)',
    ]);
    expect(host.log).toHaveLength(1);
    expect(ctx.progressLog).toEqual([]);
  });

  it('sysvinit: a failing update-rc.d is named with its output, and the daemon is not started', async () => {
    const host = emulate(new FakeHost(), { running: false, enabled: false }).on(/^update-rc\.d /, { code: 1, stdout: 'update-rc.d: error: no LSB header\n' });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result).toMatchObject({ changed: true, failed: true, msg: 'enabling vrrpd at boot failed: update-rc.d: error: no LSB header' });
    expect(result.rc).toBeUndefined();
    expect(host.log.some((l) => l.startsWith('/etc/init.d/vrrpd '))).toBe(false);
  });

  it('a host the controller node cannot run on, without node_tarball: a clear error', async () => {
    const host = emulate(new FakeHost('arm-box'), { running: false, enabled: false, arch: 'aarch64' });
    const result = await vrrpService.run(
      vrrpService.args.parse({ config: CONF, runtime_root: root }),
      fakeContext(host, { facts: { ...DEBIAN_FACTS, ansible_architecture: 'aarch64' } }),
    );
    expect(result.failed).toBe(true);
    expect(result.msg).toMatch(/arm-box: cannot run the controller's Node here .*Pass node_tarball/);
  });
});

/** The host-profile probe's output on a Rocky 9 host (see @haweb/hostkit's fixtures for the sources). */
const ROCKY9_PROFILE = ['id=rocky', 'version=9.4', 'init=systemd', 'tool=restorecon', 'tool=firewall-cmd', 'firewalld=running', 'run=yes', 'selinux=Enforcing', 'glibc=glibc 2.34'].join('\n');

describe('vrrp_service on a systemd host (Rocky 9 facts)', () => {
  it('a native unit instead of an init script; labels restored; daemon-reload, enable, start through systemctl', async () => {
    const host = emulate(new FakeHost('lb1'), { running: false, enabled: false, libc: 'glibc 2.34', profile: ROCKY9_PROFILE });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(result.failed).toBeUndefined();
    expect(host.files.has('/etc/init.d/vrrpd')).toBe(false);
    expect(host.log.slice(1).some((l) => /init\.d/.test(l))).toBe(false); // only the probe looks there
    const unit = host.text('/etc/systemd/system/vrrpd.service')!;
    expect(unit).toContain(`ExecStart=${P}/sbin/vrrpd --dont-fork -f /etc/vrrpd/vrrpd.conf -p /run/vrrpd.pid $VRRPD_OPTIONS\n`);
    expect(unit).toContain('Restart=on-failure\n');
    expect(unit).toContain('KillMode=process\n');
    expect(unit).toContain('EnvironmentFile=-/etc/sysconfig/vrrpd\n');
    // Stops before rc-local.service (where rc.local's nginx lives) at shutdown.
    expect(unit).toContain('After=rc-local.service\n');
    expect(host.log.slice(-6)).toEqual([
      'mv -f /etc/vrrpd/.vrrpd.conf.haweb-new /etc/vrrpd/vrrpd.conf',
      `restorecon -F -- ${P}/sbin/vrrpd /etc/systemd/system/vrrpd.service /etc/sysconfig/vrrpd /etc/vrrpd/vrrpd.conf`,
      `restorecon -R -F -- ${P}`,
      'systemctl daemon-reload',
      'systemctl enable vrrpd.service',
      'systemctl start vrrpd.service',
    ]);
  });

  it('a vrrpd started by an init script outside systemd is stopped by its PID, then systemd starts the unit', async () => {
    const host = emulate(new FakeHost('lb1'), { running: false, enabled: false, libc: 'glibc 2.34', profile: ROCKY9_PROFILE });
    await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: RHEL_FACTS }));
    const again = emulate(host, { running: false, enabled: true, libc: 'glibc 2.34', profile: ROCKY9_PROFILE, stray: 4242 });
    again.log.length = 0;
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(again, { facts: RHEL_FACTS }));
    expect(result.changed).toBe(true);
    expect(again.log.at(-2)).toMatch(/^if tr .*\/proc\/4242\/cmdline .*grep -qF -- '\/usr\/local\/vrrpd\/'; then kill -TERM 4242; /);
    expect(again.log.at(-1)).toBe('systemctl start vrrpd.service');
    expect(again.log.some((l) => /pkill|killall|init\.d\/vrrpd stop/.test(l))).toBe(false);
  });

  it('glibc older than 2.28 (CentOS 7): refused from the facts before anything changes, naming the keepalived engine', async () => {
    const host = emulate(new FakeHost('lb1'), { running: false, enabled: false, libc: 'glibc 2.17', profile: ROCKY9_PROFILE.replace('id=rocky\nversion=9.4', 'id=centos\nversion=7') });
    const result = await vrrpService.run(vrrpService.args.parse({ config: CONF, runtime_root: root }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(result).toMatchObject({ failed: true, changed: false });
    expect(result.msg).toMatch(/^lb1: vrrpd cannot run here: .*glibc 2\.17.*keepalived engine \(ha_engine=keepalived\)/);
    expect(host.log).toHaveLength(1);
  });
});
