/** replace's pure part: Python-regex replacement, sections between after/before, and template expansion. */
import { describe, expect, it } from 'vitest';
import { expandTemplate, planReplace, type ReplaceArgs } from '../../src/operations/replace.js';

describe('planReplace', () => {
  it.each<[string, string, ReplaceArgs, ReturnType<typeof planReplace>]>([
    ['every match, multi-line anchors', 'a=1\nb=1\n', { regexp: '^(\\w)=1$', replace: '\\1=2' }, { kind: 'replaced', content: 'a=2\nb=2\n', count: 2 }],
    ['named groups and \\g<name>', 'port 80\n', { regexp: 'port (?P<n>\\d+)', replace: 'listen \\g<n>' }, { kind: 'replaced', content: 'listen 80\n', count: 1 }],
    ['no match', 'a\n', { regexp: 'zzz', replace: 'y' }, { kind: 'unchanged' }],
    ['matches that change nothing', 'a\n', { regexp: 'a', replace: 'a' }, { kind: 'unchanged' }],
    ['an empty replace deletes', 'keep\n# drop\n', { regexp: '^# drop\\n', replace: '' }, { kind: 'replaced', content: 'keep\n', count: 1 }],
    ['\\n in the replacement is a newline', 'a b\n', { regexp: ' ', replace: '\\n' }, { kind: 'replaced', content: 'a\nb\n', count: 1 }],
    ['only after the after pattern', 'x=1\n[s]\nx=1\n', { regexp: 'x=1', replace: 'x=2', after: '\\[s\\]' }, { kind: 'replaced', content: 'x=1\n[s]\nx=2\n', count: 1 }],
    ['only before the before pattern', 'x=1\n[s]\nx=1\n', { regexp: 'x=1', replace: 'x=2', before: '\\[s\\]' }, { kind: 'replaced', content: 'x=2\n[s]\nx=1\n', count: 1 }],
    [
      'between after and before, the first section (non-greedy)',
      '<a>x</a><a>x</a>',
      { regexp: 'x', replace: 'y', after: '<a>', before: '</a>' },
      { kind: 'replaced', content: '<a>y</a><a>x</a>', count: 1 },
    ],
    ['a section pattern that matches nothing', 'abc\n', { regexp: 'a', replace: 'b', after: 'zzz' }, { kind: 'no-section', msg: 'Pattern for before/after params did not match the given file: zzz(?P<subsection>.*)' }],
  ])('%s', (_, contents, args, want) => {
    expect(planReplace(contents, args)).toEqual(want);
  });

  it('says which regular expression is invalid', () => {
    expect(() => planReplace('a', { regexp: '(', replace: '' })).toThrow(/invalid regexp regular expression "\("/);
  });
});

describe('expandTemplate (Python re templates)', () => {
  it.each<[string, (string | undefined)[], Record<string, string> | undefined, string]>([
    ['\\1-\\2', ['ab', 'a', 'b'], undefined, 'a-b'],
    ['\\g<1>0', ['a', 'x'], undefined, 'x0'],
    ['\\g<name>', ['a'], { name: 'N' }, 'N'],
    ['tab\\there', ['a'], undefined, 'tab\there'],
    ['a\\\\b', ['a'], undefined, 'a\\b'],
    ['unmatched \\2 is empty', ['a', 'x', undefined], undefined, 'unmatched  is empty'],
  ])('%s', (template, numbered, groups, want) => {
    expect(expandTemplate(template, numbered, groups)).toBe(want);
  });
});
