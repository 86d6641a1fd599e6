import { describe, expect, it } from 'vitest';
import { evaluate, evaluateCondition, evaluateConditions, OMIT, render, renderString, TemplateError, templateSyntaxError } from '../../../src/templating/index.js';

const vars = {
  name: 'edu-proxy-01',
  port: 8080,
  ports: [80, 443],
  empty_list: [],
  empty_dict: {},
  nothing: null,
  flag: true,
  off: false,
  str_false: 'false',
  str_no: 'no',
  str_yes: 'yes',
  zero: 0,
  hosts: [
    { name: 'a', ip: '198.51.100.51', up: true },
    { name: 'b', ip: '198.51.100.52', up: false },
  ],
  conf: { listen: 80, server_name: 'example' },
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as TemplateError).reason;
  }
  throw new Error('expected a TemplateError');
}

describe('renderString', () => {
  it.each([
    ['plain text', 'plain text'],
    ['listen {{ port }};', 'listen 8080;'],
    ['{{ name }}:{{ port }}', 'edu-proxy-01:8080'],
    ['x={{ nothing }}.', 'x=.'], // None prints as '' (Ansible)
    ['{{ flag }} {{ off }}', 'True False'], // Python booleans
    ['{{ ports }}', '[80, 443]'],
    ['v={{ ports }}', 'v=[80, 443]'], // lists print as Python repr inside text
    ['{{ conf }}!', "{'listen': 80, 'server_name': 'example'}!"],
    ['{% for p in ports %}listen {{ p }};\n{% endfor %}', 'listen 80;\nlisten 443;\n'], // trim_blocks
    ['  {% if flag %}yes{% endif %}', '  yes'], // lstrip_blocks is off
    ['{% if empty_list %}full{% else %}empty{% endif %}', 'empty'], // Python truthiness
    ['{% if empty_dict or zero %}t{% else %}f{% endif %}', 'f'],
    ['{{ empty_list or "fallback" }}', 'fallback'],
    ['{{ "a" and "b" }}', 'b'],
    ['{{ not empty_list }}', 'True'],
    ['{{ "x" if ports else "y" }}', 'x'],
    ['{{ [1, 2] == [1, 2] }}', 'True'], // compares by value
    ['{{ conf == {"listen": 80, "server_name": "example"} }}', 'True'],
    ['{{ 80 in ports }} {{ "listen" in conf }} {{ "prox" in name }}', 'True True True'],
    ['{{ hosts[0].name }} {{ hosts[-1]["ip"] }}', 'a 198.51.100.52'],
    ['{{ name.split("-")[1] }} {{ name.upper() }} {{ name.startswith("edu") }}', 'proxy EDU-PROXY-01 True'],
    ['{% for k, v in conf.items() %}{{ k }}={{ v }};{% endfor %}', 'listen=80;server_name=example;'],
    ['{{ conf.get("missing", "d") }}', 'd'],
    ['{# comment #}x', 'x'],
    ['{% set n = port + 1 %}{{ n }}', '8081'],
    ['{{ loop_var_free }}'.replace('loop_var_free', 'ports | length'), '2'],
    ['{% for h in hosts %}{{ loop.index }}:{{ h.name }} {% endfor %}', '1:a 2:b '],
    ['<{{ "<b>" }}>', '<<b>>'], // no autoescape
    ['{% macro m(a, b=2) %}[{{ a }}-{{ b }}]{% endmacro %}{{ m(1) }}{{ m(3, b=4) }}', '[1-2][3-4]'],
    ['{% set l = [] %}{% for p in ports %}{% set _ = l.append(p * 2) %}{% endfor %}{{ l | join(",") }}', '160,886'],
    ['{{ "%s:%d" % (name, port) }}', 'edu-proxy-01:8080'],
    ['{{ "%s!" % name }}', 'edu-proxy-01!'],
    ['{{ -7 % 3 }} {{ 7 % 3 }}', '2 1'], // Python modulo
    ['{{ ports + [8443] }}', '[80, 443, 8443]'], // lists concatenate
    ['{{ port + 1 }} {{ "a" + "b" }}', '8081 ab'],
    ['{% filter upper %}abc{% endfilter %}', 'ABC'],
    ['{%- if flag -%}  x  {%- endif -%}', 'x'],
    ['{% raw %}{{ not rendered }}{% endraw %}', '{{ not rendered }}'],
  ])('%s', (template, expected) => {
    expect(renderString(template, vars)).toBe(expected);
  });
});

