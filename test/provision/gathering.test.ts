/**
 * Ansible's `gathering` setting (ANSIBLE_GATHERING here; ansible.cfg's `gathering` reaches provision the
 * same way): implicit, explicit and smart decide which plays gather facts, and smart with a jsonfile
 * fact cache gathers nothing in a second run. Each run by `provision` and by `ansible-playbook` on the
 * same lab hosts: the same task lines (a "Gathering Facts" line per play that gathers), recap and files.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/gathering.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, runAnsible, runProvision, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

const gathered = (tasks: string[]) => tasks.filter((t) => t.startsWith('Gathering Facts')).length;

describe('the gathering setting', () => {
  it.each([
    ['implicit', 3, 'first True\nsecond True\nthird True True\nfourth True\n'],
    ['explicit', 1, 'first False\nsecond False\nthird True True\nfourth True\n'],
    ['smart', 1, 'first True\nsecond True\nthird True True\nfourth True\n'],
  ])('%s: %d plays gather, as under ansible-playbook', (mode, plays, file) => {
    const { ours, ansible } = compare(lab, 'gathering.yml', [], { ANSIBLE_GATHERING: mode });
    expectSame(ours, ansible);
    expect(ours.code).toBe(0);
    expect(gathered(ours.tasks)).toBe(plays);
    for (const h of hosts) expect(ours.files[h]['gathering.txt']).toBe(file);
  });

  it('smart with a jsonfile fact cache: the second run gathers nothing, the cached facts are there from the start', () => {
    const dirs = { ours: mkdtempSync(join(tmpdir(), 'haweb-gather-ours-')), ansible: mkdtempSync(join(tmpdir(), 'haweb-gather-ansible-')) };
    try {
      const env = (dir: string) => ({ ANSIBLE_GATHERING: 'smart', ANSIBLE_CACHE_PLUGIN: 'jsonfile', ANSIBLE_CACHE_PLUGIN_CONNECTION: dir });
      runProvision(lab, 'gathering.yml', [], env(dirs.ours));
      const ours = runProvision(lab, 'gathering.yml', [], env(dirs.ours));
      runAnsible(lab, 'gathering.yml', [], env(dirs.ansible));
      const ansible = runAnsible(lab, 'gathering.yml', [], env(dirs.ansible));
      expectSame(ours, ansible);
      expect(gathered(ours.tasks)).toBe(0);
      for (const h of hosts) expect(ours.files[h]['gathering.txt']).toBe('first True\nsecond True\nthird True True\nfourth True\n');
    } finally {
      rmSync(dirs.ours, { recursive: true, force: true });
      rmSync(dirs.ansible, { recursive: true, force: true });
    }
  });
});
