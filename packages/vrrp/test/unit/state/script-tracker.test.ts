import { describe, expect, it } from 'vitest';
import { ScriptTracker, SyncGroup, VrrpInstance, type InstanceActions } from '../../../src/state/index.js';
import type { ScriptResult, ScriptRunner } from '../../../src/os/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { NO_GARP_DELAY } from '../helpers/lan.js';

function tracker(rise: number, fall: number, initFail = false) {
  const changes: string[] = [];
  const logs: string[] = [];
  const runner: ScriptRunner = { run: async () => ({ code: 0, timedOut: false, stderr: '', durationMs: 1 }) };
  const t = new ScriptTracker({ name: 'chk', argv: ['/bin/true'], intervalMs: 1000, timeoutMs: 1000, rise, fall, initFail }, runner, new FakeClock(), (s) => changes.push(s), (_l, m) => logs.push(m));
  return { t, changes, logs };
}

describe('rise/fall hysteresis (keepalived result counter)', () => {
  it('a fresh script is decided by its first result', () => {
    const ok = tracker(3, 2);
    ok.t.record(true);
    expect(ok.changes).toEqual(['up']);
    const bad = tracker(3, 2);
    bad.t.record(false);
    expect(bad.changes).toEqual(['down']);
  });
  it('fall 2: two failures in a row take it down; one failure between successes does not', () => {
    const { t, changes } = tracker(3, 2);
    t.record(true);
    t.record(false);
    t.record(true);
    expect(changes).toEqual(['up']);
    t.record(false);
    t.record(false);
    expect(changes).toEqual(['up', 'down']);
  });
  it('rise 3: three successes in a row bring it back up', () => {
    const { t, changes } = tracker(3, 2);
    t.record(false);
    t.record(true);
    t.record(true);
    expect(changes).toEqual(['down']);
    t.record(true);
    expect(changes).toEqual(['down', 'up']);
  });
  it('init_fail starts down and needs rise successes', () => {
    const { t, changes } = tracker(2, 1, true);
    expect(t.status).toBe('down');
    t.record(true);
    expect(changes).toEqual([]);
    t.record(true);
    expect(changes).toEqual(['up']);
  });
});

describe('script scheduling', () => {
  it('runs every interval, never overlaps a still-running script, and a timeout is a failure', async () => {
    const clock = new FakeClock();
    const calls: number[] = [];
    const pending: Array<(r: ScriptResult) => void> = [];
    const runner: ScriptRunner = { run: (_argv, options) => { calls.push(options.timeoutMs); return new Promise((resolve) => pending.push(resolve)); } };
    const changes: string[] = [];
    const logs: string[] = [];
    const t = new ScriptTracker({ name: 'chk', argv: ['/bin/check'], intervalMs: 2000, timeoutMs: 1500, rise: 1, fall: 1, initFail: false }, runner, clock, (s) => changes.push(s), (_l, m) => logs.push(m));
    t.start();
    expect(calls).toEqual([1500]);
    clock.advance(2000); // still running: skipped
    expect(calls).toHaveLength(1);
    expect(logs).toContain('Track script chk is already running, expect idle - skipping run');
    pending[0]({ timedOut: true, stderr: '', durationMs: 1500, signal: 'SIGKILL' });
    await clock.flush();
    expect(changes).toEqual(['down']);
    clock.advance(2000);
    expect(calls).toHaveLength(2);
    pending[1]({ code: 0, timedOut: false, stderr: '', durationMs: 5 });
    await clock.flush();
    expect(changes).toEqual(['down', 'up']);
    t.stop();
    clock.advance(10_000);
    expect(calls).toHaveLength(2);
  });
});

describe('sync group', () => {
  function member(name: string, clock: FakeClock, group: () => SyncGroup) {
    const log: string[] = [];
    const actions: InstanceActions = {
      sendAdvert: () => {}, addVips: () => log.push('add'), removeVips: () => log.push('remove'), sendGarp: () => {},
      stateChanged: (from, to) => group().memberChanged(instance, from, to), log: (_l, m) => log.push(m),
    };
    const instance = new VrrpInstance({ name, vrid: name === 'VI_1' ? 1 : 2, version: 2, basePriority: 100, advertIntervalMs: 1000, nopreempt: false, preemptDelayMs: 0, primaryAddress: '198.51.100.51', garp: NO_GARP_DELAY }, clock, actions);
    return instance;
  }
  it('members become master together and fault together', () => {
    const clock = new FakeClock();
    let g!: SyncGroup;
    const one = member('VI_1', clock, () => g);
    const two = member('VI_2', clock, () => g);
    g = new SyncGroup('G1', [one, two], () => {});
    one.start();
    clock.advance(1000);
    two.start(); // starts later, so its own timer has not run out when VI_1 wins
    clock.advance(2700);
    expect([one.state, two.state]).toEqual(['Master', 'Master']);
    expect(g.state).toBe('MASTER');
    two.addFault('if', 'interface eth2 is down');
    expect([one.state, two.state]).toEqual(['Fault', 'Fault']);
    expect(g.state).toBe('FAULT');
    two.clearFault('if');
    expect([one.state, two.state]).toEqual(['Backup', 'Backup']);
  });
});
