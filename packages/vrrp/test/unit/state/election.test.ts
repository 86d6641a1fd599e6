import { describe, expect, it } from 'vitest';
import { Lan } from '../helpers/lan.js';

const A = '198.51.100.51';
const B = '198.51.100.52';
const C = '198.51.100.53';

describe('startup', () => {
  it('state MASTER waits one interval plus the minimal skew; the backup hears it and never takes over', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, initialState: 'MASTER' });
    const b = lan.add({ address: B, priority: 90, initialState: 'BACKUP' });
    a.instance.start();
    b.instance.start();
    expect(a.state).toBe('Backup');
    lan.clock.advance(30_000);
    expect(a.transitions).toEqual([[0, 'Backup'], [1003.90625, 'Master']]);
    expect(b.transitions).toEqual([[0, 'Backup']]);
    expect(a.logs).toContain('0 (VI_1) Entering BACKUP STATE (init)');
    expect(a.logs).toContain('1003.90625 (VI_1) Entering MASTER STATE');
    // One advert per interval from the moment it became master.
    expect(a.sent.slice(0, 3)).toEqual([[1003.90625, 100], [2003.90625, 100], [3003.90625, 100]]);
  });
  it('the address owner (255) is master at once', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 255, initialState: 'MASTER' });
    a.instance.start();
    lan.clock.advance(0);
    expect(a.transitions).toEqual([[0, 'Backup'], [0, 'Master']]);
  });
  it('a lone BACKUP takes over after Master_Down_Interval = 3 x 1 s + (256 - 90)/256 s', () => {
    const lan = new Lan();
    const b = lan.add({ address: B, priority: 90 });
    b.instance.start();
    lan.clock.advance(5000);
    expect(b.transitions).toEqual([[0, 'Backup'], [3648.4375, 'Master']]);
  });
  it('becoming master sends the advert first, then adds VIPs, then GARPs (5 now, 5 after garp_master_delay)', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 5000, lowerPrioRepeat: 5, intervalMs: 0 } });
    a.instance.start();
    lan.clock.advance(10_000);
    expect(a.effects.slice(0, 3)).toEqual(['advert 100', 'add VIPs', 'garp 5']);
    expect(a.garps).toEqual([[3609.375, 5], [8609.375, 5]]);
  });
  it('garp_master_refresh repeats while master', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 255, garp: { masterDelayMs: 0, masterRepeat: 2, masterRefreshMs: 10_000, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 2, intervalMs: 0 } });
    a.instance.start();
    lan.clock.advance(25_000);
    expect(a.garps).toEqual([[0, 2], [10_000, 1], [20_000, 1]]);
  });
});

function pair(options: { aPriority?: number; bPriority?: number; nopreempt?: boolean; preemptDelayMs?: number } = {}) {
  const lan = new Lan();
  const a = lan.add({ address: A, priority: options.aPriority ?? 100, nopreempt: options.nopreempt, preemptDelayMs: options.preemptDelayMs });
  const b = lan.add({ address: B, priority: options.bPriority ?? 90 });
  return { lan, a, b };
}

