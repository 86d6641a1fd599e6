import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderString, type ModuleContext } from '@haweb/core';
import { vrrpClusterCheck, varsFor } from '../../../src/installer/index.js';

/** The playbook's own template: the layout check must judge what will actually be deployed. */
const TEMPLATE = fileURLToPath(new URL('../../../../../playbooks/templates/keepalived.conf.j2', import.meta.url));
const HOSTS = ['edu-proxy-01', 'edu-proxy-02'];

/** The seed's layout (playbooks/group_vars/all.yml, resolved). */
const SEED = {
  ha_vip: '198.51.100.50',
  ha_vip_prefix: 32,
  ha_interface: 'eth1',
  ha_vrid: 51,
  ha_instance: 'VI_1',
  ha_vrrp_version: 2,
  ha_advert_int: 1,
  ha_auth_type: 'PASS',
  ha_auth_pass: '1111',
  ha_nodes: { 'edu-proxy-01': { state: 'MASTER', priority: 100, page: 1 }, 'edu-proxy-02': { state: 'BACKUP', priority: 90, page: 2 } },
  ha_check_name: 'chk_nginx',
  ha_check_script: '/etc/keepalived/nginx_check.sh',
  ha_check_interval: 2,
  ha_check_weight: -20,
};

/**
 * A controller-side context for `me`: group vars shared, per-host vars (ansible_host, and `host_vars`
 * overrides) in hostvars, `overrides` applied on top for every host like -e.
 */
function context(me: string, hostOnly: Record<string, Record<string, unknown>>, overrides: Record<string, unknown> = {}): ModuleContext {
  const hostvars = Object.fromEntries(HOSTS.map((h, i) => [h, { ...SEED, ansible_host: `198.51.100.${51 + i}`, ...hostOnly[h], inventory_hostname: h }]));
  const vars = { ...hostvars[me], ...overrides, hostvars, ansible_play_hosts_all: HOSTS, inventory_hostname: me };
  return {
    hostName: me,
    vars,
    resolveLocal: (p: string) => p,
    render: (template: string, extra?: Record<string, unknown>) => renderString(template, { ...vars, ...extra }) as string,
  } as unknown as ModuleContext;
}

const cases: Array<{ name: string; hostOnly?: Record<string, Record<string, unknown>>; overrides?: Record<string, unknown>; fails: RegExp[] }> = [
  { name: 'the seed layout passes', fails: [] },
  { name: 'VRRPv3 with advert_int 0.1 passes (no authentication block rendered)', overrides: { ha_vrrp_version: 3, ha_advert_int: 0.1 }, fails: [] },
  {
    name: 'VRRPv3 on one host only is refused',
    hostOnly: { 'edu-proxy-02': { ha_vrrp_version: 3 } },
    fails: [/VRRP version 3 vs 2: adverts are dropped as wrong version/],
  },
  {
    name: 'weight -5 cannot move the VIP: refused with the arithmetic',
    overrides: { ha_check_weight: -5 },
    fails: [/cannot move the VIP from edu-proxy-01 to edu-proxy-02: .*priority is 100 - 5 \(chk_nginx\) = 95, still >= edu-proxy-02's 90/],
  },
  {
    name: 'equal priorities are refused',
    overrides: { ha_nodes: { 'edu-proxy-01': { state: 'MASTER', priority: 90, page: 1 }, 'edu-proxy-02': { state: 'BACKUP', priority: 90, page: 2 } } },
    fails: [/edu-proxy-01 and edu-proxy-02 both have priority 90/],
  },
  {
    name: 'a VRID declared differently on one host is refused',
    hostOnly: { 'edu-proxy-02': { ha_vrid: 52 } },
    fails: [/virtual_router_id 52 on edu-proxy-02 but 51 on edu-proxy-01/],
  },
];

describe('vrrp_cluster_check over the playbook template', () => {
  for (const c of cases) {
    it(c.name, async () => {
      // Run as each host of the play: every one must reach the same verdict.
      for (const me of HOSTS) {
        const ctx = context(me, c.hostOnly ?? {}, c.overrides);
        const args = vrrpClusterCheck.args.parse({ template: TEMPLATE });
        const r = await vrrpClusterCheck.run(args, ctx);
        expect(r.changed).toBe(false);
        if (c.fails.length === 0) {
          expect(r.failed, String(r.msg)).toBeFalsy();
          expect(r.msg).toMatch(/2 nodes agree and can fail over/);
        } else {
          expect(r.failed).toBe(true);
          for (const re of c.fails) expect(r.msg).toMatch(re);
          expect(r.msg).toMatch(/keepalived\.conf\.j2 \(rendered for edu-proxy-0\d\):\d+:\d+: error:/);
        }
      }
    });
  }

  it('takes a host variable from the other host unless something of higher precedence overrides it for all', () => {
    const ctx = context('edu-proxy-01', { 'edu-proxy-02': { ha_vrid: 52 } });
    expect(varsFor(ctx, 'edu-proxy-02')).toMatchObject({ ha_vrid: 52, ansible_host: '198.51.100.52', inventory_hostname: 'edu-proxy-02' });
    const overridden = context('edu-proxy-01', {}, { ha_check_weight: -5 });
    expect(varsFor(overridden, 'edu-proxy-02')).not.toHaveProperty('ha_check_weight');
  });

  it('rejects unknown arguments', () => {
    expect(() => vrrpClusterCheck.args.parse({ template: 'x', bogus: 1 })).toThrow();
  });
});
