/** What uri registers: its no_log values (url_password) masked in keys and values, as Ansible's exit_json does. */
import { describe, expect, it } from 'vitest';
import { withoutNoLogValues } from '../../src/util/no-log.js';

describe('withoutNoLogValues', () => {
  it.each([
    ['keys and values', { json: { args: { 'key-password': 'value-password' } }, status: 200 }, ['password'], { json: { args: { 'key-********': 'value-********' } }, status: 200 }],
    ['in lists and the url', { url: 'https://h/get?p=s3cret', l: ['s3cret'] }, ['s3cret'], { url: 'https://h/get?p=********', l: ['********'] }],
    ['no password given', { a: 'password' }, [undefined], { a: 'password' }],
    ['a blank password masks nothing', { a: 'x y' }, [' '], { a: 'x y' }],
  ])('%s', (_, value, secrets, want) => expect(withoutNoLogValues(value, secrets)).toEqual(want));
});
