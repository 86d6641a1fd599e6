/**
 * The product end to end, on a fresh lab of its own (`e2e`, 198.18.60.0/24: RFC 2544's benchmarking
 * range, never the default lab's subnet): the layout check refuses a layout that cannot fail over
 * before any host is touched; `provision run playbooks/ha-nginx.yml` takes two bare hosts to the
 * seed's HA nginx pair with the vrrpd engine, a second run changes nothing, and the drill (the seed's
 * test plan) passes; then the engine is switched to keepalived (built from source): vrrpd is stopped
 * and disabled, keepalived takes over, a second run changes nothing, and the drill passes again.
 * The drill's step 6 reboots the master: nginx and the engine come back by themselves, the VIP returns.
 *
 * Cost: two nginx builds and two keepalived builds on a 2-core box (~6-10 min under load), two drills
 * (~2-3 min each). The lab is destroyed afterwards.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILL, PLAYBOOK, PROVISION, ROOT, run, waitFor } from './support.js';

const LAB = 'e2e';
const SUBNET = '198.18.60.0/24';
const INVENTORY = `/var/lib/haweb/lab/${LAB}/inventory.yml`;
const HOSTS = ['edu-proxy-01', 'edu-proxy-02'] as const;

interface LabHost {
  name: string;
  address: string;
}
interface LabState {
  name: string;
  vip: string;
  hosts: LabHost[];
  client: { address: string; netns: string };
}
interface LabApi {
  labUp(o: { name: string; subnet: string; hosts: number; log?: (m: string) => void }): Promise<LabState>;
  labDown(name: string): Promise<unknown>;
  readLabState(name: string): Promise<LabState | undefined>;
  ensureSources(): Promise<{ nginx: string; keepalived: string }>;
  hostExec(lab: LabState, host: string, argv: string[], o?: { allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  clientExec(lab: LabState, argv: string[], o?: { allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
}

interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}
interface ProvisionJson {
  plays: { name: string; tasks: { name: string; hosts: Record<string, { status: string; msg?: string }> }[] }[];
  stats: Record<string, HostStats>;
  failedHosts: string[];
  exitCode: number;
  durationMs: number;
}
interface DrillJson {
  ok: boolean;
  engine: string;
  master: string;
  backup: string;
  vip: string;
  pages: Record<string, string>;
  sampleCount: number;
  files: string[];
  steps: {
    step: number;
    ok: boolean;
    skipped?: boolean;
    error?: string;
    checks: { what: string; ok: boolean; seen: string }[];
    outages: { label: string; outageMs?: number; expectHost: string }[];
  }[];
}

let lab: LabApi;
let state: LabState;

async function provision(engine: string, extra: string[] = [], timeoutMs = 1_500_000): Promise<ProvisionJson & { seconds: number; failures: string[] }> {
  const r = await run([PROVISION, 'run', PLAYBOOK, '-i', INVENTORY, '-e', `ha_engine=${engine}`, '--json', ...extra], timeoutMs);
  let doc: ProvisionJson;
  try {
    doc = JSON.parse(r.stdout) as ProvisionJson;
  } catch {
    throw new Error(`provision printed no JSON (exit ${r.code}): ${r.stdout.slice(-2000)} ${r.stderr.slice(-2000)}`);
  }
  const failures = doc.plays.flatMap((p) =>
    p.tasks.flatMap((t) => Object.entries(t.hosts).filter(([, h]) => h.status === 'failed').map(([host, h]) => `${host}: ${t.name}: ${h.msg}`)),
  );
  return Object.assign(doc, { seconds: r.seconds, failures });
}

/** All eight steps of the drill, in running order (8: the graceful reboot; 7: the playbook re-run, last). */
const DRILL_STEPS = [1, 2, 3, 4, 5, 6, 8, 7];

