import { describe, expect, it } from 'vitest';
import { stepText, type FirewallState } from '@haweb/hostkit';
import { firewalldScopes, planFirewalldItem, type FirewalldItemArgs } from '../../src/modules/firewalld.js';

const VRRP = 'rule family="ipv4" source address="198.18.21.52" destination address="224.0.0.18" protocol value="vrrp" accept';

function fw(runtime: { ports?: string[]; rich?: string[] }, permanent: { ports?: string[]; rich?: string[] }): FirewallState {
  return {
    firewalld: {
      runtime: { ports: runtime.ports ?? [], richRules: runtime.rich ?? [] },
      permanent: { ports: permanent.ports ?? [], richRules: permanent.rich ?? [] },
    },
  };
}

describe('firewalldScopes (as ansible.posix.firewalld)', () => {
  it.each([
    [{}, ['runtime']],
    [{ permanent: false }, ['runtime']],
    [{ permanent: true }, ['permanent']],
    [{ permanent: true, immediate: true }, ['permanent', 'runtime']],
  ] as const)('%j -> %j', (args, scopes) => {
    expect(firewalldScopes(args)).toEqual(scopes);
  });
});

describe('planFirewalldItem', () => {
  const both = { permanent: true, immediate: true } as const;
  it.each<[string, FirewalldItemArgs, FirewallState, string[]]>([
    ['port missing everywhere: permanent and runtime', { port: '88/tcp', state: 'enabled', ...both }, fw({}, {}), [
      'firewall-cmd --permanent --add-port=88/tcp',
      'firewall-cmd --add-port=88/tcp',
    ]],
    ['port only permanent (a reload not yet done): runtime only', { port: '88/tcp', state: 'enabled', ...both }, fw({}, { ports: ['88/tcp'] }), [
      'firewall-cmd --add-port=88/tcp',
    ]],
    ['port present in both: nothing', { port: '88/tcp', state: 'enabled', ...both }, fw({ ports: ['88/tcp'] }, { ports: ['88/tcp'] }), []],
    ['rich rule missing: both scopes, quoted as one argument', { rich_rule: VRRP, state: 'enabled', ...both }, fw({}, {}), [
      `firewall-cmd --permanent '--add-rich-rule=${VRRP}'`,
      `firewall-cmd '--add-rich-rule=${VRRP}'`,
    ]],
    ['rich rule present with other spacing: nothing', { rich_rule: VRRP.replace(/ /g, '  '), state: 'enabled', ...both }, fw({ rich: [VRRP] }, { rich: [VRRP] }), []],
    ['disabled without permanent: the runtime opening only', { port: '88/tcp', state: 'disabled' }, fw({ ports: ['88/tcp'] }, { ports: ['88/tcp'] }), [
      'firewall-cmd --remove-port=88/tcp',
    ]],
    ['firewalld state unread (not running): nothing', { port: '88/tcp', state: 'enabled', ...both }, {}, []],
  ])('%s', (_what, args, state, commands) => {
    expect(planFirewalldItem(args, state).map(stepText)).toEqual(commands);
  });
});
