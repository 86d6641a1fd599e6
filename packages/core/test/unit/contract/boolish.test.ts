/**
 * The one boolean of module arguments, against Ansible 2.14's convert_bool.boolean (strict), the
 * function behind `type: bool`: `/usr/bin/python3 -c 'from ansible.module_utils.parsing.convert_bool import
 * boolean; print(boolean(V))'` on this machine gives the same answers for every row.
 */
import { describe, expect, it } from 'vitest';
import { boolish } from '../../../src/index.js';

describe('boolish', () => {
  const accepted: Array<[unknown, boolean]> = [
    [true, true],
    [false, false],
    ...['y', 'yes', 'on', '1', 'true', 't', 'YES', ' True ', 'On'].map((w): [unknown, boolean] => [w, true]),
    ...['n', 'no', 'off', '0', 'false', 'f', 'NO', ' False ', 'Off'].map((w): [unknown, boolean] => [w, false]),
    [1, true],
    [0, false],
  ];
  it.each(accepted)('%j → %s', (value, want) => {
    expect(boolish.parse(value)).toBe(want);
  });

  const refused: unknown[] = ['', 'maybe', 'yess', '2', 2, -1, 0.5, null, ['yes']];
  it.each(refused)('%j is refused, naming the value', (value) => {
    const res = boolish.safeParse(value);
    expect(res.success).toBe(false);
    if (typeof value === 'string') expect(res.error?.issues[0].message).toBe(`expected a boolean (yes/no/true/false), got ${JSON.stringify(value)}`);
  });
});