describe('render: native values and recursion', () => {
  it('returns the native value of a lone expression', () => {
    expect(render('{{ ports }}', vars)).toEqual([80, 443]);
    expect(render('{{ port }}', vars)).toBe(8080);
    expect(render('{{ conf }}', vars)).toEqual({ listen: 80, server_name: 'example' });
    expect(render('{{ flag }}', vars)).toBe(true);
    expect(render('{{ nothing }}', vars)).toBeNull();
    expect(render('{{ port }} ', vars)).toBe('8080 ');
  });

  it('renders through objects and arrays, keys too', () => {
    expect(render({ a: ['{{ port }}', 'x{{ port }}'], '{{ name }}': { n: '{{ ports | length }}' }, k: 5 }, vars)).toEqual({
      a: [8080, 'x8080'],
      'edu-proxy-01': { n: '2' }, // Ansible 2.14: a number computed in a template is text
      k: 5,
    });
  });

  it('drops arguments set to omit', () => {
    expect(render({ mode: '{{ undefined_mode | default(omit) }}', dest: '/x' }, vars)).toEqual({ dest: '/x' });
    expect(renderString('{{ omit }}', vars)).toBe(OMIT);
  });

  it('leaves plain strings untouched (fast path)', () => {
    expect(render('no template here {', vars)).toBe('no template here {');
  });
});

describe('undefined variables are errors that name them', () => {
  it.each([
    ['{{ missing }}', "'missing' is undefined"],
    ['x {{ missing.attr }}', "'missing' is undefined"],
    ['{{ conf.nope }}', "'dict object' has no attribute 'nope'"],
    ['{{ conf.nope.deeper }}', "'dict object' has no attribute 'nope'"],
    ['{{ ports[5] }}', 'list object has no element 5'],
    ['{% if missing %}x{% endif %}', "'missing' is undefined"],
    ['{% for x in missing %}{% endfor %}', "'missing' is undefined"],
    ['{{ missing | upper }}', "'missing' is undefined"],
    ['{{ missing == 1 }}', "'missing' is undefined"],
    ['{{ missing ~ "x" }}', "'missing' is undefined"],
    ['{{ missing | mandatory }}', "Mandatory variable has not been overridden: 'missing' is undefined"],
    ['{{ missing | mandatory("set missing!") }}', 'set missing!'],
    ['{{ hosts | map(attribute="nope") | list }}', "'dict object' has no attribute 'nope'"],
  ])('%s', (template, expected) => {
    expect(reason(() => renderString(template, vars))).toBe(expected);
  });

  it('flags the error as an undefined variable and keeps the expression', () => {
    try {
      renderString('port {{ prot }}', vars);
      throw new Error('no error');
    } catch (e) {
      const err = e as TemplateError;
      expect(err.undefinedVariable).toBe(true);
      expect(err.expression).toBe('port {{ prot }}');
      expect(err.message).toBe(`'prot' is undefined (in "port {{ prot }}")`);
    }
  });

  it('but "is defined", default and attribute chains on undefined work', () => {
    expect(renderString('{{ missing is defined }} {{ missing is undefined }} {{ missing.x is defined }}', vars)).toBe('False True False');
    expect(renderString('{{ missing | default("d") }} {{ conf.nope | d(1) }}', vars)).toBe('d 1');
    expect(renderString('{% if missing is defined and missing %}y{% else %}n{% endif %}', vars)).toBe('n');
  });

  it('variables are read-only: only lists made in the template can be appended to', () => {
    expect(reason(() => renderString('{{ ports.append(1) }}', vars))).toBe('append() can only change a list created in the template ({% set l = [] %}); variables are read-only');
    expect(vars.ports).toEqual([80, 443]);
    expect(reason(() => renderString('{{ name + 1 }}', vars))).toBe("unsupported operand types for +: 'str' and 'int' (use ~ to join as text)");
  });

  it('a variable set inside the template or a loop variable is not undefined', () => {
    expect(renderString('{% set missing = 1 %}{{ missing }}', vars)).toBe('1');
    expect(renderString('{% for missing in ports %}{{ missing }}{% endfor %}', vars)).toBe('80443');
  });
});

