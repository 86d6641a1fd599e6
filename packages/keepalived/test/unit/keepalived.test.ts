import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '@haweb/hostkit';
import { keepalivedConfig, keepalivedLinks, keepalivedService, keepalivedServiceFiles, keepalivedSource, linkScript, parseKeepalivedV } from '../../src/index.js';
import { DEBIAN_FACTS, FakeHost, RHEL_FACTS, fakeContext } from '@haweb/hostkit/testing';

// What Debian's keepalived 2.2.7 prints (shortened), and what our source build prints.
const DEBIAN_V = `Keepalived v2.2.7 (01/16,2022)

Copyright(C) 2001-2022 Alexandre Cassen, <acassen@gmail.com>

Built with kernel headers for Linux 5.19.11
Running on Linux 6.1.0 #1 SMP PREEMPT_DYNAMIC
Distro: Debian GNU/Linux 12 (bookworm)

configure options: --build=x86_64-linux-gnu --prefix=/usr --sysconfdir=/etc --with-init=systemd CFLAGS=-g -O2

Config options:  LVS VRRP VRRP_AUTH
`;
const OURS_V = 'Keepalived v2.2.7 (01/16,2022)\n\nconfigure options: --prefix=/usr/local/keepalived\n\nConfig options:  LVS VRRP\n';

describe('parseKeepalivedV', () => {
  it('reads version and configure options', () => {
    expect(parseKeepalivedV(OURS_V)).toEqual({ version: '2.2.7', configureArgs: ['--prefix=/usr/local/keepalived'] });
    expect(parseKeepalivedV(DEBIAN_V)).toEqual({
      version: '2.2.7',
      configureArgs: ['--build=x86_64-linux-gnu', '--prefix=/usr', '--sysconfdir=/etc', '--with-init=systemd', 'CFLAGS=-g', '-O2'],
    });
    expect(parseKeepalivedV('Keepalived v1.2.18 (06/20,2015)\n')).toEqual({ version: '1.2.18', configureArgs: [] });
    expect(parseKeepalivedV('bash: keepalived: command not found')).toBeUndefined();
  });
});

const layout = { prefix: '/usr/local/keepalived', configFile: '/etc/keepalived/keepalived.conf', pidFile: '/run/keepalived.pid', options: '-D' };

describe('service files per family', () => {
  it.each([
    ['RedHat', '/etc/sysconfig/keepalived'],
    ['Debian', '/etc/default/keepalived'],
  ] as const)('%s', (family, defaults) => {
    const files = keepalivedServiceFiles(family, layout);
    expect(files.map((f) => [f.path, f.mode])).toEqual([['/etc/init.d/keepalived', '0755'], [defaults, '0644']]);
    expect(files[0].content).toContain(`[ -r '${defaults}' ] && . '${defaults}'`);
    expect(files[0].content).toContain(`"$DAEMON" $KEEPALIVED_OPTIONS -f /etc/keepalived/keepalived.conf -p /run/keepalived.pid`);
    expect(files[0].content).toContain("DAEMON='/usr/local/keepalived/sbin/keepalived'");
    expect(files[1].content).toContain('KEEPALIVED_OPTIONS=-D\n');
  });
  it('links /usr/sbin/keepalived, never over a real file', () => {
    expect(keepalivedLinks('/usr/local/keepalived')).toEqual([{ link: '/usr/sbin/keepalived', target: '/usr/local/keepalived/sbin/keepalived' }]);
    expect(linkScript('/usr/sbin/keepalived', '/usr/local/keepalived/sbin/keepalived')).toBe(
      'if [ -e /usr/sbin/keepalived ] && [ ! -L /usr/sbin/keepalived ]; then echo "/usr/sbin/keepalived exists and is not a link: remove the distro package first" >&2; exit 1; fi; ln -sfn /usr/local/keepalived/sbin/keepalived /usr/sbin/keepalived',
    );
  });
});

