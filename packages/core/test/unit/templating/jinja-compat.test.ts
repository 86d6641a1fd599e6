/** Jinja2 syntax nunjucks lacks on its own: loop filters and nested dict literals ending in `}}`. */
import { describe, expect, it } from 'vitest';
import { evaluate, render, renderString, TemplateError, templateSyntaxError } from '../../../src/templating/index.js';

const vars = {
  nums: [1, 2, 3, 4, 5],
  hosts: [
    { name: 'edu-proxy-01', ip: '198.51.100.51', up: true },
    { name: 'edu-proxy-02', ip: '198.51.100.52', up: false },
    { name: 'edu-proxy-03', ip: '198.51.100.53', up: true },
  ],
  conf: { listen: 80, server_name: '', root: '/var/www' },
  groups: { lb: ['edu-proxy-01', 'edu-proxy-02'], web: ['web-01'] },
  limit: 2,
};

describe('loop filter: {% for x in items if cond %}', () => {
  it.each([
    ['{% for n in nums if n > 2 %}{{ n }} {% endfor %}', '3 4 5 '],
    // loop.index, loop.length, loop.first/last count the filtered items (Jinja2)
    ['{% for n in nums if n is even %}{{ loop.index }}/{{ loop.length }}={{ n }}{{ "," if not loop.last }}{% endfor %}', '1/2=2,2/2=4'],
    ['{% for n in nums if n > 9 %}{{ n }}{% else %}none{% endfor %}', 'none'],
    ['{% for n in [] if n %}{{ n }}{% else %}empty{% endfor %}', 'empty'],
    ['{% for h in hosts if h.up %}{{ h.name }}={{ h.ip }};{% endfor %}', 'edu-proxy-01=198.51.100.51;edu-proxy-03=198.51.100.53;'],
    ['{% for h in hosts if h.up and h.name != "edu-proxy-01" %}{{ h.name }}{% endfor %}', 'edu-proxy-03'],
    // the condition sees outer loop variables and set names
    ['{% for g in groups %}{% for h in hosts if h.name in groups[g] %}{{ g }}:{{ h.name }} {% endfor %}{% endfor %}', 'lb:edu-proxy-01 lb:edu-proxy-02 '],
    ['{% set cut = 3 %}{% for n in nums if n >= cut %}{{ n }}{% endfor %}', '345'],
    ['{% for n in nums if n <= limit %}{{ n }}{% endfor %}', '12'],
    // two loop variables over dict items, and over a dict directly
    ['{% for k, v in conf.items() if v %}{{ k }}={{ v }};{% endfor %}', 'listen=80;root=/var/www;'],
    ['{% for k, v in conf if v %}{{ k }};{% endfor %}', 'listen;root;'],
    // one variable over a dict: its keys
    ['{% for k in conf if k.startswith("s") %}{{ k }}{% endfor %}', 'server_name'],
    ['{% for c in "a1b2" if c is match("[0-9]") %}{{ c }}{% endfor %}', '12'],
    // nested filtered loops, each with its own loop object
    ['{% for a in [1, 2, 3] if a != 2 %}{% for b in [1, 2, 3] if b > a %}{{ a }}{{ b }}@{{ loop.index }}/{{ loop.length }} {% endfor %}{% endfor %}', '12@1/2 13@2/2 '],
    // an inline if with else stays an inline if (the iterable is chosen)
    ['{% for n in (nums if limit > 1 else []) %}{{ n }}{% endfor %}', '12345'],
    ['{% for n in nums %}{{ n }}{% endfor %}', '12345'],
  ])('%s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('a keepalived-style block listing only the healthy peers', () => {
    const tpl = ['unicast_peer {', '{% for h in hosts if h.up and h.name != me %}', '    {{ h.ip }}', '{% endfor %}', '}', ''].join('\n');
    expect(renderString(tpl, { ...vars, me: 'edu-proxy-01' })).toBe('unicast_peer {\n    198.51.100.53\n}\n');
  });

  it('an undefined name in the condition is an error naming it', () => {
    expect(() => renderString('{% for n in nums if n > nope %}{{ n }}{% endfor %}', vars)).toThrow(/'nope' is undefined/);
    expect(() => renderString('{% for n in missing if n %}{{ n }}{% endfor %}', vars)).toThrow(/'missing' is undefined/);
  });
});

