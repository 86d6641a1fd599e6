/**
 * Pure parts of issue 15's fourth batch that live in the module files: uri's body and headers per
 * body_format, its redirect rule and response shaping (fetch_url's info), package_facts' manager list.
 */
import { describe, expect, it } from 'vitest';
import { followsRedirects, managersToTry, responseInfo, uriBody } from '../../src/index.js';

describe("uri's body per body_format (Ansible's main())", () => {
  it.each<[string, Parameters<typeof uriBody>[0], ReturnType<typeof uriBody>]>([
    ['json: a mapping encoded as Python does, Content-Type added', { body: { a: 1, b: [true, null] }, body_format: 'json', headers: {} }, { body: '{"a": 1, "b": [true, null]}', headers: { 'Content-Type': 'application/json' } }],
    ['json: a string sent as it is, a given content type kept', { body: '{"x":1}', body_format: 'json', headers: { 'content-type': 'application/vnd+json' } }, { body: '{"x":1}', headers: { 'content-type': 'application/vnd+json' } }],
    ['json without a body sends null', { body: undefined, body_format: 'json', headers: {} }, { body: 'null', headers: { 'Content-Type': 'application/json' } }],
    ['form-urlencoded', { body: { q: 'a b' }, body_format: 'form-urlencoded', headers: { 'X-A': 1 } }, { body: 'q=a+b', headers: { 'X-A': '1', 'Content-Type': 'application/x-www-form-urlencoded' } }],
    ['raw', { body: 'k=v', body_format: 'raw', headers: {} }, { body: 'k=v', headers: {} }],
    ['raw without a body', { body: undefined, body_format: 'raw', headers: {} }, { headers: {} }],
  ])('%s', (_why, input, expected) => {
    expect(uriBody(input)).toEqual(expected);
  });
});

describe('follow_redirects', () => {
  it.each<[Parameters<typeof followsRedirects>[0], string, boolean]>([
    ['safe', 'GET', true],
    ['safe', 'HEAD', true],
    ['safe', 'POST', false],
    ['all', 'POST', true],
    ['yes', 'PUT', true],
    ['urllib2', 'DELETE', true],
    ['none', 'GET', false],
    ['no', 'GET', false],
  ])('%s with %s: %s', (mode, method, expected) => {
    expect(followsRedirects(mode, method)).toBe(expected);
  });
});

describe("uri's response info (fetch_url's, as uri transforms it)", () => {
  it('a success: headers as keys, cookies, OK message, the URL after redirects', () => {
    const info = responseInfo('http://h/r', 'http://h/json', {
      status: 200,
      reason: 'OK',
      headers: [['Content-Type', 'application/json'], ['Content-Length', '3'], ['Set-Cookie', 'b=2'], ['Set-Cookie', 'a=1; Path=/']],
    });
    expect(info).toEqual({
      content_type: 'application/json', content_length: '3', set_cookie: 'b=2, a=1; Path=/',
      cookies: { a: '1', b: '2' }, cookies_string: 'a=1; b=2', msg: 'OK (3 bytes)', url: 'http://h/json', status: 200, redirected: true,
    });
  });

  it('an HTTP error: the URL as asked, no cookies, an absolute Location', () => {
    const info = responseInfo('http://h/r', 'http://h/r', { status: 302, reason: 'Found', headers: [['Location', '/json']] });
    expect(info).toEqual({ location: 'http://h/json', url: 'http://h/r', status: 302, msg: 'HTTP Error 302: Found', redirected: false });
  });
});

describe('package_facts managers', () => {
  it.each<[string[], string[]]>([
    [['auto'], ['rpm', 'apt']],
    [['apt', 'auto'], ['apt', 'rpm']],
    [['APT'], ['apt']],
    [['portage'], ['portage']],
  ])('%j -> %j', (asked, expected) => {
    expect(managersToTry(asked)).toEqual(expected);
  });
});