/** Answers the service probe from the fake host's files, as the real script would. */
function probeReply(host: FakeHost, extra: string): (line: string) => { stdout: string } {
  return (line) => {
    const files = [...line.matchAll(/echo "file (\S+) /g)].map((m) => m[1]);
    const out = files.map((f) => {
      const file = host.stored(f);
      return file ? `file ${f} ${createHash('sha256').update(file.content).digest('hex')} ${file.mode.replace(/^0/, '')}` : `file ${f}  `;
    });
    return { stdout: `${out.join('\n')}\n${extra}` };
  };
}

function tarball(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ka-src-'));
  const file = join(dir, 'keepalived_2.2.7.orig.tar.gz');
  writeFileSync(file, 'keepalived source');
  return file;
}

describe('keepalived_source planned from RHEL facts', () => {
  it('builds, then installs init script, sysconfig, link, /etc/keepalived and chkconfig', async () => {
    const src = tarball();
    const sha = await sha256File(src);
    let built = false;
    const host = new FakeHost()
      .on(/@@haweb-marker/, () => ({ stdout: built ? `${OURS_V}@@haweb-marker\n${JSON.stringify({ product: 'keepalived', version: '2.2.7', configure_args: ['--prefix=/usr/local/keepalived'], tarball_sha256: sha })}` : '@@haweb-marker\n' }))
      .on(/^rpm -q .* -- gcc make openssl-devel libnl3-devel/, { stdout: 'gcc\t11.4.1\nmake\t4.3\nopenssl-devel\t3.0.7\nlibnl3-devel\t3.7.0\n' })
      .on(/make install/, () => {
        built = true;
        return {};
      })
      ;
    host.on(/^echo "file/, probeReply(host, 'link \n'));
    const ctx = fakeContext(host, { facts: RHEL_FACTS });
    const result = await keepalivedSource.run(keepalivedSource.args.parse({ src }), ctx);
    expect(result.failed).toBeUndefined();
    expect(result.changed).toBe(true);
    const after = host.log.slice(host.log.indexOf('writeFile /usr/local/keepalived/.haweb-build.json 0644'));
    expect(after.filter((l) => !l.includes('@@haweb-marker'))).toEqual([
      'writeFile /usr/local/keepalived/.haweb-build.json 0644',
      expect.stringMatching(
        /^echo "file \/etc\/init\.d\/keepalived \$\(sha256sum \/etc\/init\.d\/keepalived .*echo "file \/etc\/sysconfig\/keepalived .*echo "link \$\(readlink \/usr\/sbin\/keepalived 2>\/dev\/null\)"; test -d \/etc\/keepalived && echo confdir; if \[ -d \/run\/systemd\/system \]; then systemctl is-enabled --quiet keepalived\.service .*grep -qx 'S\[0-9\]\[0-9\]\*keepalived'; fi && echo enabled; true$/,
      ),
      'stat -c %a /etc/init.d/keepalived',
      'mkdir -p /etc/init.d',
      'writeFile /etc/init.d/keepalived 0755',
      'stat -c %a /etc/sysconfig/keepalived',
      'mkdir -p /etc/sysconfig',
      'writeFile /etc/sysconfig/keepalived 0644',
      '{ if [ -e /usr/sbin/keepalived ] && [ ! -L /usr/sbin/keepalived ]; then echo "/usr/sbin/keepalived exists and is not a link: remove the distro package first" >&2; exit 1; fi; ln -sfn /usr/local/keepalived/sbin/keepalived /usr/sbin/keepalived && mkdir -p /etc/keepalived && chmod 0755 /etc/keepalived && chkconfig --add keepalived && chkconfig keepalived on; } 2>&1',
    ]);
    expect(host.log).toContain('cd /usr/local/src/keepalived-2.2.7 && ./configure --prefix=/usr/local/keepalived 2>&1');
  });

  it('Debian, everything in place: changed=0', async () => {
    const src = tarball();
    const sha = await sha256File(src);
    const host = new FakeHost()
      .on(/@@haweb-marker/, { stdout: `${OURS_V}@@haweb-marker\n${JSON.stringify({ product: 'keepalived', version: '2.2.7', configure_args: ['--prefix=/usr/local/keepalived'], tarball_sha256: sha })}` })
      ;
    host.on(/^echo "file/, probeReply(host, 'link /usr/local/keepalived/sbin/keepalived\nconfdir\nenabled\n'));
    for (const f of keepalivedServiceFiles('Debian', layout)) host.file(f.path, f.content, f.mode);
    const result = await keepalivedSource.run(keepalivedSource.args.parse({ src }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result.changed).toBe(false);
    expect(host.commands.some((c) => /update-rc\.d|ln -s|make/.test(c))).toBe(false);
    expect(host.log).toHaveLength(2); // the build fact and the service probe: a no-op is two round trips
  });
});

describe('keepalived_source on a systemd host (Rocky 9 facts: systemd 252, SELinux enforcing)', () => {
  const PROFILE = '@@profile\nid=rocky\nversion=9.4\ninit=systemd\nrun=yes\nselinux=Enforcing\n@@end\n';
  it('runs from the unit make install put in place, with a drop-in carrying the declared options; no init script', async () => {
    const src = tarball();
    const sha = await sha256File(src);
    const host = new FakeHost()
      .on(/@@haweb-marker/, { stdout: `${OURS_V}@@haweb-marker\n${JSON.stringify({ product: 'keepalived', version: '2.2.7', configure_args: ['--prefix=/usr/local/keepalived'], tarball_sha256: sha })}` });
    host.on(/^echo "file/, probeReply(host, `${PROFILE}link \n`));
    const result = await keepalivedSource.run(keepalivedSource.args.parse({ src }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(result.failed).toBeUndefined();
    expect(host.files.has('/etc/init.d/keepalived')).toBe(false);
    expect(host.text('/etc/sysconfig/keepalived')).toContain("KEEPALIVED_OPTIONS='-f /etc/keepalived/keepalived.conf -p /run/keepalived.pid -D'\n");
    expect(host.text('/etc/systemd/system/keepalived.service.d/haweb.conf')).toBe(
      '# Managed by haweb: run with the options and pid file the playbook declares.\n[Unit]\n# Stops before rc-local.service at shutdown (systemd stops in reverse start order).\nAfter=rc-local.service\n[Service]\nEnvironmentFile=\nEnvironmentFile=-/etc/sysconfig/keepalived\nPIDFile=/run/keepalived.pid\n',
    );
    const script = host.commands.at(-1)!;
    expect(script).toMatch(/ln -sfn \/usr\/local\/keepalived\/sbin\/keepalived \/usr\/sbin\/keepalived && /);
    // A copy, not `systemctl link`: disabling a linked unit (the playbook's switch to vrrpd) removes it.
    expect(script).toContain(
      'then rm -f /etc/systemd/system/keepalived.service && install -m 0644 /usr/local/keepalived/lib/systemd/system/keepalived.service /etc/systemd/system/keepalived.service; else',
    );
    expect(script).toContain(' && systemctl daemon-reload && systemctl enable keepalived.service && ');
    expect(script).toContain('restorecon -F -- /etc/sysconfig/keepalived /etc/systemd/system/keepalived.service.d/haweb.conf /etc/systemd/system/keepalived.service /usr/sbin/keepalived && restorecon -R -F -- /usr/local/keepalived');
    expect(script).not.toMatch(/update-rc\.d|chkconfig|init\.d/);
  });
});

describe('keepalived_service through the host service manager', () => {
  it('systemd: a keepalived its init script started over SSH is stopped by PID, then the unit is started', async () => {
    const host = new FakeHost().on(/^n='?keepalived'?\n/, {
      stdout: 'manager=systemd\nexists=yes\nstatus_rc=3\nenabled_state=enabled\nstray_pid=4242\nstray_cmd=/usr/local/keepalived/sbin/keepalived -f /etc/keepalived/keepalived.conf -D\n',
    });
    const result = await keepalivedService.run(keepalivedService.args.parse({ state: 'started' }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(result).toMatchObject({ changed: true, msg: 'keepalived: stop PID 4242 (started outside systemd), start' });
    expect(host.commands.at(-1)).toMatch(/^sh -c .*kill -TERM 4242.* && systemctl start -- keepalived\.service$/);
  });
});

describe('keepalived_config', () => {
  it('validates the candidate with keepalived -t, writes 0600, masks auth_pass', async () => {
    const host = new FakeHost();
    const ctx = fakeContext(host, { facts: DEBIAN_FACTS });
    const content = 'vrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n    auth_pass s3cret\n  }\n}\n';
    const result = await keepalivedConfig.run(keepalivedConfig.args.parse({ content }), ctx);
    expect(result.changed).toBe(true);
    expect(host.log).toContain('/usr/local/keepalived/sbin/keepalived -l -t -f /etc/keepalived/.keepalived.conf.haweb-new 2>&1');
    expect(host.stored('/etc/keepalived/keepalived.conf')).toEqual({ content: Buffer.from(content), mode: '0600' });
    expect(ctx.secrets).toEqual(['s3cret']);
  });
  it('a refused config leaves the old one', async () => {
    const host = new FakeHost().file('/etc/keepalived/keepalived.conf', 'old\n', '0600').on(/keepalived -l -t/, { code: 1, stdout: 'Unknown keyword bogus\n' });
    const result = await keepalivedConfig.run(keepalivedConfig.args.parse({ content: 'bogus\n' }), fakeContext(host, { facts: DEBIAN_FACTS }));
    expect(result).toMatchObject({ failed: true, changed: false });
    expect(host.text('/etc/keepalived/keepalived.conf')).toBe('old\n');
  });
  it('needs exactly one of content and src', async () => {
    const result = await keepalivedConfig.run(keepalivedConfig.args.parse({}), fakeContext(new FakeHost()));
    expect(result).toMatchObject({ failed: true, msg: 'keepalived_config needs exactly one of content or src' });
  });
});

describe('keepalived_service', () => {
  it.each([
    ['started', 'manager=sysv\nexists=yes\nstatus_rc=3\n', '/etc/init.d/keepalived start'],
    ['reloaded', 'manager=sysv\nexists=yes\nstatus_rc=0\nboot_tool=chkconfig\nchkconfig: keepalived 0:off 1:off 2:on 3:on 4:on 5:on 6:off\n', '/etc/init.d/keepalived reload'],
    ['started', 'manager=sysv\nexists=yes\nstatus_rc=0\n', undefined],
  ] as const)('%s with status %j', async (state, status, command) => {
    const host = new FakeHost().on(/^n='?keepalived'?\n/, { stdout: status });
    const result = await keepalivedService.run(keepalivedService.args.parse({ state }), fakeContext(host, { facts: RHEL_FACTS }));
    expect(result.changed).toBe(command !== undefined);
    expect(host.commands.slice(1)).toEqual(command ? [command] : []);
  });
  it('fails clearly when the init script is missing', async () => {
    const result = await keepalivedService.run(keepalivedService.args.parse({}), fakeContext(new FakeHost(), { facts: RHEL_FACTS }));
    expect(result).toMatchObject({ failed: true, msg: '/etc/init.d/keepalived is not installed' });
  });
});
