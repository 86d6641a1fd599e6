import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkCluster, formatDiagnostic, loadConfig, parseConfigText, splitCommandLine, type ConfigSource } from '../../../src/config/index.js';

const FILE = '/etc/keepalived/keepalived.conf';
const NOTHING_TO_RUN = `${FILE}:1:1: error: no vrrp_instance: vrrpd would have nothing to run (keepalived -t accepts this; vrrpd refuses it on purpose)`;

/** An in-memory file system for include tests; glob supports `*` in the last path segment. */
function memory(files: Record<string, string>): ConfigSource {
  return {
    readFile: (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
      return files[path];
    },
    glob: (pattern, cwd) => {
      const full = pattern.startsWith('/') ? pattern : `${cwd}/${pattern}`;
      const re = new RegExp(`^${full.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return Object.keys(files).filter((f) => re.test(f)).sort();
    },
  };
}

function parse(text: string, files: Record<string, string> = {}) {
  const r = parseConfigText(text, FILE, memory({ [FILE]: text, ...files }));
  return { ...r, messages: r.diagnostics.map(formatDiagnostic) };
}

const instance = (body: string, head = '') => `${head}
vrrp_instance VI_1 {
    interface eth1
    virtual_router_id 51
${body}
    virtual_ipaddress {
        198.51.100.50
    }
}
`;

const seed = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));

describe('the seed runbook configs', () => {
  it('edu-proxy-01 parses without errors, with keepalived\'s nopreempt correction said loudly', () => {
    const r = loadConfig(seed('edu-proxy-01.conf'));
    expect(r.ok).toBe(true);
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`)).toEqual([
      "23:5: warning: unknown keyword '同的' at vrrp_instance VI_1; ignored",
      "26:5: warning: (VI_1) nopreempt will not work with initial state MASTER; clearing nopreempt as keepalived does. Use 'state BACKUP' on every node and set nopreempt on the higher-priority one",
    ]);
    const [vi] = r.config!.instances;
    expect(vi).toMatchObject({
      name: 'VI_1', initialState: 'MASTER', interface: 'eth1', vrid: 51, priority: 100, advertIntervalMs: 1000, version: 2,
      nopreempt: false, auth: { type: 'PASS', password: '1111' }, mcastSrcIp: '192.168.1.51',
      trackScripts: [{ name: 'chk_nginx' }], vips: [{ address: '192.168.1.50', prefixLength: 32, interface: 'eth1' }],
    });
    expect(r.config!.globals.routerId).toBe('edu-proxy-01');
    expect(r.config!.scripts).toEqual([expect.objectContaining({ name: 'chk_nginx', argv: ['/etc/keepalived/nginx_check.sh'], intervalMs: 2000, timeoutMs: 2000, weight: -20, rise: 1, fall: 1 })]);
  });
  it('edu-proxy-02 parses without errors or warnings', () => {
    const r = loadConfig(seed('edu-proxy-02.conf'));
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.instances[0]).toMatchObject({ initialState: 'BACKUP', priority: 90, mcastSrcIp: '192.168.1.52' });
  });
  it('the pair passes the cross-node check: 100 - 20 = 80 < 90 moves the VIP', () => {
    const a = loadConfig(seed('edu-proxy-01.conf')).config!;
    const b = loadConfig(seed('edu-proxy-02.conf')).config!;
    expect(checkCluster([{ node: 'edu-proxy-01', config: a }, { node: 'edu-proxy-02', config: b }])).toEqual([]);
  });
});

