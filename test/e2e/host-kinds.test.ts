/**
 * The HA playbook and the drill on an EL9-shaped lab (lab `he1`, 198.18.21.0/24; RFC 2544's
 * benchmarking range): systemd 252 as PID 1, firewalld as EL9 ships it (zone public, only ssh in), a
 * minimal image without tar or a compiler (the lab LAN's repository serves what the hosts lack).
 * One lab for every case, because the source builds are the cost:
 *  - `provision run playbooks/ha-nginx.yml` (vrrpd) takes two bare hosts to the HA pair, opening
 *    nginx's port and VRRP in firewalld (permanent and runtime); a re-run changes nothing;
 *  - the drill's seven steps pass, while a monitor samples both hosts' addresses: the VIP is never on
 *    both nodes, except for a bounded handover inside a step that moves the VIP;
 *  - a reboot of the master through its own systemd, and one by killing its PID 1, bring nginx
 *    (rc.local), vrrpd (its unit) and the firewall openings back, and the VIP returns to it;
 *  - switching the engine to keepalived leaves exactly one VRRP daemon on each host, also after a reboot.
 *
 * Cost: one nginx build and one keepalived build per host on the 2-core box, one drill.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRILL, PLAYBOOK, PROVISION, ROOT, run, waitFor } from './support.js';
// The split-brain monitor and its rule, shared with `npm run test:matrix`.
import { HANDOVER_BOUND_MS, judgeDualWindows, vipHolders as holdersOf, watchVip } from '../../scripts/lib/vip-watch.mjs';

const LAB = 'he1';
const SUBNET = '198.18.21.0/24';
const KIND = { init: 'systemd', firewall: 'firewalld', image: 'minimal' } as const;
const INVENTORY = `/var/lib/haweb/lab/${LAB}/inventory.yml`;
const HOSTS = ['edu-proxy-01', 'edu-proxy-02'] as const;
const NGINX_PORT = 88;
interface LabHost {
  name: string;
  address: string;
  netns: string;
}
interface LabState {
  name: string;
  vip: string;
  interface: string;
  hosts: LabHost[];
  kind: { init: string; firewall: string; image: string };
}
interface HostStatus {
  boots: number;
  booted: boolean;
  ssh: boolean;
  initPid: number | null;
}
interface LabApi {
  labUp(o: { name: string; subnet: string; hosts: number; kind: typeof KIND; log?: (m: string) => void }): Promise<LabState>;
  labDown(name: string): Promise<unknown>;
  labStatus(name: string): Promise<{ hosts: HostStatus[] }>;
  readLabState(name: string): Promise<LabState | undefined>;
  ensureSources(): Promise<{ nginx: string; keepalived: string }>;
  rebootHost(lab: LabState, host: string): Promise<void>;
  hostExec(lab: LabState, host: string, argv: string[], o?: { allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  clientExec(lab: LabState, argv: string[], o?: { allowFailure?: boolean; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
}
interface ProvisionJson {
  plays: { name: string; tasks: { name: string; hosts: Record<string, { status: string; msg?: string }> }[] }[];
  stats: Record<string, { ok: number; changed: number; unreachable: number; failed: number; skipped?: number }>;
  exitCode: number;
}
interface DrillJson {
  ok: boolean;
  engine: string;
  master: string;
  backup: string;
  vip: string;
  startedAt: number;
  endedAt: number;
  steps: { step: number; ok: boolean; skipped?: boolean; error?: string; startedAt: number; endedAt: number; checks: { what: string; ok: boolean; seen: string }[] }[];
}

let lab: LabApi;
let state: LabState;

async function provision(engine: string): Promise<ProvisionJson & { seconds: number; failures: string[] }> {
  const r = await run([PROVISION, 'run', PLAYBOOK, '-i', INVENTORY, '-e', `ha_engine=${engine}`, '--json'], 1_500_000);
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

async function sh(host: string, script: string) {
  return lab.hostExec(state, host, ['sh', '-c', script], { allowFailure: true, timeoutMs: 60_000 });
}

/** Poll a condition (bounded): resolves to the last value seen. */
/** Which hosts hold the VIP now. */
function vipHolders(): Promise<string[]> {
  return holdersOf(state);
}

async function vipPage(): Promise<string> {
  return (await lab.clientExec(state, ['curl', '-s', '--max-time', '2', `http://${state.vip}:${NGINX_PORT}/`], { allowFailure: true })).stdout;
}

/**
 * The VRRP daemons running on a host (its own pid namespace): one entry per daemon, not per process
 * (keepalived forks a VRRP child; vrrpd's supervisor runs a worker).
 */