describe('priority 0 and preemption', () => {
  it('a master stopping sends priority 0; the backup takes over after Skew_Time only', () => {
    const { lan, a, b } = pair();
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    expect(lan.masters()).toEqual([A]);
    a.instance.stop();
    expect(a.sent.at(-1)).toEqual([10_000, 0]);
    expect(a.vipsHeld).toBe(false);
    expect(a.logs.at(-2)).toBe('10000 (VI_1) sent 0 priority');
    lan.clock.advance(5000);
    expect(b.transitions.at(-1)).toEqual([10_000 + 648.4375, 'Master']);
    expect(b.logs).toContain('10000 (VI_1) Backup received priority 0 advertisement');
  });
  it('timers run from when an advert arrived, not from when the state machine got it', () => {
    // 3 ms between arrival and processing (a busy event loop): the takeover still comes Skew_Time
    // after the priority 0 advert arrived, and a silent master is declared down Master_Down_Interval
    // after its last advert arrived.
    const setUp = () => {
      const lan = new Lan(0, 3);
      const a = lan.add({ address: A, priority: 100, initialState: 'MASTER' });
      const b = lan.add({ address: B, priority: 90 });
      a.instance.start();
      b.instance.start();
      lan.clock.runUntil(10_000);
      expect(lan.masters()).toEqual([A]);
      return { lan, a, b };
    };
    const stopped = setUp();
    stopped.a.instance.stop();
    stopped.lan.clock.advance(5000);
    expect(stopped.b.transitions.at(-1)).toEqual([10_000 + 648.4375, 'Master']);

    const crashed = setUp();
    const lastAdvert = crashed.a.sent.at(-1)![0];
    crashed.a.crash();
    crashed.lan.clock.advance(5000);
    expect(crashed.b.transitions.at(-1)).toEqual([lastAdvert + 3 * 1000 + 648.4375, 'Master']);
  });

  it('the higher priority preempts when it comes back: it discards lower adverts and its down timer runs out', () => {
    const { lan, a, b } = pair();
    b.instance.start();
    lan.clock.runUntil(10_000);
    expect(lan.masters()).toEqual([B]);
    a.instance.start();
    lan.clock.advance(10_000);
    expect(a.transitions).toEqual([[10_000, 'Backup'], [10_000 + 3609.375, 'Master']]);
    expect(a.logs).toContain('10648.4375 (VI_1) received lower priority (90) advert from 198.51.100.52 - discarding');
    expect(b.transitions.at(-1)).toEqual([10_000 + 3609.375, 'Backup']);
    expect(b.logs).toContain('13609.375 (VI_1) Master received advert from 198.51.100.51 with higher priority 100, ours 90');
    expect(b.vipsHeld).toBe(false);
    expect(lan.masters()).toEqual([A]);
  });
  it('nopreempt: the higher priority stays backup while a master answers', () => {
    const { lan, a, b } = pair({ nopreempt: true });
    b.instance.start();
    lan.clock.runUntil(10_000);
    a.instance.start();
    lan.clock.advance(60_000);
    expect(a.transitions).toEqual([[10_000, 'Backup']]);
    expect(lan.masters()).toEqual([B]);
    // ...but it does take over when the master goes away.
    b.instance.stop();
    lan.clock.advance(1000);
    expect(a.transitions.at(-1)).toEqual([70_000 + 609.375, 'Master']);
  });
  it('preempt_delay: lower adverts are accepted for the delay, then the down timer runs out', () => {
    const { lan, a, b } = pair({ preemptDelayMs: 5000 });
    b.instance.start();
    lan.clock.runUntil(10_000); // B master since 3648.4375, adverts at x648.4375
    a.instance.start();
    lan.clock.advance(20_000);
    // First lower advert at 10648.4375 starts the delay (until 15648.4375); the advert at exactly that
    // moment is no longer accepted, so the last accepted one is 14648.4375, plus 3609.375.
    expect(a.logs).toContain('10648.4375 (VI_1) start preempt delay (5 s)');
    expect(a.transitions).toEqual([[10_000, 'Backup'], [14648.4375 + 3609.375, 'Master']]);
    expect(lan.masters()).toEqual([A]);
  });
});

describe('equal priority and split brain', () => {
  it('equal priority: the higher primary address wins, the lower re-elects at once', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100 });
    const b = lan.add({ address: B, priority: 100 });
    a.instance.start();
    b.instance.start();
    lan.clock.advance(10_000);
    expect(a.transitions).toEqual([[0, 'Backup'], [3609.375, 'Master'], [3609.375, 'Backup']]);
    expect(b.transitions).toEqual([[0, 'Backup'], [3609.375, 'Master']]);
    expect(a.logs).toContain('3609.375 (VI_1) Master received advert from 198.51.100.52 with same priority 100 but higher IP address than ours');
    expect(lan.masters()).toEqual([B]);
    expect(a.vipsHeld).toBe(false);
    expect(b.vipsHeld).toBe(true);
  });
  it('split brain heals: the real master re-advertises and re-ARPs at once, the other backs off', () => {
    const { lan, a, b } = pair();
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    b.connected = false; // B cannot hear anything (nor be heard)
    lan.clock.runUntil(20_000);
    expect(lan.masters()).toEqual([A, B]);
    const bBecameMaster = b.transitions.at(-1)![0];
    expect(bBecameMaster).toBe(9609.375 + 3648.4375); // last advert heard at 9609.375
    const garpsBefore = a.garps.length;
    b.connected = true;
    lan.clock.runUntil(21_000);
    // B's next advert (priority 90) reaches A: A answers with an advert and GARPs right away.
    const heal = b.sent.find(([t]) => t > 20_000)![0];
    expect(a.logs).toContain(`${heal} (VI_1) Received advert from 198.51.100.52 with lower priority 90, ours 100, forcing new election`);
    expect(a.sent).toContainEqual([heal, 100]);
    expect(a.garps.slice(garpsBefore)).toEqual([[heal, 5]]);
    expect(b.transitions.at(-1)).toEqual([heal, 'Backup']);
    expect(lan.masters()).toEqual([A]);
  });
  it('three routers: the best backup takes over after a crash (no priority 0)', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100 });
    const b = lan.add({ address: B, priority: 90 });
    const c = lan.add({ address: C, priority: 80 });
    for (const r of [a, b, c]) r.instance.start();
    lan.clock.runUntil(10_000);
    a.crash();
    lan.clock.advance(10_000);
    // Last advert from A at 9609.375; B's down interval (3648.4375) is shorter than C's (3687.5).
    expect(b.transitions.at(-1)).toEqual([9609.375 + 3648.4375, 'Master']);
    expect(c.transitions).toEqual([[0, 'Backup']]);
  });
});

