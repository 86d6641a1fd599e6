/**
 * vrrp_service on real lab hosts (the installers' private lab `inst`): the packed runtime and the
 * controller's Node installed under /usr/local/vrrpd, the config validated with `vrrpd -t` on the
 * host, the LSB init script enabled with update-rc.d, the pair electing a master and holding the VIP,
 * changed=0 on re-runs, reload on a config change, refusal of a bad config, restart on a runtime
 * upgrade, and a reboot that brings the daemon back from its init script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vrrpService } from '../../src/installer/index.js';
import { openLabHost, type LabHost } from '../../../nginx/test/support/lab-host.js';
import { INSTALLER_LAB, installerLab, releaseInstallerLab, type LabApi } from '../../../nginx/test/integration/private-lab.js';

let lab: LabApi;
let hosts: LabHost[] = [];
let vip: string;

const PRIORITY: Record<string, number> = { 'edu-proxy-01': 100, 'edu-proxy-02': 90 };

function config(name: string, priority = PRIORITY[name]): string {
  return `! vrrpd test config (installer integration)
global_defs {
    router_id ${name}
}

vrrp_instance VI_1 {
    state ${priority >= 100 ? 'MASTER' : 'BACKUP'}
    interface eth1
    virtual_router_id 62
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

async function hasVip(host: LabHost): Promise<boolean> {
  return (await host.sh('ip -4 -o addr show dev eth1')).includes(` ${vip}/`);
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

const pidOf = (host: LabHost): Promise<string> => host.sh('cat /run/vrrpd.pid');

beforeAll(async () => {
  const env = await installerLab();
  lab = env.lab;
  vip = env.state.hosts[0].address.replace(/\.\d+$/, '.61');
  hosts = await Promise.all(['edu-proxy-01', 'edu-proxy-02'].map((h) => openLabHost(env.state, h)));
  for (const host of hosts) {
    await host.sh(
      'if [ -x /etc/init.d/vrrpd ]; then /etc/init.d/vrrpd stop; update-rc.d -f vrrpd remove; fi; ' +
        'rm -rf /usr/local/vrrpd /etc/vrrpd /etc/init.d/vrrpd /etc/default/vrrpd',
    );
  }
}, 600_000);

afterAll(async () => {
  for (const host of hosts) {
    await host.try('/etc/init.d/vrrpd stop');
    await host.close();
  }
  await releaseInstallerLab(lab);
}, 120_000);

describe(`vrrp_service on ${INSTALLER_LAB}`, () => {
  it('fresh hosts: installed, validated, enabled, started; the master holds the VIP', async () => {
    for (const host of hosts) {
      const result = await host.run(vrrpService, { config: config(host.name) });
      expect(result.failed, `${host.name}: ${String(result.msg)}`).toBeFalsy();
      expect(result.changed).toBe(true);
      expect(result.msg).toMatch(/^runtime not installed; .*not enabled at boot; start the daemon$/);
      expect(await host.sh('/etc/init.d/vrrpd status; ls /etc/rc2.d | grep vrrpd; stat -c %a /etc/vrrpd/vrrpd.conf')).toMatch(/^vrrpd is running \(pid \d+\)\nS\d\dvrrpd\n600\n$/);
      expect(await host.sh('/usr/local/vrrpd/node/bin/node --version')).toBe(`${process.version}\n`);
    }
    expect(await waitFor(() => hasVip(hosts[0]), 10_000)).toBe(true);
    expect(await hasVip(hosts[1])).toBe(false);
  }, 300_000);

  it('a second run changes nothing, in well under a second per host', async () => {
    for (const host of hosts) {
      const t0 = Date.now();
      const result = await host.run(vrrpService, { config: config(host.name) });
      const ms = Date.now() - t0;
      expect(result).toMatchObject({ changed: false });
      expect(ms).toBeLessThan(1_500);
    }
  });

  it('a config change is validated, written and applied with a reload (same pid, no switchover)', async () => {
    const backup = hosts[1];
    const pid = await pidOf(backup);
    const result = await backup.run(vrrpService, { config: config(backup.name, 95) });
    expect(result).toMatchObject({ changed: true });
    expect(result.msg).toBe('/etc/vrrpd/vrrpd.conf differs; reload the daemon');
    expect(await pidOf(backup)).toBe(pid);
    expect(await backup.sh('grep priority /etc/vrrpd/vrrpd.conf')).toContain('priority 95');
    expect(await hasVip(hosts[0])).toBe(true);
  });

  it('a bad config is refused by vrrpd -t; the old config stays and the daemon is untouched', async () => {
    const master = hosts[0];
    const before = await master.sh('cat /etc/vrrpd/vrrpd.conf /run/vrrpd.pid');
    const bad = await master.run(vrrpService, { config: config(master.name).replace('virtual_router_id 62', 'virtual_router_id 300') });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toMatch(/^\/etc\/vrrpd\/vrrpd\.conf refused by vrrpd -t \(the old config is kept and the daemon untouched\): .*virtual_router_id/s);
    expect(await master.sh('cat /etc/vrrpd/vrrpd.conf /run/vrrpd.pid')).toBe(before);
    expect(await hasVip(master)).toBe(true);
  });

  it('a runtime upgrade (different checksum) is installed and the daemon restarted', async () => {
    const master = hosts[0];
    const pid = await pidOf(master);
    // What an older install looks like: the same files under another recorded runtime checksum.
    await master.sh(`sed -i 's/"runtime_digest": "[0-9a-f]*"/"runtime_digest": "${'0'.repeat(64)}"/' /usr/local/vrrpd/.haweb-install.json`);
    const result = await master.run(vrrpService, { config: config(master.name) });
    expect(result.changed).toBe(true);
    expect(result.msg).toMatch(/^runtime 000000000000 → [0-9a-f]{12}; restart the daemon$/);
    expect(await pidOf(master)).not.toBe(pid);
    expect(await waitFor(() => hasVip(master), 10_000)).toBe(true);
    expect(await master.run(vrrpService, { config: config(master.name) })).toMatchObject({ changed: false });
  }, 120_000);

  it('lab reboot: vrrpd comes back from its init script and the master takes the VIP back', async () => {
    const name = hosts[0].name;
    await hosts[0].close();
    await lab.rebootHost(INSTALLER_LAB, name, (m) => process.stderr.write(`reboot: ${m}\n`));
    const env = await installerLab();
    hosts[0] = await openLabHost(env.state, name);
    expect(await waitFor(async () => (await hosts[0].try('/etc/init.d/vrrpd status')).code === 0, 15_000)).toBe(true);
    expect(await waitFor(() => hasVip(hosts[0]), 15_000)).toBe(true);
    expect(await waitFor(async () => !(await hasVip(hosts[1])), 5_000)).toBe(true);
  }, 300_000);
});
