/**
 * Ansible's settings provision reads from the environment: the jsonfile fact cache (one JSON file per
 * host, `<folder>/<prefix><host>`, expired after the timeout), and the ones it refuses rather than run
 * differently in silence (ANSIBLE_JINJA2_NATIVE on, another cache plugin, ansible.cfg's fact_caching).
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ansibleSettings, JsonFileFactCache, SettingsError } from '../../src/ansible-settings.js';

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

  const jsonfile = { ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: 'c' };
  it.each([
    ['[defaults]\nroles_path = roles\n[other]\nfact_caching = x\n', {}, undefined],
    ['[defaults]\nfact_caching = memory\njinja2_native = False\nfact_caching_connection = /x\n', {}, undefined],
    ['[defaults]\n# fact_caching = jsonfile\nfact_caching = jsonfile\n', {}, /fact_caching = jsonfile.*ANSIBLE_CACHE_PLUGIN in the environment/],
    ['[defaults]\nfact_caching = jsonfile\n', jsonfile, undefined],
    ['[defaults]\njinja2_native: true\n', {}, /jinja2_native = true/],
    ['[defaults]\njinja2_native: true\n', { ANSIBLE_JINJA2_NATIVE: '0' }, undefined],
    ['[defaults]\nfact_caching_prefix = p_\n', jsonfile, /ANSIBLE_CACHE_PLUGIN_PREFIX/],
    ['[defaults]\nfact_caching_prefix = p_\n', { ...jsonfile, ANSIBLE_CACHE_PLUGIN_PREFIX: '' }, undefined],
  ])('ansible.cfg %j with %j: refused %s', (cfg, env, refused) => {
    const cwd = folder();
    writeFileSync(join(cwd, 'ansible.cfg'), cfg);
    if (refused) expect(() => ansibleSettings(env, cwd)).toThrow(refused);
    else expect(() => ansibleSettings(env, cwd)).not.toThrow();
    // ANSIBLE_CONFIG names the file Ansible reads first.
    const other = join(folder(), 'my.cfg');
    writeFileSync(other, cfg);
    if (refused) expect(() => ansibleSettings({ ...env, ANSIBLE_CONFIG: other }, folder())).toThrow(SettingsError);
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
