/**
 * Boot and teardown, on a second lab of its own (so the default lab other tests use is never rebooted
 * or removed): services enabled with update-rc.d and /etc/rc.local run again after `lab reboot` and
 * after a `reboot` typed inside the host; `up` is idempotent; `down` leaves nothing behind.
 */
import { readFile, readdir } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError, hostExec, labDown, labStatus, labUp, readLabState, rebootHost, type LabState } from '../../src/index.js';
import { run } from '../../src/exec.js';
import { labDir } from '../../src/paths.js';
import { connectChecked } from './support.js';

const NAME = 'labtest';
/** RFC 2544 benchmarking range; the first /24 not already routed on this machine is used. */
const CANDIDATE_SUBNETS = Array.from({ length: 20 }, (_, i) => `198.18.${200 + i}.0/24`);

const PROBE_SERVICE = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          haweb-probe
# Required-Start:    $remote_fs
# Required-Stop:     $remote_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: lab test service: records each start and keeps a daemon running
### END INIT INFO
case "$1" in
  start)
    mkdir -p /var/lib/haweb-probe
    echo "service $(cat /proc/sys/kernel/random/boot_id)" >> /var/lib/haweb-probe/starts
    start-stop-daemon --start --background --make-pidfile --pidfile /run/haweb-probe.pid --exec /bin/sleep -- 86400
    ;;
  stop)
    start-stop-daemon --stop --pidfile /run/haweb-probe.pid --remove-pidfile --oknodo
    ;;
