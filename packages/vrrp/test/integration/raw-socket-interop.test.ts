/**
 * The I/O edge against Debian's keepalived 2.2.7, at the socket level (no daemon, no lab): two
 * throw-away namespaces joined by a veth on 203.0.113.0/24, keepalived in one, the built dist/os
 * driven by os-agent.mjs in the other. We receive and decode keepalived's adverts; keepalived reacts
 * to ours (its own log lines are the oracle); tshark checks our adverts and GARP frames on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAdvert, encodeAdvert, type AdvertInput } from '../../src/protocol/index.js';
import { OsAgent } from './support/agent.js';
import { Keepalived } from './support/keepalived.js';
import { createNetnsPair, ip, type NetnsPair } from './support/netns.js';
import { Capture } from './support/tshark.js';

const VIP = '203.0.113.50';
let pair: NetnsPair;
let agent: OsAgent;

beforeAll(async () => {
  pair = createNetnsPair('r');
  agent = await OsAgent.start(pair.a.ns);
});

afterAll(async () => {
  await agent?.stop();
  pair?.cleanup();
});

function keepalivedConfig(options: { version: 2 | 3; vrid: number; interval: string; unicast?: boolean }): string {
  const auth = options.version === 2 ? 'authentication {\n    auth_type PASS\n    auth_pass secret12\n  }' : '';
  const unicast = options.unicast
    ? `unicast_src_ip ${pair.b.address}\n  unicast_peer {\n    ${pair.a.address}\n  }`
    : '';
  return `global_defs {
  router_id KA_INTEROP
  vrrp_version ${options.version}
}
vrrp_instance VI_1 {
  state MASTER
  interface ${pair.b.ifname}
  virtual_router_id ${options.vrid}
  priority 100
  advert_int ${options.interval}
  ${auth}
  ${unicast}
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

/** Sends `advert` through the agent every `everyMs` until `until` resolves (bounded by its own timeout). */
async function sendWhile(socket: number, advert: Buffer, everyMs: number, until: Promise<unknown>): Promise<void> {
  let done = false;
  const finished = until.finally(() => {
    done = true;
  });
  for (let i = 0; i < 200 && !done; i++) {
    await agent.call('send', { socket, hex: advert.toString('hex') });
    await Promise.race([new Promise((r) => setTimeout(r, everyMs)), finished.catch(() => undefined)]);
  }
  await finished;
}

function vipOn(ns: string, ifname: string): boolean {
  return ip('-n', ns, '-4', 'addr', 'show', 'dev', ifname).includes(`${VIP}/`);
}

describe.each([
  { version: 2 as const, interval: '1', intervalMs: 1000, vrid: 51 },
  { version: 3 as const, interval: '0.1', intervalMs: 100, vrid: 52 },
])('multicast VRRPv$version (advert_int $interval) with keepalived', ({ version, interval, intervalMs, vrid }) => {
  const advert = (priority: number): Buffer => {
    const input: AdvertInput = { version, vrid, priority, addresses: [VIP], advertIntervalMs: intervalMs };
    if (version === 2) Object.assign(input, { authType: 1, authPassword: 'secret12' });
    // The source here is deliberately not ours: the transport recomputes the v3 checksum for the real header.
    return encodeAdvert(input, { source: '0.0.0.0', destination: '224.0.0.18' });
  };

  it('decodes keepalived\'s adverts, takes over with a higher priority and hands back with priority 0', async () => {
    const keepalived = Keepalived.start(pair.b.ns, keepalivedConfig({ version, vrid, interval }));
    const socket = await agent.call<number>('open', {
      options: { interface: pair.a.ifname, sourceAddress: pair.a.address, unicastPeers: [] },
    });
    const capture = new Capture(pair.b.ns, pair.b.ifname, 'ip proto 112', 60);
    try {
      await capture.started();
      await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
      const from = agent.events.length;
      await agent.waitFor((e) => e.event === 'packet', 5000, from);
      const received = agent.packets(socket).slice(-1)[0];
      const decoded = decodeAdvert(received, {
        version,
        authType: version === 2 ? 1 : 0,
        authPassword: 'secret12',
        advertIntervalMs: intervalMs,
        addresses: [VIP],
        unicast: false,
      });
      expect(decoded).toMatchObject({ ok: true, source: pair.b.address, destination: '224.0.0.18', ttl: 255 });
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.advert).toMatchObject({ version, vrid, priority: 100, addresses: [VIP], advertIntervalMs: intervalMs });
      expect(vipOn(pair.b.ns, pair.b.ifname)).toBe(true);

      // Our priority 150 makes the master step down.
      const mark = keepalived.log.length;
      const stepDown = keepalived.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 10_000, mark);
      await sendWhile(socket, advert(150), intervalMs, stepDown);
      expect(keepalived.lines(/Master received advert from 203\.0\.113\.1 with higher priority 150, ours 100/, mark)).toHaveLength(1);
      await keepalived.waitForLog(/\(VI_1\) removing VIPs\./, 2000, mark);
      expect(vipOn(pair.b.ns, pair.b.ifname)).toBe(false);

      // Priority 0 (our shutdown) makes the backup take over after Skew_Time, not Master_Down_Interval.
      const zeroMark = keepalived.log.length;
      const sentZeroAt = Date.now();
      await agent.call('send', { socket, hex: advert(0).toString('hex') });
      await keepalived.waitForLog(/\(VI_1\) Backup received priority 0 advertisement/, 3000, zeroMark);
      await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, 3000, zeroMark);
      expect(Date.now() - sentZeroAt).toBeLessThan(intervalMs * 3);
    } finally {
      await agent.call('close', { socket });
      await keepalived.stop();
      await capture.stop();
    }

    // tshark: our adverts are valid VRRP with a good checksum, TTL 255, DSCP CS6 (TOS 0xc0).
    const ours = capture.fields(`vrrp && ip.src == ${pair.a.address}`, [
      'vrrp.version',
      'vrrp.prio',
      'vrrp.checksum.status',
      'ip.ttl',
      'ip.dsfield',
      'ip.flags.df',
      'ip.dst',
    ]);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const row of ours) {
      expect(row.slice(0, 1)).toEqual([String(version)]);
      expect(row[2]).toBe('1'); // 1 = Good (0 Bad, 2 Unverified)
      expect(row.slice(3)).toEqual(['255', '0xc0', '1', '224.0.0.18']);
    }
    expect(new Set(ours.map((r) => r[1]))).toEqual(new Set(['150', '0']));
    // keepalived's own adverts decode as good too (sanity of the oracle).
    const theirs = capture.fields(`vrrp && ip.src == ${pair.b.address}`, ['vrrp.checksum.status']);
    capture.dispose();
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((r) => r[0] === '1')).toBe(true);
  });
});

