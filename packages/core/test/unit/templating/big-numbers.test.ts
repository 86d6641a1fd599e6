/** Whole numbers beyond 2**53 in data (JSON floats such as 1.234567890E+34) print as Python prints the float; arithmetic beyond it is refused. */
import { describe, expect, it } from 'vitest';
import { render } from '../../../src/templating/index.js';

describe('numbers beyond 2**53', () => {
  it.each([
    ['v: {{ [x] }}', { x: 1.23456789e34 }, 'v: [1.23456789e+34]'],
    ['v: {{ {"E": x} }}', { x: -2.3456789012e76 }, "v: {'E': -2.3456789012e+76}"],
    ['v: {{ [x] }}', { x: 2 ** 53 - 1 }, 'v: [9007199254740991]'],
  ])('%s with %j -> %s', (template, vars, expected) => {
    expect(render(template, vars)).toBe(expected);
  });
  it('arithmetic beyond 2**53 is still refused', () => {
    expect(() => render('{{ n * 2 }}', { n: 4611686018427387904 })).toThrow(/beyond 2\*\*53/);
  });
});

describe('a float beyond 2**53 inside data, rendered back into data', () => {
  it('stays a number (a whole float below 2**53 is still refused)', () => {
    expect(render('{{ "[" ~ (x | string) ~ "]" }}', { x: 1.23456789e34 })).toEqual([1.23456789e34]);
    expect(render('{{ y }}', { y: [{ a: 1.23456789e34 }] })).toEqual([{ a: 1.23456789e34 }]);
    expect(() => render('{{ "[" ~ (1.0 | string) ~ "]" }}', {})).toThrow(/holds a whole float/);
  });
});
