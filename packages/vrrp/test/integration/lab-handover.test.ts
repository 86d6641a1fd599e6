/**
 * Issue 13 on the wire, vrrpd beside Debian's keepalived 2.2.7 (VRRPv2, advert_int 1, PASS):
 * - a tracked process that dies and is repaired by the health check moves nothing;
 * - one that cannot be repaired makes the vrrpd master resign: a priority 0 at once, keepalived's
 *   takeover, and no flap afterwards;
 * - a planned stop keeps the VIP on the old master until the new master's advert is heard (the VIP is
 *   never on no host);
 * - with keepalived as the master, the vrrpd backup's failures and stop disturb nothing.
 * Runs in the default lab (HAWEB_LAB_NAME / HAWEB_LAB_SUBNET choose it), which the global setup brings up.
 * The tracked process is a `sleep` with a unique argument, started here and by the health check.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '@haweb/lab';
import { Daemon, hasAddress, removeAddress, vrrpConfig, waitUntil } from './support/lab-vrrp.js';

let lab: LabState;
const dir = `/run/vrrp-handover-${process.pid}`;
const TAG = `${7000 + (process.pid % 1000)}.5`;
const NO_REPAIR = join(dir, 'no-repair');
const CHECK = join(dir, 'check.sh');
const VRID = 81;

beforeAll(async () => {
  const { ensureLab, DEFAULT_LAB_NAME } = await import('@haweb/lab');
  lab = await ensureLab({ name: DEFAULT_LAB_NAME, hosts: 2 });
  // Root-owned 0755, as enable_script_security wants. The check "repairs" by starting the sleep again
  // (and waits until it runs, as the seed's check waits for nginx's pid), unless NO_REPAIR exists.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(CHECK, `#!/bin/sh
running() { pgrep -x -f "sleep ${TAG}" >/dev/null; }
running && exit 0
[ -e ${NO_REPAIR} ] && exit 1
setsid sleep ${TAG} </dev/null >/dev/null 2>&1 &
i=0
while [ $i -lt 50 ]; do running && exit 0; sleep 0.02; i=$((i + 1)); done
exit 1
`);
  chmodSync(CHECK, 0o755);
}, 600_000);

afterAll(() => {
  killTracked();
  rmSync(dir, { recursive: true, force: true });
});

/** PIDs of our tracked sleeps (exact command line), from /proc. */
function trackedPids(): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${TAG}\0`;
    } catch {
      return false;
    }
  }).map(Number);
}

function killTracked(): void {
  for (const pid of trackedPids()) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function startTracked(): void {
  execFileSync('sh', ['-c', `setsid sleep ${TAG} </dev/null >/dev/null 2>&1 &`]);
}

function holders(): number[] {
  return lab.hosts.flatMap((h, i) => (hasAddress(h.netns, lab.interface, lab.vip) ? [i] : []));
}

async function soleHolder(index: number, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(() => {
    const h = holders();
    return h.length === 1 && h[0] === index;
  }, timeoutMs, () => `${what}: VIP holders ${JSON.stringify(holders())}, expected only host ${index}`);
}

/** Samples the VIP's holders until `until` says stop or `maxMs` passed (bounded either way). */
async function sampleHolders(maxMs: number, until: (h: number[]) => boolean = () => false): Promise<number[][]> {
  const samples: number[][] = [];
  const start = Date.now();
  while (Date.now() - start < maxMs) {
    const h = holders();
    samples.push(h);
    if (until(h)) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return samples;
}

/** vrrpd's configuration: the plain one both daemons accept, plus the vrrpd-only failover keywords. */
/** The protocol variant under test: the seed's (v2, 1 s) or fast VRRPv3 (0.1 s). */
interface Variant { version: 2 | 3; advertInt: string }
const V2: Variant = { version: 2, advertInt: '1' };

function vrrpdConfig(priority: number, state: 'MASTER' | 'BACKUP', peerPriority: number, v: Variant = V2): string {
  const peer = lab.hosts[state === 'MASTER' ? 1 : 0].address;
  const base = vrrpConfig({ ifname: lab.interface, vrid: VRID, priority, state, version: v.version, advertInt: v.advertInt, vip: lab.vip, prefixLength: lab.prefix, check: { script: CHECK, interval: 2, weight: -20 } });
  return base
    .replace('vrrp_instance VI_1 {', `vrrp_track_process tracked {\n    process sleep ${TAG}\n    weight -20\n}\nvrrp_instance VI_1 {`)
    .replace('    track_script {', `    resign\n    peer_priority ${peer} ${peerPriority}\n    track_process {\n        tracked\n    }\n    track_script {`);
}

function keepalivedConfig(priority: number, state: 'MASTER' | 'BACKUP', v: Variant = V2): string {
  return vrrpConfig({ ifname: lab.interface, vrid: VRID, priority, state, version: v.version, advertInt: v.advertInt, vip: lab.vip, prefixLength: lab.prefix });
}

const started: Daemon[] = [];

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    for (const d of started) console.log(`---- ${d.kind} in ${d.ns} ----\n${d.log.split('\n').filter((l) => !/gratuitous ARP/.test(l)).slice(-60).join('\n')}`);
  }
  await Promise.all(started.splice(0).map((d) => d.stop()));
  killTracked();
  rmSync(NO_REPAIR, { force: true });
  for (const h of lab.hosts) removeAddress(h.netns, lab.interface, `${lab.vip}/${lab.prefix}`);
});

describe.each([V2, { version: 3, advertInt: '0.1' } as Variant])('vrrpd master (host 0, priority 100, resign) and keepalived backup (host 1, priority 90), VRRPv$version advert_int $advertInt', (variant) => {
  /**
   * vrrpd master first, then keepalived joins as backup (at 0.1 s keepalived's first down timer would
   * otherwise run out before Node has started). Log offsets taken after both settled: assertions look
   * only at what happened after the fault.
   */
  async function settled(): Promise<{ ours: Daemon; theirs: Daemon; offset: number; theirOffset: number }> {
    startTracked();
    await waitUntil(() => trackedPids().length === 1, 5000, () => 'the tracked sleep did not start');
    const ours = Daemon.start('vrrpd', lab.hosts[0].netns, vrrpdConfig(100, 'MASTER', 90, variant), { tag: 'vrrpd-master' });
    started.push(ours);
    await ours.waitForLog(/Entering MASTER STATE/, 15_000);
    await soleHolder(0, 5000, 'vrrpd alone');
    const theirs = Daemon.start('keepalived', lab.hosts[1].netns, keepalivedConfig(90, 'BACKUP', variant), { tag: 'ka-backup' });
    started.push(theirs);
    await theirs.waitForLog(/Entering BACKUP STATE \(init\)/, 10_000);
    // A few of vrrpd's adverts heard by keepalived: the pair is settled with vrrpd as master.
    const calm = await sampleHolders(variant.version === 3 ? 1000 : 3000);
    expect(calm.filter((h) => h.length !== 1 || h[0] !== 0)).toEqual([]);
    return { ours, theirs, offset: ours.log.length, theirOffset: theirs.log.length };
  }

  it('the tracked process dies and the health check starts it again: the VIP never moves', async () => {
    const { ours, theirs, offset, theirOffset } = await settled();
    killTracked();
    await ours.waitForLog(/Track process tracked: repaired/, 10_000, offset);
    const samples = await sampleHolders(3000);
    expect(samples.filter((h) => h.length !== 1 || h[0] !== 0)).toEqual([]);
    expect(theirs.lines(/priority 0|Entering MASTER STATE/, theirOffset)).toEqual([]);
    expect(ours.lines(/resigning|sent 0 priority/, offset)).toEqual([]);
  });

  it('the tracked process cannot come back: vrrpd resigns with priority 0, keepalived takes over, nothing flaps', async () => {
    const { ours, theirs, offset, theirOffset } = await settled();
    writeFileSync(NO_REPAIR, '');
    killTracked();
    await ours.waitForLog(/below a peer's 90: resigning: sent 0 priority/, 10_000, offset);
    await theirs.waitForLog(/Backup received priority 0 advertisement/, 5000, theirOffset);
    await soleHolder(1, 5000, 'after the resign');
    // The old master removed its VIP on hearing keepalived's advert, not before.
    await ours.waitForLog(new RegExp(`new master ${lab.hosts[1].address.replace(/\./g, '\\.')} \\(priority 90\\) heard`), 5000, offset);
    // Priority 0 came before keepalived's takeover in keepalived's own log.
    const ka = theirs.log.slice(theirOffset);
    expect(ka.indexOf('Backup received priority 0 advertisement')).toBeLessThan(ka.lastIndexOf('Entering MASTER STATE'));
    const samples = await sampleHolders(5000);
    expect(samples.filter((h) => h.length !== 1 || h[0] !== 1)).toEqual([]);
    expect(ours.lines(/Entering MASTER STATE/, offset)).toEqual([]);
    // Repaired later: vrrpd (100 again) preempts back, one move.
    rmSync(NO_REPAIR);
    startTracked();
    await soleHolder(0, 15_000, 'after the repair (preemption)');
  });

  it('planned stop: the VIP stays on vrrpd until keepalived\'s advert is heard, and is never on no host', async () => {
    const { ours, theirs, offset, theirOffset } = await settled();
    ours.signal('SIGTERM');
    const samples = await sampleHolders(8000, (h) => h.length === 1 && h[0] === 1);
    expect(samples.at(-1)).toEqual([1]);
    expect(samples.filter((h) => h.length === 0)).toEqual([]);
    await ours.waitForLog(new RegExp(`new master ${lab.hosts[1].address.replace(/\./g, '\\.')} \\(priority 90\\) heard .* removing VIPs`), 5000, offset);
    expect(ours.lines(/no new master heard/, offset)).toEqual([]);
    await theirs.waitForLog(/Backup received priority 0 advertisement/, 1000, theirOffset);
    await ours.exited;
  });
});

describe('keepalived master (host 1, priority 100) and vrrpd backup (host 0, priority 90, resign)', () => {
  it('the backup\'s tracked process fails for good and then the backup stops: keepalived keeps the VIP throughout', async () => {
    startTracked();
    await waitUntil(() => trackedPids().length === 1, 5000, () => 'the tracked sleep did not start');
    const theirs = Daemon.start('keepalived', lab.hosts[1].netns, keepalivedConfig(100, 'MASTER'), { tag: 'ka-master' });
    const ours = Daemon.start('vrrpd', lab.hosts[0].netns, vrrpdConfig(90, 'BACKUP', 100), { tag: 'vrrpd-backup' });
    started.push(theirs, ours);
    await soleHolder(1, 15_000, 'initial election');
    writeFileSync(NO_REPAIR, '');
    killTracked();
    await ours.waitForLog(/Changing effective priority from \d+ to 50/, 10_000); // check -20, process -20
    ours.signal('SIGTERM');
    const samples = await sampleHolders(4000);
    expect(samples.filter((h) => h.length !== 1 || h[0] !== 1)).toEqual([]);
    expect(ours.lines(/resigning|Entering MASTER STATE|sent 0 priority/)).toEqual([]);
    expect(theirs.lines(/Entering BACKUP STATE$|priority 0/)).toEqual([]);
    await ours.exited;
  });
});
