/**
 * vrrpd and Debian's keepalived 2.2.7 as one virtual router in the lab, each master in turn, VRRPv2
 * with PASS (advert_int 1) and VRRPv3 (advert_int 0.1). keepalived's own log lines are asserted, the
 * VIP's holder is checked on both hosts, and tshark (in keepalived's host) decodes our adverts as
 * valid VRRP with a good checksum.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabState } from '@haweb/lab';
import { Daemon, hasAddress, privateLab, releasePrivateLab, removeAddress, vrrpConfig, waitUntil } from './support/lab-vrrp.js';
import { Capture } from './support/tshark.js';

let lab: LabState;

beforeAll(async () => {
  lab = await privateLab();
}, 600_000);

afterAll(() => releasePrivateLab(), 120_000);

function holders(): number[] {
  return lab.hosts.flatMap((h, i) => (hasAddress(h.netns, lab.interface, lab.vip) ? [i] : []));
}

async function expectSoleHolder(index: number, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(() => {
    const h = holders();
    return h.length === 1 && h[0] === index;
  }, timeoutMs, () => `${what}: VIP holders ${JSON.stringify(holders())}, expected only host ${index}`);
}

describe.each([
  { version: 2 as const, advertInt: '1', intervalMs: 1000, vrid: 71 },
  { version: 3 as const, advertInt: '0.1', intervalMs: 100, vrid: 72 },
])('vrrpd (host 0) and keepalived (host 1), VRRPv$version advert_int $advertInt', ({ version, advertInt, intervalMs, vrid }) => {
  const started: Daemon[] = [];
  const captures: Capture[] = [];
  const ours = () => lab.hosts[0];
  const theirs = () => lab.hosts[1];
  const config = (priority: number, state: 'MASTER' | 'BACKUP') =>
    vrrpConfig({ ifname: lab.interface, vrid, priority, state, version, advertInt, vip: lab.vip, prefixLength: lab.prefix });
  const run = (kind: 'vrrpd' | 'keepalived', priority: number, state: 'MASTER' | 'BACKUP') => {
    const host = kind === 'vrrpd' ? ours() : theirs();
    const daemon = Daemon.start(kind, host.netns, config(priority, state), { tag: `${kind}-v${version}` });
    started.push(daemon);
    return daemon;
  };
  // Generous bounds: Master_Down_Interval is 3 x interval + skew; keepalived starts in BACKUP (init).
  const downMs = 3 * intervalMs + 1000;

  // Each test leaves nothing running and no VIP behind, whatever happened in it.
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      for (const d of started) console.log(`---- ${d.kind} in ${d.ns} ----\n${d.log.split('\n').filter((l) => !/Sending gratuitous ARP on/.test(l)).join('\n')}`);
    }
    await Promise.all(started.splice(0).map((d) => d.stop()));
    for (const c of captures.splice(0)) {
      await c.stop();
      c.dispose();
    }
    for (const h of lab.hosts) removeAddress(h.netns, lab.interface, `${lab.vip}/${lab.prefix}`);
  });

  it('vrrpd with the higher priority takes over from keepalived, hands back on stop, and takes over again', async () => {
    const capture = new Capture(theirs().netns, lab.interface, 'ip proto 112', 120);
    captures.push(capture);
    await capture.started();
    const keepalived = run('keepalived', 100, 'BACKUP');
    await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, 4 * intervalMs + 10_000);
    await expectSoleHolder(1, 3000, 'keepalived alone');

    let mark = keepalived.log.length;
    let vrrpd = run('vrrpd', 150, 'MASTER');
    await keepalived.waitForLog(new RegExp(`Master received advert from ${ours().address.replace(/\./g, '\\.')} with higher priority 150, ours 100`), 10_000, mark);
    await keepalived.waitForLog(/\(VI_1\) Entering BACKUP STATE/, 3000, mark);
    await expectSoleHolder(0, 5000, 'vrrpd master');

    // Graceful stop: our priority-0 advert makes keepalived take over after Skew_Time.
    mark = keepalived.log.length;
    const stoppedAt = Date.now();
    await vrrpd.stop();
    await keepalived.waitForLog(/\(VI_1\) Backup received priority 0 advertisement/, 3000, mark);
    await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, 3000, mark);
    await expectSoleHolder(1, 3000, 'after vrrpd stopped');
    expect(Date.now() - stoppedAt).toBeLessThan(downMs + 3000);
    await expect(vrrpd.exited).resolves.toMatchObject({ code: 0 });

    mark = keepalived.log.length;
    vrrpd = run('vrrpd', 150, 'MASTER');
    await keepalived.waitForLog(/with higher priority 150, ours 100/, 10_000, mark);
    await expectSoleHolder(0, 5000, 'vrrpd master again');
    // keepalived never saw anything it rejected from us.
    expect(keepalived.lines(/bad checksum|invalid|mismatch|ip_ttl|wrong/i)).toEqual([]);

    await vrrpd.stop();
    await keepalived.stop();
    await capture.stop();
    const rows = capture.fields(`vrrp && ip.src == ${ours().address}`, ['vrrp.version', 'vrrp.checksum.status', 'ip.ttl', 'ip.dsfield', 'vrrp.virt_rtr_id']);
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) expect(row).toEqual([String(version), '1', '255', '0xc0', String(vrid)]);
  });

  it('keepalived with the higher priority takes over from vrrpd, and vrrpd takes over when it stops', async () => {
    const vrrpd = run('vrrpd', 150, 'MASTER');
    await expectSoleHolder(0, downMs + 5000, 'vrrpd alone');

    const keepalived = run('keepalived', 200, 'BACKUP');
    await keepalived.waitForLog(/\(VI_1\) Entering MASTER STATE/, downMs + 10_000);
    await expectSoleHolder(1, 5000, 'keepalived (200) master over vrrpd (150)');
    // keepalived's backup ignored our lower-priority adverts before preempting.
    expect(keepalived.lines(/Master received advert .* with higher priority/)).toEqual([]);

    const mark = keepalived.log.length;
    await keepalived.stop();
    expect(keepalived.lines(/\(VI_1\) sent 0 priority/, mark)).toHaveLength(1);
    await expectSoleHolder(0, 3000, 'vrrpd after keepalived stopped');
    expect(vrrpd.running).toBe(true);
  });
});
