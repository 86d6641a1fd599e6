/**
 * unarchive's deprecated `copy` option, run by `provision` and by Debian's `ansible-playbook` on the
 * same lab hosts: the same statuses, recap and results (public roles such as geerlingguy.git still write
 * `copy: no`).
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/unarchive-copy.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;

beforeAll(() => {
  lab = labFromName(inject('labName'));
});

describe('unarchive copy', () => {
  it('copy: no reads the archive on the host, copy: yes uploads it, with remote_src it is refused', () => {
    const { ours, ansible } = compare(lab, '../unarchive-copy/copy.yml');
    expectSame(ours, ansible);
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['results.json']).toEqual({ a: true, b: true, a2: false, c_failed: true, c_mutually_exclusive: true });
    }
  });
});
