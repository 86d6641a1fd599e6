import { describe, expect, it } from 'vitest';
import { flattenRoles, type LoadedRole } from '../../../src/playbook/roles.js';

describe('role dependencies: flattenRoles', () => {
  const role = (name: string, deps: LoadedRole[] = [], params = {}, allowDuplicates = false): LoadedRole => ({
    info: { name, path: `/r/${name}`, defaults: {} },
    tasks: [],
    handlers: [],
    dependencies: deps,
    key: `${name}${JSON.stringify(params)}`,
    allowDuplicates,
    exportVars: {},
  });
  const names = (roles: LoadedRole[]) => roles.map((r) => r.key);
  it.each<[string, () => { roles: LoadedRole[]; always?: LoadedRole[] }, string[]]>([
    ['dependencies first, depth first', () => ({ roles: [role('web', [role('base', [role('os')])])] }), ['os{}', 'base{}', 'web{}']],
    ['a role seen with the same parameters is skipped', () => ({ roles: [role('web', [role('base')]), role('api', [role('base')])] }), ['base{}', 'web{}', 'api{}']],
    ['other parameters run again', () => ({ roles: [role('p', [], { p: 1 }), role('p', [], { p: 2 }), role('p', [], { p: 1 })] }), ['p{"p":1}', 'p{"p":2}']],
    ['allow_duplicates runs again', () => ({ roles: [role('d', [], {}, true), role('d', [], {}, true)] }), ['d{}', 'd{}']],
    [
      'import_role runs its role even when seen, not its seen dependencies',
      () => {
        const again = role('web', [role('base')]);
        return { roles: [role('web', [role('base')]), again], always: [again] };
      },
      ['base{}', 'web{}', 'web{}'],
    ],
  ])('%s', (_name, make, expected) => {
    const { roles, always } = make();
    const seen = new Set<string>();
    const out: LoadedRole[] = [];
    for (const r of roles) out.push(...flattenRoles([r], seen, new Set(always)));
    expect(names(out)).toEqual(expected);
  });
});
