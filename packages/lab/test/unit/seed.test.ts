/**
 * The per-host files each kind writes into a host's upper layer before its first boot, checked on a
 * temporary state directory with a fake lower layer (no root needed: plain files and symlinks).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostKind } from '../../src/kinds.js';

const root = mkdtempSync(join(tmpdir(), 'haweb-seed-'));
const previousStateDir = process.env.HAWEB_LAB_STATE_DIR;
process.env.HAWEB_LAB_STATE_DIR = join(root, 'state');
const lower = join(root, 'lower');

const IPTABLES_ADMIN = 'auto\n/usr/sbin/iptables\niptables-restore\n/usr/sbin/iptables-restore\niptables-save\n/usr/sbin/iptables-save\n\n/usr/sbin/iptables-legacy\n10\n/usr/sbin/iptables-legacy-restore\n/usr/sbin/iptables-legacy-save\n/usr/sbin/iptables-nft\n20\n/usr/sbin/iptables-nft-restore\n/usr/sbin/iptables-nft-save\n\n';
const IP6TABLES_ADMIN = IPTABLES_ADMIN.replaceAll('iptables', 'ip6tables');

let seedHost: typeof import('../../src/host.js').seedHost;
let planLab: typeof import('../../src/plan.js').planLab;

beforeAll(async () => {
  mkdirSync(join(lower, 'var/lib/dpkg/alternatives'), { recursive: true });
  writeFileSync(join(lower, 'var/lib/dpkg/alternatives/iptables'), IPTABLES_ADMIN);
  writeFileSync(join(lower, 'var/lib/dpkg/alternatives/ip6tables'), IP6TABLES_ADMIN);
  // paths.ts reads HAWEB_LAB_STATE_DIR when first loaded.
  ({ seedHost } = await import('../../src/host.js'));
  ({ planLab } = await import('../../src/plan.js'));
});

afterAll(async () => {
  if (previousStateDir === undefined) delete process.env.HAWEB_LAB_STATE_DIR;
  else process.env.HAWEB_LAB_STATE_DIR = previousStateDir;
  const { rm } = await import('node:fs/promises');
  await rm(root, { recursive: true, force: true });
});

async function seed(lab: string, kind: HostKind, repoUrl?: string): Promise<{ upper: string; env: string }> {
  const plan = planLab({ name: lab, subnet: '198.18.17.0/24', hosts: 1 });
  await seedHost(plan, plan.hosts[0], 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0 test', lower, kind, repoUrl);
  const dir = join(root, 'state', lab, 'hosts', plan.hosts[0].name);
  return { upper: join(dir, 'upper'), env: await readFile(join(dir, 'host.env'), 'utf8') };
}

describe('seedHost per kind', () => {
  it('default kind: sysvinit boot stage, no firewall or apt files', async () => {
    const { upper, env } = await seed('seeddef', { init: 'sysvinit', firewall: 'open', image: 'full' });
    expect(env).toMatch(/^LAB_INIT=sysvinit$/m);
    expect(env).toMatch(/^LAB_STAGE=.*\/seeddef\/bin\/boot-stage\.sh$/m);
    await expect(lstat(join(upper, 'etc/iptables'))).rejects.toThrow();
    await expect(lstat(join(upper, 'etc/apt'))).rejects.toThrow();
    await expect(lstat(join(upper, 'etc/systemd'))).rejects.toThrow();
  });

  it('EL9 shape: nspawn boot stage, firewalld enabled by its unit links, the LAN repository as apt source', async () => {
    const { upper, env } = await seed('seedel9', { init: 'systemd', firewall: 'firewalld', image: 'minimal' }, 'http://198.18.17.254/');
    expect(env).toMatch(/^LAB_INIT=systemd$/m);
    expect(env).toMatch(/^LAB_STAGE=.*\/seedel9\/bin\/boot-nspawn\.sh$/m);
    expect(await readlink(join(upper, 'etc/systemd/system/multi-user.target.wants/firewalld.service'))).toBe('/lib/systemd/system/firewalld.service');
    expect(await readlink(join(upper, 'etc/systemd/system/dbus-org.fedoraproject.FirewallD1.service'))).toBe('/lib/systemd/system/firewalld.service');
    expect((await lstat(join(upper, 'etc/systemd/system'))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(upper, 'etc/apt/sources.list.d/haweb-lab.list'), 'utf8')).toContain('deb [trusted=yes] http://198.18.17.254/ ./');
  });

  it('C6 shape: the ruleset where netfilter-persistent restores it, legacy iptables selected for v4 and v6', async () => {
    const { upper } = await seed('seedc6', { init: 'sysvinit', firewall: 'rhel6-iptables', image: 'full' });
    expect(await readFile(join(upper, 'etc/iptables/rules.v4'), 'utf8')).toContain('-A INPUT -j REJECT --reject-with icmp-host-prohibited');
    expect(await readlink(join(upper, 'etc/alternatives/iptables'))).toBe('/usr/sbin/iptables-legacy');
    expect(await readlink(join(upper, 'etc/alternatives/iptables-save'))).toBe('/usr/sbin/iptables-legacy-save');
    expect(await readlink(join(upper, 'etc/alternatives/ip6tables-restore'))).toBe('/usr/sbin/ip6tables-legacy-restore');
    expect((await readFile(join(upper, 'var/lib/dpkg/alternatives/iptables'), 'utf8')).split('\n')[0]).toBe('manual');
    await expect(lstat(join(upper, 'etc/apt'))).rejects.toThrow();
  });
});