async function vrrpDaemons(host: string): Promise<string[]> {
  const r = await sh(host, 'ps -e -o pid=,ppid=,comm=,args=');
  const procs = r.stdout.split('\n').filter(Boolean).map((line) => {
    const [pid, ppid, comm, ...args] = line.trim().split(/\s+/);
    return { pid, ppid, comm, args: args.join(' ') };
  });
  const engineOf = (p: (typeof procs)[number]) => (p.comm === 'keepalived' ? 'keepalived' : /\/vrrpd\//.test(p.args) && p.comm !== 'ip' ? 'vrrpd' : undefined);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  // A daemon is an engine's process whose parent is not a process of the same engine.
  return procs
    .filter((p) => engineOf(p) !== undefined && engineOf(byPid.get(p.ppid) ?? { pid: '', ppid: '', comm: '', args: '' }) !== engineOf(p))
    .map((p) => engineOf(p)!)
    .sort();
}

/** The firewalld openings on a host, in one scope. */
async function firewalldOpenings(host: string, scope: 'runtime' | 'permanent'): Promise<{ ports: string[]; rich: string[] }> {
  const flag = scope === 'permanent' ? '--permanent ' : '';
  const ports = await sh(host, `firewall-cmd ${flag}--list-ports`);
  const rich = await sh(host, `firewall-cmd ${flag}--list-rich-rules`);
  return { ports: ports.stdout.trim().split(/\s+/).filter(Boolean), rich: rich.stdout.split('\n').map((l) => l.trim()).filter(Boolean) };
}

async function expectOpenings(host: string): Promise<void> {
  const peer = state.hosts.find((h) => h.name !== host)!.address;
  const vrrp = `rule family="ipv4" source address="${peer}" destination address="224.0.0.18" protocol value="vrrp" accept`;
  for (const scope of ['runtime', 'permanent'] as const) {
    const o = await firewalldOpenings(host, scope);
    expect(o.ports, `${host} ${scope}`).toContain(`${NGINX_PORT}/tcp`);
    expect(o.rich, `${host} ${scope}`).toContain(vrrp);
  }
}

async function waitNextBoot(index: number, bootsBefore: number): Promise<void> {
  await waitFor(`${HOSTS[index]} booted again`, 180_000, async () => (await lab.labStatus(LAB)).hosts[index], (h) => h.boots > bootsBefore && h.booted && h.ssh);
}

/** After a reboot of the master: nginx, the engine and the openings are back, and so is the VIP. */
async function expectMasterBack(engine: 'vrrpd' | 'keepalived'): Promise<void> {
  const host = HOSTS[0];
  expect((await sh(host, 'systemctl is-system-running')).stdout.trim()).toBe('running');
  expect((await sh(host, 'systemctl is-active rc-local.service')).stdout.trim()).toBe('active');
  await waitFor(`${host} nginx master process (rc.local)`, 30_000, async () => (await sh(host, 'pgrep -f "nginx: master"')).code, (c) => c === 0);
  await waitFor(`${host} ${engine} active`, 30_000, async () => (await sh(host, `systemctl is-active ${engine}`)).stdout.trim(), (s) => s === 'active');
  expect(await vrrpDaemons(host)).toEqual([engine]);
  await expectOpenings(host);
  await waitFor('the VIP back on the master only', 30_000, vipHolders, (h) => h.join() === host);
  await waitFor("the client gets the master's page through the VIP", 15_000, vipPage, (p) => p.includes('Welcome to nginx! 1'));
}

beforeAll(async () => {
  const spec = '@haweb/lab';
  lab = (await import(spec)) as LabApi;
  // A fresh lab: leftovers of an interrupted run are removed first.
  if (await lab.readLabState(LAB)) await lab.labDown(LAB);
  state = await lab.labUp({ name: LAB, subnet: SUBNET, hosts: 2, kind: KIND, log: (m) => process.stderr.write(`lab ${LAB}: ${m}\n`) });
  await lab.ensureSources();
}, 900_000);

afterAll(async () => {
  if (lab && state?.name === LAB) await lab.labDown(LAB);
}, 300_000);

describe('ha-nginx on EL9-shaped hosts (systemd, firewalld, minimal image)', () => {
  it('the lab is the EL9 shape: systemd, firewalld running with only ssh, no tar', async () => {
    expect(state.kind).toEqual(KIND);
    for (const host of HOSTS) {
      expect((await sh(host, 'cat /proc/1/comm')).stdout.trim()).toBe('systemd');
      expect((await sh(host, 'firewall-cmd --state')).stdout.trim()).toBe('running');
      expect(await firewalldOpenings(host, 'runtime')).toEqual({ ports: [], rich: [] });
      expect((await sh(host, 'command -v tar')).code).not.toBe(0);
    }
  });

  it('vrrpd: converges two bare hosts (tar and build deps from the LAN repository, firewalld openings), a re-run changes nothing', async () => {
    const first = await provision('vrrpd');
    expect(first.failures).toEqual([]);
    expect(first.exitCode).toBe(0);
    process.stderr.write(`host-kinds: EL9 vrrpd converge ${first.seconds.toFixed(1)} s\n`);
    const again = await provision('vrrpd');
    expect(again.exitCode).toBe(0);
    for (const host of HOSTS) expect(again.stats[host]).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });

    for (const [i, host] of HOSTS.entries()) {
      expect((await sh(host, 'command -v tar')).code).toBe(0);
      await expectOpenings(host);
      // Through the host's service manager: a native unit, enabled and active, nothing outside systemd.
      expect((await sh(host, 'systemctl is-enabled vrrpd')).stdout.trim()).toBe('enabled');
      expect((await sh(host, 'systemctl is-active vrrpd')).stdout.trim()).toBe('active');
      expect(await vrrpDaemons(host)).toEqual(['vrrpd']);
      const page = await lab.clientExec(state, ['curl', '-s', '--max-time', '3', `http://${state.hosts[i].address}:${NGINX_PORT}/`]);
      expect(page.stdout, `${host} serves its page through firewalld`).toContain(`Welcome to nginx! ${i + 1}`);
    }
    // VRRP gets through firewalld: the backup hears the master, so the VIP is on the master only.
    await waitFor('the VIP on the master only', 15_000, vipHolders, (h) => h.join() === HOSTS[0]);
    await waitFor("the client gets the master's page through the VIP", 15_000, vipPage, (p) => p.includes('Welcome to nginx! 1'));
  }, 2_400_000);

  it("the drill's steps pass; the VIP is on both nodes only in a bounded handover of a step that moves it", async () => {
    const out = mkdtempSync(join(tmpdir(), 'he-drill-vrrpd-'));
    const rerun = `${process.execPath} ${PROVISION} run ${PLAYBOOK} -i ${INVENTORY} -e ha_engine=vrrpd`;
    const watch = watchVip(state);
    const r = await run([DRILL, '--lab', LAB, '--playbook-dir', join(ROOT, 'playbooks'), '--engine', 'vrrpd', '--out', out, '--json', '--rerun-command', rerun], 1_200_000);
    const { samples, dual } = await watch.stop();
    let result: DrillJson;
    try {
      result = JSON.parse(r.stdout) as DrillJson;
    } catch {
      throw new Error(`drill printed no JSON (exit ${r.code}): ${r.stderr.slice(-3000)}`);
    }
    const failed = result.steps.filter((s) => !s.ok).map((s) => `step ${s.step}: ${s.error ?? ''} ${JSON.stringify(s.checks.filter((c) => !c.ok))}`);
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    expect(result).toMatchObject({ ok: true, engine: 'vrrpd', vip: state.vip, master: HOSTS[0], backup: HOSTS[1] });
    // Step 8 (a graceful `reboot` typed on the master) runs after step 6, the playbook re-run (7) last.
    expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 8, 7]);
    expect(result.steps.every((s) => !s.skipped)).toBe(true);

    // The monitor ran through the whole drill.
    expect(samples).toBeGreaterThan(10);
    const windows = judgeDualWindows(dual, result.steps);
    process.stderr.write(`host-kinds: VIP samples ${samples}, on both nodes: ${JSON.stringify(windows)}\n`);
    for (const w of windows) {
      expect(w, `VIP on both nodes outside a handover of a step that moves it, or longer than ${HANDOVER_BOUND_MS} ms`).toMatchObject({ ok: true });
    }
  }, 1_500_000);

  it('a reboot through systemd (`systemctl reboot`) brings nginx, vrrpd and the firewall openings back', async () => {
    const before = (await lab.labStatus(LAB)).hosts[0].boots;
    await sh(HOSTS[0], 'systemctl reboot');
    await waitNextBoot(0, before);
    await expectMasterBack('vrrpd');
  }, 300_000);

  it('a reboot by killing its PID 1 brings nginx, vrrpd and the firewall openings back', async () => {
    const initBefore = (await lab.labStatus(LAB)).hosts[0].initPid;
    expect(initBefore).toBeGreaterThan(0);
    await lab.rebootHost(state, HOSTS[0]);
    expect((await lab.labStatus(LAB)).hosts[0].initPid).not.toBe(initBefore);
    await expectMasterBack('vrrpd');
  }, 300_000);

  it('switching to keepalived leaves exactly one VRRP daemon per host, also after a reboot', async () => {
    const sw = await provision('keepalived');
    expect(sw.failures).toEqual([]);
    expect(sw.exitCode).toBe(0);
    process.stderr.write(`host-kinds: EL9 switch to keepalived ${sw.seconds.toFixed(1)} s\n`);
    for (const host of HOSTS) {
      expect(await vrrpDaemons(host)).toEqual(['keepalived']);
      expect((await sh(host, 'systemctl is-active vrrpd')).stdout.trim()).not.toBe('active');
      expect((await sh(host, 'systemctl is-enabled vrrpd')).stdout.trim()).not.toBe('enabled');
      expect((await sh(host, 'systemctl is-active keepalived')).stdout.trim()).toBe('active');
      expect((await sh(host, 'systemctl is-enabled keepalived')).stdout.trim()).toBe('enabled');
    }
    await waitFor('the VIP on the master only', 15_000, vipHolders, (h) => h.join() === HOSTS[0]);
    const before = (await lab.labStatus(LAB)).hosts[0].boots;
    await sh(HOSTS[0], 'systemctl reboot');
    await waitNextBoot(0, before);
    await expectMasterBack('keepalived');
  }, 2_400_000);
});
