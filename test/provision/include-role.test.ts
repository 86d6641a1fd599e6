/**
 * include_role / import_role on lab hosts, run by `provision` and by Debian's `ansible-playbook`: who
 * sees a role's vars and defaults (import_role: the whole play from the start; include_role: its own
 * tasks, and with `public: yes` the tasks after it), `allow_duplicates` on an include, and an
 * include_role name that is a template. The order file each host keeps says what ran with what.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/include-role.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

/** The include tasks themselves: ansible-playbook lists each as a task; provision lists only a templated one. */
const INCLUDES = /^(include a |include it again|include a role named by a template)/;

describe('include_role and import_role', () => {
  it('public, allow_duplicates and a templated name, as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'include_role.yml');
    expect(ours.code).toBe(0);
    expect(ours.code).toBe(ansible.code);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.stats).toEqual(ansible.stats);
    const ran = (tasks: string[]) => tasks.map((t) => t.replace(/^\w+ : /, '')).filter((t) => !INCLUDES.test(t));
    expect(ran(ours.tasks)).toEqual(ran(ansible.tasks));
    for (const h of hosts) {
      expect(ours.files[h].order).toBe(
        [
          'before import-var import-default - -',
          'vis_private private-var private-default',
          'after-private - -',
          'vis_public public-var public-default',
          'after-public public-var public-default',
          'vis_import import-var import-default',
          'vis_dup',
          'vis_dup',
          'vis_templated templated-default',
          'end - public-default',
        ].join('\n') + '\n',
      );
    }
  });
});
