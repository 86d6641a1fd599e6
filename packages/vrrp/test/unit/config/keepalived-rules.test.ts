import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText, type ConfigSource } from '../../../src/config/index.js';
import { configTest } from '../../../src/daemon/config-test.js';

const FILE = '/etc/keepalived/keepalived.conf';
const none: ConfigSource = { readFile: () => { throw new Error('no includes here'); }, glob: () => [] };
const parse = (text: string, configId?: string) => {
  const r = parseConfigText(text, FILE, none, undefined, { configId });
  return { ...r, messages: r.diagnostics.map(formatDiagnostic) };
};
const instance = (body: string, head = '') => `${head}
vrrp_script chk {
  script /bin/true
}
vrrp_instance VI_1 {
  interface eth1
  virtual_router_id 51
${body}
  virtual_ipaddress {
    192.0.2.10
  }
}
`;

describe("keepalived's preprocessor", () => {
  it('@id lines with -i, @^id lines without it', () => {
    const text = instance('@node1 priority 200\n@^node1 priority 90');
    expect(parse(text, 'node1').config!.instances[0].priority).toBe(200);
    expect(parse(text, 'node2').config!.instances[0].priority).toBe(90);
    expect(parse(text).config!.instances[0].priority).toBe(90);
    expect(parse(text).messages).toEqual([]);
  });
  it('$VAR definitions, $VAR and ${VAR} substitution, multiline definitions, ~SEQ and ~LST', () => {
    const text = `$IF=eth1
$PRI = 150
$VIPS=\\
  192.0.2.1 \\
  192.0.2.2
vrrp_instance VI_1 {
  interface $IF
  virtual_router_id 51
  priority \${PRI}
  virtual_ipaddress {
    $VIPS
    ~SEQ(i, 3, 5) 192.0.2.\${i}/24
    ~LST(x, 7, 9) 192.0.2.$x
    ~LST({a, b}, {10, 1}, {11, 2}) 198.51.100.\${a}\${b}
    ~SEQx(h, 17, 17) 192.0.2.\${h}
  }
}
`;
    const r = parse(text);
    expect(r.messages).toEqual([]);
    const vi = r.config!.instances[0];
    expect(vi).toMatchObject({ interface: 'eth1', priority: 150 });
    expect(vi.vips.map((v) => `${v.address}/${v.prefixLength}`)).toEqual([
      '192.0.2.1/32', '192.0.2.2/32', '192.0.2.3/24', '192.0.2.4/24', '192.0.2.5/24', '192.0.2.7/32', '192.0.2.9/32',
      '198.51.100.101/32', '198.51.100.112/32', '192.0.2.11/32',
    ]);
  });
  it('$NAME must end at a blank, comma, ) or the line end (192.0.2.$i/24 is not substituted, as in keepalived)', () => {
    const r = parse(instance('', '$i=5').replace('192.0.2.10', '192.0.2.$i/24'));
    expect(r.messages).toContain(`${FILE}:10:5: error: virtual_ipaddress: '192.0.2.$i/24' is not an IPv4 address (IPv6 VIPs are not supported by vrrpd)`);
  });
  it('a definition that refers to itself, and a ~SEQ too long, are bounded errors', () => {
    expect(parse(instance('  priority $A', '$A=$A $A')).messages.some((m) => /substitut/.test(m))).toBe(true);
    expect(parse(instance('  ~SEQ(i, 1, 10000000) priority $i')).messages.some((m) => /~SEQ would produce 10000000 lines, more than the \d+ left/.test(m))).toBe(true);
  });
  it('a ~SEQ with bad values is an error', () => {
    expect(parse(instance('  ~SEQ(i, 5, 1, 1) priority $i')).messages).toContain(`${FILE}:8:3: error: invalid ~SEQ values '~SEQ(i, 5, 1, 1) priority $i'`);
  });
});

