/**
 * NativeJinjaText across variables: Ansible keeps the class on the text a variable's template made (it
 * templates variables lazily), so `{{ name }}` of such text is never read back as data and type_debug
 * names the class; the executor resolves variables eagerly and keeps the class beside them.
 * Expected values are what ansible-playbook 2.14.18 printed for the same variables.
 */
import { describe, expect, it } from 'vitest';
import { jinjaTemplater } from '../../../src/executor/jinja.js';
import { resolveVars } from '../../../src/executor/vars.js';
import { markNativeText, nativeClassOf } from '../../../src/templating/native-text.js';

describe('native text marks (pure)', () => {
  it.each([
    // [marked value, class, value looked up, expected class]
    ['{"a": 1}', 'NativeJinjaText', '{"a": 1}', 'NativeJinjaText'],
    ['{"a": 1}', 'NativeJinjaText', '{"a": 2}', undefined], // the variable holds other text now
    ['{"a": 1}', undefined, '{"a": 1}', undefined], // no class: nothing kept
  ] as const)('%s as %s, read as %s', (value, cls, read, expected) => {
    const vars: Record<string, unknown> = { x: value };
    markNativeText(vars, 'x', value, cls);
    expect(nativeClassOf(vars, 'x', read)).toBe(expected);
    expect(nativeClassOf(vars, 'y', read)).toBeUndefined();
  });

  it('is invisible to keys and JSON, survives a spread, and a copy does not see later marks', () => {
    const vars: Record<string, unknown> = { x: 'a' };
    markNativeText(vars, 'x', 'a', 'NativeJinjaText');
    expect(Object.keys(vars)).toEqual(['x']);
    expect(JSON.stringify(vars)).toBe('{"x":"a"}');
    const copy = { ...vars, y: 'b' };
    expect(nativeClassOf(copy, 'x', 'a')).toBe('NativeJinjaText');
    markNativeText(copy, 'y', 'b', 'NativeJinjaText');
    expect(nativeClassOf(vars, 'y', 'b')).toBeUndefined();
    expect(nativeClassOf(Object.create(copy), 'y', 'b')).toBe('NativeJinjaText');
  });
});

describe('variables made as NativeJinjaText (through the executor)', () => {
  const { vars, errors } = resolveVars(jinjaTemplater, [
    {
      templated: true,
      vars: {
        d: { a: 1 },
        x: '{{ d | to_json }}',
        y: '{{ x }}',
        parsed: '{{ x | from_json }}',
        joined: "{{ x ~ '' }}",
        plain: '{"a": 1}',
        again: '{{ plain }}',
      },
    },
  ]);

  it.each([
    // [variable, its value, its type_debug]
    ['x', '{"a": 1}', 'NativeJinjaText'],
    ['y', '{"a": 1}', 'NativeJinjaText'],
    ['parsed', { a: 1 }, 'dict'],
    ['again', { a: 1 }, 'dict'],
    ['plain', '{"a": 1}', 'str'], // Ansible: AnsibleUnicode (the engine does not track YAML's class)
  ])('%s', (name, value, type) => {
    expect(errors).toEqual(new Map([['joined', expect.stringMatching(/holds text Ansible keeps as NativeJinjaText/)]]));
    expect(vars[name]).toEqual(value);
    expect(jinjaTemplater.renderValue!(`{{ ${name} | type_debug }}`, vars)).toBe(type);
    expect(jinjaTemplater.evaluate(`${name} | type_debug`, vars)).toBe(type);
  });

  it('refuses a larger expression over such text whose result looks like data, keeps one that does not', () => {
    expect(() => jinjaTemplater.renderValue!("{{ x | default('') }}", vars)).toThrow(/'x' holds text Ansible keeps as NativeJinjaText/);
    expect(jinjaTemplater.renderValue!('{{ x | length }}', vars)).toBe('8');
    expect(jinjaTemplater.renderValue!('{{ x }}', vars)).toBe('{"a": 1}');
    expect(jinjaTemplater.renderValue!('[{{ x }}]', vars)).toEqual([{ a: 1 }]);
  });
});

describe('a template printing one value only (Jinja2 hands that value over as it is)', () => {
  it.each([
    // [template, value Ansible 2.14's Templar gives]
    ['{% set y = d | to_json %}{{ y }}', '{"a": 1}'],
    ['{% set y = d | to_json %}{{ y }} ', { a: 1 }], // two parts joined: a new str, read back
    ['{% if true %}{{ d | to_json }}{% endif %}', '{"a": 1}'],
    ['{% for i in [1] %}{{ d | to_json }}{% endfor %}', '{"a": 1}'],
    ['{% for i in [1, 2] %}{{ d | to_json }}{% endfor %}', '{"a": 1}{"a": 1}'],
    ['{% set y = d %}{{ y }}', { a: 1 }],
    ["{{ d | to_json }}{{ '' }}", { a: 1 }],
    ["{% set y = d | to_json %}{% set y = '[1]' %}{{ y }}", [1]],
    ['{% set y = x %}{{ y }}', '{"a": 1}'], // x holds text made by to_json (a marked variable)
    ['{% set y = d | to_json %}{{ y | type_debug }}', 'NativeJinjaText'],
    ['{% set x = d | string %}{% set x = "t" %}{{ x | type_debug }}', 'str'],
  ])('%s', (template, expected) => {
    const vars: Record<string, unknown> = { d: { a: 1 }, x: '{"a": 1}' };
    markNativeText(vars, 'x', '{"a": 1}', 'NativeJinjaText');
    expect(jinjaTemplater.renderValue!(template, vars)).toEqual(expected);
  });
});
