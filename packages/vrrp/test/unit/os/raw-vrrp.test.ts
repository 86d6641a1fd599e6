import { describe, expect, it } from 'vitest';
import type { Libc } from '../../../src/os/libc.js';
import { PacketGarpSender } from '../../../src/os/garp.js';
import type { LinkState } from '../../../src/os/links.js';
import { RawVrrpNetwork } from '../../../src/os/raw-vrrp.js';
import { SIOCGSTAMPNS } from '../../../src/os/structs.js';
import type { Poller } from '../../../src/os/poller.js';
import type { ReceivedPacket } from '../../../src/os/types.js';
import { encodeAdvert } from '../../../src/protocol/index.js';

/**
 * A libc that records sendto calls and serves one queued datagram to recvfrom, with a kernel receive
 * timestamp (SIOCGSTAMPNS) and a realtime clock the test sets.
 */
function fakeLibc() {
  const sent: Array<{ fd: number; data: Buffer; flags: number; address: Buffer }> = [];
  const state = { realtimeMs: 1_800_000_000_000, stampMs: undefined as number | undefined, queue: [] as Buffer[] };
  let nextFd = 10;
  const libc = {
    socket: () => nextFd++,
    setsockopt: () => {},
    setsockoptInt: () => {},
    attachDropAllFilter: () => {},
    bind: () => {},
    close: () => {},
    ifNameToIndex: () => 2,
    sendto: (fd: number, data: Buffer, flags: number, address: Buffer) => {
      sent.push({ fd, data, flags, address });
      return data.length;
    },
    recvfrom: (_fd: number, into: Buffer) => {
      const next = state.queue.shift();
      if (!next) return -1;
      next.copy(into);
      return next.length;
    },
    ioctl: (_fd: number, request: number, buf: Buffer) => {
      if (request !== SIOCGSTAMPNS || state.stampMs === undefined) return -1;
      buf.writeBigInt64LE(BigInt(Math.floor(state.stampMs / 1000)), 0);
      buf.writeBigInt64LE(BigInt(Math.round((state.stampMs % 1000) * 1e6)), 8);
      return 0;
    },
    realtimeMs: () => state.realtimeMs,
  } as unknown as Libc;
  return { libc, sent, state };
}

/** A poller that only remembers the drain callbacks, so the test decides when packets are read. */
function fakePoller() {
  const drains: Array<() => void> = [];
  return { poller: { register: (_fd: number, drain: () => void) => drains.push(drain), unregister: (_fd: number, done: () => void) => done() } as unknown as Poller, drains };
}

const advert = (priority: number) =>
  encodeAdvert({ version: 3, vrid: 51, priority, addresses: ['198.51.100.50'], advertIntervalMs: 1000 }, { source: '198.51.100.52', destination: '224.0.0.18' });

describe('RawVrrpNetwork', () => {
  it('builds each payload\'s datagram once (our IPv4 header, the v3 checksum) and sends it synchronously', async () => {
    const fake = fakeLibc();
    const { poller } = fakePoller();
    const network = new RawVrrpNetwork({ libc: fake.libc, poller, now: () => 0 });
    const socket = await network.open({ interface: 'eth1', sourceAddress: '198.51.100.52', unicastPeers: [] }, () => {});
    const takeover = advert(90);
    socket.prepare?.(takeover);
    socket.send(takeover);
    socket.send(takeover);
    socket.send(advert(0));
    expect(fake.sent).toHaveLength(3);
    expect(fake.sent[1].data).toBe(fake.sent[0].data); // the same bytes, not rebuilt
    expect(fake.sent[2].data).not.toBe(fake.sent[0].data);
    const datagram = fake.sent[0].data;
    expect(datagram.length).toBe(20 + takeover.length);
    expect([datagram[1], datagram[8], datagram[9]]).toEqual([0xc0, 255, 112]); // TOS, TTL, protocol
    expect([...datagram.subarray(16, 20)]).toEqual([224, 0, 0, 18]);
    expect(datagram.subarray(20).readUInt16BE(6)).not.toBe(0); // the checksum filled in
  });

  it('unicast: one datagram per peer, and a failing peer does not stop the others', async () => {
    const fake = fakeLibc();
    const { poller } = fakePoller();
    const network = new RawVrrpNetwork({ libc: fake.libc, poller, now: () => 0 });
    const socket = await network.open({ interface: 'eth1', sourceAddress: '198.51.100.52', unicastPeers: ['198.51.100.51', '198.51.100.53'] }, () => {});
    const failing = fake.libc.sendto;
    let calls = 0;
    (fake.libc as { sendto: Libc['sendto'] }).sendto = (fd, data, flags, address) => {
      if (calls++ === 0) throw new Error('EHOSTUNREACH');
      return failing(fd, data, flags, address);
    };
    expect(() => socket.send(advert(90))).toThrow('EHOSTUNREACH');
    expect(fake.sent.map((s) => [...s.data.subarray(16, 20)].join('.'))).toEqual(['198.51.100.53']);
  });

  it('a packet carries its kernel arrival time on the monotonic clock, unless the timestamp is missing or implausible', async () => {
    const fake = fakeLibc();
    const { poller, drains } = fakePoller();
    const monotonicNow = 5000;
    const network = new RawVrrpNetwork({ libc: fake.libc, poller, now: () => monotonicNow });
    const packets: ReceivedPacket[] = [];
    await network.open({ interface: 'eth1', sourceAddress: '198.51.100.52', unicastPeers: [] }, (p) => packets.push(p));
    const read = (stampAgeMs: number | undefined) => {
      fake.state.stampMs = stampAgeMs === undefined ? undefined : fake.state.realtimeMs - stampAgeMs;
      fake.state.queue.push(Buffer.from([0x45, 0, 0, 20]));
      drains[0]();
      return packets.at(-1)!.receivedAt;
    };
    expect(read(1.5)).toBeCloseTo(5000 - 1.5, 6); // read 1.5 ms after it arrived
    expect(read(undefined)).toBe(5000); // no timestamp
    expect(read(-20)).toBe(5000); // "from the future": the realtime clock went back
    expect(read(3000)).toBe(5000); // too old to be our own delay: the clock jumped
  });
});

describe('PacketGarpSender', () => {
  it('builds a frame once per interface index, MAC and address, asking the interface each time', async () => {
    const fake = fakeLibc();
    let link: LinkState = { exists: true, index: 2, up: true, mac: '02:00:00:00:00:01' };
    let asked = 0;
    const garp = new PacketGarpSender(fake.libc, () => {
      asked++;
      return link;
    });
    garp.prepare([{ interfaceName: 'eth1', address: '198.51.100.50' }]);
    await garp.send('eth1', '198.51.100.50', 2);
    expect(fake.sent).toHaveLength(2);
    expect(fake.sent[1].data).toBe(fake.sent[0].data);
    expect(fake.sent[0].data.subarray(6, 12).toString('hex')).toBe('020000000001'); // source MAC
    link = { ...link, mac: '02:00:00:00:00:02' }; // the MAC changed: a new frame
    await garp.send('eth1', '198.51.100.50', 1);
    expect(fake.sent[2].data.subarray(6, 12).toString('hex')).toBe('020000000002');
    expect(asked).toBe(3);
    link = { exists: false, index: 0, up: false, mac: '' };
    await expect(garp.send('eth1', '198.51.100.50', 1)).rejects.toThrow('no interface eth1');
  });
});
