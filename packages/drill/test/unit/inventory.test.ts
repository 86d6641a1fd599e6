import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseRoles, firstAddress, loadInventory, resolveLayout, resolveValue } from '../../src/inventory.js';

/** Writes files into a fresh folder and loads `main` (plus its group_vars/) with the provisioner's loader. */
function parseInventory(text: string, name: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'drill-inv-'));
  for (const [f, content] of Object.entries({ [name.replace(/^\//, '')]: text, ...extra })) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), content);
  }
  return loadInventory(join(dir, name.replace(/^\//, '')));
}
import { connectionTarget, knownHostsOf } from '../../src/transport/ssh.js';

/** The shape `lab up` writes (packages/lab/src/inventory.ts). */
const LAB_INVENTORY = `
all:
  vars:
    lab_vip: 198.51.100.50
    lab_client_address: 198.51.100.180
    lab_interface: eth1
    lab_known_hosts: /var/lib/haweb/lab/haweb/known_hosts
    ansible_ssh_common_args: -o UserKnownHostsFile=/var/lib/haweb/lab/haweb/known_hosts -o StrictHostKeyChecking=yes
  children:
    proxies:
      hosts:
        edu-proxy-01:
          ansible_host: 198.51.100.51
          ansible_user: root
          ansible_ssh_private_key_file: /var/lib/haweb/lab/haweb/id_ed25519
        edu-proxy-02:
          ansible_host: 198.51.100.52
          ansible_user: root
          ansible_ssh_private_key_file: /var/lib/haweb/lab/haweb/id_ed25519
`;

/** A production-style inventory with the layout declared in group vars, master second on purpose. */
const PROD_INVENTORY = `
all:
  children:
    lb:
      vars:
        vrrp_vip: 192.0.2.50/24
        nginx_port: 8088
        vrrp_engine: keepalived
        nginx_check_interval: 3
      hosts:
        lb-b:
          ansible_host: 192.0.2.52
          ansible_port: 2222
          vrrp_priority: 90
        lb-a:
          ansible_host: 192.0.2.51
          vrrp_priority: 100
    web:
      hosts:
        client-1: { ansible_host: 192.0.2.180 }
`;

describe('inventory → layout', () => {
  it('reads the lab inventory: VIP from lab_vip, the seed port, vrrpd, master = first proxy', () => {
    const inv = parseInventory(LAB_INVENTORY, '/lab/inventory.yml');
    expect(resolveLayout(inv, {})).toMatchObject({
      vip: '198.51.100.50',
      port: 88,
      engine: 'vrrpd',
      master: 'edu-proxy-01',
      backup: 'edu-proxy-02',
      checkIntervalMs: 2000,
      nginxPrefix: '/usr/local/nginx',
    });
  });

  it('reads a layout from group vars, picks roles by priority and skips the client', () => {
    const inv = parseInventory(PROD_INVENTORY, '/prod/hosts.yml');
    expect(resolveLayout(inv, {})).toMatchObject({ vip: '192.0.2.50', port: 8088, engine: 'keepalived', master: 'lb-a', backup: 'lb-b', checkIntervalMs: 3000 });
    expect(chooseRoles(inv, {}).how).toBe('vrrp_priority');
  });

  it('lets flags win', () => {
    const inv = parseInventory(PROD_INVENTORY, '/prod/hosts.yml');
    expect(resolveLayout(inv, { vip: '192.0.2.99', port: 88, engine: 'vrrpd', master: 'lb-b', backup: 'lb-a', checkIntervalMs: 500 })).toMatchObject({
      vip: '192.0.2.99',
      port: 88,
      engine: 'vrrpd',
      master: 'lb-b',
      backup: 'lb-a',
      checkIntervalMs: 500,
    });
  });

  it.each([
    [{ master: 'nope' }, /--master nope: no such host in \/.*\/lab\/inventory.yml \(hosts: edu-proxy-01, edu-proxy-02\)/],
    [{ vip: '198.51.100.500' }, /VIP 198\.51\.100\.500 is not an IPv4 address/],
    [{ engine: 'vrrpd; reboot' }, /bad engine\/service name/],
    [{ nginxPrefix: '/usr/local/nginx $(id)' }, /bad nginx prefix/],
    [{ master: 'edu-proxy-01', backup: 'edu-proxy-01' }, /master and backup are both edu-proxy-01/],
  ])('refuses %j', (flags, message) => {
    expect(() => resolveLayout(parseInventory(LAB_INVENTORY, '/lab/inventory.yml'), flags)).toThrow(message);
  });

  it('needs a VIP and two proxies, and says where to put them', () => {
    expect(() => resolveLayout(parseInventory('all:\n  hosts:\n    a: {}\n    b: {}\n', '/x.yml'), {})).toThrow(/no VIP: give --vip or set one of drill_vip, lab_vip/);
    expect(() => resolveLayout(parseInventory('all:\n  hosts:\n    a: {}\n', '/x.yml'), { vip: '192.0.2.1' })).toThrow(/need two proxies/);
    expect(() => parseInventory('all: [\n', '/x.yml')).toThrow(/x\.yml:1:\d+: error/);
  });

  it('reads addresses written with a prefix, a device or as a list', () => {
    expect(firstAddress('192.0.2.50/24 dev eth1')).toBe('192.0.2.50');
    expect(firstAddress(['192.0.2.50', '192.0.2.60'])).toBe('192.0.2.50');
    expect(firstAddress('eth1')).toBeUndefined();
  });
});

describe('layouts written the playbook way', () => {
  it('reads group_vars/ beside the inventory and resolves simple references to other variables', () => {
    const inv = parseInventory('all:\n  vars:\n    lab_vip: 198.51.100.50\n  children:\n    proxies:\n      hosts:\n        p1: { ansible_host: 198.51.100.51 }\n        p2: { ansible_host: 198.51.100.52 }\n', 'hosts.yml', {
      'group_vars/proxies.yml': 'vrrp_vip: "{{ lab_vip | default(\'192.0.2.50\') }}"\nnginx_port: "{{ http_port | default(8080) }}"\nvrrp_engine: keepalived\n',
      'host_vars/p2.yml': 'vrrp_priority: 120\n',
      'host_vars/p1.yml': 'vrrp_priority: 110\n',
    });
    expect(resolveLayout(inv, {})).toMatchObject({ vip: '198.51.100.50', port: 8080, engine: 'keepalived', master: 'p2', backup: 'p1' });
  });

  it.each([
    ['{{ a }}', { a: 'x' }, 'x'],
    ['{{ a }}', { a: '{{ b }}', b: 7 }, 7],
    ["{{ a | default('d') }}", {}, 'd'],
    ['{{ a | default(3) }}', {}, 3],
    ['{{ a }}', {}, undefined],
    ['{{ a ~ b }}', { a: 1, b: 2 }, undefined],
    ['plain', {}, 'plain'],
  ])('resolveValue(%s)', (value, vars, want) => {
    expect(resolveValue(value, vars)).toEqual(want);
  });
});

describe('SSH targets from the inventory', () => {
  it('takes address, user, key and the known_hosts named in the SSH args; never learns keys', () => {
    const inv = parseInventory(PROD_INVENTORY, '/prod/hosts.yml');
    expect(connectionTarget(inv, 'lb-b', { knownHostsFile: '/k' })).toMatchObject({
      hostName: 'lb-b',
      address: '192.0.2.52',
      port: 2222,
      user: 'root',
      knownHostsFile: '/k',
      hostKeyPolicy: 'strict',
    });
    const lab = parseInventory(LAB_INVENTORY, '/lab/inventory.yml');
    expect(knownHostsOf(lab, 'edu-proxy-01')).toBe('/var/lib/haweb/lab/haweb/known_hosts');
    expect(connectionTarget(lab, 'edu-proxy-02').privateKeyFile).toBe('/var/lib/haweb/lab/haweb/id_ed25519');
    const viaArgs = parseInventory('all:\n  vars:\n    ansible_ssh_common_args: -o UserKnownHostsFile=kh -o StrictHostKeyChecking=yes\n  hosts:\n    a: {}\n', 'inv/x.yml');
    expect(knownHostsOf(viaArgs, 'a')).toMatch(/\/inv\/kh$/);
  });
});
