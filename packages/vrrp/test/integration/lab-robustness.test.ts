/**
 * A running vrrpd pair under hostile and lossy conditions:
 * - random and malformed protocol-112 packets from the client namespace (to the group and to each
 *   host), many of them claiming priority 254 so that accepting any would visibly move the VIP,
 *   never crash a daemon nor change who is master;
 * - 5% loss of VRRP packets on both hosts (iptables statistic match; the kernel has no netem) for a
 *   bounded period causes no spurious transition at advert_int 1. The loss is every 20th packet, not a
 *   random 5%: a random drop loses 3 adverts in a row (the master-down interval) about once in 130
 *   runs of 60 s, and on a loaded machine 2 in a row plus a late advert is enough, so a random drop
 *   made the test fail now and then for a transition the protocol prescribes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '@haweb/lab';
import { encodeAdvert, type AdvertInput } from '../../src/protocol/index.js';
import { vrrpIpv4Header } from '../../src/os/frames.js';
import { OsAgent } from './support/agent.js';
import { Daemon, hasAddress, type DaemonKind, inNs, privateLab, releasePrivateLab, removeAddress, vrrpConfig, waitUntil } from './support/lab-vrrp.js';

const VRID = 81;
/** The daemon under test; keepalived can be substituted to check the harness itself. */
const KIND = (process.env.VRRP_TEST_DAEMON ?? 'vrrpd') as DaemonKind;
let lab: LabState;
const daemons: Daemon[] = [];

function holders(): number[] {
  return lab.hosts.flatMap((h, i) => (hasAddress(h.netns, lab.interface, lab.vip) ? [i] : []));
}

beforeAll(async () => {
  lab = await privateLab();
  for (const [i, host] of lab.hosts.slice(0, 2).entries()) {
    const config = vrrpConfig({
      ifname: lab.interface,
      vrid: VRID,
      priority: i === 0 ? 100 : 90,
      state: i === 0 ? 'MASTER' : 'BACKUP',
      version: 2,
      advertInt: '1',
      vip: lab.vip,
      prefixLength: lab.prefix,
    });
    daemons.push(Daemon.start(KIND, host.netns, config, { tag: `robust-${i}` }));
  }
  await waitUntil(() => JSON.stringify(holders()) === '[0]', 15_000, () => `holders ${JSON.stringify(holders())}`);
}, 600_000);

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  for (const h of lab.hosts) removeAddress(h.netns, lab.interface, `${lab.vip}/${lab.prefix}`);
  await releasePrivateLab();
}, 120_000);

