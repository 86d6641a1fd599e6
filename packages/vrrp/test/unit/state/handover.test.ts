/**
 * Make before break (issue 13): a master that stops or resigns sends priority 0 but holds its VIPs
 * until the new master's advert is heard; resigning happens when its priority falls below a peer's.
 */
import { describe, expect, it } from 'vitest';
import { Lan } from '../helpers/lan.js';
import { NEW_MASTER_GRACE_MS } from '../../../src/state/instance.js';

const A = '198.51.100.51';
const B = '198.51.100.52';

function settledPair(options: { resign?: boolean; configuredPeer?: boolean; latencyMs?: number } = {}) {
  const lan = new Lan(options.latencyMs ?? 0);
  const a = lan.add({ address: A, priority: 100, initialState: 'MASTER', resign: options.resign, peerPriorities: options.configuredPeer ? [{ address: B, priority: 90 }] : undefined });
  const b = lan.add({ address: B, priority: 90 });
  a.instance.start();
  b.instance.start();
  lan.clock.runUntil(10_000);
  expect(lan.masters()).toEqual([A]);
  return { lan, a, b };
}

describe('planned stop with make before break', () => {
  it('sends priority 0, keeps the VIPs until the backup\'s advert, then removes them and stops', async () => {
    const { lan, a, b } = settledPair({ latencyMs: 1 });
    const stopped = a.instance.stopAfterHandover();
    expect(a.sent.at(-1)).toEqual([10_000, 0]);
    expect(a.instance.handingOver).toBe('stop');
    // Until the backup's own advert arrives, the old master still holds the VIPs and stays MASTER.
    const vipsUntilTakeover: boolean[] = [];
    while (b.state !== 'Master') {
      lan.clock.advance(1);
      if (b.state !== 'Master') vipsUntilTakeover.push(a.vipsHeld);
    }
    expect(vipsUntilTakeover.length).toBeGreaterThan(0);
    expect(vipsUntilTakeover.every((held) => held)).toBe(true);
    expect(a.vipsHeld).toBe(true); // the backup's advert is still on the wire
    lan.clock.advance(1);
    // Heard: the VIPs stay for the new master's gratuitous ARP to reach the clients, then go.
    expect(a.logs.some((l) => l.includes(`new master ${B} (priority 90) heard`))).toBe(true);
    expect(a.vipsHeld).toBe(true);
    lan.clock.advance(NEW_MASTER_GRACE_MS);
    expect(a.vipsHeld).toBe(false);
    expect(a.state).toBe('Stopped');
    expect(a.effects.slice(-2)).toEqual(['advert 0', 'remove VIPs']);
    expect(a.logs.some((l) => l.includes(`new master ${B} (priority 90) heard`))).toBe(true);
    await stopped;
    // No priority-100 advert left the old master after its priority 0 (it would hold the backup back).
    expect(a.sent.filter(([t]) => t >= 10_000)).toEqual([[10_000, 0]]);
  });

  it('gives the VIPs up after Skew_Time plus one advert interval when no backup answers', async () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, initialState: 'MASTER' });
    a.instance.start();
    lan.clock.runUntil(5000);
    expect(a.state).toBe('Master');
    const window = a.instance.handoverWindowMs();
    expect(window).toBeCloseTo((255 / 256) * 1000 + 1000); // nobody known: the slowest backup, priority 1
    let done = false;
    void a.instance.stopAfterHandover().then(() => { done = true; });
    lan.clock.advance(window - 1);
    expect(a.vipsHeld).toBe(true);
    lan.clock.advance(2);
    expect(a.vipsHeld).toBe(false);
    expect(a.state).toBe('Stopped');
    expect(a.logs.some((l) => l.includes('no new master heard'))).toBe(true);
    await Promise.resolve();
    expect(done).toBe(true);
  });

  it('a backup stops at once, with no advert', async () => {
    const { a, b } = settledPair();
    const before = b.sent.length;
    await b.instance.stopAfterHandover();
    expect(b.state).toBe('Stopped');
    expect(b.sent.length).toBe(before);
    expect(a.state).toBe('Master');
  });

  it('a plain stop() during the handover removes the VIPs at once and settles the waiting stop', async () => {
    const { a } = settledPair();
    const stopped = a.instance.stopAfterHandover();
    a.instance.stop();
    expect(a.vipsHeld).toBe(false);
    expect(a.state).toBe('Stopped');
    await stopped;
  });
});

