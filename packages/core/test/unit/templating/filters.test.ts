import { describe, expect, it } from 'vitest';
import { evaluate, renderString, TemplateError } from '../../../src/templating/index.js';

const vars = {
  s: '  Hello World  ',
  items: ['b', 'a', 'c', 'a'],
  nums: [3, 1, 2],
  users: [
    { name: 'ann', uid: 1001, admin: true, shell: '/bin/bash' },
    { name: 'bob', uid: 1002, admin: false },
  ],
  conf: { listen: 80, server: 'x' },
  pairs: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }],
  empty: '',
  nothing: null,
  path: '/etc/nginx/nginx.conf',
  hostile: "a'b; rm -rf / $(id)",
  result_ok: { changed: false, failed: false },
  result_changed: { changed: true, failed: false },
  result_failed: { changed: false, failed: true },
  result_skipped: { changed: false, skipped: true },
  version: '1.22.1',
};

const ev = (expr: string) => evaluate(expr, vars);

describe('filters', () => {
  it.each<[string, unknown]>([
    ['missing | default("d")', 'd'],
    ['empty | default("d")', ''],
    ['empty | default("d", true)', 'd'],
    ['nothing | default("d", boolean=true)', 'd'],
    ['nothing | default("d")', null],
    ['missing | d(5)', 5],
    ['"yes" | bool', true],
    ['"off" | bool', false],
    ['1 | bool', true],
    ['"42" | int + 1', 43],
    ['"x" | int', 0],
    ['"x" | int(7)', 7],
    ['"ff" | int(base=16)', 255],
    ['"3.5" | float', 3.5],
    ['42 | string', '42'],
    ['s | lower | trim', 'hello world'],
    ['s | upper', '  HELLO WORLD  '],
    ['items | join(",")', 'b,a,c,a'],
    ['items | length', 4],
    ['conf | length', 2],
    ['items | first', 'b'],
    ['items | last', 'a'],
    ['items | unique | list', ['b', 'a', 'c']],
    ['items | sort', ['a', 'a', 'b', 'c']],
    ['nums | sort(reverse=true)', [3, 2, 1]],
    ['users | sort(attribute="uid", reverse=true) | map(attribute="name") | list', ['bob', 'ann']],
    ['users | map(attribute="name") | list', ['ann', 'bob']],
    ['users | map(attribute="shell", default="/bin/sh") | list', ['/bin/bash', '/bin/sh']],
    ['items | map("upper") | list', ['B', 'A', 'C', 'A']],
    ['[0, 1, "", "x"] | select | list', [1, 'x']],
    ['[0, 1, "", "x"] | reject | list', [0, '']],
    ['nums | select("odd") | list', [3, 1]],
    ['items | select("match", "^[ab]") | list', ['b', 'a', 'a']],
    ['users | selectattr("admin") | map(attribute="name") | list', ['ann']],
    ['users | rejectattr("admin") | map(attribute="name") | list', ['bob']],
    ['users | selectattr("uid", "equalto", 1002) | map(attribute="name") | first', 'bob'],
    ['users | selectattr("shell", "defined") | list | length', 1],
    ['conf | to_json', '{"listen": 80, "server": "x"}'],
    ['conf | to_nice_json', '{\n    "listen": 80,\n    "server": "x"\n}'],
    ['conf | to_yaml', '{listen: 80, server: x}\n'],
    ['\'{"a": [1, 2]}\' | from_json', { a: [1, 2] }],
    ['"a: 1" | from_yaml', { a: 1 }],
    ['"listen 80;" | regex_replace("\\\\d+", "8080")', 'listen 8080;'],
    ['"edu-proxy-01" | regex_replace("^(\\\\w+)-(?P<kind>\\\\w+)-(\\\\d+)$", "\\\\g<kind>/\\\\1/\\\\3")', 'proxy/edu/01'],
    ['"ABC" | regex_replace("b", "x", ignorecase=true)', 'AxC'],
    ['"cost $5" | regex_replace("cost", "price $")', 'price $ $5'],
    ['"inet 198.51.100.51/24" | regex_search("\\\\d+\\\\.\\\\d+\\\\.\\\\d+\\\\.\\\\d+")', '198.51.100.51'],
    ['"v=1.2" | regex_search("v=(\\\\d+)\\\\.(\\\\d+)", "\\\\1", "\\\\2")', ['1', '2']],
    ['"nothing here" | regex_search("\\\\d+")', null],
    ['"a1b22" | regex_findall("\\\\d+")', ['1', '22']],
    ['path | basename', 'nginx.conf'],
    ['path | dirname', '/etc/nginx'],
    ['"simple" | quote', 'simple'],
    ['hostile | quote', `'a'"'"'b; rm -rf / $(id)'`], // Python's shlex.quote
    ['"haweb" | b64encode', 'aGF3ZWI='],
    ['"aGF3ZWI=" | b64decode', 'haweb'],
    ['conf | dict2items', [{ key: 'listen', value: 80 }, { key: 'server', value: 'x' }]],
    ['conf | dict2items(key_name="k", value_name="v")', [{ k: 'listen', v: 80 }, { k: 'server', v: 'x' }]],
    ['pairs | items2dict', { a: 1, b: 2 }],
    ['conf | combine({"listen": 8080, "new": 1})', { listen: 8080, server: 'x', new: 1 }],
    ['{"a": {"x": 1, "y": 2}} | combine({"a": {"y": 3}}, recursive=true)', { a: { x: 1, y: 3 } }],
    ['{"a": {"x": 1} } | combine({"a": {"y": 3} })', { a: { y: 3 } }],
    ['{"l": [1]} | combine({"l": [2]}, list_merge="append")', { l: [1, 2] }],
    ['true | ternary("MASTER", "BACKUP")', 'MASTER'],
    ['[] | ternary("yes", "no")', 'no'],
    ['nothing | ternary("t", "f", "none")', 'none'],
    ['"a,b" | split(",")', ['a', 'b']],
    ['[[1, 2], [3, [4]]] | flatten', [1, 2, 3, 4]],
    ['[[1, 2], [3, [4]]] | flatten(1)', [1, 2, 3, [4]]],
    ['nums | min', 1],
    ['nums | max', 3],
    ['nums | sum', 6],
    ['[1, 2, 3] | difference([2])', [1, 3]],
    ['[1, 2, 3] | intersect([2, 3, 4])', [2, 3]],
    ['[1, 2] | union([2, 3])', [1, 2, 3]],
    ['"a\\nb" | indent(2)', 'a\n  b'],
    ['"a\\nb" | indent(2, true)', '  a\n  b'],
    ['"x" | replace("x", "y")', 'y'],
    ['"%s-%s" | format("edu", "proxy")', 'edu-proxy'],
    ['"%02d:%5.2f|%-4s|%x|%%" | format(7, 3.14159, "ab", 255)', '07: 3.14|ab  |ff|%'],
    ['"%(name)s=%(value)r" | format(name="k", value="v")', "k='v'"],
    ['[1, 2, 3][1:]', [2, 3]],
    ['[1, 2, 3][::-1]', [3, 2, 1]],
    ['"edu-proxy-01"[-2:]', '01'],
    ['items[:2] | join', 'ba'],
    ['users | selectattr("uid", ">=", 1002) | map(attribute="name") | list', ['bob']],
    ['users | rejectattr("name", "==", "ann") | map(attribute="name") | list', ['bob']],
    ['"haweb" | hash("sha256")', '343916364b98b24badb2b5acb3f56e54ff7adb3f88c330ae8df6b1ad694a86d4'], // printf haweb | sha256sum
    ['"haweb" | checksum', '66f341c9cb2c2abf681d8558bdaf05ae51d7f961'], // printf haweb | sha1sum
    ['conf | type_debug', 'dict'],
    ['"/a/b.tar.gz" | splitext', ['/a/b.tar', '.gz']],
  ])('%s', (expr, expected) => {
    expect(ev(expr)).toEqual(expected);
  });

  it('explains bad filter input', () => {
    expect(() => ev('42 | dict2items')).toThrow(/dict2items requires a dictionary, got int/);
    expect(() => ev('"not json" | from_json')).toThrow(/from_json:/);
    expect(() => ev('[1] | items2dict')).toThrow(/items2dict requires a list of dictionaries with 'key' and 'value'/);
    expect(() => ev('{"a": missing} | to_json')).toThrow(TemplateError);
  });
});