esac
exit 0
`;

const RC_LOCAL = `#!/bin/sh -e
mkdir -p /var/lib/haweb-probe
echo "rc.local $(cat /proc/sys/kernel/random/boot_id)" >> /var/lib/haweb-probe/starts
exit 0
`;

let lab: LabState;
const host = 'edu-proxy-01';

async function starts(): Promise<string[]> {
  const r = await hostExec(lab, host, ['cat', '/var/lib/haweb-probe/starts'], { allowFailure: true });
  return r.stdout.trim().split('\n').filter(Boolean);
}

async function bootId(): Promise<string> {
  return (await hostExec(lab, host, ['cat', '/proc/sys/kernel/random/boot_id'])).stdout.trim();
}

async function probeDaemonRunning(): Promise<boolean> {
  const r = await hostExec(lab, host, ['sh', '-c', 'kill -0 "$(cat /run/haweb-probe.pid)" && cat /proc/$(cat /run/haweb-probe.pid)/comm'], { allowFailure: true });
  return r.code === 0 && r.stdout.trim() === 'sleep';
}

beforeAll(async () => {
  await labDown(NAME);
  for (const subnet of CANDIDATE_SUBNETS) {
    try {
      lab = await labUp({ name: NAME, subnet, hosts: 2 });
      return;
    } catch (err) {
      if (!(err instanceof LabError && err.step === 'check lab subnet')) throw err;
    }
  }
  throw new Error(`no free subnet among ${CANDIDATE_SUBNETS[0]}..${CANDIDATE_SUBNETS.at(-1)}`);
}, 600_000);

afterAll(async () => {
  await labDown(NAME);
}, 120_000);

describe('a second lab', () => {
  it('comes up with its own subnet and names', () => {
    const net = lab.subnet.replace(/\.0\/24$/, '');
    expect(lab.hosts.map((h) => [h.name, h.address, h.netns])).toEqual([
      ['edu-proxy-01', `${net}.51`, 'labtest-edu-proxy-01'],
      ['edu-proxy-02', `${net}.52`, 'labtest-edu-proxy-02'],
    ]);
    expect(lab.vip).toBe(`${net}.50`);
  });

  it('`up` again changes nothing: same init PIDs, no new boots', async () => {
    const before = await labStatus(NAME);
    const again = await labUp({ name: NAME });
    const after = await labStatus(NAME);
    expect(after.up).toBe(true);
    expect(again.hosts.map((h) => h.initPid)).toEqual(before.hosts.map((h) => h.initPid));
    expect(after.hosts.map((h) => h.boots)).toEqual(before.hosts.map((h) => h.boots));
  });
});

describe('boot integration', () => {
  it('a service enabled with update-rc.d and a line in rc.local run again after `lab reboot`', async () => {
    await hostExec(lab, host, ['sh', '-c', 'cat > /etc/init.d/haweb-probe && chmod 755 /etc/init.d/haweb-probe'], { input: PROBE_SERVICE });
    await hostExec(lab, host, ['sh', '-c', 'cat > /etc/rc.local && chmod 755 /etc/rc.local'], { input: RC_LOCAL });
    await hostExec(lab, host, ['update-rc.d', 'haweb-probe', 'defaults']);
    const links = await hostExec(lab, host, ['sh', '-c', 'ls /etc/rc2.d']);
    expect(links.stdout).toMatch(/S\d\dhaweb-probe/);
    expect(await starts()).toEqual([]);
    const firstBoot = await bootId();
    const initBefore = (await readLabState(NAME))!.hosts[0].initPid;

    await rebootHost(lab, host);

    const secondBoot = await bootId();
    expect(secondBoot).not.toBe(firstBoot);
    expect((await readLabState(NAME))!.hosts[0].initPid).not.toBe(initBefore);
    expect(await starts()).toEqual(expect.arrayContaining([`service ${secondBoot}`, `rc.local ${secondBoot}`]));
    expect(await starts()).toHaveLength(2);
    expect(await probeDaemonRunning()).toBe(true);
  });

  it('`reboot` typed inside the host (over SSH) reboots only that host, through its init', async () => {
    const previous = await bootId();
    const statusBefore = await labStatus(NAME);
    const bootsBefore = statusBefore.hosts[0].boots;
    const otherInit = statusBefore.hosts[1].initPid;
    const { ssh } = await connectChecked(lab, lab.hosts[0].address);
    try {
      await ssh.execCommand('reboot');
    } finally {
      ssh.dispose();
    }
    const deadline = Date.now() + 60_000;
    let status = await labStatus(NAME);
    while (!(status.hosts[0].boots > bootsBefore && status.hosts[0].booted && status.hosts[0].ssh) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = await labStatus(NAME);
    }
    expect(status.hosts[0].boots).toBe(bootsBefore + 1);
    const log = await readFile(lab.hosts[0].bootLog, 'utf8');
    expect(log).toContain('INIT: Switching to runlevel: 6');
    expect(log).toContain('host stopped (exit status 129)');
    const current = await bootId();
    expect(current).not.toBe(previous);
    expect(await starts()).toEqual(expect.arrayContaining([`service ${current}`, `rc.local ${current}`]));
    expect(await probeDaemonRunning()).toBe(true);
    expect(status.hosts[1].initPid).toBe(otherInit);
  });
});

describe('down', () => {
  it('leaves no namespace, mount, process, veth, route or state behind', async () => {
    const dir = labDir(NAME);
    const pids = lab.hosts.map((h) => h.supervisorPid).filter((p): p is number => p !== null);
    expect(pids.length).toBe(2);
    await labDown(NAME);

    const netns = (await run(['ip', 'netns', 'list'], { step: 'list netns' })).stdout;
    expect(netns).not.toMatch(/^labtest-/m);
    expect(await readdir('/run/netns').catch(() => [])).not.toContainEqual(expect.stringMatching(/^labtest-/));
    const links = (await run(['ip', '-o', 'link', 'show'], { step: 'list links' })).stdout;
    expect(links).not.toContain('labtest-ctl');
    const routes = (await run(['ip', '-4', 'route', 'show'], { step: 'list routes' })).stdout;
    expect(routes).not.toContain(lab.subnet.replace(/0\/24$/, ''));
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    const stray: string[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes(`${dir}/`) || cmd.includes('labtest-')) stray.push(`${entry}: ${cmd.replaceAll('\0', ' ')}`);
    }
    expect(stray).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect((await labStatus(NAME)).up).toBe(false);
  });

  it('a second down, and a down after a half-made up, still clean everything', async () => {
    await labDown(NAME);
    // Half-made: namespaces and the controller veth exist, no hosts booted, no state file.
    await run(['ip', 'netns', 'add', 'labtest-lan'], { step: 'half up' });
    await run(['ip', 'netns', 'add', 'labtest-edu-proxy-01'], { step: 'half up' });
    await run(['ip', 'link', 'add', 'labtest-ctl', 'type', 'veth', 'peer', 'name', 'ctl', 'netns', 'labtest-lan'], { step: 'half up' });
    // A process left inside one of the lab's namespaces (as a daemon started with `ip netns exec` would be).
    const sleeper = spawn('ip', ['netns', 'exec', 'labtest-edu-proxy-01', 'sleep', '300'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => sleeper.on('exit', (_code, sig) => resolve(sig)));
    await new Promise((r) => setTimeout(r, 300));
    expect(sleeper.exitCode).toBe(null);
    await labDown(NAME);
    expect(await exited).toBe('SIGKILL');
    expect((await run(['ip', 'netns', 'list'], { step: 'list netns' })).stdout).not.toMatch(/^labtest-/m);
    expect((await run(['ip', '-o', 'link', 'show'], { step: 'list links' })).stdout).not.toContain('labtest-ctl');
  });
});
