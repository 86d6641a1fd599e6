/**
 * The default lab's hosts, reached the way the provisioner reaches them: SSH with the lab's key and
 * known_hosts (host key checked), separate filesystems, and a LAN the client shares.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { clientExec, hostExec, readLabState, type LabState } from '../../src/index.js';
import { connectChecked } from './support.js';

let lab: LabState;

beforeAll(async () => {
  const state = await readLabState(inject('labName'));
  if (!state) throw new Error('the global setup should have brought the lab up');
  lab = state;
  expect(lab.hosts.length).toBeGreaterThanOrEqual(2);
});

describe('ssh into each host with the lab key and known_hosts', () => {
  it.each([0, 1])('host #%i answers as itself, as root, on eth1 with its address', async (i) => {
    const host = lab.hosts[i];
    const { ssh } = await connectChecked(lab, host.address);
    try {
      const r = await ssh.execCommand('hostname; id -u; ip -o -4 addr show dev eth1; cat /proc/1/comm');
      const [name, uid, addr, init] = r.stdout.split('\n');
      expect(name).toBe(host.name);
      expect(uid).toBe('0');
      expect(addr).toContain(`inet ${host.address}/24`);
      expect(init).toBe('init');
    } finally {
      ssh.dispose();
    }
  });

  it('rejects a host whose key is not the one in known_hosts', async () => {
    const [a, b] = lab.hosts;
    const text = await readFile(lab.paths.knownHosts, 'utf8');
    const keyOfB = text.split('\n').find((l) => l.startsWith(`${b.name},`))!.split(' ').slice(1).join(' ');
    // known_hosts claims host A has host B's key: connecting to A must fail verification.
    const wrong = `${a.name},${a.address} ${keyOfB}\n`;
    await expect(connectChecked(lab, a.address, wrong)).rejects.toThrow(/verification failed|Host denied/i);
    const { ssh, presented } = await connectChecked(lab, a.address);
    ssh.dispose();
    expect(presented.length).toBeGreaterThan(0);
  });

  it('has distinct host keys per host', () => {
    expect(new Set(lab.hosts.map((h) => h.hostKey)).size).toBe(lab.hosts.length);
  });
});

describe('isolation', () => {
  const marker = `/root/isolation-${randomUUID()}`;

  afterAll(async () => {
    await hostExec(lab, lab.hosts[0].name, ['rm', '-f', marker], { allowFailure: true });
  });

  it('a file written on one host is absent on the other', async () => {
    const [a, b] = lab.hosts;
    const { ssh } = await connectChecked(lab, a.address);
    try {
      expect((await ssh.execCommand(`echo written-on-${a.name} > ${marker} && cat ${marker}`)).stdout).toBe(`written-on-${a.name}`);
    } finally {
      ssh.dispose();
    }
    const onB = await hostExec(lab, b.name, ['test', '-e', marker], { allowFailure: true });
    expect(onB.code).toBe(1);
    const onA = await hostExec(lab, a.name, ['cat', marker]);
    expect(onA.stdout.trim()).toBe(`written-on-${a.name}`);
  });

  it('each host sees only its own processes, with its own init as PID 1', async () => {
    for (const host of lab.hosts.slice(0, 2)) {
      const r = await hostExec(lab, host.name, ['ps', '-e', '-o', 'pid=,comm=']);
      const procs = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
      expect(procs[0]).toEqual(['1', 'init']);
      expect(procs.length).toBeLessThan(20);
    }
  });

  it('hosts cannot change the shared kernel settings outside their own network namespace', async () => {
    const r = await hostExec(lab, lab.hosts[0].name, ['sh', '-c', 'echo 1 > /proc/sys/kernel/panic'], { allowFailure: true });
    expect(r.code).not.toBe(0);
    const net = await hostExec(lab, lab.hosts[0].name, ['sh', '-c', 'cat /proc/sys/net/ipv4/ip_nonlocal_bind > /proc/sys/net/ipv4/ip_nonlocal_bind && echo ok']);
    expect(net.stdout.trim()).toBe('ok');
  });
});

describe('LAN', () => {
  it('the client reaches both hosts\' sshd across the bridge', async () => {
    for (const host of lab.hosts.slice(0, 2)) {
      const r = await clientExec(lab, ['bash', '-c', `exec 3<>/dev/tcp/${host.address}/22; head -1 <&3`], { timeoutMs: 10_000 });
      expect(r.stdout).toMatch(/^SSH-2\.0-OpenSSH/);
    }
  });

  it('hosts reach each other by name', async () => {
    const [a, b] = lab.hosts;
    const r = await hostExec(lab, a.name, ['ping', '-c', '1', '-W', '2', b.name]);
    expect(r.stdout).toContain(`(${b.address})`);
    expect(r.stdout).toMatch(/1 received/);
  });

  it('nothing routes out of the lab: the gateway\'s default route is unreachable', async () => {
    const r = await hostExec(lab, lab.hosts[0].name, ['ip', 'route', 'show', 'default']);
    expect(r.stdout.trim()).toBe(`default via ${lab.gateway} dev eth1`);
    const gw = await import('../../src/exec.js').then((m) => m.run(['ip', '-n', lab.bridgeNetns, 'route', 'show', 'default'], { step: 'read gateway route' }));
    expect(gw.stdout.trim()).toMatch(/^unreachable default/);
  });

  it('Debian\'s ansible manages the hosts with the inventory as written (strict host key checking)', async () => {
    const { run } = await import('../../src/exec.js');
    const r = await run(['ansible', '-i', lab.paths.inventory, 'proxies', '-m', 'ping', '-o'], {
      step: 'ansible ping',
      allowFailure: true,
      timeoutMs: 120_000,
      env: { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_NOCOLOR: '1' },
    });
    for (const host of lab.hosts) expect(r.stdout).toMatch(new RegExp(`^${host.name} \\| SUCCESS`, 'm'));
    expect(r.code).toBe(0);
  }, 120_000);

  it('writes an inventory the provisioner can use', async () => {
    const inv = parse(await readFile(lab.paths.inventory, 'utf8'));
    for (const host of lab.hosts) {
      expect(inv.all.children.proxies.hosts[host.name]).toMatchObject({ ansible_host: host.address, ansible_user: 'root' });
    }
    expect(inv.all.vars).toMatchObject({ lab_vip: lab.vip, lab_client_address: lab.client.address, lab_interface: 'eth1' });
  });
});
