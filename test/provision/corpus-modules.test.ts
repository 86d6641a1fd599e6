/**
 * The small modules the public corpus needed (timezone, assemble, pip), each playbook run by `provision`
 * and by Debian's `ansible-playbook` on the same lab hosts (sysvinit, no SELinux, no pip): the recap,
 * per-task statuses and the files left must be the same, and are what the test says.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/corpus-modules.test.ts
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;

beforeAll(() => {
  lab = labFromName(inject('labName'));
});

describe('timezone, assemble and pip on a Debian sysvinit host', () => {
  it('change what Ansible changes, report what it reports, leave the same files', () => {
    const { ours, ansible } = compare(lab, '../corpus-modules/modules.yml');
    // Ansible's JSON keeps the diff that timezone and file return without --diff; provision reports
    // diffs under --diff only: the statuses are compared without that marker.
    const bare = (lines: string[]) => lines.map((l) => l.replace(/\+diff/g, ''));
    expect(bare(ours.tasks)).toEqual(bare(ansible.tasks));
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.files).toEqual(ansible.files);
    const assembled = 'a = 1\n### fragment\nb = 2\n### fragment\nc = 3\n';
    const expected = {
      tz: [false, true, false, true],
      tzfiles: 'Europe/Paris|/usr/share/zoneinfo/Europe/Paris',
      tzbad: [true, true],
      assemble: [true, false, true, createHash('sha1').update(`hidden\n### fragment\n${assembled}`).digest('hex'), '/tmp/haweb-kw/assembled.conf', '/tmp/haweb-kw/frags', 'OK'],
      assemble_missing: [true, 'Source (/tmp/haweb-kw/nope) does not exist'],
      assembled_mode: '0640',
      pip_failed: true,
    };
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['results.json']).toEqual(expected);
      expect(ours.files[h.name]['assembled.conf']).toBe(`hidden\n### fragment\n${assembled}`);
      expect(ours.files[h.name]['assembled-visible.conf']).toBe('a = 1\nb = 2\nc = 3\nreadme\n');
    }
    expect(ours.code).toBe(ansible.code);
  });
});