describe('unicast VRRPv3 with keepalived', () => {
  it('receives keepalived\'s unicast adverts and makes it step down, checksum per destination', async () => {
    const keepalived = Keepalived.start(pair.b.ns, keepalivedConfig({ version: 3, vrid: 53, interval: '1', unicast: true }));
    const socket = await agent.call<number>('open', {
      options: { interface: pair.a.ifname, sourceAddress: pair.a.address, unicastPeers: [pair.b.address] },
    });
    try {
      await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, 15_000);
      const from = agent.events.length;
      await agent.waitFor((e) => e.event === 'packet' && e.socket === socket, 5000, from);
      const received = agent.packets(socket).slice(-1)[0];
      const decoded = decodeAdvert(received, {
        version: 3,
        authType: 0,
        advertIntervalMs: 1000,
        addresses: [VIP],
        unicast: true,
      });
      expect(decoded).toMatchObject({ ok: true, source: pair.b.address, destination: pair.a.address });

      const mark = keepalived.log.length;
      const higher = encodeAdvert(
        { version: 3, vrid: 53, priority: 200, addresses: [VIP], advertIntervalMs: 1000 },
        { source: '0.0.0.0', destination: '224.0.0.18' },
      );
      const stepDown = keepalived.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 10_000, mark);
      await sendWhile(socket, higher, 1000, stepDown);
      expect(keepalived.lines(/Master received advert from 203\.0\.113\.1 with higher priority 200, ours 100/, mark)).toHaveLength(1);
      // Our checksum used the real destination, so keepalived never fell back to the "old" group-address form.
      expect(keepalived.lines(/Setting unicast VRRPv3 checksum to old version/)).toEqual([]);
    } finally {
      await agent.call('close', { socket });
      await keepalived.stop();
    }
  });
});

describe('gratuitous ARP', () => {
  it('sends keepalived\'s 42-byte who-has VIP tell VIP frames, back to back', async () => {
    const capture = new Capture(pair.b.ns, pair.b.ifname, 'arp', 30);
    try {
      await capture.started();
      await agent.call('garp', { interface: pair.a.ifname, address: '203.0.113.60', count: 3 });
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await capture.stop();
    }
    const mac = ip('-n', pair.a.ns, '-j', 'link', 'show', 'dev', pair.a.ifname);
    const ourMac = (JSON.parse(mac) as Array<{ address: string }>)[0].address;
    const rows = capture.fields('arp.src.proto_ipv4 == 203.0.113.60', [
      'frame.len',
      'eth.dst',
      'eth.src',
      'arp.opcode',
      'arp.src.hw_mac',
      'arp.dst.hw_mac',
      'arp.dst.proto_ipv4',
    ]);
    capture.dispose();
    expect(rows).toEqual(
      Array(3).fill(['42', 'ff:ff:ff:ff:ff:ff', ourMac, '1', ourMac, 'ff:ff:ff:ff:ff:ff', '203.0.113.60']),
    );
  });
});

