import { it, expect } from 'vitest';
import { render, renderString, evaluate, evaluateCondition } from '../../../src/templating/index.js';
it('smoke', () => {
  expect(renderString('a {{ x }} b', { x: 1 })).toBe('a 1 b');
  expect(render('{{ l }}', { l: [1, 2] })).toEqual([1, 2]);
  expect(() => renderString('{{ nope }}', {})).toThrow(/'nope' is undefined/);
  expect(() => renderString('{{ d.nope }}', { d: {} })).toThrow(/'dict object' has no attribute 'nope'/);
  expect(renderString('{{ d.nope | default("z") }}', { d: {} })).toBe('z');
  expect(renderString('{% if l %}y{% else %}n{% endif %}', { l: [] })).toBe('n');
  expect(evaluate('x is defined', {})).toBe(false);
  expect(evaluateCondition('v', { v: 'false' })).toBe(false);
  expect(renderString('{{ d.items() | list }}', { d: { a: 1 } })).toBe("[['a', 1]]");
});
