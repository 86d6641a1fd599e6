/**
 * Roles on lab hosts, run by `provision` and by Debian's `ansible-playbook` on the same hosts: role
 * dependencies from meta/main.yml (run first, once per play for the same parameters, again with
 * allow_duplicates), and import_role / include_role with tasks_from, vars_from, defaults_from and
 * handlers_from. The order file each host keeps says what ran, in which order, with which variables.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/roles.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

describe('roles', () => {
  it('dependencies, the once-per-play rule, allow_duplicates and the *_from files, as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'roles.yml');
    expect(ours.files).toEqual(ansible.files);
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.code).toBe(ansible.code);
    // ansible-playbook's JSON names a role's task `role : task`, and lists include_role (dynamic there,
    // read at load time here) as a task of its own; the tasks that ran and their statuses are the same.
    const asOurs = ansible.tasks.map((t) => t.replace(/^\w+ : /, '')).filter((t) => !t.startsWith('include the main files:'));
    expect(ours.tasks).toEqual(asOurs);
    for (const h of hosts) {
      expect(ours.files[h].order).toBe(
        [
          'base from-base-defaults',
          'param 1',
          'web',
          'param 2',
          'api',
          'dup',
          'dup',
          'other other-vars other-defaults',
          'main main-vars main-defaults',
          'handler other',
        ].join('\n') + '\n',
      );
    }
  });
});
