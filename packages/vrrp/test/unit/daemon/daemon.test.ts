import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, type VrrpConfig } from '../../../src/config/index.js';
import { VrrpDaemon } from '../../../src/daemon/daemon.js';
import { memoryLogger } from '../../../src/daemon/logger.js';
import { notifyCommands } from '../../../src/daemon/notify.js';
import type { DaemonStatus } from '../../../src/daemon/status.js';
import { buildIpv4Datagram, encodeAdvert } from '../../../src/protocol/index.js';
import { FakeWire, type FakeHost } from '../helpers/fake-system.js';

const VIP = '198.51.100.50';
const A = '198.51.100.51';
const B = '198.51.100.52';

/** The seed's configuration, on TEST-NET-2 addresses. */
function seedConfig(o: { state: string; priority: number; src: string; weight?: number; extra?: string; vips?: string[] }): VrrpConfig {
  const text = `
global_defs {
    router_id host-${o.src}
}
vrrp_script chk_nginx {
    script "/etc/keepalived/nginx_check.sh"
    interval 2
    weight ${o.weight ?? -20}
}
vrrp_instance VI_1 {
    state ${o.state}
    interface eth1
    virtual_router_id 51
    mcast_src_ip ${o.src}
    priority ${o.priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    track_script {
        chk_nginx
    }
    virtual_ipaddress {
${(o.vips ?? [VIP]).map((v) => `        ${v}`).join('\n')}
    }
    notify /etc/keepalived/notify.sh
${o.extra ?? ''}
}
`;
  const r = parseConfigText(text, `/etc/keepalived/${o.src}.conf`, { readFile: () => text, glob: () => [] });
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.config!;
}

function daemonOn(host: FakeHost, statusPath?: string) {
  const log = memoryLogger();
  const daemon = new VrrpDaemon({ deps: host, log, statusPath });
  return { daemon, log };
}

async function pair() {
  const wire = new FakeWire();
  const ha = wire.host('edu-proxy-01', A);
  const hb = wire.host('edu-proxy-02', B);
  const dir = mkdtempSync(join(tmpdir(), 'vrrpd-test-'));
  const a = daemonOn(ha, join(dir, 'a.json'));
  const b = daemonOn(hb, join(dir, 'b.json'));
  await a.daemon.start(seedConfig({ state: 'MASTER', priority: 100, src: A }));
  await b.daemon.start(seedConfig({ state: 'BACKUP', priority: 90, src: B }));
  return { wire, ha, hb, a, b, dir };
}

