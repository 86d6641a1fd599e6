/**
 * module_defaults on lab hosts, run by `provision` and by Debian's `ansible-playbook` on the same
 * hosts: play, role entry, block and task defaults, by short name and FQCN, the nearest mapping
 * winning whole, the task's arguments over the defaults, omit, a templated value. The files left
 * (content and mode) say which defaults each module got.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/module-defaults.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

describe('module_defaults', () => {
  it('play, role entry, block and task defaults, merged as ansible-playbook merges them', () => {
    const { ours, ansible } = compare(lab, 'module_defaults.yml');
    expect(ours.code).toBe(0);
    expect(ours.code).toBe(ansible.code);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.stats).toEqual(ansible.stats);
    // ansible-playbook's JSON names a role's task `role : task`; its file module returns a diff even
    // outside diff mode (provision's shows one with --diff only): a file module difference, not this keyword's.
    const plain = (tasks: string[]) => tasks.map((t) => t.replace(/^\w+ : /, '').replace(/\+diff/g, ''));
    expect(plain(ours.tasks)).toEqual(plain(ansible.tasks));
    for (const h of hosts) {
      const f = ours.files[h];
      expect(f['play.txt']).toBe('play\n');
      expect(f['block.txt']).toBe('block\n');
      expect(f['task.txt']).toBe('task\n');
      expect(f['own.txt']).toBe('own\n');
      expect(f['omit.txt']).toBe('block\n');
      expect(f['tpl.txt']).toBe('from a variable\n');
      expect(f['role-copy.txt']).toBe('play\n');
      expect(f.cwd).toBe('/tmp/haweb-kw\n');
      expect(f.modes).toBe(
        ['block.txt 660', 'omit.txt 644', 'own.txt 660', 'play.txt 600', 'role-copy.txt 600', 'role.txt 640', 'task.txt 644', 'tpl.txt 604'].join('\n') + '\n',
      );
    }
  });
});
