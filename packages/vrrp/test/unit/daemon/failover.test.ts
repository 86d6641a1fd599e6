/**
 * Issue 13 in the daemon, over the fake wire: a tracked process's loss runs the health check at once
 * (repair first), only an unrepaired loss lowers the priority, and then the master resigns with a
 * priority 0 while holding its VIP until the backup's advert; a planned stop hands over the same way.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText, type VrrpConfig } from '../../../src/config/index.js';
import { VrrpDaemon } from '../../../src/daemon/daemon.js';
import { memoryLogger } from '../../../src/daemon/logger.js';
import type { ProcessMatch, ProcessMonitor, ScriptResult } from '../../../src/os/types.js';
import { FakeWire, type FakeHost } from '../helpers/fake-system.js';

const VIP = '198.51.100.50';
const A = '198.51.100.51';
const B = '198.51.100.52';
const CHECK = '/etc/keepalived/nginx_check.sh';

/** Running processes by name, as a ProcessMonitor reports them: exits at once, restarts on a rescan. */
class FakeProcesses implements ProcessMonitor {
  readonly running = new Map<string, number>();
  private readonly watchers: Array<{ match: ProcessMatch; onCount: (n: number) => void }> = [];
  rescans = 0;

  watch(match: ProcessMatch, onCount: (n: number) => void) {
    const w = { match, onCount };
    this.watchers.push(w);
    onCount(this.count(match.process));
    return {
      rescan: async () => { this.rescans++; return this.count(match.process); },
      stop: () => { this.watchers.splice(this.watchers.indexOf(w), 1); },
    };
  }

  count(name: string): number {
    return this.running.get(name) ?? 0;
  }

  /** A process is started and found by a scan. */
  start(name: string): void {
    this.running.set(name, this.count(name) + 1);
    for (const w of this.watchers) if (w.match.process === name) w.onCount(this.count(name));
  }

  /** A process exits: watchers hear it at once. */
  exit(name: string): void {
    this.running.set(name, Math.max(0, this.count(name) - 1));
    for (const w of this.watchers) if (w.match.process === name) w.onCount(this.count(name));
  }
}

function config(o: { priority: number; src: string; peer: string; peerPriority: number; resign: boolean }): VrrpConfig {
  const text = `
vrrp_script chk_nginx {
    script "${CHECK}"
    interval 2
    weight -20
}
vrrp_track_process nginx {
    process nginx
    weight -20
}
vrrp_instance VI_1 {
    state ${o.priority === 100 ? 'MASTER' : 'BACKUP'}
    interface eth1
    virtual_router_id 51
    mcast_src_ip ${o.src}
    priority ${o.priority}
    advert_int 1
    track_script {
        chk_nginx
    }
    track_process {
        nginx
    }
    ${o.resign ? 'resign' : ''}
    peer_priority ${o.peer} ${o.peerPriority}
    virtual_ipaddress {
        ${VIP}
    }
}
`;
  const r = parseConfigText(text, `/etc/keepalived/${o.src}.conf`, { readFile: () => text, glob: () => [] });
  expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  return r.config!;
}

/**
 * A host whose health check "restarts nginx" (one more nginx process) when `repairWorks`, and
 * fails (exit 1) otherwise, as the seed's check does when nginx cannot start.
 */
function withNginx(host: FakeHost, processes: FakeProcesses, state: { repairWorks: boolean; runs: number[]; durationMs?: number }) {
  const scripts = host.scripts;
  Object.assign(host, {
    processes,
    scripts: {
      run: async (argv: readonly string[], options: { timeoutMs: number }): Promise<ScriptResult> => {
        if (argv[0] !== CHECK) return scripts.run(argv, options);
        state.runs.push(host.clock.now());
        // The script decides at its start; a slow one reports that decision durationMs later.
        const finish = async (r: ScriptResult): Promise<ScriptResult> => {
          if (state.durationMs) await new Promise<void>((done) => host.clock.setTimer(state.durationMs!, done));
          return r;
        };
        if (processes.count('nginx') > 0) return finish({ code: 0, timedOut: false, stderr: '', durationMs: 1 });
        if (state.repairWorks) { processes.running.set('nginx', 1); return finish({ code: 0, timedOut: false, stderr: '', durationMs: 1 }); }
        return finish({ code: 1, timedOut: false, stderr: 'nginx cannot start\n', durationMs: 1 });
      },
    },
  });
}