async function drill(engine: string): Promise<DrillJson> {
  const out = mkdtempSync(join(tmpdir(), `e2e-drill-${engine}-`));
  const rerun = `${process.execPath} ${PROVISION} run ${PLAYBOOK} -i ${INVENTORY} -e ha_engine=${engine}`;
  const r = await run(
    [DRILL, '--lab', LAB, '--playbook-dir', join(ROOT, 'playbooks'), '--engine', engine, '--out', out, '--json', '--rerun-command', rerun],
    1_200_000,
  );
  let result: DrillJson;
  try {
    result = JSON.parse(r.stdout) as DrillJson;
  } catch {
    throw new Error(`drill printed no JSON (exit ${r.code}): ${r.stderr.slice(-3000)}`);
  }
  const failed = result.steps.filter((s) => !s.ok).map((s) => `step ${s.step}: ${s.error ?? ''} ${JSON.stringify(s.checks.filter((c) => !c.ok))}`);
  expect(failed).toEqual([]);
  expect(r.code).toBe(0);
  expect(result.ok).toBe(true);
  expect(result.engine).toBe(engine);
  expect(result.vip).toBe(state.vip);
  expect(result.master).toBe('edu-proxy-01');
  expect(result.backup).toBe('edu-proxy-02');
  expect(result.pages).toEqual({ '1': 'edu-proxy-01', '2': 'edu-proxy-02' });
  expect(result.steps.map((s) => s.step)).toEqual(DRILL_STEPS);
  expect(result.steps.every((s) => !s.skipped)).toBe(true);
  // Step 4 (the engine stopped on the master): the backup took over; a VRRP failover is seconds, not minutes.
  const failover = result.steps.find((s) => s.step === 4)!.outages[0];
  expect(failover.expectHost).toBe('edu-proxy-02');
  expect(failover.outageMs).toBeGreaterThanOrEqual(0);
  expect(failover.outageMs!).toBeLessThan(10_000);
  // Step 6 (master rebooted): either the backup served meanwhile, or the master was back with a new
  // boot before the backup's down timer fired; either way the client was served by the master again.
  const reboot = result.steps.find((s) => s.step === 6)!;
  expect(['failover,failback', 'no failover needed']).toContain(reboot.outages.map((o) => o.label).join());
  expect(reboot.outages.at(-1)!.expectHost).toBe('edu-proxy-01');
  // Step 8 (`reboot` typed on the master): the same outcome through the host's own init.
  const graceful = result.steps.find((s) => s.step === 8)!;
  expect(['failover,failback', 'no failover needed']).toContain(graceful.outages.map((o) => o.label).join());
  expect(graceful.outages.at(-1)!.expectHost).toBe('edu-proxy-01');
  const svg = result.files.find((f) => f.endsWith('.svg'))!;
  expect(existsSync(svg)).toBe(true);
  expect(readFileSync(svg, 'utf8')).toContain('<svg');
  return result;
}

/** Poll a condition (bounded): resolves to the last value seen. */
/** What the client gets through the VIP ('' when nothing answers). */
async function vipPage(): Promise<string> {
  return (await lab.clientExec(state, ['curl', '-s', '--max-time', '2', `http://${state.vip}:88/`], { allowFailure: true })).stdout;
}