describe("keepalived's value checks", () => {
  it.each([
    ['VIP with two prefixes', instance('').replace('192.0.2.10', '192.0.2.10/24/24'), `${FILE}:10:5: error: virtual_ipaddress: '/24/24' is not a prefix length 0..32 (keepalived uses /32 with an error)`],
    ['script interval 0.001', instance('').replace('script /bin/true', 'script /bin/true\n  interval 0.001'), `${FILE}:4:12: error: vrrp_script chk interval: '0.001' is not a whole number of seconds 1..4294 (keepalived ignores it and keeps the default)`],
    ['script interval 0', instance('').replace('script /bin/true', 'script /bin/true\n  interval 0'), `${FILE}:4:12: error: vrrp_script chk interval must be greater than 0; keepalived uses 1`],
    ['interface name of 16 characters', instance('').replace('interface eth1', 'interface eth1eth1eth1eth1'), `${FILE}:6:13: error: interface name 'eth1eth1eth1eth1' is longer than 15 characters (IFNAMSIZ); keepalived ignores it`],
    ['vrrp_garp_interval 0', instance('', 'global_defs {\n  vrrp_garp_interval 0\n}'), `${FILE}:2:22: error: vrrp_garp_interval '0' is invalid: seconds 0.000001..4294.967295 with at most 6 decimals (keepalived ignores it)`],
    ['weight reverse in track_script', instance('  track_script {\n    chk weight 10 reverse\n  }'), `${FILE}:9:19: error: track_script chk: weight 'reverse' (the weight applies while the check fails, or the link is down) is not implemented by vrrpd; remove 'reverse' and change the weight's sign`],
    ['weight reverse in track_interface', instance('  track_interface {\n    eth2 weight 10 reverse\n  }'), `${FILE}:9:20: error: track_interface eth2: weight 'reverse' (the weight applies while the check fails, or the link is down) is not implemented by vrrpd; remove 'reverse' and change the weight's sign`],
    ['weight reverse in vrrp_script', instance('').replace('script /bin/true', 'script /bin/true\n  weight -10 reverse'), `${FILE}:4:14: error: vrrp_script chk: weight 'reverse' (the weight applies while the check fails, or the link is down) is not implemented by vrrpd; remove 'reverse' and change the weight's sign`],
    ['duplicate track_script', instance('  track_script {\n    chk weight -20\n    chk weight -20\n  }'), `${FILE}:10:5: warning: track_script chk is already tracked (line 9); this entry is ignored, as keepalived does`],
    ['unquoted notify script with a user', instance('  notify_master /etc/keepalived/up.sh nobody'), `${FILE}:8:39: warning: notify_master: 'nobody' after the script is the user the script runs as (keepalived's rule); to pass arguments, quote the script with them`],
    ['unbalanced quote in a script', instance('  notify_master "/etc/keepalived/up.sh a'), `${FILE}:8:17: error: unterminated quoted string: "/etc/keepalived/up.sh a`],
    ['vrrp_strict is named, with what keepalived would have done', instance('', 'global_defs {\n  vrrp_strict\n}'), `${FILE}:2:3: warning: 'vrrp_strict' is not implemented by vrrpd and ignored; keepalived runs in strict RFC mode: refuses unicast peers and authentication, forbids more than 20 VIPs and a priority-255 owner without accept, sends no gratuitous ARP after a lower-priority advert, and with vrrp_iptables blocks traffic to the VIPs`],
  ])('%s', (_name, text, message) => {
    expect(parse(text).messages).toContain(message);
  });
  it('a duplicate track entry counts once', () => {
    const r = parse(instance('  track_script {\n    chk weight -20\n    chk weight -20\n  }'));
    expect(r.config!.instances[0].trackScripts).toEqual([expect.objectContaining({ name: 'chk', weight: -20 })]);
  });
  it('vrrp_min_garp: one GARP per burst unless set otherwise', () => {
    expect(parse(instance('', 'global_defs {\n  vrrp_min_garp\n}')).config!.instances[0].garp).toMatchObject({ masterRepeat: 1, lowerPrioRepeat: 1, masterDelayMs: 0, lowerPrioDelayMs: 0, masterRefreshMs: 0 });
    expect(parse(instance('', 'global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_min_garp\n}')).config!.instances[0].garp).toMatchObject({ masterRepeat: 3 });
  });
});

describe('nothing to run', () => {
  const lvsOnly = 'global_defs {\n  smtp_server 127.0.0.1\n  notification_email {\n    ops@example.org\n  }\n}\nvirtual_server 192.0.2.10 80 {\n  lb_algo rr\n}\n';
  it('only virtual_server blocks: an error, and -t lists the ignored keywords once', () => {
    const files: Record<string, string> = { [FILE]: lvsOnly };
    const report = configTest([FILE], { readFile: (p) => files[p], glob: () => [] });
    expect(report.errors).toBe(1);
    expect(report.lines).toEqual([
      `${FILE}:1:1: error: no vrrp_instance: vrrpd would have nothing to run (keepalived -t accepts this; vrrpd refuses it on purpose)`,
      `${FILE}: keepalived keywords with no effect on a VRRP speaker, ignored: notification_email, smtp_server, virtual_server`,
      `${FILE}: FAILED (1 error, 0 warnings)`,
    ]);
  });
  it('a file read as one comment (CR-only line endings) is the same error', () => {
    const r = parse(`! keepalived\r${instance('').replace(/\n/g, '\r')}`);
    expect(r.ok).toBe(false);
    expect(r.messages).toContain(`${FILE}:1:1: error: no vrrp_instance: vrrpd would have nothing to run (keepalived -t accepts this; vrrpd refuses it on purpose)`);
  });
});
