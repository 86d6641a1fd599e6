import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInventory, resolvePattern, selectHosts, splitPattern } from '../../../src/inventory/index.js';

const { inventory } = readInventory(join(__dirname, '../../fixtures/inventory/ini/hosts'));
// hosts: solo, edu-proxy-01..03 (lb), edu-web-01 (web); frontend = lb + web

describe('host patterns', () => {
  it.each([
    ['all', ['solo', 'edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'edu-web-01']],
    ['*', ['solo', 'edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'edu-web-01']],
    ['lb', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03']],
    ['frontend', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'edu-web-01']],
    ['edu-web-01', ['edu-web-01']],
    ['web:solo', ['solo', 'edu-web-01']],
    ['web,solo', ['solo', 'edu-web-01']],
    ['frontend:!lb', ['edu-web-01']],
    ['all:!edu-proxy-02', ['solo', 'edu-proxy-01', 'edu-proxy-03', 'edu-web-01']],
    ['frontend:&lb', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03']],
    ['!lb:frontend', ['edu-web-01']],
    ['edu-proxy-*', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03']],
    ['edu-proxy-0?:!edu-proxy-03', ['edu-proxy-01', 'edu-proxy-02']],
    ['~edu-(proxy|web)-0[13]', ['edu-proxy-01', 'edu-proxy-03', 'edu-web-01']],
    ['fro*', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'edu-web-01']],
    ['ungrouped', ['solo']],
    ['lb:&web', []],
  ])('%s', (pattern, hosts) => {
    const r = resolvePattern(inventory, pattern);
    expect(r.hosts).toEqual(hosts);
    expect(r.unmatched).toEqual([]);
  });

  it('reports terms that match nothing', () => {
    expect(resolvePattern(inventory, 'lb:webz:!nope')).toEqual({
      hosts: ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03'],
      unmatched: ['webz', '!nope'],
      invalid: [],
    });
    expect(resolvePattern(inventory, 'zz-*').unmatched).toEqual(['zz-*']);
  });

  it('reports empty terms and bad regexes', () => {
    expect(resolvePattern(inventory, 'lb::web').invalid).toEqual([{ term: '', reason: "empty term in host pattern 'lb::web'" }]);
    expect(resolvePattern(inventory, '~(').invalid[0].reason).toMatch(/^bad regular expression/);
  });

  it('splits on : but keeps a regex whole', () => {
    expect(splitPattern('a:b:!c:&d')).toEqual(['a', 'b', '!c', '&d']);
    expect(splitPattern('~web:[0-9]')).toEqual(['~web:[0-9]']);
  });

  it('applies --limit', () => {
    expect(selectHosts(inventory, 'frontend', 'lb[0:1]')).toEqual(['edu-proxy-01', 'edu-proxy-02']);
    expect(selectHosts(inventory, 'all', 'lb[-1]')).toEqual(['edu-proxy-03']);
    expect(selectHosts(inventory, 'all', 'lb[1:]')).toEqual(['edu-proxy-02', 'edu-proxy-03']);
    expect(selectHosts(inventory, 'frontend', 'edu-proxy-01,edu-web-01')).toEqual(['edu-proxy-01', 'edu-web-01']);
    expect(selectHosts(inventory, 'frontend', 'all:!lb')).toEqual(['edu-web-01']);
  });
});
