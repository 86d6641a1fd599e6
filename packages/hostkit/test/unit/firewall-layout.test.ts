/** The layout check's firewall half, table by table: which declared openings keep VRRP from the nodes. */
import { describe, expect, it } from 'vitest';
import { checkFirewallLayout, cidrCovers, parseOpenings, vrrpSourcesFor, type FirewallLayoutInput } from '../../src/index.js';

const NODES = { 'edu-proxy-01': '198.51.100.51', 'edu-proxy-02': '198.51.100.52' };
const GOOD = [{ port: 88, protocol: 'tcp' }, { protocol: 'vrrp', from: 'peers' }];
const base: FirewallLayoutInput = { firewall: 'managed', openings: GOOD, nodes: NODES, servicePorts: [{ port: 88, what: 'nginx' }] };

describe('checkFirewallLayout', () => {
  const cases: Array<[string, Partial<FirewallLayoutInput>, Array<{ variable: string; item?: number | string; message: RegExp }>]> = [
    ['the playbook\'s declaration passes', {}, []],
    ['port given as a string (templated) passes', { openings: [{ port: '88', protocol: 'tcp' }, { protocol: 'vrrp', from: 'peers' }] }, []],
    ['VRRP from a CIDR covering both nodes passes', { openings: [{ port: 88, protocol: 'tcp' }, { protocol: 'vrrp', from: ['198.51.100.0/24'] }] }, []],
    ['VRRP from each node\'s address passes', { openings: [{ port: 88, protocol: 'tcp' }, { protocol: 'vrrp', from: '198.51.100.51, 198.51.100.52' }] }, []],
    [
      'no VRRP opening while the firewall is managed',
      { openings: [{ port: 88, protocol: 'tcp' }] },
      [{ variable: 'ha_firewall_openings', message: /no VRRP opening while the playbook manages the firewall: .* all become MASTER/ }],
    ],
    ['no VRRP opening, firewall unmanaged: nothing to say', { firewall: 'unmanaged', openings: [] }, []],
    [
      'VRRP source misses a node',
      { openings: [{ port: 88, protocol: 'tcp' }, { protocol: 'vrrp', from: ['198.51.100.51/32'] }] },
      [{ variable: 'ha_firewall_openings', item: 1, message: /from \(198\.51\.100\.51\/32\) does not cover edu-proxy-02 \(198\.51\.100\.52\)/ }],
    ],
    [
      'VRRP source is another network',
      { openings: [{ protocol: 'vrrp', from: ['10.0.0.0/8'] }, { port: 88, protocol: 'tcp' }] },
      [
        { variable: 'ha_firewall_openings', item: 0, message: /does not cover edu-proxy-01/ },
        { variable: 'ha_firewall_openings', item: 0, message: /does not cover edu-proxy-02/ },
      ],
    ],
    [
      'nginx\'s port not declared',
      { openings: [{ protocol: 'vrrp', from: 'peers' }] },
      [{ variable: 'ha_firewall_openings', message: /no opening for nginx's port 88\/tcp/ }],
    ],
    ['ha_firewall misspelt', { firewall: 'yes' }, [{ variable: 'ha_firewall', message: /must be managed or unmanaged, not "yes"/ }]],
    [
      'a bad item',
      { openings: [{ port: 70000, protocol: 'tcp' }, { protocol: 'vrrp', from: 'peers', port: 1 }, { protocol: 'sctp', port: 9 }] },
      [
        { variable: 'ha_firewall_openings', item: 0, message: /item 1: port must be 1-65535, not 70000/ },
        { variable: 'ha_firewall_openings', item: 1, message: /item 2: VRRP has no port/ },
        { variable: 'ha_firewall_openings', item: 2, message: /item 3: protocol must be tcp, udp or vrrp/ },
        { variable: 'ha_firewall_openings', message: /no VRRP opening/ },
        { variable: 'ha_firewall_openings', message: /no opening for nginx's port 88/ },
      ],
    ],
    ['openings not a list', { openings: 'vrrp' }, [{ variable: 'ha_firewall_openings', message: /must be a list of openings/ }]],
    ['unicast peers that are the other nodes pass', { unicastPeers: { 'edu-proxy-01': ['198.51.100.52'], 'edu-proxy-02': ['198.51.100.51'] } }, []],
    [
      'unicast peers that miss the other node',
      { unicastPeers: { 'edu-proxy-01': ['198.51.100.53'], 'edu-proxy-02': ['198.51.100.51'] } },
      [{ variable: 'ha_unicast_peers', item: 'edu-proxy-01', message: /edu-proxy-01's unicast peers 198\.51\.100\.53 are not the other nodes' addresses 198\.51\.100\.52/ }],
    ],
    [
      'unicast peers for a node that is not one, and none for a node',
      { unicastPeers: { 'edu-proxy-01': ['198.51.100.52'], 'edu-proxy-03': ['198.51.100.51'] } },
      [
        { variable: 'ha_unicast_peers', item: 'edu-proxy-03', message: /edu-proxy-03 is not a node of ha_nodes/ },
        { variable: 'ha_unicast_peers', message: /edu-proxy-02 has no unicast peers/ },
      ],
    ],
    [
      'unicast peers are checked even with the firewall unmanaged',
      { firewall: 'unmanaged', unicastPeers: { 'edu-proxy-01': ['198.51.100.51'], 'edu-proxy-02': ['198.51.100.51'] } },
      [{ variable: 'ha_unicast_peers', item: 'edu-proxy-01', message: /are not the other nodes' addresses/ }],
    ],
  ];
  it.each(cases)('%s', (_name, change, want) => {
    const problems = checkFirewallLayout({ ...base, ...change });
    expect(problems).toHaveLength(want.length);
    want.forEach((w, i) => {
      expect(problems[i].variable).toBe(w.variable);
      expect(problems[i].item).toBe(w.item);
      expect(problems[i].message).toMatch(w.message);
    });
  });
});

describe('cidrCovers', () => {
  const cases: Array<[string, string, boolean]> = [
    ['198.51.100.0/24', '198.51.100.52', true],
    ['198.51.100.52', '198.51.100.52', true],
    ['198.51.100.52/32', '198.51.100.51', false],
    ['198.51.100.128/25', '198.51.100.52', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['198.51.100.0/33', '198.51.100.1', false],
    ['not-an-address', '198.51.100.1', false],
  ];
  it.each(cases)('%s covers %s: %s', (cidr, address, want) => expect(cidrCovers(cidr, address)).toBe(want));
});

describe('what the deploy play opens', () => {
  it('VRRP from the other nodes (peers) or from the declared sources', () => {
    expect(vrrpSourcesFor(parseOpenings(GOOD).declared, NODES, 'edu-proxy-01')).toEqual(['198.51.100.52']);
    expect(vrrpSourcesFor(parseOpenings([{ protocol: 'vrrp', from: ['198.51.100.0/24'] }]).declared, NODES, 'edu-proxy-01')).toEqual(['198.51.100.0/24']);
    expect(parseOpenings(GOOD).declared.ports).toEqual([{ port: 88, protocol: 'tcp' }]);
  });
});