describe('VRRPv3', () => {
  it('a backup adopts the master\'s advert interval and times out on it', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, version: 3, advertIntervalMs: 100 });
    const b = lan.add({ address: B, priority: 90, version: 3, advertIntervalMs: 1000 });
    a.instance.start();
    lan.clock.runUntil(1000);
    b.instance.start();
    lan.clock.runUntil(2000);
    expect(b.instance.masterAdverIntervalMs).toBe(100);
    expect(b.logs.some((l) => l.includes("adopting the master's advert interval 0.1 s (was 1 s)"))).toBe(true);
    const lastAdvert = a.sent.at(-1)![0];
    a.crash();
    lan.clock.advance(1000);
    // 3 x 100 ms + (256 - 90) x 100 / 256 ms.
    expect(b.transitions.at(-1)).toEqual([lastAdvert + 364.84375, 'Master']);
  });
  it('0.1 s interval: priority 0 hands over after Skew_Time = 0.0648 s', () => {
    const lan = new Lan();
    const a = lan.add({ address: A, priority: 100, version: 3, advertIntervalMs: 100 });
    const b = lan.add({ address: B, priority: 90, version: 3, advertIntervalMs: 100 });
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(2000);
    a.instance.stop();
    lan.clock.advance(1000);
    expect(b.transitions.at(-1)).toEqual([2000 + 64.84375, 'Master']);
  });
});

describe('FAULT and tracking', () => {
  it('a master going to FAULT sends priority 0 and drops its VIPs; recovery preempts again', () => {
    const { lan, a, b } = pair();
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    a.instance.addFault('if:eth1', 'interface eth1 is down');
    expect(a.state).toBe('Fault');
    expect(a.sent.at(-1)).toEqual([10_000, 0]);
    expect(a.vipsHeld).toBe(false);
    lan.clock.runUntil(20_000);
    expect(b.transitions.at(-1)).toEqual([10_648.4375, 'Master']);
    a.instance.clearFault('if:eth1');
    expect(a.state).toBe('Backup');
    lan.clock.runUntil(30_000);
    expect(a.transitions.at(-1)).toEqual([20_000 + 3609.375, 'Master']);
    expect(lan.masters()).toEqual([A]);
  });
  it('adverts are ignored in FAULT', () => {
    const { lan, a, b } = pair();
    a.instance.addFault('script:chk', 'script chk is down');
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    expect(a.transitions).toEqual([[0, 'Fault']]);
    expect(a.instance.counters.advert_rcvd).toBe(0);
    expect(lan.masters()).toEqual([B]);
  });
  it('a negative weight that drops the master below the backup moves the VIP after the down interval', () => {
    const { lan, a, b } = pair();
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    a.instance.setPriorityDelta(-20); // 100 - 20 = 80 < 90
    expect(a.instance.priority).toBe(80);
    lan.clock.runUntil(20_000);
    // B discards the 80 adverts from 10609.375 on; the last accepted one was at 9609.375.
    expect(b.transitions.at(-1)).toEqual([9609.375 + 3648.4375, 'Master']);
    expect(a.transitions.at(-1)).toEqual([9609.375 + 3648.4375, 'Backup']);
  });
  it('a weight that leaves the master at or above the backup moves nothing', () => {
    const { lan, a, b } = pair();
    a.instance.start();
    b.instance.start();
    lan.clock.runUntil(10_000);
    a.instance.setPriorityDelta(-5);
    lan.clock.runUntil(30_000);
    expect(lan.masters()).toEqual([A]);
    expect(b.transitions).toEqual([[0, 'Backup']]);
  });
  it('a priority change in Backup shifts the running down timer by the change in skew', () => {
    const lan = new Lan();
    const b = lan.add({ address: B, priority: 90 });
    b.instance.start();
    lan.clock.runUntil(1000);
    b.instance.setPriorityDelta(-40); // 50: skew grows from 648.4375 to 804.6875
    lan.clock.runUntil(10_000);
    expect(b.transitions.at(-1)).toEqual([3648.4375 + 156.25, 'Master']);
  });
});
