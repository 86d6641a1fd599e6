/**
 * The filters and tests operators use in HA playbooks (keepalived/nginx): each checked with the value
 * Ansible gives for the same expression.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, renderString, templateCapabilities } from '../../../src/templating/index.js';

const hostvars = {
  'edu-proxy-01': { ansible_host: '198.51.100.51', vrrp: { priority: 150, state: 'MASTER' } },
  'edu-proxy-02': { ansible_host: '198.51.100.52', vrrp: { priority: 100, state: 'BACKUP' } },
};
const vars = {
  hostvars,
  groups: { lb: ['edu-proxy-01', 'edu-proxy-02'], web: ['web-01', 'web-02'] },
  inventory_hostname: 'edu-proxy-01',
  upstreams: [
    { name: 'web-01', port: 80, backup: false },
    { name: 'web-02', port: 8080, backup: true },
    { name: 'web-03', port: 80 },
  ],
  nginx_defaults: { worker_processes: 'auto', http: { gzip: 'on', keepalive_timeout: 65 } },
  nginx_overrides: { http: { gzip: 'off' }, user: 'www-data' },
  vip: '198.51.100.50',
  auth_pass: '',
  enabled: 'yes',
  prio: '150',
  users: [
    { name: 'ann', groups: ['adm', 'www'] },
    { name: 'bob', groups: ['www'] },
    { name: 'eve' },
  ],
  keys: ['a', 'b'],
  values: [1, 2],
  nothing: null,
  vrrp_role: 'master',
  vrrp_master_priority: 150,
};
const ev = (expr: string) => evaluate(expr, vars);

describe('extract', () => {
  it.each<[string, unknown]>([
    ["groups['lb'] | map('extract', hostvars, 'ansible_host') | list", ['198.51.100.51', '198.51.100.52']],
    ["groups['lb'] | map('extract', hostvars, ['vrrp', 'priority']) | list", [150, 100]],
    ["'edu-proxy-02' | extract(hostvars)", hostvars['edu-proxy-02']],
    ["'b' | extract({'a': 1, 'b': 2})", 2],
    ['1 | extract(["x", "y", "z"])', 'y'],
    ['[0, 2] | map("extract", ["x", "y", "z"]) | list', ['x', 'z']],
    ["'edu-proxy-09' | extract(hostvars) is defined", false],
    ["'edu-proxy-01' | extract(hostvars, 'missing') | default('none')", 'none'],
    ["groups['lb'] | reject('equalto', inventory_hostname) | map('extract', hostvars, 'ansible_host') | join(' ')", '198.51.100.52'],
  ])('%s', (expr, expected) => {
    expect(ev(expr)).toEqual(expected);
  });

  it('an undefined default value used for real names it', () => {
    expect(() => ev('missing_var | default(other_missing) | string')).toThrow(/'other_missing' is undefined/);
  });

  it('a missing key used for real names it', () => {
    expect(() => ev("'edu-proxy-09' | extract(hostvars) | string")).toThrow(/'dict object' has no attribute 'edu-proxy-09'/);
    expect(() => ev("'x' | extract(42)")).toThrow(/extract: 'int' object is not subscriptable/);
  });
});

describe('common Ansible filters', () => {
  it.each<[string, unknown]>([
    // default / d, with boolean=true for empty strings
    ['auth_pass | default("s3cret")', ''],
    ['auth_pass | default("s3cret", true)', 's3cret'],
    ['auth_pass | d("s3cret", true)', 's3cret'],
    ['missing_var | d(vip)', '198.51.100.50'],
    // An undefined default value is fine until it is used (geerlingguy.nginx: `vcpus | default(processor_count)`).
    ['vip | default(missing_var)', '198.51.100.50'],
    ['vip | default(missing_var, true)', '198.51.100.50'],
    // bool / int / ternary
    ['enabled | bool', true],
    ['"no" | bool', false],
    ['nothing | bool', false],
    ['prio | int > 100', true],
    ['"0x1F" | int(base=16)', 31],
    ['(vrrp_role == "master") | ternary("MASTER", "BACKUP")', 'MASTER'],
    ['(prio | int == vrrp_master_priority) | ternary(101, 100)', 101],
    // join / regex
    ['groups.web | join(",")', 'web-01,web-02'],
    ['upstreams | map(attribute="name") | join(" ")', 'web-01 web-02 web-03'],
    ['vip | regex_replace("\\\\.\\\\d+$", ".0/24")', '198.51.100.0/24'],
    ['"eth1: 198.51.100.51/24" | regex_search("(\\\\d+\\\\.){3}\\\\d+")', '198.51.100.51'],
    ['"nginx version: nginx/1.22.1" | regex_search("nginx/([\\\\d.]+)", "\\\\1") | first', '1.22.1'],
    // json / yaml
    ['{"vip": vip, "prio": 150} | to_json', '{"vip": "198.51.100.50", "prio": 150}'],
    ['\'{"state": "MASTER"}\' | from_json', { state: 'MASTER' }],
    ['{"vip": vip} | to_yaml', '{vip: 198.51.100.50}\n'], // PyYAML's default_flow_style=None: a flat dict inline
    ['"---\\na: 1\\n---\\nb: 2\\n" | from_yaml_all | list', [{ a: 1 }, { b: 2 }]],
    // combine, recursive
    ['nginx_defaults | combine(nginx_overrides)', { worker_processes: 'auto', http: { gzip: 'off' }, user: 'www-data' }],
    ['nginx_defaults | combine(nginx_overrides, recursive=True)', { worker_processes: 'auto', http: { gzip: 'off', keepalive_timeout: 65 }, user: 'www-data' }],
    ['nginx_defaults | ansible.builtin.combine({"user": "nginx"})', { worker_processes: 'auto', http: { gzip: 'on', keepalive_timeout: 65 }, user: 'nginx' }],
    // dict2items / items2dict / dict()
    ['{"gzip": "on"} | dict2items', [{ key: 'gzip', value: 'on' }]],
    ['nginx_defaults.http | dict2items | items2dict', { gzip: 'on', keepalive_timeout: 65 }],
    ['dict(keys | zip(values))', { a: 1, b: 2 }],
    ['dict(a=1, b=vip)', { a: 1, b: '198.51.100.50' }],
    ['dict({"a": 1}, b=2)', { a: 1, b: 2 }],
    ['dict()', {}],
    // selectattr / rejectattr with tests
    ['upstreams | selectattr("port", "equalto", 80) | map(attribute="name") | list', ['web-01', 'web-03']],
    ['upstreams | selectattr("backup", "defined") | selectattr("backup") | map(attribute="name") | list', ['web-02']],
    ['upstreams | rejectattr("backup", "defined") | map(attribute="name") | list', ['web-03']],
    ['upstreams | selectattr("name", "match", "web-0[12]") | map(attribute="port") | list', [80, 8080]],
    ['upstreams | selectattr("name", "search", "3$") | map(attribute="name") | first', 'web-03'],
    ['upstreams | selectattr("port", "in", [8080, 8443]) | map(attribute="name") | list', ['web-02']],
    // set-like filters compare by value, dicts too
    ['[1, 2, 2, 3] | unique', [1, 2, 3]],
    ['[{"a": 1}, {"a": 1}, {"a": 2}] | unique', [{ a: 1 }, { a: 2 }]],
    ['groups.lb | difference([inventory_hostname])', ['edu-proxy-02']],
    ['[{"a": 1}, {"b": 2}] | difference([{"a": 1}])', [{ b: 2 }]],
    ['[1, 2] | union([2, 3])', [1, 2, 3]],
    ['[{"a": 1}] | union([{"a": 1}, {"b": 2}])', [{ a: 1 }, { b: 2 }]],
    ['[1, 2, 3] | intersect([3, 2, 9])', [2, 3]],
    ['[1, 2, 3] | symmetric_difference([2, 3, 4])', [1, 4]],
    // base64, hash
    ['"haweb:s3cret" | b64encode', 'aGF3ZWI6czNjcmV0'],
    ['"aGF3ZWI6czNjcmV0" | b64decode', 'haweb:s3cret'],
    ['"haweb" | hash("sha1")', '66f341c9cb2c2abf681d8558bdaf05ae51d7f961'], // printf haweb | sha1sum
    ['"haweb" | hash("md5")', '7c2bd4433dda0bd30e280cb6c73c223b'], // printf haweb | md5sum
    // zip_longest, product, subelements, path_join, groupby
    ['[1, 2, 3] | zip_longest(["a"])', [[1, 'a'], [2, null], [3, null]]],
    ['[1, 2] | zip_longest(["a"], fillvalue="-")', [[1, 'a'], [2, '-']]],
    ['groups.lb | product([80, 443]) | map("join", ":") | list', ['edu-proxy-01:80', 'edu-proxy-01:443', 'edu-proxy-02:80', 'edu-proxy-02:443']],
    ['users | subelements("groups", skip_missing=True) | map("last") | list', ['adm', 'www', 'www']],
    ['users | subelements("groups", True) | map("first") | map(attribute="name") | list', ['ann', 'ann', 'bob']],
    ['["/etc", "nginx", "conf.d"] | path_join', '/etc/nginx/conf.d'],
    ['["etc", "/abs", "x"] | path_join', '/abs/x'],
    ['upstreams | groupby("port") | map("first") | list', [80, 8080]],
    ['upstreams | groupby("port") | map("last") | map("length") | list', [2, 1]],
    // lookup('vars')
    ['lookup("vars", "vrrp_" ~ "role")', 'master'],
  ])('%s', (expr, expected) => {
    expect(ev(expr)).toEqual(expected);
  });

  it('explains bad input', () => {
    expect(() => ev('users | subelements("groups")')).toThrow(/subelements: could not find 'groups'/);
    expect(() => ev('dict([1, 2])')).toThrow(/element #0 is not a \(key, value\) pair/);
    expect(() => ev('lookup("vars", "nope")')).toThrow(/No variable found with this name: nope/);
    expect(() => ev('x | ansible.builtin.nosuch')).toThrow(/no filter named 'ansible.builtin.nosuch'/);
  });

  it('groupby in a loop, as in an nginx upstream per port', () => {
    const tpl = '{% for port, members in upstreams | groupby("port") %}{{ port }}:{{ members | map(attribute="name") | join(",") }};{% endfor %}';
    expect(renderString(tpl, vars)).toBe('80:web-01,web-03;8080:web-02;');
  });

  it('lists filters without their ansible.builtin. aliases', () => {
    const { filters } = templateCapabilities();
    expect(filters).toContain('extract');
    expect(filters.some((f) => f.startsWith('ansible.builtin.'))).toBe(false);
  });
});

describe('all / any tests', () => {
  it.each<[string, boolean]>([
    ['[true, 1, "x"] is all', true],
    ['[true, 0] is all', false],
    ['[0, "", "x"] is any', true],
    ['[] is any', false],
    ['[] is all', true],
    ['[vip is defined, inventory_hostname in groups.lb] is all', true],
    ['groups.lb | map("extract", hostvars, ["vrrp", "state"]) | map("lower") | select("eq", "master") | list is any', true],

  ])('%s', (expr, expected) => {
    expect(ev(expr)).toBe(expected);
  });
});
