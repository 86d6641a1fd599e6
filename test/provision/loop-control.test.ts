/**
 * loop_control index_var, extended (with extended_allitems) and pause on lab hosts, run by `provision`
 * and by Debian's `ansible-playbook` on the same hosts: the variables each item saw, the registered
 * results, and (pause) host-side times at least a pause apart.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/loop-control.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

/** The pause file's times (ns): consecutive items at least the pause (1 s) apart; then dropped. */
function checkPause(run: RunRecord): void {
  for (const files of Object.values(run.files)) {
    const t = String(files.paused).trim().split('\n').map(BigInt);
    expect(t).toHaveLength(3);
    for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).toBeGreaterThanOrEqual(1_000_000_000n);
    delete files.paused;
  }
}

describe('loop_control', () => {
  it('index_var, extended, extended_allitems and pause as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'loop_control.yml');
    checkPause(ours);
    checkPause(ansible);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.code).toBe(ansible.code);
    for (const h of hosts) {
      expect(ours.files[h].loop).toBe('0 a 1 3 True False 3 - b a,b,c\n1 b 2 2 False False 3 a c a,b,c\n2 c 3 1 False True 3 b - a,b,c\n');
      expect(ours.files[h].allitems).toBe('False True\n');
      expect(ours.files[h]['results.json']).toEqual({ idx: [0, 1, 2], index_var: ['idx', 'idx', 'idx'], revindex0: [2, 1, 0] });
    }
  });
});
