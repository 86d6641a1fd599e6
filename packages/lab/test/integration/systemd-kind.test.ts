/**
 * The EL9-shaped host kind on a lab of its own (`hlel9`): systemd 252 as PID 1 (systemd-nspawn in the
 * host's network namespace), firewalld as EL8/EL9 ship it, the minimal image without tar and the lab
 * LAN's package repository. Boot to `running`, reboot through systemd and by killing PID 1, firewalld's
 * state and effect, installing tar from the LAN, and a `down` that leaves nothing behind.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostExec, labDown, labStatus, labUp, readLabState, rebootHost, type LabState } from '../../src/index.js';
import { connectChecked } from './support.js';
import { bootId, curlFromClient, leftovers } from './kinds-support.js';

const NAME = 'hlel9';
const SUBNET = '198.18.17.0/24';
let lab: LabState;

async function sh(host: string, script: string, allowFailure = false) {
  return hostExec(lab, host, ['sh', '-c', script], { allowFailure, timeoutMs: 120_000 });
}

async function waitNextBoot(index: number, bootsBefore: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  let status = await labStatus(NAME);
  while (!(status.hosts[index].boots > bootsBefore && status.hosts[index].booted && status.hosts[index].ssh) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    status = await labStatus(NAME);
  }
  expect(status.hosts[index]).toMatchObject({ boots: bootsBefore + 1, booted: true, ssh: true });
}

beforeAll(async () => {
  await labDown(NAME);
  lab = await labUp({ name: NAME, subnet: SUBNET, hosts: 2, kind: { init: 'systemd', firewall: 'firewalld', image: 'minimal' } });
}, 900_000);

afterAll(async () => {
  await labDown(NAME);
}, 120_000);

describe('systemd as PID 1', () => {
  it('records the kind in the lab state', () => {
    expect(lab.kind).toEqual({ init: 'systemd', firewall: 'firewalld', image: 'minimal' });
  });

  it.each([0, 1])('host #%i is running with no failed unit, sshd enabled as a systemd unit', async (i) => {
    const host = lab.hosts[i].name;
    expect((await hostExec(lab, host, ['cat', '/proc/1/comm'])).stdout.trim()).toBe('systemd');
    expect((await hostExec(lab, host, ['systemctl', 'is-system-running'])).stdout.trim()).toBe('running');
    expect((await hostExec(lab, host, ['systemctl', 'list-units', '--failed', '--plain', '--no-legend'])).stdout.trim()).toBe('');
    expect((await hostExec(lab, host, ['systemctl', 'is-enabled', 'ssh.service'])).stdout.trim()).toBe('enabled');
    expect((await hostExec(lab, host, ['systemctl', '--version'])).stdout).toMatch(/^systemd 252 /);
  });

  it('answers SSH as itself with its own host key and network', async () => {
    const host = lab.hosts[0];
    const { ssh } = await connectChecked(lab, host.address);
    try {
      const r = await ssh.execCommand('hostname; ps -o comm= -p 1; ip -o -4 addr show dev eth1; systemctl is-active ssh');
      expect(r.stdout.split('\n')).toEqual([host.name, 'systemd', expect.stringContaining(`inet ${host.address}/24`), 'active']);
    } finally {
      ssh.dispose();
    }
  });

  it('cannot touch the shared kernel outside its own network namespace', async () => {
    const r = await sh(lab.hosts[0].name, 'echo 1 > /proc/sys/kernel/panic', true);
    expect(r.code).not.toBe(0);
    expect((await sh(lab.hosts[0].name, 'cat /proc/sys/net/ipv4/ip_forward > /proc/sys/net/ipv4/ip_forward && echo ok')).stdout.trim()).toBe('ok');
  });

  it('shows the machine\'s /sys/module/ipv6/parameters/disable (roles read it) as a read-only file', async () => {
    const host = lab.hosts[0].name;
    expect((await sh(host, 'cat /sys/module/ipv6/parameters/disable')).stdout.trim()).toMatch(/^[01]$/);
    expect((await sh(host, 'echo 1 > /sys/module/ipv6/parameters/disable', true)).code).not.toBe(0);
  });
});

describe('firewalld as EL8/EL9 ship it', () => {
  it.each([0, 1])('host #%i: running, default zone public, target default, only ssh and dhcpv6-client', async (i) => {
    const host = lab.hosts[i].name;
    expect((await hostExec(lab, host, ['firewall-cmd', '--state'])).stdout.trim()).toBe('running');
    expect((await hostExec(lab, host, ['firewall-cmd', '--get-default-zone'])).stdout.trim()).toBe('public');
    expect((await hostExec(lab, host, ['firewall-cmd', '--permanent', '--zone=public', '--get-target'])).stdout.trim()).toBe('default');
    expect((await hostExec(lab, host, ['firewall-cmd', '--zone=public', '--list-services'])).stdout.trim().split(/\s+/).sort()).toEqual(['dhcpv6-client', 'ssh']);
    expect((await hostExec(lab, host, ['firewall-cmd', '--zone=public', '--list-ports'])).stdout.trim()).toBe('');
    expect((await hostExec(lab, host, ['systemctl', 'is-enabled', 'firewalld'])).stdout.trim()).toBe('enabled');
  });

  it('rejects a port it does not allow (88) from the LAN, while ssh passes and the host itself reaches it', async () => {
    const host = lab.hosts[0];
    await hostExec(lab, host.name, ['systemd-run', '--unit=haweb-probe-88', '--', 'python3', '-m', 'http.server', '88']);
    try {
      const deadline = Date.now() + 20_000;
      let local = await sh(host.name, 'curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:88/', true);
      while (local.stdout !== '200' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        local = await sh(host.name, 'curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:88/', true);
      }
      expect(local.stdout).toBe('200');
      const blocked = await curlFromClient(lab, host.address, 88);
      // 7: the connection was refused by an ICMP reject (firewalld's default), not dropped (28: timeout).
      expect(blocked.code).toBe(7);
      const sshPort = await curlFromClient(lab, host.address, 22);
      expect(sshPort.code).not.toBe(7);
      expect(sshPort.code).not.toBe(28);
    } finally {
      await hostExec(lab, host.name, ['systemctl', 'stop', 'haweb-probe-88'], { allowFailure: true });
    }
  });
});

describe('minimal image and the LAN repository', () => {
  it('has no tar (no program, no package), no compiler and no iptables', async () => {
    const host = lab.hosts[1].name;
    expect((await sh(host, 'command -v tar', true)).code).not.toBe(0);
    expect((await sh(host, "dpkg-query -W -f '${Status}' tar 2>/dev/null", true)).stdout).not.toContain('install ok installed');
    for (const tool of ['gcc', 'make', 'iptables']) expect((await sh(host, `command -v ${tool}`, true)).code).not.toBe(0);
  });

  it('names only the LAN repository as an apt source', async () => {
    const host = lab.hosts[1].name;
    const sources = await sh(host, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -v "^#" | grep .');
    expect(sources.stdout.trim()).toBe(`deb [trusted=yes] http://${lab.gateway}/ ./`);
    expect(lab.repo?.url).toBe(`http://${lab.gateway}/`);
  });

  it('installs tar from the LAN repository with apt-get, as on a real server', async () => {
    const host = lab.hosts[1].name;
    const update = await sh(host, 'apt-get update 2>&1');
    expect(update.stdout).toContain(`http://${lab.gateway}`);
    const install = await sh(host, 'DEBIAN_FRONTEND=noninteractive apt-get install -y tar 2>&1');
    expect(install.stdout).toMatch(/Setting up tar /);
    expect((await sh(host, 'tar --version')).stdout).toMatch(/^tar \(GNU tar\) /);
    expect((await sh(host, "dpkg-query -W -f '${Status}' tar")).stdout).toBe('install ok installed');
    // The other host is untouched: still no tar.
    expect((await sh(lab.hosts[0].name, 'command -v tar', true)).code).not.toBe(0);
  }, 300_000);
});

describe('reboot through the host\'s own init', () => {
  it('`systemctl reboot` over SSH: nspawn exits 133, the supervisor boots it again, new boot id, running, firewalld and rc.local run', async () => {
    const before = await bootId(lab, lab.hosts[0].name);
    // rc.local is executable in the image, so systemd's rc-local generator runs it at every boot.
    await hostExec(lab, lab.hosts[0].name, ['sh', '-c', 'cat > /etc/rc.local && chmod 755 /etc/rc.local'], {
      input: '#!/bin/sh -e\necho "rc.local $(cat /proc/sys/kernel/random/boot_id)" >> /var/lib/haweb-rc-local-runs\nexit 0\n',
    });
    const status = await labStatus(NAME);
    const otherInit = status.hosts[1].initPid;
    const { ssh } = await connectChecked(lab, lab.hosts[0].address);
    try {
      await ssh.execCommand('systemctl reboot');
    } finally {
      ssh.dispose();
    }
    await waitNextBoot(0, status.hosts[0].boots);
    expect(await readFile(lab.hosts[0].bootLog, 'utf8')).toContain('host stopped (exit status 133)');
    expect(await bootId(lab, lab.hosts[0].name)).not.toBe(before);
    expect((await hostExec(lab, lab.hosts[0].name, ['systemctl', 'is-system-running'])).stdout.trim()).toBe('running');
    expect((await hostExec(lab, lab.hosts[0].name, ['firewall-cmd', '--state'])).stdout.trim()).toBe('running');
    const now = await bootId(lab, lab.hosts[0].name);
    expect((await hostExec(lab, lab.hosts[0].name, ['cat', '/var/lib/haweb-rc-local-runs'])).stdout.trim().split('\n')).toEqual([`rc.local ${now}`]);
    expect((await hostExec(lab, lab.hosts[0].name, ['systemctl', 'is-active', 'rc-local.service'])).stdout.trim()).toBe('active');
    expect((await labStatus(NAME)).hosts[1].initPid).toBe(otherInit);
  });

  it('killing its PID 1 (`lab reboot`) boots it again: new PID 1, new boot id, running', async () => {
    const host = lab.hosts[0].name;
    const before = await bootId(lab, host);
    const initBefore = (await readLabState(NAME))!.hosts[0].initPid;
    await rebootHost(lab, host);
    expect((await readLabState(NAME))!.hosts[0].initPid).not.toBe(initBefore);
    expect(await bootId(lab, host)).not.toBe(before);
    expect((await hostExec(lab, host, ['systemctl', 'is-system-running'])).stdout.trim()).toBe('running');
    expect((await hostExec(lab, host, ['cat', '/proc/1/comm'])).stdout.trim()).toBe('systemd');
  });

  it('`systemctl poweroff` leaves the host down (nspawn exits 0), and `up` boots it again', async () => {
    const host = lab.hosts[1];
    const bootsBefore = (await labStatus(NAME)).hosts[1].boots;
    await hostExec(lab, host.name, ['systemctl', 'poweroff'], { allowFailure: true });
    const deadline = Date.now() + 60_000;
    while (!(await readFile(host.bootLog, 'utf8')).includes('supervisor exiting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const log = await readFile(host.bootLog, 'utf8');
    expect(log).toContain('host stopped (exit status 0)');
    expect(log).toContain('host halted; not booting again');
    expect((await labStatus(NAME)).hosts[1]).toMatchObject({ initPid: null, supervisorPid: null });
    await labUp({ name: NAME });
    expect((await labStatus(NAME)).hosts[1]).toMatchObject({ boots: bootsBefore + 1, booted: true, ssh: true });
    expect((await hostExec(lab, host.name, ['systemctl', 'is-system-running'])).stdout.trim()).toBe('running');
  });
});

describe('down', () => {
  it('leaves no namespace, mount, cgroup, process, nspawn directory or state behind', async () => {
    expect(await leftovers(NAME)).not.toEqual([]);
    await labDown(NAME);
    expect(await leftovers(NAME)).toEqual([]);
    expect((await labStatus(NAME)).up).toBe(false);
  });
});
