/**
 * keepalived 2.2.7 (the version Debian's source archive carries) from source on a real lab host, the
 * seed's section 5 as modules: build with --prefix=/usr/local/keepalived, our LSB init script (the
 * tarball's only sysv script needs Red Hat's /etc/rc.d/init.d/functions), /etc/default/keepalived,
 * the /usr/sbin link, update-rc.d, keepalived.conf (0600) validated with `keepalived -t`, start,
 * reload, idempotence, and a reboot that brings keepalived (and the VIP) back from the init script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepalivedConfig, keepalivedService, keepalivedSource } from '../../src/index.js';
import { openLabHost, type LabHost } from '../../../nginx/test/support/lab-host.js';
import { INSTALLER_LAB, installerLab, releaseInstallerLab, type LabApi } from '../../../nginx/test/integration/private-lab.js';

const HOST = 'edu-proxy-02';
let lab: LabApi;
let host: LabHost;
let tarball: string;
let vip: string;

function seedConfig(priority: number): string {
  return `! Managed by haweb (test)
global_defs {
    router_id ${HOST}
}

vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

async function vipPresent(): Promise<boolean> {
  const out = await host.sh('ip -4 -o addr show dev eth1');
  return out.includes(` ${vip}/`);
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

beforeAll(async () => {
  const env = await installerLab();
  lab = env.lab;
  tarball = env.sources.keepalived;
  // The test VIP: .60 of the private lab's subnet (the lab's own VIP .50 is left to playbooks).
  vip = env.state.hosts[0].address.replace(/\.\d+$/, '.60');
  host = await openLabHost(env.state, HOST);
  await host.sh(
    'if [ -x /etc/init.d/keepalived ]; then /etc/init.d/keepalived stop; update-rc.d -f keepalived remove; fi; ' +
      'rm -rf /usr/local/keepalived /usr/local/src/keepalived-* /etc/init.d/keepalived /etc/default/keepalived /usr/sbin/keepalived /etc/keepalived',
  );
}, 900_000);

afterAll(async () => {
  // Leave no VRRP speaker behind for the next test file.
  await host?.try('/etc/init.d/keepalived stop');
  await host?.close();
  await releaseInstallerLab(lab);
}, 120_000);

describe(`keepalived_source on ${INSTALLER_LAB}/${HOST}`, () => {
  it('a fresh host: builds, installs the init script, defaults, link, and enables it at boot', async () => {
    const result = await host.run(keepalivedSource, { src: tarball });
    expect(result.failed, String(result.msg)).toBeFalsy();
    expect(result.changed).toBe(true);
    expect(result.msg).toMatch(
      /^built keepalived 2\.2\.7 into \/usr\/local\/keepalived in \d+ s \(not installed\); wrote \/etc\/init\.d\/keepalived; wrote \/etc\/default\/keepalived; linked \/usr\/sbin\/keepalived → \/usr\/local\/keepalived\/sbin\/keepalived; created \/etc\/keepalived; enabled keepalived at boot \(update-rc\.d\)$/,
    );
    expect(await host.sh('/usr/sbin/keepalived -v 2>&1 | grep -E "^(Keepalived|configure options)"')).toBe(
      'Keepalived v2.2.7 (01/16,2022)\nconfigure options: --prefix=/usr/local/keepalived\n',
    );
    expect(await host.sh('readlink /usr/sbin/keepalived; stat -c %a /etc/init.d/keepalived; ls /etc/rc2.d | grep keepalived; cat /etc/default/keepalived | tail -1')).toMatch(
      /^\/usr\/local\/keepalived\/sbin\/keepalived\n755\nS\d\dkeepalived\nKEEPALIVED_OPTIONS=-D\n$/,
    );
    expect(await host.try('test -d /etc/keepalived')).toMatchObject({ code: 0 });
  });

  it('the second run changes nothing, quickly', async () => {
    const t0 = Date.now();
    expect(await host.run(keepalivedSource, { src: tarball })).toMatchObject({ changed: false });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a changed configure argument would rebuild (check mode)', async () => {
    const check = await host.run(keepalivedSource, { src: tarball, configure_args: ['--disable-lvs'] }, { check: true });
    expect(check).toMatchObject({ changed: true });
    expect(check.msg).toMatch(/^would build keepalived 2\.2\.7 \(configure arguments differ: installed "--prefix=\/usr\/local\/keepalived", declared "--prefix=\/usr\/local\/keepalived --disable-lvs"\)/);
  });
});

describe('keepalived config, service and boot', () => {
  it('config written 0600 after keepalived -t, started, holds the VIP', async () => {
    const conf = await host.run(keepalivedConfig, { content: seedConfig(100) });
    expect(conf).toMatchObject({ changed: true, msg: 'validated and wrote /etc/keepalived/keepalived.conf' });
    expect(await host.sh('stat -c %a /etc/keepalived/keepalived.conf')).toBe('600\n');
    expect(await host.run(keepalivedService, { state: 'started' })).toMatchObject({ changed: true, msg: 'keepalived: start' });
    expect(await waitFor(vipPresent, 8_000)).toBe(true);
    expect(await host.try('/etc/init.d/keepalived status')).toMatchObject({ code: 0 });
  });

  it('again: changed=0', async () => {
    expect(await host.run(keepalivedConfig, { content: seedConfig(100) })).toMatchObject({ changed: false });
    expect(await host.run(keepalivedService, { state: 'started' })).toMatchObject({ changed: false });
  });

  it('a bad config is refused by keepalived -t; the old file stays and keepalived keeps running', async () => {
    const before = await host.sh('cat /etc/keepalived/keepalived.conf /run/keepalived.pid');
    const bad = await host.run(keepalivedConfig, { content: seedConfig(100).replace('virtual_router_id 61', 'virtual_router_id 999') });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toMatch(/refused by validation \(the old file is kept\)/);
    expect(await host.sh('cat /etc/keepalived/keepalived.conf /run/keepalived.pid')).toBe(before);
    expect(await vipPresent()).toBe(true);
  });

  it('a config change is applied by a reload (same pid)', async () => {
    const pid = await host.sh('cat /run/keepalived.pid');
    expect(await host.run(keepalivedConfig, { content: seedConfig(110) })).toMatchObject({ changed: true });
    expect(await host.run(keepalivedService, { state: 'reloaded' })).toMatchObject({ changed: true, msg: 'keepalived: reload' });
    expect(await host.sh('cat /run/keepalived.pid')).toBe(pid);
    expect(await waitFor(vipPresent, 5_000)).toBe(true);
  });

  it('lab reboot: keepalived comes back from its init script and takes the VIP', async () => {
    await host.close();
    await lab.rebootHost(INSTALLER_LAB, HOST, (m) => process.stderr.write(`reboot: ${m}\n`));
    const env = await installerLab();
    host = await openLabHost(env.state, HOST);
    expect(await waitFor(async () => (await host.try('/etc/init.d/keepalived status')).code === 0, 10_000)).toBe(true);
    expect(await waitFor(vipPresent, 10_000)).toBe(true);
  }, 300_000);
});
