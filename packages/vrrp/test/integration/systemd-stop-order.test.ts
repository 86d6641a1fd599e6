/**
 * On a systemd host a graceful reboot stops vrrpd before rc-local.service, where the seed's rc.local
 * runs nginx: the VIP is handed over (vrrpd's stop path) while nginx still answers. On a lab of its
 * own (`fo2`, 198.18.20.0/24: RFC 2544's benchmarking range), one systemd host: vrrpd installed by
 * vrrp_service (its native unit), a stand-in for nginx started by rc.local that writes, the moment
 * systemd sends it SIGTERM at shutdown, whether vrrpd was still running and whether the host still held
 * the VIP; then `systemctl reboot` through the host's own systemd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vrrpService } from '../../src/installer/index.js';
import { openLabHost, type LabHost } from '../../../nginx/test/support/lab-host.js';

const LAB = 'fo2';
const SUBNET = '198.18.20.0/24';
const HOST = 'edu-proxy-01';
const RECORD = '/var/lib/haweb-stop-order';

interface LabState {
  name: string;
  vip: string;
  hosts: { name: string; address: string }[];
  paths: { privateKey: string; knownHosts: string };
}
interface LabApi {
  labUp(o: { name: string; subnet: string; hosts: number; kind: { init: 'systemd' }; log?: (m: string) => void }): Promise<LabState>;
  labDown(name: string): Promise<unknown>;
  labStatus(name: string): Promise<{ hosts: { boots: number; booted: boolean; ssh: boolean }[] }>;
}

let lab: LabApi;
let state: LabState;
let host: LabHost;
let vip: string;

const CONFIG = (address: string) => `! vrrpd: stop order at shutdown (systemd)
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 63
    priority 100
    advert_int 1
    virtual_ipaddress {
        ${address}
    }
}
`;

/**
 * rc.local's stand-in for nginx: a process in rc-local.service's cgroup that, on the SIGTERM systemd
 * sends at shutdown, records what it sees (its boot, vrrpd alive or not, the VIP on eth1 or not).
 */
const RC_LOCAL = (address: string) => `#!/bin/sh -e
# haweb test: a stand-in for nginx (the seed starts nginx from rc.local).
setsid sh -c '
  b=$(cat /proc/sys/kernel/random/boot_id)
  record() {
    p=$(cat /run/vrrpd.pid 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then v=running; else v=stopped; fi
    if ip -4 -o addr show dev eth1 | grep -q " ${address}/"; then a=held; else a=released; fi
    echo "boot=$b vrrpd=$v vip=$a" > ${RECORD}.tmp && mv -f ${RECORD}.tmp ${RECORD}
    exit 0
  }
  trap record TERM
  while :; do sleep 1 & wait $!; done
' </dev/null >/dev/null 2>&1 &
exit 0
`;

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond().catch(() => false);
}

beforeAll(async () => {
  const spec = '@haweb/lab';
  lab = (await import(spec)) as LabApi;
  await lab.labDown(LAB);
  state = await lab.labUp({ name: LAB, subnet: SUBNET, hosts: 1, kind: { init: 'systemd' }, log: (m) => process.stderr.write(`lab ${LAB}: ${m}\n`) });
  vip = state.vip;
  host = await openLabHost(state, HOST);
}, 900_000);

afterAll(async () => {
  await host?.close();
  await lab?.labDown(LAB);
}, 120_000);

describe('vrrpd on a systemd host stops before rc-local.service', () => {
  it('vrrp_service installs a unit ordered after rc-local.service; vrrpd holds the VIP and the stand-in for nginx runs in rc-local.service', async () => {
    const result = await host.run(vrrpService, { config: CONFIG(vip) });
    expect(result.failed, String(result.msg)).toBeFalsy();
    expect(await host.sh('systemctl show -p After --value vrrpd.service')).toMatch(/(^|\s)rc-local\.service(\s|$)/);
    expect((await host.sh('systemctl is-active vrrpd.service')).trim()).toBe('active');
    expect(await waitFor(async () => (await host.sh('ip -4 -o addr show dev eth1')).includes(` ${vip}/`), 15_000)).toBe(true);

    await host.sh(`cat > /etc/rc.local <<'EOF'\n${RC_LOCAL(vip)}EOF\nchmod 755 /etc/rc.local; rm -f ${RECORD}; systemctl daemon-reload; systemctl restart rc-local.service`);
    expect((await host.sh('systemctl is-active rc-local.service')).trim()).toBe('active');
    // The stand-in lives in rc-local.service's cgroup, as rc.local's nginx does.
    expect(await host.sh('for p in $(pgrep -f "trap record TERM"); do cat /proc/$p/cgroup; done')).toContain('rc-local.service');
  }, 300_000);

  it('`systemctl reboot`: when rc-local.service is stopped, vrrpd has already exited and given the VIP up', async () => {
    const boot = (await host.sh('cat /proc/sys/kernel/random/boot_id')).trim();
    const before = (await lab.labStatus(LAB)).hosts[0].boots;
    await host.try('systemctl reboot').catch(() => undefined);
    await host.close();
    const back = await waitFor(async () => {
      const h = (await lab.labStatus(LAB)).hosts[0];
      return h.boots > before && h.booted && h.ssh;
    }, 180_000);
    expect(back).toBe(true);
    host = await openLabHost(state, HOST);
    expect((await host.sh('cat /proc/sys/kernel/random/boot_id')).trim()).not.toBe(boot);
    // Written at the previous boot's shutdown, when systemd sent SIGTERM to rc-local.service's processes.
    expect((await host.sh(`cat ${RECORD}`)).trim()).toBe(`boot=${boot} vrrpd=stopped vip=released`);
    // And both came back at boot: vrrpd (enabled) holds the VIP again.
    expect(await waitFor(async () => (await host.sh('ip -4 -o addr show dev eth1')).includes(` ${vip}/`), 30_000)).toBe(true);
  }, 300_000);
});