describe('tests', () => {
  it.each<[string, boolean]>([
    ['missing is defined', false],
    ['missing is undefined', true],
    ['nothing is none', true],
    ['empty is string', true],
    ['3 is number', true],
    ['"3" is number', false],
    ['result_ok is succeeded', true],
    ['result_ok is success', true],
    ['result_failed is failed', true],
    ['result_failed is succeeded', false],
    ['result_changed is changed', true],
    ['result_ok is changed', false],
    ['result_skipped is skipped', true],
    // async_status: finished/started 0 or 1; without the key (no async) finished and started
    ['{"finished": 1} is finished', true],
    ['{"finished": 0} is finished', false],
    ['{"finished": 0} is not finished', true],
    ['result_ok is finished', true],
    ['{"started": 1} is started', true],
    ['{"started": 0} is started', false],
    ['"edu-proxy-01" is match("edu-")', true],
    ['"x-edu-proxy" is match("edu-")', false],
    ['"x-edu-proxy" is search("edu-")', true],
    // a registered result searched whole, as its Python text (slurp's target: `r is search('unable to slurp file')`)
    ['{"failed": true, "msg": "unable to slurp file: x"} is search("unable to slurp file")', true],
    ['{"failed": true} is search("True")', true],
    ['[1, "a"] is match("\\[1, \'a\'\\]")', true],
    ['"a" is in items', true],
    ['"z" is in items', false],
    ['"z" is not in items', true],
    ['"a" is in(items)', true],
    ['conf.listen is in nums', false],
    ['3 is in nums', true],
    ['"yes" is truthy', true],
    ['[] is truthy', false],
    ['{} is falsy', true],
    ['conf is mapping', true],
    ['items is sequence', true],
    ['version is version("1.20", ">=")', true],
    ['version is version("1.22.10", "<")', true],
    ['version is version("1.22.1", "==")', true],
    ['"ABC" is match("abc", ignorecase=true)', true],
  ])('%s', (expr, expected) => {
    expect(ev(expr)).toBe(expected);
  });

  it('result tests need a registered result', () => {
    expect(() => ev('"x" is changed')).toThrow(/the 'changed' test expects a registered task result/);
  });
});

describe('rendering config files', () => {
  it('renders a keepalived-like block with loops and conditionals', () => {
    const tpl = [
      'vrrp_instance VI_1 {',
      '    state {{ "MASTER" if priority > 100 else "BACKUP" }}',
      '    priority {{ priority }}',
      '    virtual_ipaddress {',
      '{% for ip in vips %}',
      '        {{ ip }}',
      '{% endfor %}',
      '    }',
      '{% if auth_pass is defined %}',
      '    auth_pass {{ auth_pass }}',
      '{% endif %}',
      '}',
      '',
    ].join('\n');
    expect(renderString(tpl, { priority: 150, vips: ['198.51.100.50', '198.51.100.49'] })).toBe(
      'vrrp_instance VI_1 {\n    state MASTER\n    priority 150\n    virtual_ipaddress {\n        198.51.100.50\n        198.51.100.49\n    }\n}\n',
    );
  });
});
