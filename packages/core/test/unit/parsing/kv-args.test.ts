/** The argument-string rules (kv-cases.ts) against our parser. */
import { describe, expect, it } from 'vitest';
import { ERROR_CASES, FREE_FORM_CASES, SPLIT_CASES } from './kv-cases.js';
import { ArgsSyntaxError, decodeEscapes, joinArgs, parseKv, splitArgs, unquote } from '../../../src/playbook/kv-args.js';

describe('splitArgs', () => {
  it.each(SPLIT_CASES)('%j', (input, words) => {
    expect(splitArgs(input)).toEqual(words);
  });
  it.each(ERROR_CASES)('refuses %j', (input) => {
    expect(() => splitArgs(input)).toThrow(ArgsSyntaxError);
  });
});

describe('parseKv', () => {
  it.each(SPLIT_CASES)('%j', (input, _words, mapping) => {
    expect(parseKv(input)).toEqual(mapping);
  });
  it.each(FREE_FORM_CASES)('free form %j', (input, mapping) => {
    expect(parseKv(input, true)).toEqual(mapping);
  });
});

describe('helpers', () => {
  it.each([
    ['"a"', 'a'], ["'a'", 'a'], ['"a\'', '"a\''], ['"', '"'], ['"a\\"', '"a\\"'], ['""', ''],
  ])('unquote %j', (input, out) => expect(unquote(input)).toBe(out));
  it.each([
    ['\\n', '\n'], ['\\\\n', '\\n'], ['\\U0001F600', '😀'], ['\\q', '\\q'], ['\\x4', '\\x4'],
  ])('decodeEscapes %j', (input, out) => expect(decodeEscapes(input)).toBe(out));
  it('refuses a character by name', () => expect(() => decodeEscapes('\\N{DASH}')).toThrow(/by name/));
  it('joins words after a line end without a space', () => expect(joinArgs(['a\n', 'b', 'c'])).toBe('a\nb c'));
});