describe('syntax', () => {
  it('comments, quotes, glued braces, a brace on the next line, one-line blocks', () => {
    const r = parse(`# comment
global_defs{ router_id "my router" ! trailing comment
}
vrrp_script chk
{
  script "/bin/check --flag 'a b'"
}
vrrp_instance VI_1 {
  interface eth1 # why
  virtual_router_id 7
  virtual_ipaddress { 198.51.100.50/24 dev eth2 label eth2:vip }
  track_script { chk weight -30 }
}`);
    expect(r.messages).toEqual([]);
    expect(r.config!.globals.routerId).toBe('my router');
    expect(r.config!.scripts[0].argv).toEqual(['/bin/check', '--flag', 'a b']);
    expect(r.config!.instances[0]).toMatchObject({ priority: 100, vips: [{ address: '198.51.100.50', prefixLength: 24, interface: 'eth2', label: 'eth2:vip' }], trackScripts: [{ name: 'chk', weight: -30 }] });
  });
  it('includes with globs, relative to the including file, in sorted order', () => {
    const r = parse('include conf.d/*.conf\n', {
      '/etc/keepalived/conf.d/b.conf': instance('    priority 90'),
      '/etc/keepalived/conf.d/a.conf': 'global_defs {\n  vrrp_version 3\n}\n',
      '/etc/keepalived/other.txt': 'garbage',
    });
    expect(r.messages).toEqual([]);
    expect(r.config!.instances[0]).toMatchObject({ version: 3, priority: 90 });
  });
  it('golden syntax errors with file:line:col', () => {
    expect(parse('vrrp_instance VI_1 {\n  interface "eth1\n').messages).toEqual([
      '/etc/keepalived/keepalived.conf:2:13: error: unterminated quoted string: "eth1',
      "/etc/keepalived/keepalived.conf:1:20: error: block opened here is never closed (missing '}')",
      '/etc/keepalived/keepalived.conf:2:3: error: interface needs a value',
      "/etc/keepalived/keepalived.conf:1:1: error: (VI_1) no 'interface' given",
      "/etc/keepalived/keepalived.conf:1:1: error: (VI_1) no 'virtual_router_id' given",
      '/etc/keepalived/keepalived.conf:1:1: warning: (VI_1) no virtual_ipaddress: the instance elects a master but moves no address',
    ]);
    expect(parse('}\n').messages).toEqual(["/etc/keepalived/keepalived.conf:1:1: error: unexpected '}' with no open block", NOTHING_TO_RUN]);
    expect(parse('include missing/*.conf\n').messages).toEqual(['/etc/keepalived/keepalived.conf:1:9: warning: include missing/*.conf: no file matches (looked in /etc/keepalived/missing)', NOTHING_TO_RUN]);
    expect(parse('include self.conf\n', { '/etc/keepalived/self.conf': 'include self.conf\n' }).messages[0]).toBe('/etc/keepalived/self.conf:1:9: error: include self.conf: /etc/keepalived/self.conf is already being read (include loop: /etc/keepalived/self.conf -> /etc/keepalived/self.conf); not read again');
  });
});

