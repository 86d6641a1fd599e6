/**
 * Ansible's settings provision reads from the environment: the jsonfile fact cache (one JSON file per
 * host, `<folder>/<prefix><host>`, expired after the timeout), and the ones it refuses rather than run
 * differently in silence (ANSIBLE_JINJA2_NATIVE on, another cache plugin), with ansible.cfg's read.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansibleSettings, JsonFileFactCache } from '../../src/ansible-settings.js';
import { ansibleConfig } from '../../src/ansible-config.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const folder = () => mkdtempSync(join(dir, `t${n++}-`));

describe('ansibleSettings', () => {
  it.each([
    [{}, false],
    [{ ANSIBLE_CACHE_PLUGIN: 'memory' }, false],
    [{ ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: 'cache' }, true],
    [{ ANSIBLE_CACHE_PLUGIN: 'ansible.builtin.jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: 'cache' }, true],
    [{ ANSIBLE_JINJA2_NATIVE: '0' }, false],
    [{ ANSIBLE_JINJA2_NATIVE: 'False' }, false],
  ])('%j: a fact cache %s', (env, cache) => {
    expect(ansibleSettings(env, folder()).factCache !== undefined).toBe(cache);
  });

  it.each([
    [{ ANSIBLE_JINJA2_NATIVE: '1' }, /no Jinja2 native mode/],
    [{ ANSIBLE_JINJA2_NATIVE: 'yes' }, /no Jinja2 native mode/],
    [{ ANSIBLE_JINJA2_NATIVE: 'maybe' }, /not a boolean/],
    [{ ANSIBLE_CACHE_PLUGIN: 'redis' }, /memory and jsonfile only/],
    [{ ANSIBLE_CACHE_PLUGIN: 'jsonfile' }, /requires the '_uri' config option/],
    [{ ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: 'c', ANSIBLE_CACHE_PLUGIN_TIMEOUT: 'soon' }, /not an integer/],
  ])('%j is refused', (env, message) => {
    expect(() => ansibleSettings(env, folder())).toThrow(message);
  });

  // ansible.cfg's settings reach these through ansibleConfig's merged environment (the environment wins).
  const jsonfile = { ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: 'c' };
  it.each([
    ['[defaults]\nroles_path = roles\n[other]\nfact_caching = x\n', {}, false, undefined],
    ['[defaults]\nfact_caching = memory\njinja2_native = False\nfact_caching_connection = /x\n', {}, false, undefined],
    ['[defaults]\n# fact_caching = redis\nfact_caching = jsonfile\nfact_caching_connection = cache\n', {}, true, undefined],
    ['[defaults]\nfact_caching = jsonfile\n', {}, false, /requires the '_uri' config option/],
    ['[defaults]\nfact_caching = jsonfile\n', jsonfile, true, undefined],
    ['[defaults]\nfact_caching = redis\n', { ANSIBLE_CACHE_PLUGIN: 'memory' }, false, undefined],
    ['[defaults]\njinja2_native: true\n', {}, false, /jinja2_native = true: provision has no Jinja2 native mode/],
    ['[defaults]\njinja2_native: true\n', { ANSIBLE_JINJA2_NATIVE: '0' }, false, undefined],
  ])('ansible.cfg %j with %j: a fact cache %s, refused %s', (cfg, env, cache, refused) => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ansible.cfg'), cfg);
    const read = () => ansibleSettings(ansibleConfig({ HOME: cwd, ...env }, cwd).env, cwd);
    if (refused) expect(read).toThrow(refused);
    else expect(read().factCache !== undefined).toBe(cache);
  });

  it("the jsonfile cache's folder from ansible.cfg is relative to the file's folder", () => {
    const cfgDir = folder();
    writeFileSync(join(cfgDir, 'my.cfg'), '[defaults]\nfact_caching = jsonfile\nfact_caching_connection = facts\nfact_caching_prefix = p_\n');
    const cwd = folder();
    const cache = ansibleSettings(ansibleConfig({ HOME: cwd, ANSIBLE_CONFIG: join(cfgDir, 'my.cfg') }, cwd).env, cwd).factCache!;
    expect(cache.dir).toBe(join(cfgDir, 'facts'));
    expect(cache.prefix).toBe('p_');
  });
});

describe('JsonFileFactCache', () => {
  it('one file per host with the prefix; flush removes the hosts named', () => {
    const d = folder();
    const cache = new JsonFileFactCache(join(d, 'c'), 'prefix_', 86400);
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h1', { ansible_foobar: 'x', n: 1 });
    cache.set('h2', { a: true });
    expect(JSON.parse(readFileSync(join(d, 'c', 'prefix_h1'), 'utf8'))).toEqual({ ansible_foobar: 'x', n: 1 });
    expect(cache.get('h1')).toEqual({ ansible_foobar: 'x', n: 1 });
    cache.flush(['h1']);
    expect(existsSync(join(d, 'c', 'prefix_h1'))).toBe(false);
    expect(cache.get('h2')).toEqual({ a: true });
  });

  it.each([
    [86400, 100, true],
    [60, 100, false],
    [0, 10_000_000, true],
  ])('timeout %d s, file %d s old: read %s', (timeout, age, read) => {
    const d = folder();
    const cache = new JsonFileFactCache(d, '', timeout);
    cache.set('h', { a: 1 });
    const t = (Date.now() - age * 1000) / 1000;
    utimesSync(join(d, 'h'), t, t);
    expect(cache.get('h') !== undefined).toBe(read);
  });
});
