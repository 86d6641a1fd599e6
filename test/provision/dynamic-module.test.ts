/**
 * A templated module name (`action: "{{ m }}"`, `local_action:`, with args:, key=value words, the
 * mapping form, in a loop, in check mode, delegated) and arguments given by one template
 * (`copy: "{{ d }}"`, `args: "{{ d }}"`), run by `provision` and by `ansible-playbook` on the same lab
 * hosts: the same statuses, recap, registered results and files; an unknown module or argument once
 * rendered fails the task on the host for both.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/dynamic-module.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

describe('modules and arguments resolved when the task runs', () => {
  it('run as ansible-playbook runs them', () => {
    const { ours, ansible } = compare(lab, '../executor-modules/dynamic_module.yml');
    expectSame(ours, ansible);
    for (const h of hosts) {
      expect(ours.files[h]).toEqual({
        'action.txt': 'action\n',
        'free.txt': 'free',
        'mapping.txt': 'mapping\n',
        'loop1.txt': 'one\n',
        'loop2.txt': 'two\n',
        'note.txt': `note of ${h}\n`,
        'args.txt': 'own\n',
        'registered.json': {
          action: [true, '/tmp/haweb-kw/action.txt'],
          loop: [true, true],
          check: true,
          local: 'from-the-controller',
          delegated: 'delegated',
          unknown: true,
          badarg: true,
          badarg_msg: true,
        },
      });
    }
    expect(ours.tasks).toContain(`an unknown module once rendered: ${hosts.map((h) => `${h}=failed`).join(' ')}`);
    expect(ours.tasks).toContain(`a false when, the module never looked up: ${hosts.map((h) => `${h}=skipped`).join(' ')}`);
  });
});
