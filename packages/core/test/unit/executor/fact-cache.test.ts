/**
 * Host facts and the fact cache, as Ansible's variable manager orders them (integration target
 * set_fact/set_fact_cached_1.yml and _2.yml): gathered and cached facts sit below play vars; a set_fact
 * value is a host variable above them; `cacheable: true` facts (and gathered ones) are written to the
 * fact cache and are the host's facts in the next run; the others are not.
 */
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { FactCache } from '../../../src/executor/types.js';
import type { Vars } from '../../../src/model.js';
import { FakeConnector, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';

class MemoryCache implements FactCache {
  readonly store = new Map<string, Vars>();
  get(host: string) {
    return this.store.get(host);
  }
  set(host: string, facts: Vars) {
    this.store.set(host, structuredClone(facts));
  }
  delete(host: string) {
    this.store.delete(host);
  }
}

async function run(plays: ReturnType<typeof play>[], factCache?: FactCache) {
  const log: string[] = [];
  await runPlaybook(playbook(...plays), { inventory: inventory(['a']), registry: registry(log), connector: new FakeConnector(), templater: makeTemplater(), factCache });
  return log.filter((l) => l.startsWith('a:echo:')).map((l) => l.slice('a:echo:'.length));
}

describe('host facts and the fact cache', () => {
  it.each([
    ['a gathered fact is below play vars', [play([task('setup', {}), task('echo', { msg: '{{ ansible_os_family }}' })], { vars: { ansible_os_family: 'from_play_vars' } })], 'from_play_vars'],
    ['a set_fact value is above play vars', [play([task('set_fact', { ansible_os_family: 'from_set_fact' }), task('echo', { msg: '{{ ansible_os_family }}' })], { vars: { ansible_os_family: 'from_play_vars' } })], 'from_set_fact'],
    [
      'a set_fact value of an earlier play is above the next play\'s vars',
      [play([task('set_fact', { ansible_os_family: 'from_set_fact', cacheable: true })]), play([task('echo', { msg: '{{ ansible_os_family }}' })], { vars: { ansible_os_family: 'from_play_vars' } })],
      'from_set_fact',
    ],
    // Ansible's set_host_facts for every module but set_fact (getent's getent_<database>): under ansible_facts too.
    ['a module\'s own facts are in ansible_facts', [play([task('lookup_facts', {}), task('echo', { msg: '{{ ansible_facts.getent_passwd.root[1] }}/{{ getent_passwd.root[1] }}' })])], '0/0'],
    ['a set_fact value is not', [play([task('set_fact', { plain: 1 }), task('echo', { msg: "{{ ansible_facts.plain | default('absent') }}" })])], 'absent'],
  ])('%s', async (_name, plays, expected) => {
    expect(await run(plays)).toEqual([expected]);
  });

  it('cacheable facts and gathered ones are written to the cache; the others are not', async () => {
    const cache = new MemoryCache();
    await run([play([task('setup', {}), task('set_fact', { kept: 1, cacheable: true }), task('set_fact', { ansible_not_kept: 2 })])], cache);
    expect(cache.store.get('a')).toEqual({ ansible_os_family: 'Debian', ansible_hostname: 'a', kept: 1 });
  });

  it('cached facts are the host\'s facts in the next run, below play vars', async () => {
    const cache = new MemoryCache();
    cache.set('a', { ansible_foobar: 'cached', ansible_nodename: 'cached' });
    const out = await run(
      [play([task('echo', { msg: '{{ ansible_foobar }}' }), task('echo', { msg: '{{ ansible_nodename }}' }), task('echo', { msg: '{{ ansible_facts.foobar }}' })], { vars: { ansible_nodename: 'from_play_vars' } })],
      cache,
    );
    expect(out).toEqual(['cached', 'from_play_vars', 'cached']);
  });

  it('facts_cacheable is not in the registered result', async () => {
    const out = await run([play([task('set_fact', { x: 1, cacheable: true }, { register: 'r' }), task('echo', { msg: "{{ r.facts_cacheable | default('absent') }}" })])]);
    expect(out).toEqual(['absent']);
    const looped = await run([play([task('set_fact', { x: '{{ item }}', cacheable: true }, { register: 'r', loop: [1] }), task('echo', { msg: "{{ r.results[0].facts_cacheable | default('absent') }}" })])]);
    expect(looped).toEqual(['absent']);
  });

  it('meta: clear_facts removes the host from the cache', async () => {
    const cache = new MemoryCache();
    cache.set('a', { ansible_foobar: 'cached' });
    const out = await run([play([task('meta', { action: 'clear_facts' }), task('echo', { msg: '{{ ansible_foobar | default("gone") }}' })])], cache);
    expect(out).toEqual(['gone']);
    expect(cache.store.has('a')).toBe(false);
  });
});
