/** vrrp_track_process, track_process, resign and peer_priority (issue 13). */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText, type ConfigSource } from '../../../src/config/index.js';

const FILE = '/etc/keepalived/keepalived.conf';

function parse(text: string) {
  const source: ConfigSource = { readFile: () => text, glob: () => [] };
  const r = parseConfigText(text, FILE, source);
  return { ...r, messages: r.diagnostics.map(formatDiagnostic) };
}

const withInstance = (top: string, body: string) => `${top}
vrrp_instance VI_1 {
    interface eth1
    virtual_router_id 51
    priority 100
${body}
    virtual_ipaddress {
        198.51.100.50
    }
}
`;

describe('vrrp_track_process', () => {
  it('reads every keyword, with keepalived defaults for the rest', () => {
    const r = parse(withInstance(`vrrp_track_process nginx {
    process nginx
    weight -20
    quorum 1
    quorum_max 4
    delay 0.5
    fast_recovery
}
vrrp_track_process haproxy {
    process "/usr/sbin/haproxy" -f /etc/haproxy.cfg
    param_match initial
    full_command
    fork_delay 1
}`, '    track_process {\n        nginx\n        haproxy weight 0\n    }'));
    expect(r.messages).toEqual([]);
    expect(r.config!.trackProcesses!.map(({ at: _at, ...t }) => t)).toEqual([
      { name: 'nginx', process: 'nginx', params: [], paramMatch: 'exact', paramMatchGiven: false, fullCommand: false, weight: -20, quorum: 1, quorumMax: 4, forkDelayMs: 500, terminateDelayMs: 500, fastRecovery: true },
      { name: 'haproxy', process: '/usr/sbin/haproxy', params: ['-f', '/etc/haproxy.cfg'], paramMatch: 'initial', paramMatchGiven: true, fullCommand: true, weight: 1, quorum: 1, forkDelayMs: 1000, terminateDelayMs: 0, fastRecovery: false },
    ]);
    expect(r.config!.instances[0].trackProcesses!.map((t) => [t.name, t.weight])).toEqual([['nginx', undefined], ['haproxy', 0]]);
  });

  it.each([
    ['no process line', 'vrrp_track_process p {\n    weight 2\n}', ["/etc/keepalived/keepalived.conf:1:1: error: vrrp_track_process p has no 'process' line"]],
    ['bad param_match', 'vrrp_track_process p {\n    process x\n    param_match all\n}', ["/etc/keepalived/keepalived.conf:3:17: error: param_match: 'all' is not initial or partial"]],
    ['quorum_max below quorum', 'vrrp_track_process p {\n    process x\n    quorum 3\n    quorum_max 2\n}', ['/etc/keepalived/keepalived.conf:1:1: error: vrrp_track_process p: quorum_max 2 is below quorum 3, so it could never be up']],
    ['weight out of range', 'vrrp_track_process p {\n    process x\n    weight 300\n}', ['/etc/keepalived/keepalived.conf:3:12: error: weight: 300 is out of range -254..254']],
  ])('%s is reported at its line and column', (_what, top, expected) => {
    expect(parse(withInstance(top, '')).messages).toEqual(expected);
  });

  it('a reference to an unknown vrrp_track_process is a warning and dropped', () => {
    const r = parse(withInstance('', '    track_process {\n        nope\n    }'));
    expect(r.messages).toEqual(['/etc/keepalived/keepalived.conf:7:9: warning: (VI_1) track_process nope: no vrrp_track_process of that name; ignored']);
    expect(r.config!.instances[0].trackProcesses).toEqual([]);
  });
});

describe('resign and peer_priority (vrrpd only)', () => {
  it('reads the resign flag and the peers\' priorities', () => {
    const r = parse(withInstance('', '    resign\n    peer_priority 198.51.100.52 90\n    peer_priority 198.51.100.53 80'));
    expect(r.messages).toEqual([]);
    const h = r.config!.instances[0].handover!;
    expect(h.resign).toBe(true);
    expect(h.peerPriorities.map((p) => [p.address, p.priority])).toEqual([['198.51.100.52', 90], ['198.51.100.53', 80]]);
  });

  it('resign off, and absent, mean keepalived\'s behaviour', () => {
    expect(parse(withInstance('', '    resign off')).config!.instances[0].handover!.resign).toBe(false);
    expect(parse(withInstance('', '')).config!.instances[0].handover).toEqual({ resign: false, peerPriorities: [] });
  });

  it.each([
    ['a bad address', '    peer_priority 198.51.100.300 90', ["/etc/keepalived/keepalived.conf:6:19: error: peer_priority: '198.51.100.300' is not an IPv4 address"]],
    ['a missing priority', '    peer_priority 198.51.100.52', ['/etc/keepalived/keepalived.conf:6:5: error: peer_priority needs an address and a priority: peer_priority 192.0.2.2 90']],
    ['priority 0', '    peer_priority 198.51.100.52 0', ['/etc/keepalived/keepalived.conf:6:33: error: peer_priority: 0 is out of range 1..255']],
    ['resign without peers', '    resign', ['/etc/keepalived/keepalived.conf:2:1: warning: (VI_1) resign without peer_priority: only priorities heard in adverts count, so a master that never heard its backup does not resign']],
  ])('%s is reported', (_what, body, expected) => {
    expect(parse(withInstance('', body)).messages).toEqual(expected);
  });
});