describe('addresses, links and fds in a namespace', () => {
  it('adds and removes an address idempotently through ip', async () => {
    const vip = { address: '203.0.113.70', prefixLength: 24, interface: pair.a.ifname, label: `${pair.a.ifname}:v` .slice(0, 15) };
    await agent.call('addrAdd', { vip });
    await agent.call('addrAdd', { vip }); // already assigned: still a success
    expect(await agent.call<string[]>('addrList', { interface: pair.a.ifname })).toEqual([pair.a.address, vip.address]);
    expect(ip('-n', pair.a.ns, '-4', 'addr', 'show', 'dev', pair.a.ifname)).toContain(vip.label);
    await agent.call('addrDel', { vip });
    await agent.call('addrDel', { vip }); // not there: still a success
    expect(await agent.call<string[]>('addrList', { interface: pair.a.ifname })).toEqual([pair.a.address]);
    await expect(agent.call('addrAdd', { vip: { ...vip, interface: 'nosuchif0' } })).rejects.toThrow(/nosuchif0/);
  });

  it('reports the interface and watches carrier loss and return', async () => {
    const info = await agent.call<Record<string, unknown>>('linkGet', { interface: pair.a.ifname });
    const sysfsMac = ip('-n', pair.a.ns, '-j', 'link', 'show', 'dev', pair.a.ifname);
    expect(info).toMatchObject({
      name: pair.a.ifname,
      up: true,
      primaryAddress: pair.a.address,
      mac: (JSON.parse(sysfsMac) as Array<{ address: string }>)[0].address,
    });
    expect(info.index).toBeGreaterThan(0);
    const watch = await agent.call<number>('watch', { interfaces: [pair.a.ifname] });
    const from = agent.events.length;
    try {
      ip('-n', pair.b.ns, 'link', 'set', pair.b.ifname, 'down'); // our side loses carrier
      const down = await agent.waitFor((e) => e.event === 'link', 2000, from);
      expect(down.info).toMatchObject({ name: pair.a.ifname, up: false });
      ip('-n', pair.b.ns, 'link', 'set', pair.b.ifname, 'up');
      const up = await agent.waitFor((e) => e.event === 'link' && (e.info as { up: boolean }).up, 3000, from);
      expect(up.info).toMatchObject({ name: pair.a.ifname, up: true });
    } finally {
      ip('-n', pair.b.ns, 'link', 'set', pair.b.ifname, 'up');
      await agent.call('unwatch', { watch });
    }
  });

  it('reads link state and MAC of the namespace it runs in, even when /sys belongs to another', async () => {
    const other = await OsAgent.start(pair.a.ns, 'nsenter-net');
    try {
      const viaNsenter = await other.call<Record<string, unknown>>('linkGet', { interface: pair.a.ifname });
      const viaIpNetns = await agent.call<Record<string, unknown>>('linkGet', { interface: pair.a.ifname });
      expect(viaNsenter).toEqual(viaIpNetns);
      expect(viaNsenter).toMatchObject({ up: true, primaryAddress: pair.a.address });
      // GARP needs the MAC too: it must work from there as well.
      await other.call('garp', { interface: pair.a.ifname, address: '203.0.113.62', count: 1 });
      await other.call('end');
    } finally {
      await other.stop();
    }
  });

  it('never lets a child process inherit the raw sockets (close-on-exec), which a plain socket would', async () => {
    const socket = await agent.call<number>('open', {
      options: { interface: pair.a.ifname, sourceAddress: pair.a.address, unicastPeers: [] },
    });
    await agent.call('garp', { interface: pair.a.ifname, address: '203.0.113.61', count: 1 }); // opens the packet socket
    try {
      const clean = await agent.call<{ child: string; parent: string }>('childFds', { leakyControl: false });
      expect(clean.parent.match(/socket:\[/g)?.length ?? 0).toBeGreaterThanOrEqual(3); // rx, tx, packet
      expect(clean.child).not.toMatch(/socket:\[/);
      // Control: a socket opened without SOCK_CLOEXEC does show up in the child, so the check can fail.
      const leaky = await agent.call<{ child: string }>('childFds', { leakyControl: true });
      expect(leaky.child).toMatch(/socket:\[/);
    } finally {
      await agent.call('close', { socket });
    }
  });

  it('lets the process exit on its own once every socket is closed (the poller stops)', async () => {
    const socket = await agent.call<number>('open', {
      options: { interface: pair.a.ifname, sourceAddress: pair.a.address, unicastPeers: [] },
    });
    expect(await agent.call('poller')).toEqual({ active: true, size: 1 });
    await agent.call('close', { socket });
    await agent.call('end');
    const status = await agent.call<{ active: boolean; size: number }>('poller');
    expect(status.size).toBe(0);
    const startedAt = Date.now();
    const exit = await agent.stop(3000);
    expect(exit).toMatchObject({ selfExited: true, code: 0 });
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });
});
