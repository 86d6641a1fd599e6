import { describe, expect, it } from 'vitest';
import { runDrill } from '../../src/drill.js';
import type { DrillLayout } from '../../src/steps.js';
import { FakePair, GOOD_PAIR, type PairBehaviour } from './fake-pair.js';
import { GRACEFUL_REBOOT_SCRIPT } from '../../src/steps.js';

const LAYOUT: DrillLayout = {
  vip: '198.51.100.50',
  port: 88,
  master: 'edu-proxy-01',
  backup: 'edu-proxy-02',
  engine: 'vrrpd',
  nginxPrefix: '/usr/local/nginx',
  checkIntervalMs: 2000,
};

async function drill(behaviour: Partial<PairBehaviour>, steps?: number[], rerun?: { ok: boolean; detail: string }) {
  const pair = new FakePair({ ...GOOD_PAIR, ...behaviour });
  const lines: string[] = [];
  const result = await runDrill({
    layout: LAYOUT,
    hosts: pair.hostOps,
    client: pair.client,
    addresses: { 'edu-proxy-01': '198.51.100.51', 'edu-proxy-02': '198.51.100.52' },
    pages: { '1': 'edu-proxy-01', '2': 'edu-proxy-02' },
    steps,
    startProbe: async () => pair.probe,
    clock: pair.clock,
    log: (l) => lines.push(l),
    rerun: rerun && { title: 'fake re-run', run: async () => rerun },
  });
  return { pair, result, out: lines.join('\n') };
}

const step = (r: Awaited<ReturnType<typeof drill>>['result'], n: number) => r.steps.find((s) => s.step === n)!;