describe('golden validation messages', () => {
  it.each([
    ['malformed VRID', instance('').replace('virtual_router_id 51', 'virtual_router_id abc'), [
      "/etc/keepalived/keepalived.conf:4:23: error: virtual_router_id: 'abc' is not an integer",
      "/etc/keepalived/keepalived.conf:2:1: error: (VI_1) no 'virtual_router_id' given",
    ]],
    ['VRID out of range', instance('').replace('virtual_router_id 51', 'virtual_router_id 256'), [
      '/etc/keepalived/keepalived.conf:4:23: error: virtual_router_id: 256 is out of range 1..255',
      "/etc/keepalived/keepalived.conf:2:1: error: (VI_1) no 'virtual_router_id' given",
    ]],
    ['priority 0', instance('    priority 0'), ['/etc/keepalived/keepalived.conf:5:14: error: priority: 0 is out of range 1..255']],
    ['bad VIP', instance('').replace('198.51.100.50', '198.51.100.500'), [
      "/etc/keepalived/keepalived.conf:7:9: error: virtual_ipaddress: '198.51.100.500' is not an IPv4 address (IPv6 VIPs are not supported by vrrpd)",
      '/etc/keepalived/keepalived.conf:2:1: warning: (VI_1) no virtual_ipaddress: the instance elects a master but moves no address',
    ]],
    ['bad state', instance('    state PRIMARY\n    priority 100'), ["/etc/keepalived/keepalived.conf:5:11: error: state: 'PRIMARY' is not MASTER or BACKUP"]],
    ['unknown keyword', instance('    priorty 100\n    priority 100'), ["/etc/keepalived/keepalived.conf:5:5: warning: unknown keyword 'priorty' at vrrp_instance VI_1; ignored"]],
    ['known but unimplemented keyword', instance('    priority 100\n    use_vmac'), ["/etc/keepalived/keepalived.conf:6:5: warning: 'use_vmac' is not implemented by vrrpd and ignored; keepalived moves the VIPs on a macvlan interface with the virtual MAC 00:00:5e:00:01:VRID"]],
    ['missing priority with state MASTER means 255', instance('    state MASTER'), ["/etc/keepalived/keepalived.conf:2:1: warning: (VI_1) no 'priority' given: using 255 because state is MASTER (keepalived's rule: state MASTER means the address owner, 255)"]],
    ['missing priority otherwise means 100, silently', instance('    state BACKUP'), []],
    ['nopreempt with state MASTER is cleared', instance('    state MASTER\n    priority 100\n    nopreempt'), ["/etc/keepalived/keepalived.conf:7:5: warning: (VI_1) nopreempt will not work with initial state MASTER; clearing nopreempt as keepalived does. Use 'state BACKUP' on every node and set nopreempt on the higher-priority one"]],
    ['preempt_delay with state MASTER is cleared', instance('    state MASTER\n    priority 100\n    preempt_delay 10'), ['/etc/keepalived/keepalived.conf:7:5: warning: (VI_1) preempt_delay will not work with initial state MASTER; clearing preempt_delay as keepalived does']],
    ['nopreempt with priority 255 is cleared', instance('    priority 255\n    nopreempt'), ['/etc/keepalived/keepalived.conf:6:5: warning: (VI_1) nopreempt is incompatible with priority 255 (the address owner always preempts); clearing nopreempt']],
    ['auth_pass longer than 8 is truncated', instance('    priority 100\n    authentication {\n        auth_type PASS\n        auth_pass 0123456789\n    }'), ["/etc/keepalived/keepalived.conf:8:19: warning: auth_pass '**********' is 10 characters; only the first 8 are used on the wire (keepalived truncates it the same way), so peers must share those 8"]],
    ['v3 with authentication', instance('    priority 100\n    version 3\n    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }'), ['/etc/keepalived/keepalived.conf:7:5: warning: (VI_1) VRRP version 3 does not support authentication; ignoring the authentication block']],
    ['AH', instance('    priority 100\n    authentication {\n        auth_type AH\n        auth_pass 1111\n    }'), ['/etc/keepalived/keepalived.conf:6:5: error: (VI_1) auth_type AH is not supported by vrrpd (and deprecated by RFC 3768); use PASS or none']],
    ['weight out of range refused, track weight ±254 corrected as keepalived does', instance('    priority 100\n    track_script {\n        chk weight -300\n    }\n    track_interface {\n        eth2 weight 254\n    }', 'vrrp_script chk {\n    script /bin/true\n    weight 254\n}'), [
      '/etc/keepalived/keepalived.conf:3:12: error: vrrp_script chk weight: 254 is out of range -253..253',
      '/etc/keepalived/keepalived.conf:10:20: error: track_script chk: weight -300 is outside -253..253 (keepalived ignores it)',
      '/etc/keepalived/keepalived.conf:13:21: warning: track_interface eth2: weight 254 is no longer allowed; using 253 as keepalived does',
    ]],
    ['unknown track_script', instance('    priority 100\n    track_script {\n        nope\n    }'), ['/etc/keepalived/keepalived.conf:7:9: warning: (VI_1) track_script nope: no vrrp_script of that name; ignored']],
    ['v2 fractional advert_int rounded', instance('    priority 100\n    advert_int 0.5'), ["/etc/keepalived/keepalived.conf:6:16: warning: (VI_1) VRRPv2 advert_int must be whole seconds: 0.5 s rounded to 1 s (use 'version 3' for sub-second adverts)"]],
    ['script without script line', 'vrrp_script chk {\n    interval 2\n}\n', ["/etc/keepalived/keepalived.conf:1:1: error: vrrp_script chk has no 'script' line", NOTHING_TO_RUN]],
    ['duplicate instance', instance('    priority 100') + instance('    priority 90'), ['/etc/keepalived/keepalived.conf:11:1: error: vrrp_instance VI_1 is already defined at /etc/keepalived/keepalived.conf:2']],
    ['sync group with unknown member', instance('    priority 100') + 'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_9\n  }\n}\n', ['/etc/keepalived/keepalived.conf:10:1: error: vrrp_sync_group G: member VI_9 is not a vrrp_instance']],
    ['bad unicast peer', instance('    priority 100\n    unicast_peer {\n        198.51.100.x\n    }'), ["/etc/keepalived/keepalived.conf:7:9: error: unicast_peer: '198.51.100.x' is not an IPv4 address"]],
  ])('%s', (_, text, messages) => {
    expect(parse(text).messages).toEqual(messages);
  });

  it('v3 fractional advert_int is kept', () => {
    expect(parse(instance('    priority 100\n    advert_int 0.1', 'global_defs {\n  vrrp_version 3\n}')).config!.instances[0]).toMatchObject({ version: 3, advertIntervalMs: 100 });
  });
  it('global and per-instance garp settings; lower-priority GARP follows the global values, as keepalived dumps it', () => {
    const r = parse(instance('    priority 100\n    garp_master_repeat 2', 'global_defs {\n  vrrp_garp_master_delay 1\n  vrrp_garp_master_refresh 60\n}'));
    expect(r.messages).toEqual([]);
    expect(r.config!.instances[0].garp).toEqual({ masterDelayMs: 1000, masterRepeat: 2, masterRefreshMs: 60000, masterRefreshRepeat: 1, lowerPrioDelayMs: 1000, lowerPrioRepeat: 5, intervalMs: 0 });
  });
  it('notify scripts are split into argv', () => {
    const r = parse(instance('    priority 100\n    notify_master "/etc/keepalived/notify.sh master"\n    notify /etc/keepalived/all.sh'));
    expect(r.config!.instances[0].notify).toEqual({ master: ['/etc/keepalived/notify.sh', 'master'], generic: ['/etc/keepalived/all.sh'] });
  });
});

describe('splitCommandLine', () => {
  it.each([
    ['/bin/a b  c', ['/bin/a', 'b', 'c']],
    [`/bin/a "b c" 'd e' f\\ g`, ['/bin/a', 'b c', 'd e', 'f g']],
    ['', []],
  ])('%s', (text, argv) => expect(splitCommandLine(text)).toEqual(argv));
});