async function pair(options: { resign?: boolean; handoverOnStop?: boolean } = {}) {
  const wire = new FakeWire(1);
  const ha = wire.host('edu-proxy-01', A);
  const hb = wire.host('edu-proxy-02', B);
  const pa = new FakeProcesses();
  const pb = new FakeProcesses();
  pa.running.set('nginx', 1);
  pb.running.set('nginx', 1);
  const nginxA: { repairWorks: boolean; runs: number[]; durationMs?: number } = { repairWorks: true, runs: [] };
  withNginx(ha, pa, nginxA);
  withNginx(hb, pb, { repairWorks: true, runs: [] });
  const la = memoryLogger();
  const lb = memoryLogger();
  const da = new VrrpDaemon({ deps: ha, log: la, handoverOnStop: options.handoverOnStop });
  const db = new VrrpDaemon({ deps: hb, log: lb, handoverOnStop: options.handoverOnStop });
  await da.start(config({ priority: 100, src: A, peer: B, peerPriority: 90, resign: options.resign ?? true }));
  await db.start(config({ priority: 90, src: B, peer: A, peerPriority: 100, resign: options.resign ?? true }));
  await wire.clock.advanceAsync(10_000);
  expect(ha.hasVip(VIP)).toBe(true);
  expect(hb.hasVip(VIP)).toBe(false);
  return { wire, ha, hb, pa, nginxA, da, db, la, lb };
}

