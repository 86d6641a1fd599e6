import { describe, expect, it } from 'vitest';
import { declaredVersion, fullConfigureArgs, parseTarballName, sameArgs, splitConfigureArgs } from '@haweb/hostkit';
import { parseNginxV } from '../../src/index.js';

describe('parseTarballName', () => {
  it.each([
    ['nginx-1.22.1.tar.gz', { name: 'nginx', version: '1.22.1' }],
    ['/var/cache/haweb/sources/nginx_1.22.1.orig.tar.gz', { name: 'nginx', version: '1.22.1' }],
    ['keepalived_2.2.7.orig.tar.gz', { name: 'keepalived', version: '2.2.7' }],
    ['keepalived-1.2.18.tar.gz', { name: 'keepalived', version: '1.2.18' }],
    ['nginx-1.6.2.tar.xz', { name: 'nginx', version: '1.6.2' }],
    ['node-v20.1.0-linux-x64.tar.xz', undefined],
    ['nginx.tar.gz', undefined],
  ])('%s', (file, expected) => {
    expect(parseTarballName(file)).toEqual(expected);
  });

  it('declaredVersion prefers the argument and explains a name it cannot read', () => {
    expect(declaredVersion('nginx-1.22.1.tar.gz', '1.22.1-haweb')).toBe('1.22.1-haweb');
    expect(declaredVersion('nginx-1.22.1.tar.gz', undefined)).toBe('1.22.1');
    expect(() => declaredVersion('/x/latest.tar.gz', undefined)).toThrow(/cannot tell the version from the tarball name latest.tar.gz: pass version/);
  });
});

const NGINX_V = `nginx version: nginx/1.22.1
built by gcc 12.2.0 (Debian 12.2.0-14)
built with OpenSSL 3.0.15 3 Sep 2024
TLS SNI support enabled
configure arguments: --prefix=/usr/local/nginx --with-http_ssl_module --with-cc-opt='-O2 -g'
`;

describe('parseNginxV', () => {
  it('reads the version and configure arguments, undoing nginx quoting', () => {
    expect(parseNginxV(NGINX_V)).toEqual({
      version: '1.22.1',
      configureArgs: ['--prefix=/usr/local/nginx', '--with-http_ssl_module', '--with-cc-opt=-O2 -g'],
    });
  });
  it('a build without configure arguments has none', () => {
    expect(parseNginxV('nginx version: nginx/1.6.2\nbuilt by gcc 4.4.7\n')).toEqual({ version: '1.6.2', configureArgs: [] });
  });
  it('anything else is not understood', () => {
    expect(parseNginxV('sh: 1: /usr/local/nginx/sbin/nginx: Exec format error')).toBeUndefined();
  });
});

describe('configure arguments', () => {
  it('splits quoted words', () => {
    expect(splitConfigureArgs(` --a=1  --b='x y' "--c=z w"`)).toEqual(['--a=1', '--b=x y', '--c=z w']);
    expect(splitConfigureArgs('')).toEqual([]);
  });
  it('compares as words, so quoting style does not matter', () => {
    expect(sameArgs(['--with-cc-opt=-O2 -g'], ['--with-cc-opt=-O2', '-g'])).toBe(true);
    expect(sameArgs(['--prefix=/a'], ['--prefix=/a', '--with-http_ssl_module'])).toBe(false);
    expect(sameArgs(['--a', '--b'], ['--b', '--a'])).toBe(false);
  });
  it('puts --prefix first and refuses a second one', () => {
    expect(fullConfigureArgs('/usr/local/nginx', ['--with-http_ssl_module'])).toEqual(['--prefix=/usr/local/nginx', '--with-http_ssl_module']);
    expect(() => fullConfigureArgs('/p', ['--prefix=/q'])).toThrow(/must not contain --prefix=\/q/);
  });
});
