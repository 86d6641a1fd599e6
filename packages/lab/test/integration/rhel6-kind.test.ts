/**
 * The CentOS 6 shaped host kind on a lab of its own (`hlc6`): sysvinit, iptables-legacy selected, and
 * CentOS 6's default ruleset loaded at every boot (by netfilter-persistent, as Debian restores rules).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostExec, labDown, labUp, rebootHost, type LabState } from '../../src/index.js';
import { RHEL6_IPTABLES_RULES } from '../../src/kinds.js';
import { bootId, curlFromClient, leftovers } from './kinds-support.js';

const NAME = 'hlc6';
const SUBNET = '198.18.18.0/24';
let lab: LabState;
let host: string;

/** The ruleset of kinds.ts as `iptables -S` prints it back (its own order of matches and states). */
const EXPECTED_RULES = [
  '-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT',
  '-A INPUT -p icmp -j ACCEPT',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT',
  '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
  '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
];

/** The filter table's rules, as `iptables -S` prints them. */
async function liveRules(): Promise<string[]> {
  const r = await hostExec(lab, host, ['iptables-legacy', '-S']);
  return r.stdout.split('\n').filter((l) => l.startsWith('-A '));
}

beforeAll(async () => {
  await labDown(NAME);
  lab = await labUp({ name: NAME, subnet: SUBNET, hosts: 1, kind: { firewall: 'rhel6-iptables' } });
  host = lab.hosts[0].name;
}, 900_000);

afterAll(async () => {
  await labDown(NAME);
}, 120_000);

describe('CentOS 6 shaped host', () => {
  it('boots sysvinit with the legacy iptables selected', async () => {
    expect(lab.kind).toEqual({ init: 'sysvinit', firewall: 'rhel6-iptables', image: 'full' });
    expect((await hostExec(lab, host, ['cat', '/proc/1/comm'])).stdout.trim()).toBe('init');
    expect((await hostExec(lab, host, ['iptables', '--version'])).stdout).toMatch(/\(legacy\)/);
    expect((await hostExec(lab, host, ['update-alternatives', '--query', 'iptables'])).stdout).toMatch(/^Status: manual$[\s\S]*^Value: \/usr\/sbin\/iptables-legacy$/m);
  });

  it('has CentOS 6\'s ruleset in place after boot, in that order, and nothing in nftables', async () => {
    expect(RHEL6_IPTABLES_RULES.split('\n').filter((l) => l.startsWith('-A '))).toHaveLength(EXPECTED_RULES.length);
    expect(await liveRules()).toEqual(EXPECTED_RULES);
    const policies = (await hostExec(lab, host, ['iptables-legacy', '-S'])).stdout.split('\n').filter((l) => l.startsWith('-P '));
    expect(policies).toEqual(['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT']);
    expect((await hostExec(lab, host, ['iptables-legacy', '-L', 'INPUT', '-n'])).stdout).toMatch(/REJECT .* reject-with icmp-host-prohibited/);
    expect((await hostExec(lab, host, ['nft', 'list', 'ruleset'], { allowFailure: true })).stdout.trim()).toBe('');
  });

  it('rejects port 88 from the LAN with icmp-host-prohibited, while ssh passes and the host reaches it itself', async () => {
    await hostExec(lab, host, ['sh', '-c', 'start-stop-daemon --start --background --make-pidfile --pidfile /run/probe88.pid --exec /usr/bin/python3 -- -m http.server 88']);
    try {
      const deadline = Date.now() + 20_000;
      const local = () => hostExec(lab, host, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:88/'], { allowFailure: true });
      let r = await local();
      while (r.stdout !== '200' && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 200));
        r = await local();
      }
      expect(r.stdout).toBe('200');
      const blocked = await curlFromClient(lab, lab.hosts[0].address, 88);
      expect(blocked.code).toBe(7);
      expect(blocked.stderr).toMatch(/No route to host|Couldn't connect/);
      const counters = await hostExec(lab, host, ['iptables-legacy', '-L', 'INPUT', '-v', '-n', '-x']);
      const reject = counters.stdout.split('\n').find((l) => l.includes('icmp-host-prohibited'))!;
      expect(Number(reject.trim().split(/\s+/)[0])).toBeGreaterThan(0);
      const ssh = await curlFromClient(lab, lab.hosts[0].address, 22);
      expect([7, 28]).not.toContain(ssh.code);
    } finally {
      await hostExec(lab, host, ['start-stop-daemon', '--stop', '--pidfile', '/run/probe88.pid', '--remove-pidfile', '--oknodo'], { allowFailure: true });
    }
  });

  it('loads the ruleset again at the next boot, once (a reboot starts from an empty table)', async () => {
    const before = await bootId(lab, host);
    await rebootHost(lab, host);
    expect(await bootId(lab, host)).not.toBe(before);
    expect(await liveRules()).toEqual(EXPECTED_RULES);
  });

  it('down leaves nothing behind', async () => {
    await labDown(NAME);
    expect(await leftovers(NAME)).toEqual([]);
  });
});