describe('resign when outranked', () => {
  it('a master whose priority falls below a configured peer\'s sends priority 0 at once; the backup takes over after its Skew_Time', () => {
    const { lan, a, b } = settledPair({ resign: true, configuredPeer: true });
    a.instance.setPriorityDelta(-20);
    expect(a.sent.at(-1)).toEqual([10_000, 0]);
    expect(a.instance.handingOver).toBe('resign');
    expect(a.vipsHeld).toBe(true);
    lan.clock.advance(2000);
    expect(b.logs).toContain('10000 (VI_1) Backup received priority 0 advertisement');
    expect(b.transitions.at(-1)![1]).toBe('Master');
    expect(b.transitions.at(-1)![0]).toBeLessThan(10_000 + 1000); // Skew_Time, not Master_Down_Interval
    expect(a.state).toBe('Backup');
    expect(a.vipsHeld).toBe(false);
    lan.clock.advance(10_000);
    // No flap: the resigned node stays backup while its priority is low.
    expect(lan.masters()).toEqual([B]);
  });

  it('learns the peer\'s priority from adverts it heard while backup', () => {
    const lan = new Lan();
    const b = lan.add({ address: B, priority: 90, initialState: 'MASTER' });
    b.instance.start();
    lan.clock.runUntil(3000);
    const a = lan.add({ address: A, priority: 100, resign: true });
    a.instance.start();
    lan.clock.runUntil(10_000);
    expect(lan.masters()).toEqual([A]); // preempted: heard B's priority 90 on the way
    expect(a.instance.highestPeerPriority).toBe(90);
    a.instance.setPriorityDelta(-20);
    expect(a.sent.at(-1)![1]).toBe(0);
    lan.clock.advance(2000);
    expect(lan.masters()).toEqual([B]);
  });

  it('does not resign while it still outranks every peer, nor without resign', () => {
    const { lan, a } = settledPair({ resign: true, configuredPeer: true });
    a.instance.setPriorityDelta(-5); // 95 > 90
    expect(a.instance.handingOver).toBeUndefined();
    const other = settledPair({ resign: false, configuredPeer: true });
    other.a.instance.setPriorityDelta(-20);
    expect(other.a.instance.handingOver).toBeUndefined();
    expect(other.a.sent.at(-1)![1]).toBe(100);
    lan.clock.advance(5000);
    expect(lan.masters()).toEqual([A]);
  });

  it('stays master when no backup answers the resignation, and does not retry at the same priority', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, initialState: 'MASTER', resign: true, peerPriorities: [{ address: B, priority: 90 }] });
    a.instance.start();
    lan.clock.runUntil(5000);
    a.instance.setPriorityDelta(-20);
    expect(a.sent.at(-1)).toEqual([5000, 0]);
    lan.clock.advance(5000);
    expect(a.state).toBe('Master');
    expect(a.vipsHeld).toBe(true);
    expect(a.logs.some((l) => l.includes('no other router took over'))).toBe(true);
    // Back to adverts at its priority, once per interval, no second priority 0.
    expect(a.sent.filter(([, p]) => p === 0)).toHaveLength(1);
    expect(a.sent.at(-1)![1]).toBe(80);
  });

  it('takes the resignation back when the peer that answers is worse off than we are (no flap)', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, initialState: 'MASTER', resign: true, peerPriorities: [{ address: B, priority: 90 }] });
    const b = lan.add({ address: B, priority: 90 });
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    b.instance.setPriorityDelta(-30); // the backup's own check fails: 60
    a.instance.setPriorityDelta(-20); // 80 < the configured 90: resign
    lan.clock.advance(3000);
    expect(a.logs.some((l) => l.includes(`${B} answered our resignation with priority 60, below our 80: staying MASTER`))).toBe(true);
    lan.clock.advance(10_000);
    expect(lan.masters()).toEqual([A]);
    expect(a.vipsHeld).toBe(true);
    expect(b.vipsHeld).toBe(false);
    expect(a.sent.filter(([, p]) => p === 0)).toHaveLength(1);
    // B's gratuitous ARPs pointed the clients at B: A sends its own after taking the resignation back.
    const staying = Number(a.logs.find((l) => l.includes('staying MASTER'))!.split(' ')[0]);
    expect(a.garps.some(([t]) => t === staying)).toBe(true);
  });

});

describe('preemption keeps the VIPs for the new master\'s gratuitous ARP', () => {
  it('a preempted master removes its VIPs NEW_MASTER_GRACE_MS after the higher-priority advert, as a backup', () => {
    const lan = new Lan();
    const b = lan.add({ address: B, priority: 90 });
    b.instance.start();
    lan.clock.runUntil(5000);
    expect(lan.masters()).toEqual([B]);
    const a = lan.add({ address: A, priority: 100 });
    a.instance.start();
    while (a.state !== 'Master') lan.clock.advance(1);
    const takeover = lan.clock.now();
    lan.clock.advance(0); // the advert reaches B (no latency)
    expect(b.state).toBe('Backup');
    expect(b.vipsHeld).toBe(true);
    lan.clock.advance(NEW_MASTER_GRACE_MS - 1);
    expect(b.vipsHeld).toBe(true);
    lan.clock.advance(1);
    expect(b.vipsHeld).toBe(false);
    expect(b.effects.filter((e) => e === 'remove VIPs')).toHaveLength(1);
    expect(lan.clock.now()).toBe(takeover + NEW_MASTER_GRACE_MS);
  });
  it('a stop during the grace removes them at once', () => {
    const lan = new Lan();
    const b = lan.add({ address: B, priority: 90 });
    b.instance.start();
    lan.clock.runUntil(5000);
    const a = lan.add({ address: A, priority: 100 });
    a.instance.start();
    while (b.state === 'Master') lan.clock.advance(1);
    expect(b.vipsHeld).toBe(true);
    b.instance.stop();
    expect(b.vipsHeld).toBe(false);
  });
});