describe('the drill against a simulated pair', () => {
  it('passes every step on a healthy pair and measures the outages the pair causes', async () => {
    const { result, out, pair } = await drill({}, undefined, { ok: true, detail: 'exit 0, changed=0/0' });
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([[1, true], [2, true], [3, true], [4, true], [5, true], [6, true], [8, true], [7, true]]);
    expect(result.ok).toBe(true);
    // Step 4: the backup takes over 800 ms after `service vrrpd stop`; the client's first reply from it
    // comes with the next request (every 15 ms, 2 ms each).
    const failover = step(result, 4).outages[0];
    expect(failover.label).toBe('failover');
    expect(failover.expectHost).toBe('edu-proxy-02');
    expect(failover.outageMs).toBeGreaterThanOrEqual(800);
    expect(failover.outageMs).toBeLessThan(800 + 15 + 2 + 1);
    expect(failover.failedRequests).toBeGreaterThan(40);
    // Step 3: broken nginx → the VIP leaves after 3 s.
    expect(step(result, 3).outages[0].outageMs).toBeGreaterThanOrEqual(3000);
    // Step 5: preemption 1.2 s after the start.
    expect(step(result, 5).outages[0].outageMs).toBeGreaterThanOrEqual(1200);
    expect(step(result, 5).outages[0].outageMs).toBeLessThan(1200 + 20);
    // The seed's commands reached the master.
    const onMaster = pair.commands.filter((c) => c.host === 'edu-proxy-01').map((c) => c.script);
    expect(onMaster).toContain('/usr/local/nginx/sbin/nginx -s stop');
    // `service vrrpd stop|start`, as systemctl where systemd is PID 1 (what RHEL's `service` runs).
    expect(onMaster).toContain('if [ -d /run/systemd/system ]; then systemctl stop vrrpd; else service vrrpd stop; fi');
    expect(onMaster).toContain('if [ -d /run/systemd/system ]; then systemctl start vrrpd; else service vrrpd start; fi');
    expect(onMaster).toContain('REBOOT');
    expect(out).toMatch(/all 8 steps passed/);
    expect(result.events.filter((e) => e.kind === 'fault').map((e) => e.step)).toEqual([2, 3, 4, 6, 8]);
  });

  it('fails step 2 when the health check never restarts nginx, and restores the master before going on', async () => {
    const { result, pair } = await drill({ healthRestartMs: undefined }, [1, 2, 4]);
    const s2 = step(result, 2);
    expect(s2.ok).toBe(false);
    expect(s2.checks.find((c) => !c.ok)!.what).toMatch(/nginx started again on edu-proxy-01 within 8\.0 s/);
    // The restore started nginx, so step 4 found the pair settled and passed.
    expect(step(result, 4).ok).toBe(true);
    expect(pair.commands.some((c) => c.script.includes('kill -0') && c.script.includes('service vrrpd start'))).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('fails step 4 when the backup never takes the VIP over', async () => {
    const { result, out } = await drill({ stopFailoverMs: undefined }, [4]);
    const s4 = step(result, 4);
    expect(s4.ok).toBe(false);
    expect(s4.checks[2]).toMatchObject({ ok: false, what: expect.stringMatching(/VIP 198\.51\.100\.50 moves to edu-proxy-02/) });
    expect(s4.checks[2].seen).toMatch(/VIP on no proxy \(gave up after 20\.0 s\)/);
    expect(s4.outages[0].outageMs).toBeUndefined();
    expect(out).toMatch(/1 of 1 steps FAILED/);
  });

  it('fails step 5 without preemption: the VIP stays on the backup', async () => {
    const { result } = await drill({ preemptMs: undefined }, [4, 5]);
    expect(step(result, 4).ok).toBe(true);
    expect(step(result, 5).ok).toBe(false);
    expect(step(result, 5).checks[0].seen).toMatch(/VIP on edu-proxy-02/);
  });

  it('passes step 6 through a failover when the master boots slower than the backup takes over', async () => {
    const { result, out } = await drill({ bootMs: 8000, rebootFailoverMs: 3500 }, [6]);
    const s6 = step(result, 6);
    expect(s6.ok).toBe(true);
    expect(s6.checks[2].seen).toMatch(/edu-proxy-02 took over/);
    expect(s6.outages.map((o) => o.label)).toEqual(['failover', 'failback']);
    expect(s6.outages[0].outageMs).toBeGreaterThanOrEqual(3500);
    expect(s6.outages[0].outageMs).toBeLessThan(3500 + 20);
    expect(out).toMatch(/edu-proxy-01 is up again with a new boot/);
  });

  it('passes step 6 without a failover when the master is back with a new boot before the backup\'s down timer', async () => {
    // A lab host boots in ~1.7 s, the backup waits ~3.6 s (3 x advert_int + skew): page 2 never comes.
    const { result, out, pair } = await drill({ bootMs: 1700, rebootFailoverMs: 3600, preemptMs: 1000 }, [6]);
    const s6 = step(result, 6);
    expect(s6.ok).toBe(true);
    expect(s6.checks[2].seen).toMatch(/edu-proxy-01 back \(new boot .*\) before edu-proxy-02's down timer fired: no failover needed/);
    expect(out).toMatch(/edu-proxy-01 back before edu-proxy-02's down timer; no failover needed/);
    expect(s6.outages.map((o) => o.label)).toEqual(['no failover needed']);
    // The client waited from the reboot until the master served again (boot + VIP taken: 2.7 s).
    expect(s6.outages[0].expectHost).toBe('edu-proxy-01');
    expect(s6.outages[0].outageMs).toBeGreaterThanOrEqual(2700);
    expect(s6.outages[0].outageMs).toBeLessThan(2700 + 20);
    expect(pair.holder).toBe('edu-proxy-01');
    // Stopped waiting for page 2 right after the new boot: well under the 180 s reboot timeout.
    expect(s6.endedAt - s6.startedAt).toBeLessThan(10_000);
  });

  it('fails step 6 when the master stays down and the backup never serves', async () => {
    const { result } = await drill({ bootMs: 500_000, rebootFailoverMs: 500_000 }, [6]);
    const s6 = step(result, 6);
    expect(s6.ok).toBe(false);
    expect(s6.checks[2]).toMatchObject({ ok: false });
    expect(s6.checks[2].seen).toMatch(/edu-proxy-01 not answering/);
  });

  it('fails step 6 when the services do not come back at boot', async () => {
    const { result } = await drill({ servicesAtBoot: false }, [6]);
    const s6 = step(result, 6);
    expect(s6.ok).toBe(false);
    expect(s6.checks.find((c) => !c.ok)!.what).toBe('nginx came back on edu-proxy-01');
  });

  it('skips step 7 without a hook and fails it when the re-run changed something', async () => {
    const skipped = await drill({}, [7]);
    expect(step(skipped.result, 7)).toMatchObject({ skipped: true, ok: true });
    const changed = await drill({}, [7], { ok: false, detail: 'exit 0, changed=2/0' });
    expect(step(changed.result, 7)).toMatchObject({ ok: false });
    expect(step(changed.result, 7).checks[0].seen).toBe('exit 0, changed=2/0');
  });

  it('refuses an unknown step number', async () => {
    await expect(drill({}, [9])).rejects.toThrow(/no step 9/);
  });
});

describe('graceful reboot (step 8): `reboot` typed on the master', () => {
  it('types reboot on the master, follows the VIP to the backup and back, and counts no failed request when the VIP is handed over', async () => {
    const { result, pair } = await drill({ gracefulSwitchMs: 900, gracefulGapMs: 0 }, [8]);
    const s8 = step(result, 8);
    expect(s8.ok, JSON.stringify(s8.checks.filter((c) => !c.ok))).toBe(true);
    expect(pair.commands.filter((c) => c.host === 'edu-proxy-01').map((c) => c.script)).toContain(GRACEFUL_REBOOT_SCRIPT);
    expect(pair.commands.map((c) => c.script)).not.toContain('REBOOT'); // not the lab's crash reboot
    expect(s8.outages.map((o) => o.label)).toEqual(['failover', 'failback']);
    expect(s8.outages[0]).toMatchObject({ expectHost: 'edu-proxy-02', failedRequests: 0 });
    expect(result.events.some((e) => e.step === 8 && e.kind === 'fault' && e.label.startsWith('reboot typed on edu-proxy-01'))).toBe(true);
  });
  it('counts the failed requests when the VIP is on no host for a while (break before make)', async () => {
    const { result } = await drill({ gracefulSwitchMs: 900, gracefulGapMs: 650 }, [8]);
    expect(step(result, 8).outages[0].failedRequests).toBeGreaterThan(0);
  });
});
