/** ha_firewall_check: file:line:col of the variable at fault, and the module's result on the controller. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haFirewallCheck, locateVariable } from '../../../src/installer/index.js';

const VARS = [
  '# comment',
  'ha_firewall: managed',
  'ha_firewall_openings:',
  '  # nginx',
  '  - { port: 88, protocol: tcp }',
  '  - protocol: vrrp',
  '    from: [10.0.0.0/8]',
  '',
  'ha_unicast_peers:',
  '  edu-proxy-01: [198.51.100.52]',
  '  edu-proxy-02: [198.51.100.51]',
  'ha_flow: { a: [1], b: [2] }',
  'nginx_port: 88',
].join('\n');

describe('locateVariable', () => {
  const cases: Array<[string, number | string | undefined, { line: number; col: number } | undefined]> = [
    ['ha_firewall', undefined, { line: 2, col: 1 }],
    ['ha_firewall_openings', undefined, { line: 3, col: 1 }],
    ['ha_firewall_openings', 0, { line: 5, col: 3 }],
    ['ha_firewall_openings', 1, { line: 6, col: 3 }],
    ['ha_unicast_peers', 'edu-proxy-02', { line: 11, col: 3 }],
    ['ha_flow', 'b', { line: 12, col: 20 }],
    ['ha_missing', undefined, undefined],
  ];
  it.each(cases)('%s %s', (variable, item, want) => expect(locateVariable(VARS, variable, item)).toEqual(want));

  it('finds the variables of the playbook\'s own group_vars', () => {
    const text = readFileSync(resolve(import.meta.dirname, '../../../../../playbooks/group_vars/all.yml'), 'utf8');
    const at = locateVariable(text, 'ha_firewall_openings', 1);
    expect(text.split('\n')[at!.line - 1]).toMatch(/^ {2}- \{ protocol: vrrp, from: peers \}$/);
  });
});

function context(dir: string) {
  return {
    hostName: 'edu-proxy-01',
    vars: {
      playbook_dir: dir,
      ansible_play_hosts_all: ['edu-proxy-01', 'edu-proxy-02'],
      hostvars: { 'edu-proxy-01': { ansible_host: '198.51.100.51' }, 'edu-proxy-02': { ansible_host: '198.51.100.52' } },
    },
  } as unknown as Parameters<typeof haFirewallCheck.run>[1];
}

describe('ha_firewall_check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-fw-'));
  writeFileSync(join(dir, 'all.yml'), VARS);

  it('refuses VRRP from a network that misses the nodes, at the item\'s line', async () => {
    const args = haFirewallCheck.args.parse({ firewall: 'managed', openings: [{ port: 88, protocol: 'tcp' }, { protocol: 'vrrp', from: ['10.0.0.0/8'] }], service_ports: [{ port: 88, what: 'nginx' }], vars_file: 'all.yml' });
    const r = await haFirewallCheck.run(args, context(dir));
    expect(r.failed).toBe(true);
    expect(r.problems).toEqual([
      expect.stringMatching(/all\.yml:6:3: ha_firewall_openings\[1\]: the VRRP opening's from \(10\.0\.0\.0\/8\) does not cover edu-proxy-01 \(198\.51\.100\.51\)/),
      expect.stringMatching(/all\.yml:6:3: ha_firewall_openings\[1\]: .* does not cover edu-proxy-02/),
    ]);
  });

  it('names a variable set outside the file', async () => {
    const args = haFirewallCheck.args.parse({ firewall: 'managed', openings: [{ port: 88, protocol: 'tcp' }], vars_file: 'nowhere.yml' });
    const r = await haFirewallCheck.run(args, context(dir));
    expect(r.msg).toMatch(/^the firewall would block the pair \(1 problem\): ha_firewall_openings: no VRRP opening/);
  });

  it('lets the declared layout through', async () => {
    const args = haFirewallCheck.args.parse({ firewall: 'managed', openings: [{ port: '88', protocol: 'tcp' }, { protocol: 'vrrp', from: 'peers' }], service_ports: [{ port: '88', what: 'nginx' }] });
    expect(await haFirewallCheck.run(args, context(dir))).toEqual({ changed: false, msg: 'the declared openings let VRRP through between edu-proxy-01, edu-proxy-02' });
  });
});
