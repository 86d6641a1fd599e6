/**
 * The health check (nginx_check.sh from @haweb/nginx) driving vrrpd installed by vrrp_service, on a
 * real pair in the installers' private lab: `vrrp_script chk_nginx { interval 1; weight -20 }`, priorities
 * 100/90. A stopped nginx is started again and the VIP stays; an nginx that cannot start makes the
 * master drop to 80 < 90 and the VIP moves to the backup, never held by both; with nginx repaired it
 * comes back (preemption); with both nginx broken (80 vs 70) exactly one node still holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxConfig, nginxHealthCheck, nginxIndex, nginxService, nginxSource } from '../../../nginx/src/index.js';
import { vrrpService } from '../../src/installer/index.js';
import { httpGet, openLabHost, type LabHost } from '../../../nginx/test/support/lab-host.js';
import { installerLab, releaseInstallerLab, type LabApi } from '../../../nginx/test/integration/private-lab.js';

let lab: LabApi;
let hosts: LabHost[] = [];
let vip: string;
const NGINX = '/usr/local/nginx/sbin/nginx';
const CONF = '/usr/local/nginx/conf/nginx.conf';

function config(name: string, priority: number): string {
  return `global_defs {
    router_id ${name}
}

vrrp_script chk_nginx {
    script "/etc/keepalived/nginx_check.sh"
    interval 1
    weight -20
}

vrrp_instance VI_1 {
    state ${priority >= 100 ? 'MASTER' : 'BACKUP'}
    interface eth1
    virtual_router_id 65
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    track_script {
        chk_nginx
    }
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

async function holders(): Promise<string[]> {
  const has = await Promise.all(hosts.map(async (h) => (await h.sh('ip -4 -o addr show dev eth1')).includes(` ${vip}/`)));
  return hosts.filter((_, i) => has[i]).map((h) => h.name);
}

/** Sample who holds the VIP until `want` holds it alone for 2 s; fail if both ever hold it twice in a row. */
async function settleOn(want: string, ms: number): Promise<{ settled: boolean; samples: string[][] }> {
  const samples: string[][] = [];
  const end = Date.now() + ms;
  let stableSince: number | undefined;
  while (Date.now() < end) {
    const now = await holders();
    samples.push(now);
    const n = samples.length;
    if (n >= 2 && samples[n - 1].length > 1 && samples[n - 2].length > 1) throw new Error(`VIP held by both nodes in consecutive samples: ${JSON.stringify(samples.slice(-5))}`);
    if (now.length === 1 && now[0] === want) {
      stableSince ??= Date.now();
      if (Date.now() - stableSince >= 2_000) return { settled: true, samples };
    } else stableSince = undefined;
    await new Promise((r) => setTimeout(r, 150));
  }
  return { settled: false, samples };
}

beforeAll(async () => {
  const env = await installerLab();
  lab = env.lab;
  vip = env.state.hosts[0].address.replace(/\.\d+$/, '.65');
  hosts = await Promise.all(['edu-proxy-01', 'edu-proxy-02'].map((h) => openLabHost(env.state, h)));
  await Promise.all(
    hosts.map(async (host, i) => {
      // No other VRRP speaker from earlier test files on this LAN.
      await host.try('for s in keepalived vrrpd; do [ -x /etc/init.d/$s ] && /etc/init.d/$s stop; done');
      for (const [module, args] of [
        [nginxSource, { src: env.sources.nginx }],
        [nginxConfig, { listen: 88 }],
        [nginxIndex, { heading: `Welcome to nginx! ${i + 1}` }],
        [nginxService, { state: 'restarted' }],
        [nginxHealthCheck, {}],
        [vrrpService, { config: config(host.name, i === 0 ? 100 : 90) }],
      ] as const) {
        const r = await host.run(module, args);
        if (r.failed) throw new Error(`${host.name} ${module.name}: ${String(r.msg)}`);
      }
      // A config that differs only in content was reloaded; make sure the new tracking is running.
      await host.sh('/etc/init.d/vrrpd restart');
    }),
  );
}, 900_000);

afterAll(async () => {
  for (const host of hosts) {
    await host.try(`[ -f /root/nginx.conf.keep ] && cp /root/nginx.conf.keep ${CONF}; ${NGINX} 2>/dev/null; /etc/init.d/vrrpd stop`);
    await host.close();
  }
  await releaseInstallerLab(lab);
}, 120_000);

describe('health check + vrrpd (weight -20)', () => {
  it('the master (100) holds the VIP alone', async () => {
    const r = await settleOn('edu-proxy-01', 15_000);
    expect(r.settled, JSON.stringify(r.samples.slice(-5))).toBe(true);
  });

  it('nginx stopped on the master: the check starts it again and the VIP stays', async () => {
    const [master] = hosts;
    await master.sh(`${NGINX} -s stop`);
    let up = false;
    for (let i = 0; i < 30 && !up; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      up = (await httpGet(master.address, 88).catch(() => ({ status: 0 }))).status === 200;
    }
    expect(up).toBe(true);
    expect(await holders()).toEqual(['edu-proxy-01']);
  });

  it('nginx unable to start on the master: the VIP moves to the backup, never on both', async () => {
    const [master] = hosts;
    await master.sh(`cp ${CONF} /root/nginx.conf.keep && echo 'bogus_directive;' >> ${CONF} && kill -TERM $(cat /usr/local/nginx/logs/nginx.pid)`);
    const r = await settleOn('edu-proxy-02', 20_000);
    expect(r.settled, JSON.stringify(r.samples.slice(-5))).toBe(true);
    // Through the VIP from the other node (across the LAN, via ARP).
    expect(await master.sh(`curl -s --max-time 3 http://${vip}:88/`)).toContain('Welcome to nginx! 2');
  });

  it('nginx repaired: the next check starts it and the VIP returns to the master', async () => {
    const [master] = hosts;
    await master.sh(`cp /root/nginx.conf.keep ${CONF}`);
    const r = await settleOn('edu-proxy-01', 20_000);
    expect(r.settled, JSON.stringify(r.samples.slice(-5))).toBe(true);
    expect(await hosts[1].sh(`curl -s --max-time 3 http://${vip}:88/`)).toContain('Welcome to nginx! 1');
  });

  it('both nginx broken (80 vs 70): exactly one node keeps the VIP', async () => {
    for (const host of hosts) await host.sh(`cp ${CONF} /root/nginx.conf.keep && echo 'bogus_directive;' >> ${CONF} && kill -TERM $(cat /usr/local/nginx/logs/nginx.pid)`);
    const r = await settleOn('edu-proxy-01', 15_000);
    expect(r.settled, JSON.stringify(r.samples.slice(-5))).toBe(true);
    // Both checks are failing (no nginx anywhere), yet one VIP holder remains.
    for (const host of hosts) expect((await host.try('curl -s --max-time 1 http://127.0.0.1:88/')).code, host.name).not.toBe(0);
    for (const host of hosts) await host.sh(`cp /root/nginx.conf.keep ${CONF}`);
  });
});