describe('daemon wiring', () => {
  it('removes a VIP left over from a crash before anything else', async () => {
    const wire = new FakeWire();
    const h = wire.host('edu-proxy-02', B);
    h.addressesOn.set('eth1', [VIP, B]); // VIP first: it must not be taken as the source either
    const { daemon, log } = daemonOn(h);
    await daemon.start(seedConfig({ state: 'BACKUP', priority: 90, src: B, extra: '' }));
    expect(h.hasVip(VIP)).toBe(false);
    expect(log.lines).toContain(`info: (VI_1) removing VIPs. (left over from an earlier run: ${VIP}/32 dev eth1)`);
    await daemon.stop();
  });

  it('never uses a VIP as the advert source', async () => {
    const wire = new FakeWire();
    const h = wire.host('x', B);
    h.addressesOn.set('eth1', [VIP, B]);
    const text = `vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 255\n virtual_ipaddress {\n  ${VIP}\n }\n}\n`;
    const config = parseConfigText(text, '/x.conf', { readFile: () => text, glob: () => [] }).config!;
    const { daemon } = daemonOn(h);
    h.addressesOn.set('eth1', [B]);
    await daemon.start(config);
    h.addressesOn.set('eth1', [VIP, B]);
    expect(daemon.status().vrrp[0].data.source_address).toBe(B);
    await daemon.stop();
  });

  it('the seed pair: the MASTER wins after 1 s + minimal skew, holds the VIP alone, GARPs, notifies', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    expect(ha.hasVip(VIP)).toBe(true);
    expect(hb.hasVip(VIP)).toBe(false);
    expect(a.log.lines).toContain('info: (VI_1) Entering MASTER STATE');
    expect(a.log.lines).toContain('info: (VI_1) setting VIPs.');
    expect(ha.garps[0]).toEqual({ at: 1003.90625, interface: 'eth1', address: VIP, count: 5 });
    expect(ha.garps[1]).toEqual({ at: 6003.90625, interface: 'eth1', address: VIP, count: 5 });
    expect(ha.scriptsRun).toContainEqual(['/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'MASTER', '100']);
    expect(hb.scriptsRun).toContainEqual(['/etc/keepalived/notify.sh', 'INSTANCE', 'VI_1', 'BACKUP', '90']);
    expect(b.daemon.status().vrrp[0].data).toMatchObject({ state_name: 'BACKUP', master_address: A, master_priority: 100 });
    // keepalived's order on becoming master: advert, VIPs, GARP, and only then the notify script.
    const takeover = ha.events.indexOf('advert 100');
    expect(ha.events.slice(takeover, takeover + 4)).toEqual(['advert 100', `add ${VIP}`, `garp ${VIP}`, 'run /etc/keepalived/notify.sh MASTER']);
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('a takeover\'s advert and VIP add start inside the transition, ahead of its log lines; a stop\'s priority 0 too', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    const before = hb.events.length;
    // What the backup had logged when its VIP add began.
    let loggedAtAdd: string[] = [];
    const add = hb.addresses.add;
    (hb.addresses as { add: typeof add }).add = (vip) => {
      loggedAtAdd = [...b.log.lines];
      return add(vip);
    };
    const stopping = a.daemon.stop();
    expect(ha.events.slice(-2)).toEqual(['advert 0', `remove ${VIP}`]); // before stop() first yields
    await stopping;
    // Skew_Time after the priority 0 advert, synchronously (no promise has run yet):
    wire.clock.advance(648.4375);
    expect(hb.events.slice(before)).toEqual(['advert 90', `add ${VIP}`]);
    expect(loggedAtAdd).toContain('info: (VI_1) Backup received priority 0 advertisement');
    expect(loggedAtAdd.filter((l) => l.includes('Entering MASTER STATE') || l.includes('advertisement timeout'))).toEqual([]);
    expect(b.log.lines).toContain('info: (VI_1) Entering MASTER STATE');
    await wire.clock.advanceAsync(1);
    expect(hb.events.slice(before, before + 3)).toEqual(['advert 90', `add ${VIP}`, `garp ${VIP}`]);
    await b.daemon.stop();
  });

  it('a VIP\'s brd and label reach the address manager as written', async () => {
    const wire = new FakeWire();
    const h = wire.host('edu-proxy-01', A);
    const { daemon } = daemonOn(h);
    await daemon.start(seedConfig({ state: 'MASTER', priority: 100, src: A, vips: [`${VIP}/24 brd 198.51.100.255 dev eth1 label eth1:vip`] }));
    await wire.clock.advanceAsync(5000);
    expect(h.added).toEqual([{ address: VIP, prefixLength: 24, interface: 'eth1', label: 'eth1:vip', broadcast: '198.51.100.255' }]);
    await daemon.stop();
  });

  it('a failing check script (weight -20) moves the VIP; notify exit codes and stderr are logged', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    ha.scriptExit.set('/etc/keepalived/nginx_check.sh', 1);
    ha.scriptExit.set('/etc/keepalived/notify.sh', 3);
    await wire.clock.advanceAsync(10_000);
    expect(a.daemon.status().vrrp[0].data.effective_priority).toBe(80);
    expect(hb.hasVip(VIP)).toBe(true);
    expect(ha.hasVip(VIP)).toBe(false);
    expect(a.log.lines).toContain('info: VRRP_Script(chk_nginx) failed (exited with status 1)');
    expect(a.log.lines).toContain('warn: (VI_1) notify script /etc/keepalived/notify.sh exited with status 3; stderr: /etc/keepalived/notify.sh: failing on purpose');
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('a clean stop sends priority 0 and removes the VIP; the backup takes over after Skew_Time', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    await a.daemon.stop();
    const stopAt = wire.clock.now();
    expect(ha.sentPriorities.at(-1)).toEqual([stopAt, 0]);
    expect(ha.hasVip(VIP)).toBe(false);
    expect(a.log.lines).toContain('info: (VI_1) sent 0 priority');
    await wire.clock.advanceAsync(1000);
    expect(hb.hasVip(VIP)).toBe(true);
    expect(b.log.lines).toContain('info: (VI_1) Backup received priority 0 advertisement');
    expect(b.daemon.status().vrrp[0].data.state_name).toBe('MASTER');
    await b.daemon.stop();
  });

  it('link down on the master: FAULT, priority 0, VIP moves; link up: it preempts back', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    ha.setLink('eth1', false);
    await wire.clock.advanceAsync(1000);
    expect(a.daemon.status().vrrp[0].data).toMatchObject({ state_name: 'FAULT', fault_reasons: ['interface eth1 is down'] });
    expect(hb.hasVip(VIP)).toBe(true);
    ha.setLink('eth1', true);
    await wire.clock.advanceAsync(10_000);
    expect(ha.hasVip(VIP)).toBe(true);
    expect(hb.hasVip(VIP)).toBe(false);
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('split brain heals: the real master re-asserts itself, re-ARPs and runs notify_master_rx_lower_pri', async () => {
    const wire = new FakeWire();
    const ha = wire.host('edu-proxy-01', A);
    const hb = wire.host('edu-proxy-02', B);
    const a = daemonOn(ha);
    const b = daemonOn(hb);
    await a.daemon.start(seedConfig({ state: 'MASTER', priority: 100, src: A, extra: '    notify_master_rx_lower_pri /etc/keepalived/lower.sh' }));
    await b.daemon.start(seedConfig({ state: 'BACKUP', priority: 90, src: B }));
    await wire.clock.advanceAsync(10_000);
    hb.connected = false;
    // Heal just before B's next advert (B took over at 9003.90625 + 3648.4375), so A hears B first.
    await wire.clock.advanceAsync(10_600);
    expect(ha.hasVip(VIP) && hb.hasVip(VIP)).toBe(true); // both masters while partitioned
    const garps = ha.garps.length;
    hb.connected = true;
    await wire.clock.advanceAsync(3000);
    expect(hb.hasVip(VIP)).toBe(false);
    expect(ha.hasVip(VIP)).toBe(true);
    expect(ha.garps.length).toBeGreaterThan(garps);
    expect(ha.scriptsRun).toContainEqual(['/etc/keepalived/lower.sh']);
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('malformed and foreign packets are counted by reason and never change the state', async () => {
    const { wire, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    const bad = (password: string, ttl = 255) => buildIpv4Datagram('198.51.100.99', '224.0.0.18', encodeAdvert({ version: 2, vrid: 51, priority: 254, addresses: [VIP], advertIntervalMs: 1000, authType: 1, authPassword: password }, { source: '198.51.100.99', destination: '224.0.0.18' }), { ttl });
    wire.inject(bad('wrong'));
    wire.inject(bad('1111', 64));
    wire.inject(Buffer.from('45000014000000004070', 'hex'));
    wire.inject(buildIpv4Datagram('198.51.100.99', '224.0.0.18', encodeAdvert({ version: 2, vrid: 99, priority: 254, addresses: [], advertIntervalMs: 1000 }, { source: '198.51.100.99', destination: '224.0.0.18' })));
    await wire.clock.advanceAsync(5000);
    const stats = b.daemon.status().vrrp[0].stats;
    expect(stats).toMatchObject({ auth_failure: 1, ip_ttl_err: 1 });
    expect(b.daemon.status().vrrp[0].data.state_name).toBe('BACKUP');
    expect(a.daemon.status().vrrp[0].data.state_name).toBe('MASTER');
    expect(b.log.lines).toContain('info: (VI_1) authentication failure from 198.51.100.99: wrong password');
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('writes the status file atomically with keepalived-like data and stats', async () => {
    const { wire, a, b, dir } = await pair();
    await wire.clock.advanceAsync(5000);
    await a.daemon.flushStatus();
    const status = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as DaemonStatus;
    expect(status.vrrpd.router_id).toBe(`host-${A}`);
    expect(status.vrrp[0].data).toMatchObject({ iname: 'VI_1', vrid: 51, state: 2, state_name: 'MASTER', base_priority: 100, effective_priority: 100, master_address: A, vips: [`${VIP}/32 dev eth1`], auth_type: 1, garp_delay: 5, garp_rep: 5 });
    // The file is rewritten on changes, so counters are as of the last change; status() is live.
    expect(status.vrrp[0].stats).toMatchObject({ become_master: 1, packet_len_err: 0, auth_failure: 0 });
    expect(status.vrrp[0].stats.advert_sent).toBeGreaterThanOrEqual(1);
    expect(a.daemon.status().vrrp[0].stats.advert_sent).toBe(4);
    expect(status.track_script).toEqual([{ name: 'chk_nginx', status: 'up', last_exit_code: 0, timed_out: false }]);
    await a.daemon.stop();
    await b.daemon.stop();
  });
});

describe('reload (SIGHUP)', () => {
  it('an unchanged configuration keeps state and VIPs: no switchover, no VIP flap', async () => {
    const { wire, ha, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    const removed = a.log.lines.filter((l) => l.includes('removing VIPs')).length;
    await a.daemon.reload(seedConfig({ state: 'MASTER', priority: 100, src: A }));
    await wire.clock.advanceAsync(10_000);
    expect(a.daemon.status().vrrp[0].data.state_name).toBe('MASTER');
    expect(a.log.lines.filter((l) => l.includes('removing VIPs')).length).toBe(removed);
    expect(a.log.lines.filter((l) => l.includes('Entering')).length).toBe(2);
    expect(ha.hasVip(VIP)).toBe(true);
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('a changed instance keeps its role; a dropped VIP goes, an added one comes', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    const extra = '198.51.100.60';
    await a.daemon.reload(seedConfig({ state: 'MASTER', priority: 100, src: A, vips: [extra] }));
    await b.daemon.reload(seedConfig({ state: 'BACKUP', priority: 90, src: B, vips: [extra] }));
    await wire.clock.advanceAsync(10_000);
    expect(a.daemon.status().vrrp[0].data.state_name).toBe('MASTER');
    expect(b.daemon.status().vrrp[0].data.state_name).toBe('BACKUP');
    expect(ha.hasVip(extra)).toBe(true);
    expect(ha.hasVip(VIP)).toBe(false);
    expect(hb.hasVip(extra)).toBe(false);
    expect(a.log.lines).toContain('info: (VI_1) settings changed; keeping its MASTER role');
    await a.daemon.stop();
    await b.daemon.stop();
  });

  it('a removed instance stops with priority 0 and its VIPs go', async () => {
    const { wire, ha, hb, a, b } = await pair();
    await wire.clock.advanceAsync(10_000);
    const empty = parseConfigText('global_defs {\n router_id x\n}\n', '/e.conf', { readFile: () => '', glob: () => [] }).config!;
    await a.daemon.reload(empty);
    expect(ha.hasVip(VIP)).toBe(false);
    expect(ha.sentPriorities.at(-1)![1]).toBe(0);
    await wire.clock.advanceAsync(2000);
    expect(hb.hasVip(VIP)).toBe(true);
    await a.daemon.stop();
    await b.daemon.stop();
  });
});

describe('notify arguments', () => {
  it('keepalived argv: own script as written, generic notify with TYPE NAME STATE PRIORITY', () => {
    expect(notifyCommands('INSTANCE', 'VI_1', 'MASTER', 100, { master: ['/m.sh', 'x'], generic: ['/n.sh'] })).toEqual([['/m.sh', 'x'], ['/n.sh', 'INSTANCE', 'VI_1', 'MASTER', '100']]);
    expect(notifyCommands('GROUP', 'G', 'FAULT', 0, { master: ['/m.sh'] })).toEqual([]);
    expect(notifyCommands('INSTANCE', 'VI_1', 'MASTER_RX_LOWER_PRI', 100, { masterRxLowerPri: ['/lower.sh'], generic: ['/n.sh'] })).toEqual([['/lower.sh']]);
  });
});

describe('daemon edge cases', () => {
  it('an interface without an address is FAULT until one appears, then the instance starts', async () => {
    const wire = new FakeWire();
    const h = wire.host('x', A);
    h.addressesOn.set('eth1', []);
    const { daemon, log } = daemonOn(h);
    const text = `vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  ${VIP}\n }\n}\n`;
    await daemon.start(parseConfigText(text, '/x.conf', { readFile: () => text, glob: () => [] }).config!);
    expect(daemon.status().vrrp[0].data).toMatchObject({ state_name: 'FAULT', fault_reasons: ['no IPv4 address on eth1'] });
    await wire.clock.advanceAsync(3000);
    h.addressesOn.set('eth1', [A]);
    await wire.clock.advanceAsync(1000);
    expect(log.lines).toContain(`info: (VI_1) eth1 now has ${A}; starting`);
    expect(daemon.status().vrrp[0].data).toMatchObject({ state_name: 'BACKUP', source_address: A });
    await wire.clock.advanceAsync(5000);
    expect(daemon.status().vrrp[0].data.state_name).toBe('MASTER');
    expect(h.hasVip(VIP)).toBe(true);
    await daemon.stop();
  });

  it('vrrp_garp_interval spreads the GARP burst', async () => {
    const wire = new FakeWire();
    const h = wire.host('x', A);
    const text = `global_defs {\n vrrp_garp_interval 0.1\n vrrp_garp_master_delay 0\n vrrp_garp_master_repeat 3\n}\nvrrp_instance VI_1 {\n interface eth1\n virtual_router_id 51\n priority 255\n virtual_ipaddress {\n  ${VIP}\n }\n}\n`;
    const { daemon } = daemonOn(h);
    await daemon.start(parseConfigText(text, '/x.conf', { readFile: () => text, glob: () => [] }).config!);
    await wire.clock.advanceAsync(1000);
    expect(h.garps.map((g) => [g.at, g.count])).toEqual([[0, 1], [100, 1], [200, 1]]);
    await daemon.stop();
  });
});
