/** The masker hides secrets in text, in values and in the keys of mappings (as Ansible's remove_values). */
import { describe, expect, it } from 'vitest';
import { MASK, SecretMasker } from '../../../src/executor/secrets.js';

describe('SecretMasker.maskDeep', () => {
  const masker = new SecretMasker();
  masker.add('password');
  it.each([
    ['a string', 'value-password', `value-${MASK}`],
    ['keys and values', { args: { 'key-password': 'value-password' } }, { args: { [`key-${MASK}`]: `value-${MASK}` } }],
    ['inside lists', [{ password: 1 }], [{ [MASK]: 1 }]],
    ['nothing secret', { a: 'b' }, { a: 'b' }],
  ])('%s', (_, value, want) => expect(masker.maskDeep(value)).toEqual(want));
});
