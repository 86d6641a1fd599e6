/** Ansible's `!unsafe` tag: the value is never templated (task arguments, set_fact values, variables). */
import { describe, expect, it } from 'vitest';
import { parseYaml, rootOf, toJS } from '../../../src/playbook/yaml-source.js';
import { render } from '../../../src/templating/index.js';
import { resolveVars } from '../../../src/executor/vars.js';
import { jinjaTemplater } from '../../../src/executor/jinja.js';
import { containsUnsafe, isUnsafe, UnsafeString, unwrapUnsafe } from '../../../src/vars/unsafe.js';
import { revealSecrets } from '../../../src/vars/secret.js';

const load = (text: string) => {
  const src = parseYaml('v.yml', text);
  expect(src.diagnostics).toEqual([]);
  return toJS(src, rootOf(src)) as Record<string, unknown>;
};

describe('the !unsafe tag', () => {
  const doc = load("a: !unsafe '{{ x }}'\nb: '{{ x }}'\nc: [!unsafe '{% if %}', plain]\nd: !unsafe \"{{ ansible_managed }}\\n\"\n");

  it('reads a scalar as an UnsafeString holding the text as written', () => {
    expect(isUnsafe(doc.a)).toBe(true);
    expect((doc.a as UnsafeString).value).toBe('{{ x }}');
    expect((doc.d as UnsafeString).value).toBe('{{ ansible_managed }}\n');
    expect(isUnsafe(doc.b)).toBe(false);
    expect(containsUnsafe(doc.c)).toBe(true);
    expect(unwrapUnsafe(doc.c)).toEqual(['{% if %}', 'plain']);
    expect(revealSecrets(doc)).toEqual({ a: '{{ x }}', b: '{{ x }}', c: ['{% if %}', 'plain'], d: '{{ ansible_managed }}\n' });
  });

  it.each([
    ['an argument', { content: new UnsafeString('{{ ansible_managed }}\n') }, { content: '{{ ansible_managed }}\n' }],
    ['inside a list', [new UnsafeString('{{ x }}'), '{{ x }}'], ['{{ x }}', 1]],
    ['beside a template in a mapping', { a: new UnsafeString('{% bad'), b: '{{ x + 1 }}' }, { a: '{% bad', b: '2' }],
  ])('is never rendered: %s', (_what, value, expected) => {
    expect(render(value, { x: 1 })).toEqual(expected);
  });

  it('variables: an unsafe value stays text, and a template reading it is not rendered again', () => {
    const { vars, errors } = resolveVars(jinjaTemplater, [
      {
        templated: true,
        vars: {
          nottemplated: 'oops',
          imunsafe: new UnsafeString('{{ nottemplated }}'),
          this_was_unsafe: '{{ imunsafe }}',
          twice: '{{ this_was_unsafe }}!',
          safe_ref: '{{ plain }}',
          plain: '{{ nottemplated }}',
          nested: { u: new UnsafeString('{{ nottemplated }}'), t: '{{ nottemplated }}' },
        },
      },
    ]);
    expect(errors).toEqual(new Map());
    expect(vars.imunsafe).toBe('{{ nottemplated }}');
    expect(vars.this_was_unsafe).toBe('{{ nottemplated }}');
    expect(vars.twice).toBe('{{ nottemplated }}!');
    // without !unsafe, a reference to a templated string is rendered through (Ansible's lazy templating)
    expect(vars.safe_ref).toBe('oops');
    expect(vars.nested).toEqual({ u: '{{ nottemplated }}', t: 'oops' });
  });
});