describe('for over a dict', () => {
  it.each([
    // Jinja2 iterates a dict's keys (nunjucks alone printed nothing)
    ['{% for g in groups %}{{ g }},{% endfor %}', 'lb,web,'],
    ['{% for g in groups %}{{ loop.index }}{{ g }} {% else %}none{% endfor %}', '1lb 2web '],
    ['{% for g in {} %}{{ g }}{% else %}none{% endfor %}', 'none'],
    ['{% for k, v in groups %}{{ k }}={{ v | length }} {% endfor %}', 'lb=2 web=1 '],
  ])('%s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('an undefined iterable is an error naming it', () => {
    expect(() => renderString('{% for g in nope %}{{ g }}{% endfor %}', vars)).toThrow(/'nope' is undefined/);
  });
});

describe('nested dict literals ending in }}', () => {
  it.each<[string, unknown]>([
    ["{{ {'a': {'b': 1}} }}", { a: { b: 1 } }],
    ["{{ {'a': {'b': {'c': 1}}} }}", { a: { b: { c: 1 } } }],
    ["{{ {'a': 1}}}", { a: 1 }],
    ["{{{'a': 1}}}", { a: 1 }],
    ["{{ {'a': 1}|dict2items }}", [{ key: 'a', value: 1 }]],
    ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=True) }}", { a: { x: 1, y: 2 } }],
    ["{{ [{'a': {'b': 1}}] }}", [{ a: { b: 1 } }]],
    ["{{ {'a': {'b': 1}}['a']['b'] }}", '1'], // Ansible 2.14: a computed number is text
    // braces inside strings are text, not dict delimiters
    ["{{ '}}' }}", '}}'],
    ["{{ {'k': '}}{{'} }}", { k: '}}{{' }],
    ["{{ \"{\" ~ 'x' }}", '{x'],
  ])('%s', (template, expected) => {
    expect(render(template, vars)).toEqual(expected);
  });

  it.each([
    ["{% set d = {'a': {'b': 1}} %}{{ d.a.b }}", '1'],
    ["{% if {'a': {'b': 1}}.a.b == 1 %}yes{% endif %}", 'yes'],
    ["x={{ {'a': {'b': 1}} }}!", "x={'a': {'b': 1}}!"],
    ["{{- {'a': {'b': 1}} -}}\n", "{'a': {'b': 1}}\n"], // the template's final newline is kept
    // text, comments and raw blocks are left alone
    ["a}}b {# {'x': {'y': 1}} #}{{ 1 }}", 'a}}b 1'],
    ["{% raw %}{{ {'a': {'b': 1}} }}{% endraw %}", "{{ {'a': {'b': 1}} }}"],
  ])('%s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('works in bare expressions (when:, assert that:)', () => {
    expect(evaluate("{'a': {'b': 1}}", vars)).toEqual({ a: { b: 1 } });
    expect(evaluate("conf | combine({'x': {'y': 1}})", vars)).toMatchObject({ x: { y: 1 } });
  });

  it('keeps syntax errors as errors', () => {
    expect(templateSyntaxError("{{ {'a': {'b': 1} }}")).toBeTruthy();
    expect(() => renderString('{{ (1 }}', vars)).toThrow(TemplateError);
  });
});