/** Names of the processes running inside a host (its own pid namespace). */
async function processes(host: string): Promise<string[]> {
  const r = await lab.hostExec(state, host, ['ps', '-e', '-o', 'comm=']);
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** Boot links of a service in runlevel 2 (S = started at boot). */
async function bootLinks(host: string, service: string): Promise<string[]> {
  const r = await lab.hostExec(state, host, ['sh', '-c', `ls /etc/rc2.d | grep -E '^[SK][0-9]+${service}$' || true`]);
  return r.stdout.split('\n').filter(Boolean);
}

/** vrrpd runs as a node process; its pid file names it. */
async function vrrpdRunning(host: string): Promise<boolean> {
  const r = await lab.hostExec(state, host, ['sh', '-c', 'test -s /run/vrrpd.pid && kill -0 "$(cat /run/vrrpd.pid)"'], { allowFailure: true });
  return r.code === 0;
}

beforeAll(async () => {
  const spec = '@haweb/lab';
  lab = (await import(spec)) as LabApi;
  // A fresh lab: leftovers of an interrupted run are removed first.
  if (await lab.readLabState(LAB)) await lab.labDown(LAB);
  state = await lab.labUp({ name: LAB, subnet: SUBNET, hosts: 2, log: (m) => process.stderr.write(`lab ${LAB}: ${m}\n`) });
  await lab.ensureSources();
}, 900_000);

afterAll(async () => {
  // Our own lab only: never the default one.
  if (lab && state?.name === LAB) await lab.labDown(LAB);
}, 300_000);

describe('ha-nginx end to end (playbook + drill), vrrpd then keepalived', () => {
  it('refuses a layout whose health check cannot move the VIP, before any host is touched', async () => {
    const r = await provision('vrrpd', ['-e', 'ha_check_weight=-5'], 300_000);
    expect(r.exitCode).toBe(2);
    expect(r.failedHosts.sort()).toEqual([...HOSTS]);
    const messages = r.failures.join('\n');
    expect(messages).toContain('priority is 100 - 5 (chk_nginx) = 95, still >= edu-proxy-02\'s 90');
    // Only the controller-side check play ran: the deploy play has no task at all (not even facts).
    expect(r.plays).toHaveLength(2);
    expect(r.plays[1].tasks).toEqual([]);
    for (const host of HOSTS) {
      const nginx = await lab.hostExec(state, host, ['test', '-e', '/usr/local/nginx'], { allowFailure: true });
      expect(nginx.code, `${host} must be untouched`).not.toBe(0);
    }
  }, 300_000);

  it('refuses priorities that are not distinct', async () => {
    const nodes = JSON.stringify({
      ha_nodes: { 'edu-proxy-01': { state: 'MASTER', priority: 90, page: 1 }, 'edu-proxy-02': { state: 'BACKUP', priority: 90, page: 2 } },
    });
    const r = await provision('vrrpd', ['-e', nodes], 300_000);
    expect(r.exitCode).toBe(2);
    expect(r.failures.join('\n')).toContain('edu-proxy-01 and edu-proxy-02 both have priority 90');
    expect(r.plays[1].tasks).toEqual([]);
  }, 300_000);

  it('vrrpd: converges two bare hosts, a re-run changes nothing, the drill passes', async () => {
    const first = await provision('vrrpd');
    expect(first.failures).toEqual([]);
    expect(first.exitCode).toBe(0);
    for (const host of HOSTS) expect(first.stats[host].changed).toBeGreaterThan(0);
    process.stderr.write(`e2e: vrrpd converge ${first.seconds.toFixed(1)} s\n`);

    const again = await provision('vrrpd');
    expect(again.exitCode).toBe(0);
    for (const host of HOSTS) expect(again.stats[host]).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
    process.stderr.write(`e2e: vrrpd no-op re-run ${again.seconds.toFixed(1)} s\n`);

    // The seed's checks, directly: each node serves its own page on port 88, the VIP serves the master's.
    for (const [i, host] of HOSTS.entries()) {
      const page = await lab.clientExec(state, ['curl', '-s', '--max-time', '3', `http://${state.hosts[i].address}:88/`]);
      expect(page.stdout, host).toContain(`Welcome to nginx! ${i + 1}`);
      expect(await vrrpdRunning(host)).toBe(true);
      expect(await bootLinks(host, 'vrrpd')).toEqual([expect.stringMatching(/^S\d+vrrpd$/)]);
    }
    // The engine may have just (re)started: the master claims the VIP within about a second.
    await waitFor('the client gets the master\'s page through the VIP', 15_000, vipPage, (p) => p.includes('Welcome to nginx! 1'));

    await drill('vrrpd');
  }, 2_700_000);

  it('keepalived: the switch stops and disables vrrpd, keepalived takes over, a re-run changes nothing, the drill passes', async () => {
    const first = await provision('keepalived');
    expect(first.failures).toEqual([]);
    expect(first.exitCode).toBe(0);
    process.stderr.write(`e2e: keepalived switch ${first.seconds.toFixed(1)} s\n`);

    const again = await provision('keepalived');
    expect(again.exitCode).toBe(0);
    for (const host of HOSTS) expect(again.stats[host]).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });

    for (const host of HOSTS) {
      // Never both engines: vrrpd is stopped and has no start link; keepalived runs and starts at boot.
      expect(await vrrpdRunning(host)).toBe(false);
      expect((await bootLinks(host, 'vrrpd')).filter((l) => l.startsWith('S'))).toEqual([]);
      expect(await processes(host)).toContain('keepalived');
      expect(await bootLinks(host, 'keepalived')).toEqual([expect.stringMatching(/^S\d+keepalived$/)]);
    }
    // The engine may have just (re)started: the master claims the VIP within about a second.
    await waitFor('the client gets the master\'s page through the VIP', 15_000, vipPage, (p) => p.includes('Welcome to nginx! 1'));

    await drill('keepalived');
    // After the drill's reboot of the master, still only keepalived there.
    expect(await vrrpdRunning('edu-proxy-01')).toBe(false);
    expect(await processes('edu-proxy-01')).toContain('keepalived');
  }, 2_700_000);
});
