/**
 * The drill for real: a lab of its own (`drill`, 198.18.51.0/24, RFC 2544's benchmarking range so it
 * never meets the default lab or anyone's network), a minimal keepalived pair installed in it, and the
 * `drill` command run against it end to end: every step, the client probe in the lab's client
 * namespace, SSH to the hosts, `lab reboot`, the outages measured and the timeline drawn. The lab is
 * destroyed afterwards; the default lab `haweb` is never touched.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMinimalPair, type LabApi, type LabStateLike } from './minimal-pair.js';

const LAB = 'drill';
const SUBNET = '198.18.51.0/24';
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

let lab: LabApi;
let state: LabStateLike;

function runCli(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const spec = '@haweb/lab';
  lab = (await import(spec)) as LabApi;
  state = await lab.labUp({ name: LAB, subnet: SUBNET, hosts: 2 });
  await installMinimalPair(lab, state, (m) => process.stderr.write(`${m}\n`));
}, 600_000);

afterAll(async () => {
  // Our own lab only: never the default one.
  if (lab && state?.name === LAB) await lab.labDown(LAB);
}, 300_000);

describe('drill against a real keepalived pair in a lab', () => {
  it('runs the seed test plan: every step passes, outages are measured, the timeline is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-it-'));
    const r = await runCli(
      ['--lab', LAB, '--engine', 'keepalived', '--out', out, '--json', '--rerun-command', "echo 'edu-proxy-01 : ok=9 changed=0 failed=0'; echo 'edu-proxy-02 : ok=9 changed=0 failed=0'"],
      900_000,
    );
    expect(r.stderr).toContain('discovering the proxies');
    const result = JSON.parse(r.stdout) as {
      ok: boolean;
      master: string;
      backup: string;
      pages: Record<string, string>;
      sampleCount: number;
      files: string[];
      steps: { step: number; ok: boolean; skipped?: boolean; checks: { what: string; ok: boolean; seen: string }[]; outages: { label: string; outageMs?: number; expectHost: string; failedRequests: number }[] }[];
    };
    const failed = result.steps.filter((s) => !s.ok).map((s) => `${s.step}: ${JSON.stringify(s.checks.filter((c) => !c.ok))}`);
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 8, 7]);
    expect(result.pages).toEqual({ '1': 'edu-proxy-01', '2': 'edu-proxy-02' });
    // Thousands of requests over the drill: the probe really ran through the VIP all along.
    expect(result.sampleCount).toBeGreaterThan(1000);

    const step = (n: number) => result.steps.find((s) => s.step === n)!;
    // Step 4: keepalived stopped gracefully sends priority 0; the backup takes over within about a
    // second (the reference figure: 0.70 s median on this kind of machine), never instantly.
    const failover = step(4).outages[0];
    expect(failover).toMatchObject({ label: 'failover', expectHost: 'edu-proxy-02' });
    expect(failover.outageMs).toBeGreaterThan(10);
    expect(failover.outageMs).toBeLessThan(5000);
    // Step 3: nginx cannot start; the VIP moved and came back.
    expect(step(3).outages.map((o) => o.label)).toEqual(['failover', 'failback']);
    expect(step(3).outages.every((o) => o.outageMs !== undefined)).toBe(true);
    // Step 6: during the reboot either the backup answered, or the master (a lab host boots in about
    // a second) was back on a new boot before the backup's down timer fired.
    const rebootOutage = step(6).outages[0];
    expect([
      { label: 'failover', expectHost: 'edu-proxy-02' },
      { label: 'no failover needed', expectHost: 'edu-proxy-01' },
    ]).toContainEqual({ label: rebootOutage.label, expectHost: rebootOutage.expectHost });
    expect(step(7).checks[0].seen).toContain('changed=0/0');

    const svgFile = result.files.find((f) => f.endsWith('.svg'))!;
    expect(existsSync(svgFile)).toBe(true);
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg).toContain('answered by edu-proxy-02');
    expect(svg).toContain(`failover ${(failover.outageMs! / 1000).toFixed(3)} s → edu-proxy-02`);
    // The master was left as the drill found it: nginx binary restored, VIP home.
    const bin = await lab.hostExec(state, 'edu-proxy-01', ['sh', '-c', 'test ! -e /usr/local/nginx/sbin/nginx.drill-aside && head -c 20 /usr/local/nginx/sbin/nginx'], { allowFailure: true });
    expect(bin.stdout).toContain('#!/usr/bin/python3');
  }, 900_000);

  it('runs host commands through the lab instead of SSH (--via lab)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-it-'));
    const r = await runCli(['--lab', LAB, '--via', 'lab', '--engine', 'keepalived', '--steps', '1,4,5', '--out', out], 300_000);
    expect(r.stdout).toContain('host commands via lab');
    expect(r.stdout).toMatch(/^4 +VRRP service stopped on the master.* PASS .*failover \d+\.\d{3} s to edu-proxy-02/m);
    expect(r.stdout).toContain('all 3 steps passed');
    expect(r.code).toBe(0);
  }, 300_000);

  it('works from a plain inventory too: client named by --client, reboot over SSH inside the host', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-it-'));
    const r = await runCli(
      ['--inventory', state.paths.inventory, '--client', `netns:${state.client.netns}`, '--engine', 'keepalived', '--steps', '1,6', '--out', out],
      300_000,
    );
    expect(r.stdout).toContain('client probe started (netns drill-client)');
    expect(r.stdout).not.toContain('lab: rebooting');
    expect(r.stdout).toMatch(/ok +(edu-proxy-01 is up again with a new boot: answering \(boot [0-9a-f]{8}\)|.*edu-proxy-01 back \(new boot [0-9a-f]{8}\))/);
    expect(r.stdout).toMatch(/ok +keepalived came back on edu-proxy-01/);
    expect(r.stdout).toContain('all 2 steps passed');
    expect(r.code).toBe(0);
  }, 300_000);

  it('fails (exit 1) and says why when the VRRP service it is told to use does not exist', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-it-'));
    const r = await runCli(['--lab', LAB, '--engine', 'no-such-vrrp', '--steps', '4', '--out', out, '--failover-timeout', '3'], 120_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*service no-such-vrrp stop/);
    expect(r.stdout).toContain('1 of 1 steps FAILED');
  }, 180_000);
});