describe('namespace(), loop.cycle(), tests without parentheses, ansible.builtin. tests', () => {
  it.each([
    // Jinja2's namespace: the way to carry a value out of a loop
    ['{% set ns = namespace(found=false) %}{% for h in hosts %}{% if not h.up %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}', 'True'],
    ['{% set ns = namespace(total=0) %}{% for n in nums if n is odd %}{% set ns.total = ns.total + n %}{% endfor %}{{ ns.total }}', '9'],
    ['{% set ns = namespace() %}{% set ns.items = [] %}{% for h in hosts %}{% set ns.items = ns.items + [h.name[-2:]] %}{% endfor %}{{ ns.items | join(",") }}', '01,02,03'],
    ['{% for n in nums %}{{ loop.cycle("odd", "even") }} {% endfor %}', 'odd even odd even odd '],
    // one test argument without parentheses
    ['{{ 9 is divisibleby 3 }} {{ 10 is divisibleby 3 }}', 'True False'],
    ['{{ limit is sameas 2 }} {{ limit is not sameas 3 }}', 'True True'],
    ['{{ limit is equalto limit }} {{ "1.22.1" is version "1.20" }}', 'True False'],
    ['{% if limit is divisibleby 2 and limit is defined %}even{% endif %}', 'even'],
    ['{{ "x" if limit is defined else "y" }}', 'x'],
    // dotted test names
    ['{{ "1.22.1" is ansible.builtin.version("1.20", ">=") }}', 'True'],
    ['{{ "edu-proxy-01" is ansible.builtin.match("edu-") }} {{ "x" is ansible.builtin.search("y") }}', 'True False'],
    // text inside string literals is never rewritten
    ['{{ "this is in list" }} {{ \'it is over 9000\' }}', 'this is in list it is over 9000'],
    ['{{ "a" is in ["a is in b"] }}', 'False'],
  ])('%s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });

  it('only namespaces take attribute assignment', () => {
    expect(() => renderString('{% set d = {} %}{% set d.x = 1 %}', vars)).toThrow(/cannot assign attribute on non-namespace object/);
  });

  it('an unknown dotted test name is an error, not a silent false', () => {
    expect(templateSyntaxError('{{ 1 is ansible.builtin.nosuch }}')).toMatch(/no test named 'ansible.builtin.nosuch'/);
  });
});

describe('test arguments written without parentheses', () => {
  it.each<[string, boolean]>([
    ['"a" is in ["a", "b"]', true],
    ['"c" is not in ["a", "b"]', true],
    ['"lb" is in {"lb": 1}', true],
    ['[1, 2] is subset [1, 2, 3]', true],
    ['[1, 2] is superset [1]', true],
    ['nothing is none', true],
    ['limit is not none', true],
    ['true is true', true],
    ['limit is false', false],
    ['missing is not defined', true],
    ['limit is not divisibleby 3', true],
  ])('%s', (expr, expected) => {
    expect(evaluate(expr, { ...vars, nothing: null })).toBe(expected);
  });
});

describe('Python operators and numeric attributes', () => {
  const data = { ...vars, r: { stdout_lines: ['l1', 'l2'] }, pairs: [[1, 2], [3, 4]], x1: ['a', 'b'] };
  it.each<[string, unknown]>([
    ['"-" * 5', '-----'],
    ['3 * "ab"', 'ababab'],
    ['[0] * 3', [0, 0, 0]],
    ['limit * 3', 6],
    ['1.5 * 2', 3],
    // ~ joins str() of each side, as Python does
    ['"a" ~ 1 ~ None', 'a1None'],
    ['"x" ~ true ~ [1, 2]', 'xTrue[1, 2]'],
    // a numeric attribute is an index
    ['groups.lb.0', 'edu-proxy-01'],
    ['r.stdout_lines.1', 'l2'],
    ['pairs.1.0', 3],
    ['hosts.0.name', 'edu-proxy-01'],
    ['x1.1', 'b'],
    ['0.5 + 1', 1.5],
    ['"v1.0"', 'v1.0'],
    ['groups["lb"].1', 'edu-proxy-02'],
  ])('%s', (expr, expected) => {
    expect(evaluate(expr, data)).toEqual(expected);
  });

  it('explains a bad operand', () => {
    expect(() => evaluate('{"a": 1} * 2', vars)).toThrow(/unsupported operand types for \*: 'dict' and 'int'/);
    expect(() => evaluate('nope ~ "x"', vars)).toThrow(/'nope' is undefined/);
  });

  it('prints a banner', () => {
    expect(renderString('# {{ "=" * 10 }}\n# {{ "managed" ~ " by haweb" }}', vars)).toBe('# ==========\n# managed by haweb');
  });
});

describe('test arguments with suffixes', () => {
  const data = { ...vars, me: 'edu-proxy-02', cfg: { peers: ['edu-proxy-02'] } };
  it.each<[string, boolean]>([
    ['me is in groups["lb"]', true],
    ['me is not in groups["web"]', true],
    ['me is in cfg.peers', true],
    ['me is in cfg["peers"] and me is string', true],
    // as in Jinja2, a filter after the argument would apply to the test's result: group it
    ['"edu-proxy-01" is in (hosts | map(attribute="name") | list)', true],
    ['limit is sameas (groups.lb | length)', true],
    ['limit is divisibleby (groups["lb"] | length)', true],
    ['"proxy-02" is in groups.lb.1', true],
    ['"proxy-01" is in groups.lb.1', false],
    ['me is in (groups.lb + groups.web)', true],
    ['me is in groups.get("lb", [])', true],
  ])('%s', (expr, expected) => {
    expect(evaluate(expr, data)).toBe(expected);
  });
});

describe('a test followed by something that is not a test name', () => {
  it('says what is wrong', () => {
    expect(templateSyntaxError('{{ "a" is in hosts | map(attribute="name") | list }}')).toMatch(/expected a test name after 'is'/);
  });
});
