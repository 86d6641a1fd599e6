import { describe, expect, it } from 'vitest';
import { checkCluster, formatDiagnostic, parseConfigText, type ConfigSource } from '../../../src/config/index.js';

const none: ConfigSource = { readFile: () => { throw new Error('no includes here'); }, glob: () => [] };

function node(name: string, body: string, scripts = '') {
  const text = `${scripts}
vrrp_instance VI_1 {
    interface eth1
${body}
}
`;
  const r = parseConfigText(text, `/cfg/${name}.conf`, none);
  expect(r.ok, r.diagnostics.map(formatDiagnostic).join('\n')).toBe(true);
  return { node: name, config: r.config! };
}

const common = (vrid = 51, extra = '') => `    virtual_router_id ${vrid}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        198.51.100.50
    }
${extra}`;
const check = (...nodes: ReturnType<typeof node>[]) => checkCluster(nodes).map(formatDiagnostic);

describe('checkCluster', () => {
  it('agreeing nodes give nothing', () => {
    expect(check(node('a', `    priority 100\n${common()}`), node('b', `    priority 90\n${common()}`))).toEqual([]);
  });
  it('same instance name, different VRID', () => {
    expect(check(node('a', `    priority 100\n${common(51)}`), node('b', `    priority 90\n${common(52)}`))).toEqual([
      '/cfg/b.conf:2:1: error: (VI_1) virtual_router_id 52 on b but 51 on a: the nodes will not see each other and both become master',
    ]);
  });
  it('auth, interval, VIP and version mismatches', () => {
    const a = node('a', `    priority 100\n${common()}`);
    expect(check(a, node('b', `    priority 90\n${common().replace('auth_pass 1111', 'auth_pass 2222')}`))).toEqual([
      "/cfg/b.conf:2:1: error: VRID 51 (VI_1 on b, VI_1 on a): auth_pass differs (never shown): adverts are dropped, both nodes become master",
    ]);
    expect(check(a, node('b', `    priority 90\n${common().replace('advert_int 1', 'advert_int 2')}`))).toEqual([
      '/cfg/b.conf:2:1: error: VRID 51 (VI_1 on b, VI_1 on a): advert_int 2 s vs 1 s: VRRPv2 drops adverts with another interval, both nodes become master',
    ]);
    expect(check(a, node('b', `    priority 90\n${common().replace('198.51.100.50', '198.51.100.51')}`))).toEqual([
      '/cfg/b.conf:2:1: error: VRID 51 (VI_1 on b, VI_1 on a): virtual_ipaddress 198.51.100.51/32 vs 198.51.100.50/32: a failover would move different addresses',
    ]);
    expect(check(a, node('b', `    priority 90\n    version 3\n${common().replace(/authentication \{[^}]*\}/, '')}`))).toEqual([
      '/cfg/b.conf:2:1: error: VRID 51 (VI_1 on b, VI_1 on a): VRRP version 3 vs 2: adverts are dropped as wrong version, both nodes become master',
    ]);
  });
  it('duplicate priorities', () => {
    expect(check(node('a', `    priority 100\n${common()}`), node('b', `    priority 100\n${common()}`))).toEqual([
      '/cfg/b.conf:2:1: warning: VRID 51: a and b both have priority 100; the higher primary IP address wins, which is rarely what was meant',
    ]);
  });
  const script = (w: number) => `vrrp_script chk {\n    script /bin/true\n    weight ${w}\n}`;
  it('a weight that cannot move the VIP: 100 - 5 = 95 >= 90', () => {
    expect(check(node('a', `    priority 100\n${common(51, '    track_script {\n        chk\n    }')}`, script(-5)), node('b', `    priority 90\n${common()}`))).toEqual([
      "/cfg/a.conf:5:1: warning: VRID 51 (VI_1): track_script weights cannot move the VIP from a to b: with every weighted script failing a's priority is 100 - 5 (chk) = 95, still >= b's 90. Use a weight below -10 or weight 0 (FAULT on failure)",
    ]);
  });
  it('a weight that moves the VIP: 100 - 20 = 80 < 90', () => {
    expect(check(node('a', `    priority 100\n${common(51, '    track_script {\n        chk\n    }')}`, script(-20)), node('b', `    priority 90\n${common()}`))).toEqual([]);
  });
  it('equal after the weight does not move it either (a backup accepts equal priority)', () => {
    const out = check(node('a', `    priority 100\n${common(51, '    track_script {\n        chk weight -10\n    }')}`, script(-50)), node('b', `    priority 90\n${common()}`));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('100 - 10 (chk) = 90, still >= b\'s 90');
  });
});