describe('repair first, then resign', () => {
  it('nginx exits and the repair starts it again: the check ran at once, the VIP stays, nothing is advertised but priority 100', async () => {
    const { wire, ha, hb, pa, nginxA, da, db, la } = await pair();
    const runsBefore = nginxA.runs.length;
    const exitAt = wire.clock.now();
    pa.exit('nginx');
    await wire.clock.advanceAsync(0);
    expect(nginxA.runs.slice(runsBefore)[0]).toBe(exitAt); // not at the next 2 s interval
    expect(la.lines).toContain('info: Track process nginx: 0 running, below quorum; running chk_nginx now to repair it');
    expect(la.lines).toContain('info: Track process nginx: repaired (1 running); nothing moves');
    await wire.clock.advanceAsync(10_000);
    expect(ha.hasVip(VIP)).toBe(true);
    expect(hb.hasVip(VIP)).toBe(false);
    expect(ha.sentPriorities.filter(([t]) => t >= exitAt).every(([, p]) => p === 100)).toBe(true);
    expect(da.status().vrrp[0].data.effective_priority).toBe(100);
    expect(da.status().track_process).toEqual([{ name: 'nginx', status: 'up', running: 1 }]);
    await da.stop();
    await db.stop();
  });

  it('nginx exits while an interval run of the check is under way: that run saw nginx up, so the check runs again after it and repairs; nothing moves', async () => {
    const { wire, ha, hb, pa, nginxA, da, db, la } = await pair();
    nginxA.durationMs = 50;
    // Just after an interval run started (it found nginx running and reports so 50 ms later).
    const lastRun = nginxA.runs.at(-1)!;
    await wire.clock.advanceAsync(lastRun + 2000 + 10 - wire.clock.now());
    expect(nginxA.runs.at(-1)).toBe(lastRun + 2000);
    const exitAt = wire.clock.now();
    pa.exit('nginx');
    await wire.clock.advanceAsync(200);
    // The run under way, then one started after the exit: that one restarted nginx.
    expect(nginxA.runs.filter((t) => t >= lastRun + 2000)).toEqual([lastRun + 2000, lastRun + 2000 + 50]);
    expect(la.lines).toContain('info: Track process nginx: repaired (1 running); nothing moves');
    await wire.clock.advanceAsync(10_000);
    expect(ha.hasVip(VIP)).toBe(true);
    expect(hb.hasVip(VIP)).toBe(false);
    expect(ha.sentPriorities.filter(([t]) => t >= exitAt).every(([, p]) => p === 100)).toBe(true);
    await da.stop();
    await db.stop();
  });

  it('nginx cannot start: priority 0 at once, the backup takes over, the old master drops the VIP on hearing it, and nothing flaps', async () => {
    const { wire, ha, hb, pa, nginxA, da, db, la, lb } = await pair();
    nginxA.repairWorks = false;
    const exitAt = wire.clock.now();
    pa.exit('nginx');
    await wire.clock.advanceAsync(0);
    expect(da.status().vrrp[0].data.effective_priority).toBe(60); // check -20, process -20
    // The resign: the first advert after the failure is a priority 0, and the VIP is still held.
    expect(ha.sentPriorities.filter(([t]) => t >= exitAt)).toEqual([[exitAt, 0]]);
    expect(ha.hasVip(VIP)).toBe(true);
    await wire.clock.advanceAsync(1000);
    expect(lb.lines).toContain('info: (VI_1) Backup received priority 0 advertisement');
    expect(hb.hasVip(VIP)).toBe(true);
    expect(ha.hasVip(VIP)).toBe(false);
    // The order on A: priority 0, then (on hearing B) the VIP removal.
    expect(la.lines.some((l) => l.includes(`new master ${B} (priority 90) heard`))).toBe(true);
    const events = ha.events.slice(ha.events.indexOf('advert 0'));
    expect(events.filter((e) => e.startsWith('advert') || e.startsWith('remove'))).toEqual(['advert 0', `remove ${VIP}`]);
    await wire.clock.advanceAsync(20_000);
    expect(hb.hasVip(VIP)).toBe(true);
    expect(ha.hasVip(VIP)).toBe(false);
    expect(da.status().vrrp[0].data.state_name).toBe('BACKUP');
    // nginx started by hand and found by a scan: the failed check runs at once, not at its next
    // 2 s tick, and the priority is whole again right then.
    nginxA.repairWorks = true;
    const backAt = wire.clock.now() + 300; // between two of the check's ticks
    await wire.clock.advanceAsync(300);
    pa.start('nginx');
    await wire.clock.advanceAsync(0);
    expect(nginxA.runs.at(-1)).toBe(backAt);
    expect(da.status().vrrp[0].data.effective_priority).toBe(100);
    await wire.clock.advanceAsync(10_000);
    expect(ha.hasVip(VIP)).toBe(true); // preempted back
    expect(hb.hasVip(VIP)).toBe(false);
    await da.stop();
    await db.stop();
  });

  it('without resign the backup waits out its Master_Down_Interval (keepalived\'s behaviour)', async () => {
    const { wire, ha, pa, nginxA, da, db } = await pair({ resign: false });
    nginxA.repairWorks = false;
    const exitAt = wire.clock.now();
    pa.exit('nginx');
    await wire.clock.advanceAsync(1000);
    expect(ha.sentPriorities.filter(([t]) => t >= exitAt).some(([, p]) => p === 0)).toBe(false);
    expect(ha.hasVip(VIP)).toBe(true);
    await da.stop();
    await db.stop();
  });
});

describe('make before break on a planned stop', () => {
  it('the old master keeps the VIP until the new master\'s advert is seen, then removes it and exits', async () => {
    const { wire, ha, hb, da, db, la } = await pair({ handoverOnStop: true });
    let stopped = false;
    const stopping = da.stop().then(() => { stopped = true; });
    await wire.clock.advanceAsync(0);
    expect(ha.sentPriorities.at(-1)![1]).toBe(0);
    // Before the backup's takeover the old master still holds the VIP and has not exited.
    const holders: Array<[boolean, boolean]> = [];
    while (!hb.hasVip(VIP) || ha.hasVip(VIP)) {
      holders.push([ha.hasVip(VIP), hb.hasVip(VIP)]);
      await wire.clock.advanceAsync(1);
      if (holders.length > 5000) break;
    }
    expect(holders.every(([onA]) => onA)).toBe(true);
    expect(holders.filter(([onA, onB]) => !onA && !onB)).toEqual([]); // never nobody
    await stopping;
    expect(stopped).toBe(true);
    expect(la.lines.some((l) => l.includes(`new master ${B} (priority 90) heard`))).toBe(true);
    // Alone now, the new master's own stop gives the VIP up once its window closes, with no one to hear.
    const last = db.stop();
    await wire.clock.advanceAsync(5000);
    await last;
    expect(hb.hasVip(VIP)).toBe(false);
  });
});
