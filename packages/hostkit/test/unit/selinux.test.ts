/** SELinux file contexts as Ansible's common file arguments set them: the fact's parser and the plan. */
import { describe, expect, it } from 'vitest';
import { planSeContext, seContextState, splitContext, type SeContextState } from '../../src/facts/selinux.js';

const M = '@@haweb-se@@';

describe('seContextState.parse', () => {
  it.each<[string, string, SeContextState]>([
    ['no selinuxfs: disabled, nothing else read', '', { enabled: false, mls: false }],
    [
      'enabled, MLS, both contexts',
      `${M}enabled\n${M}mls=1\n${M}current=system_u:object_r:etc_t:s0\n${M}default=system_u:object_r:mysqld_etc_t:s0\n`,
      { enabled: true, mls: true, current: ['system_u', 'object_r', 'etc_t', 's0'], default: ['system_u', 'object_r', 'mysqld_etc_t', 's0'] },
    ],
    ['enabled, no MLS, missing path, no matchpathcon', `${M}enabled\n${M}mls=0\n`, { enabled: true, mls: false }],
    ['an unlabeled answer (?) is no context', `${M}enabled\n${M}mls=1\n${M}current=?\n`, { enabled: true, mls: true }],
  ])('%s', (_, out, want) => expect(seContextState.parse(out, 0, { path: '/x' })).toEqual(want));

  it('reads a link itself unless follow, and quotes the path', () => {
    expect(seContextState.command({ path: "/a b'c" })).toContain(`stat -c %C -- '/a b'\\''c'`);
    expect(seContextState.command({ path: '/x', follow: true })).toContain('stat -L -c %C -- /x');
  });
});

describe('splitContext (Python split(":", 3))', () => {
  it.each([
    ['u:r:t', ['u', 'r', 't']],
    ['u:r:t:s0', ['u', 'r', 't', 's0']],
    ['u:r:t:s0-s0:c0.c1023', ['u', 'r', 't', 's0-s0:c0.c1023']],
  ])('%s', (text, parts) => expect(splitContext(text)).toEqual(parts));
});

describe('planSeContext (set_context_if_different)', () => {
  const mls: SeContextState = { enabled: true, mls: true, current: ['system_u', 'object_r', 'etc_t', 's0'], default: ['system_u', 'object_r', 'mysqld_etc_t', 's0'] };
  const flat: SeContextState = { enabled: true, mls: false, current: ['system_u', 'object_r', 'etc_t', 's0'] };
  it.each<[string, SeContextState, Record<string, string>, string | undefined]>([
    ['SELinux off: ignored', { enabled: false, mls: false }, { setype: 'x_t' }, undefined],
    ['missing path: nothing', { enabled: true, mls: true }, { setype: 'x_t' }, undefined],
    ['the type replaced, the rest kept', mls, { setype: 'mysqld_db_t' }, 'system_u:object_r:mysqld_db_t:s0'],
    ['already so: nothing', mls, { setype: 'etc_t', seuser: 'system_u' }, undefined],
    ['_default from the policy', mls, { setype: '_default' }, 'system_u:object_r:mysqld_etc_t:s0'],
    ['_default without a policy default: kept', flat, { setype: '_default' }, undefined],
    ['user, role and level', mls, { seuser: 'unconfined_u', serole: 'r_r', selevel: 's0:c1' }, 'unconfined_u:r_r:etc_t:s0:c1'],
    ['the level is ignored without MLS', flat, { selevel: 's1' }, undefined],
  ])('%s', (_, state, want, next) => {
    const plan = planSeContext('/etc/my.cnf', state, want);
    expect(plan.command?.argv).toEqual(next === undefined ? undefined : ['chcon', '-h', '--', next, '/etc/my.cnf']);
  });

  it('follow: the link target gets the context (chcon dereferences)', () => {
    expect(planSeContext('/l', mls, { setype: 'x_t' }, true).command?.argv).toEqual(['chcon', '--', 'system_u:object_r:x_t:s0', '/l']);
  });
});