describe('syntax errors', () => {
  it('names an unknown filter with a suggestion', () => {
    expect(reason(() => renderString('{{ conf | to_jsn }}', vars))).toBe("no filter named 'to_jsn', did you mean 'to_json'?");
    expect(templateSyntaxError('{{ x | to_jsn }}')).toBe("no filter named 'to_jsn', did you mean 'to_json'?");
  });

  it('reports bad syntax and the template line', () => {
    expect(templateSyntaxError('{{ x }')).toMatch(/^expected variable end/);
    expect(templateSyntaxError('line one\n{{ x }\n')).toBe('expected variable end (template line 2)');
    expect(templateSyntaxError('a\n{% if x %}\n')).toBe('parseIf: expected elif, else, or endif, got end of file');
    expect(templateSyntaxError('{{ x is definedd }}')).toBe("no test named 'definedd', did you mean 'defined'?");
    expect(templateSyntaxError('{{ fine }}')).toBeUndefined();
    expect(templateSyntaxError('no template')).toBeUndefined();
  });

  it('reports the template line of an error found while rendering, counted from 1', () => {
    expect(reason(() => renderString('a\nb\n{{ nope }}\n', vars))).toBe("'nope' is undefined (template line 3)");
    expect(reason(() => renderString('{{ nope }}\nb\n', vars))).toBe("'nope' is undefined (template line 1)");
    expect(reason(() => renderString("a\n{{ {'a': {'b': 1}} }}\n{% for p in ports if p > 80 %}{{ p | nosuch_var_here }}{% endfor %}", vars))).toMatch(/no filter named 'nosuch_var_here'/);
  });
});

describe('evaluate and conditions', () => {
  it('evaluates bare expressions to values', () => {
    expect(evaluate('port + 1', vars)).toBe(8081);
    expect(evaluate('hosts | selectattr("up") | map(attribute="name") | list', vars)).toEqual(['a']);
    expect(evaluate('{{ port }}', vars)).toBe(8080); // braces tolerated
  });

  it.each([
    ['flag', true],
    ['off', false],
    ['str_false', true], // when: var holding "false": a non-empty string, true in Ansible 2.14
    ['str_no', true],
    ['str_yes', true],
    ['zero', false],
    ['empty_list', false],
    ['empty_dict', false],
    ['nothing', false],
    ['name', true],
    ['port == 8080', true],
    ['port != 8080 or flag', true],
    ['"edu" in name and ports | length > 1', true],
    ['name is match("edu-proxy-\\\\d+")', true],
    ['name is search("proxy")', true],
    ['not (ports | length == 2)', false],
    ['missing is not defined', true],
  ])('when: %s -> %s', (expr, expected) => {
    expect(evaluateCondition(expr, vars)).toBe(expected);
  });

  it('knows Python constants True, False and None', () => {
    expect(evaluate('True and not False', vars)).toBe(true);
    expect(evaluate('nothing == None', vars)).toBe(true);
    expect(evaluateCondition('True', vars)).toBe(true); // what `when: true` is loaded as
    expect(evaluateCondition('False', vars)).toBe(false);
  });

  it('accepts booleans and lists (AND)', () => {
    expect(evaluateCondition(true, vars)).toBe(true);
    expect(evaluateConditions(['flag', 'port > 1'], vars)).toBe(true);
    expect(evaluateConditions(['flag', 'off'], vars)).toBe(false);
    expect(evaluateConditions([], vars)).toBe(true);
  });

  it('an undefined variable in a condition is an error', () => {
    expect(reason(() => evaluateCondition('missing', vars))).toBe("error while evaluating conditional (missing): 'missing' is undefined");
    expect(reason(() => evaluateCondition('missing == 1', vars))).toBe("error while evaluating conditional (missing == 1): 'missing' is undefined");
  });
});

describe('performance', () => {
  it('renders with hundreds of variables without copying them (under 0.2 ms a render)', () => {
    const many: Record<string, unknown> = { port: 80 };
    for (let i = 0; i < 500; i++) many[`fact_${i}`] = { value: i };
    renderString('x {{ port }}', many);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) renderString('x {{ port }} {{ fact_499.value }}', many);
    expect((performance.now() - t0) / 1000).toBeLessThan(0.2);
  });

  it('does not change the caller\'s variables', () => {
    const v = { a: 1 };
    expect(renderString('{% set a = 2 %}{% set b = 3 %}{{ a }}{{ b }}', v)).toBe('23');
    expect(v).toEqual({ a: 1 });
  });
});