/** Samples the VIP holders every `everyMs` while `during` runs; returns every distinct observation. */
async function watchHolders(during: Promise<unknown>, everyMs = 200): Promise<string[]> {
  const seen = new Set<string>();
  let done = false;
  void during.finally(() => (done = true));
  for (let i = 0; i < 2000 && !done; i++) {
    seen.add(JSON.stringify(holders()));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await during;
  seen.add(JSON.stringify(holders()));
  return [...seen];
}

function malformedPayloads(): Buffer[] {
  const vip = lab.vip;
  const base: AdvertInput = { version: 2, vrid: VRID, priority: 254, addresses: [vip], advertIntervalMs: 1000, authType: 1, authPassword: '1111' };
  const pseudo = { source: lab.client.address, destination: '224.0.0.18' };
  const good = encodeAdvert(base, pseudo);
  const out: Buffer[] = [];
  const corrupt = (mutate: (b: Buffer) => void) => {
    const b = Buffer.from(good);
    mutate(b);
    out.push(b);
  };
  corrupt((b) => (b[6] ^= 0xff)); // bad checksum
  out.push(encodeAdvert({ ...base, authPassword: 'wrong' }, pseudo)); // wrong password
  out.push(encodeAdvert({ ...base, authType: 0 }, pseudo)); // auth type mismatch
  out.push(encodeAdvert({ ...base, authType: 2 }, pseudo)); // AH
  corrupt((b) => (b[4] = 7)); // invalid auth type (checksum now wrong too)
  out.push(encodeAdvert({ ...base, advertIntervalMs: 3000 }, pseudo)); // v2 interval mismatch: dropped
  out.push(encodeAdvert({ ...base, version: 3, advertIntervalMs: 1000 }, pseudo)); // wrong version
  corrupt((b) => (b[0] = 0x22)); // type 2
  corrupt((b) => (b[3] = 40)); // address count beyond the packet
  out.push(good.subarray(0, 7)); // truncated header
  out.push(good.subarray(0, 12)); // truncated addresses/auth
  out.push(Buffer.alloc(0)); // empty
  out.push(Buffer.concat([good, randomBytes(200)])); // trailing garbage
  for (let i = 0; i < 40; i++) out.push(randomBytes(1 + Math.floor(Math.random() * 120)));
  for (let i = 0; i < 20; i++) {
    const b = Buffer.from(good);
    b[Math.floor(Math.random() * b.length)] ^= 1 << Math.floor(Math.random() * 8);
    out.push(b); // one flipped bit
  }
  return out;
}

describe(`${KIND} under malformed input and packet loss`, () => {
  it('random and malformed packets never crash it nor change the master', async () => {
    const agent = await OsAgent.start(lab.client.netns);
    const workers = daemons.map((d) => d.workerPid());
    const marks = daemons.map((d) => d.log.length);
    try {
      const group = await agent.call<number>('open', {
        options: { interface: lab.interface, sourceAddress: lab.client.address, unicastPeers: [] },
      });
      const direct = await agent.call<number>('open', {
        options: { interface: lab.interface, sourceAddress: lab.client.address, unicastPeers: lab.hosts.map((h) => h.address) },
      });
      const flood = (async () => {
        // Bounded: 25 rounds of ~75 packets each, 200 ms apart (about 5 s, ~3 800 packets).
        for (let round = 0; round < 25; round++) {
          for (const payload of malformedPayloads()) {
            for (const socket of [group, direct]) await agent.call('send', { socket, hex: payload.toString('hex') }).catch(() => undefined);
          }
          // IP-level oddities: TTL 64 (must be 255), and a valid-looking advert for another VRID.
          const advert = encodeAdvert(
            { version: 2, vrid: VRID, priority: 254, addresses: [lab.vip], advertIntervalMs: 1000, authType: 1, authPassword: '1111' },
            { source: lab.client.address, destination: '224.0.0.18' },
          );
          const header = vrrpIpv4Header(lab.client.address, '224.0.0.18', advert.length);
          header[8] = 64;
          await agent.call('sendRaw', { interface: lab.interface, destination: '224.0.0.18', hex: Buffer.concat([header, advert]).toString('hex') });
          const otherVrid = encodeAdvert(
            { version: 2, vrid: VRID + 1, priority: 254, addresses: [lab.vip], advertIntervalMs: 1000, authType: 1, authPassword: '1111' },
            { source: lab.client.address, destination: '224.0.0.18' },
          );
          await agent.call('send', { socket: group, hex: otherVrid.toString('hex') });
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const seen = await watchHolders(flood);
      expect(seen).toEqual(['[0]']);
      // A few more advert intervals: nothing delayed either.
      await new Promise((r) => setTimeout(r, 3500));
      expect(holders()).toEqual([0]);

      // Control: the same path does reach the daemons. A *valid* priority-254 advert makes the master
      // step down (nobody holds the VIP while our fake master "owns" it), and it comes back after.
      const valid = encodeAdvert(
        { version: 2, vrid: VRID, priority: 254, addresses: [lab.vip], advertIntervalMs: 1000, authType: 1, authPassword: '1111' },
        { source: lab.client.address, destination: '224.0.0.18' },
      );
      let stepDown = false;
      for (let i = 0; i < 4; i++) {
        await agent.call('send', { socket: group, hex: valid.toString('hex') });
        await new Promise((r) => setTimeout(r, 500));
        if (holders().length === 0) stepDown = true;
      }
      expect(stepDown).toBe(true);
      await waitUntil(() => JSON.stringify(holders()) === '[0]', 8000, () => `holders ${JSON.stringify(holders())}`);
    } finally {
      await agent.stop();
    }
    for (const [i, d] of daemons.entries()) {
      expect(d.running, `daemon ${i} still running`).toBe(true);
      expect(d.workerPid(), `daemon ${i} worker never restarted`).toBe(workers[i]);
      expect(d.lines(/uncaught|TypeError|RangeError|ERR_|\bat .*\.js:\d+/i, marks[i])).toEqual([]);
    }
  });

  it('5% loss of VRRP packets on both hosts for 60 s causes no transition', async () => {
    const drop = ['INPUT', '-p', '112', '-m', 'statistic', '--mode', 'nth', '--every', '20', '--packet', '0', '-m', 'comment', '--comment', 'vrrpio-loss', '-j', 'DROP'];
    const count = ['INPUT', '-p', '112', '-m', 'comment', '--comment', 'vrrpio-count'];
    const workers = daemons.map((d) => d.workerPid());
    const packets = (ns: string, comment: string) => {
      const line = inNs(ns, ['iptables', '-L', 'INPUT', '-v', '-n', '-x']).split('\n').find((l) => l.includes(comment));
      return Number(line?.trim().split(/\s+/)[0] ?? 0);
    };
    for (const h of lab.hosts) {
      inNs(h.netns, ['iptables', '-I', ...drop]);
      inNs(h.netns, ['iptables', '-I', ...count]); // inserted above the drop: counts every VRRP packet
    }
    try {
      const seen = await watchHolders(new Promise((r) => setTimeout(r, 60_000)));
      expect(seen).toEqual(['[0]']);
      // The rules were live (so the test can fail): the backup saw ~60 adverts, every 20th dropped.
      const backup = lab.hosts[1].netns;
      expect(packets(backup, 'vrrpio-count')).toBeGreaterThanOrEqual(50);
      expect(packets(backup, 'vrrpio-loss')).toBeGreaterThanOrEqual(2);
      console.log(`5% loss: backup dropped ${packets(backup, 'vrrpio-loss')} of ${packets(backup, 'vrrpio-count')} adverts`);
    } finally {
      for (const h of lab.hosts) {
        for (const rule of [drop, count]) {
          try {
            inNs(h.netns, ['iptables', '-D', ...rule]);
          } catch {
            // not inserted
          }
        }
      }
    }
    expect(daemons.map((d) => d.workerPid())).toEqual(workers);
  }, 120_000);
});
