/**
 * DebOps' dpkg_divert (debops.debops) and ansible.posix's acl, run by `provision` and by Debian's
 * `ansible-playbook` (given DebOps' collection by ANSIBLE_COLLECTIONS_PATH, as DebOps' users have it)
 * on the same lab hosts: the per-task statuses, the recap, the files left (diverted and renamed files,
 * the ACL) and what each task returned must be the same. setfacl/getfacl (Debian's `acl` package) are
 * installed from a repository served inside the lab and purged afterwards.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/deb-modules.test.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab } from './ansible-compare.js';
import { installOnLab, type Installed } from './lab-packages.js';

const ROOT = resolve(import.meta.dirname, '../..');
// DebOps' collection as scripts/compat/corpus.mjs builds it from DebOps' repository (its debops entries).
const COLLECTIONS = '/tmp/haweb-corpus/collections/debops+debops@65b66ff98481';

let lab: Lab;
let acl: Installed | undefined;

beforeAll(() => {
  lab = labFromName(inject('labName'));
  if (!existsSync(join(COLLECTIONS, 'ansible_collections/debops/debops/plugins/modules/dpkg_divert.py'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/compat/corpus.mjs'), 'debops.ntp'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  }
  process.env.ANSIBLE_COLLECTIONS_PATH = COLLECTIONS;
  acl = installOnLab(lab, ['acl']);
}, 600_000);

afterAll(() => {
  acl?.remove();
});

describe('dpkg_divert and acl on a Debian host', () => {
  it('change what Ansible changes, return what it returns, leave the same files', () => {
    const { ours, ansible } = compare(lab, '../deb-modules/modules.yml');
    // Ansible's JSON keeps the diff the file module returns without --diff; provision reports diffs
    // under --diff only: the statuses are compared without that marker.
    const bare = (lines: string[]) => lines.map((l) => l.replace(/\+diff/g, ''));
    expect(bare(ours.tasks)).toEqual(bare(ansible.tasks));
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.files).toEqual(ansible.files);
    const kw = '/tmp/haweb-kw';
    const D = '/usr/bin/env LC_ALL=C /usr/bin/dpkg-divert';
    for (const h of lab.hosts) {
      const r = ours.files[h.name]['results.json'] as Record<string, unknown[]>;
      expect(r.d1).toEqual([true, `Adding 'local diversion of ${kw}/d.conf to ${kw}/d.conf.dpkg-divert'\n`, `${D} --local --divert ${kw}/d.conf.dpkg-divert --rename --add ${kw}/d.conf`]);
      expect(r.d2[0]).toBe(false);
      expect(r.d4[0]).toBe(true);
      expect(r.d4[2]).toEqual([`${D} --rename --remove ${kw}/d.conf`, `${D} --package haweb-test --divert ${kw}/d.conf.distrib --rename --add ${kw}/d.conf`]);
      expect(r.d5[0]).toBe(true);
      expect(r.d8).toEqual([false, `No diversion 'local diversion of ${kw}/d.conf to ${kw}/d.conf.dpkg-divert', none removed.\n`]);
      expect(r.a1.slice(0, 2)).toEqual([true, 'user:nobody:rx is present']);
      expect(r.a2[0]).toBe(false);
      expect(r.a6.slice(0, 2)).toEqual([true, 'user:nobody is absent']);
      expect(r.a7).toEqual([true, 'Path not found or not accessible.']);
      expect(r.a8).toEqual([true, "'entry' MUST NOT be set when 'entity', 'etype' or 'permissions' are set."]);
      expect(ours.files[h.name]['d.conf']).toBe('original\n');
    }
    expect(ours.code).toBe(ansible.code);
  });
});