describe('sandbox and lookups', () => {
  it('does not let templates reach JavaScript internals', () => {
    expect(() => renderString('{{ "".constructor.constructor("return process")() }}', {})).toThrow(TemplateError);
    expect(() => renderString('{{ d.__proto__ }}', { d: {} })).toThrow(/access to '__proto__' is not allowed/);
    expect(renderString('{{ d.constructor is defined }}', { d: {} })).toBe('False');
    expect(renderString('{{ constructor is defined }} {{ toString is defined }}', {})).toBe('False False');
    expect(() => renderString('{{ constructor.constructor("return 1")() }}', {})).toThrow(TemplateError);
  });

  it("lookup('env') and lookup('file') relative to the playbook folder", () => {
    process.env.HAWEB_TEST_LOOKUP = 'from-env';
    expect(renderString("{{ lookup('env', 'HAWEB_TEST_LOOKUP') }}", {})).toBe('from-env');
    const dir = `${__dirname}/../../fixtures/play/good/roles/web/files`;
    expect(renderString("{{ lookup('file', 'motd') }}", { playbook_dir: dir })).toBe('Welcome');
    expect(() => renderString("{{ lookup('pipe', 'id') }}", {})).toThrow(/lookup plugin 'pipe' is not supported/);
  });
});

describe("Ansible 2.14's conditional rules", () => {
  const v = { flag: 'false', yes: true, name: 'web01', cond: '1 == 2' };
  it.each([
    ['flag', true, []], // a non-empty string holds, whatever it says
    ['{{ flag }}', false, ['{{ flag }}']], // templated first: the text "false", then read as an expression
    ['{{ yes }}', true, ['{{ yes }}']],
    ['{{ cond }}', false, ['{{ cond }}']],
    ['missing is not defined', true, []],
    ['missing is defined', false, []],
  ])('when: %s -> %s', (expr, holds, warned) => {
    const warnings: string[] = [];
    expect(evaluateCondition(expr, v, (w) => warnings.push(w))).toBe(holds);
    expect(warnings).toEqual(
      warned.map((w) => `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${w}`),
    );
  });

  it('a templated condition whose text names an undefined variable is an error, as in Ansible', () => {
    expect(evaluateCondition('name', v)).toBe(true);
    expect(() => evaluateCondition('{{ name }}', v)).toThrow(/error while evaluating conditional \(\{\{ name \}\}\): 'web01' is undefined/);
  });
});

describe("string literals' escapes, as Jinja2 (Python's unicode-escape) reads them", () => {
  it.each([
    [String.raw`"a\pb"`, 'a\\pb'],
    [String.raw`"a\nb"`, 'a\nb'],
    [String.raw`"a\\b"`, 'a\\b'],
    [String.raw`"q\"x"`, 'q"x'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"\x41\u00e9\101"`, 'A\u00e9A'],
    [String.raw`"foo t'e~m\plated"`, "foo t'e~m\\plated"],
  ])('%s', (expression, expected) => expect(evaluate(expression, {})).toBe(expected));
});

describe('range', () => {
  it.each<[string, unknown]>([
    ['{{ range(3) | list }}', [0, 1, 2]],
    ['{{ range(1, 7, 2) | list }}', [1, 3, 5]],
    ['{{ range(5, 0, -2) | list }}', [5, 3, 1]],
    ['{{ range(0) | list }}', []],
    ['{{ range(3) | length }}', 3],
  ])('%s', (expr, want) => {
    expect(evaluate(expr, {})).toEqual(want);
  });

  it.each<[string, number, number, number]>([
    // Python's range is lazy: these pick one number without making two billion
    ['{{ range(2 ** 31, 2 ** 32) | random }}', 2 ** 31, 2 ** 32, 1],
    ['{{ range(0, 10 ** 12, 5) | random }}', 0, 10 ** 12, 5],
  ])('%s', (expr, low, high, step) => {
    const got = evaluate(expr, {}) as number;
    expect(Number.isInteger(got) && got >= low && got < high && (got - low) % step === 0).toBe(true);
  });

  it('picks the same number again with the same seed', () => {
    const pick = () => evaluate("{{ range(0, 2000001) | random(seed='x') }}", {});
    expect(pick()).toBe(pick());
  });
});
