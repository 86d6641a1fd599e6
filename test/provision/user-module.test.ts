/**
 * The user module's behaviours that Ansible's own user target reads, run by `provision` and by
 * Debian's `ansible-playbook` on the same lab hosts (fixtures/keywords/user_module.yml): task statuses,
 * the registered results (warnings included, Ansible's `invocation` aside), the homes' modes and
 * owners, and getent's facts under ansible_facts.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/user-module.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let ours: RunRecord;
let ansible: RunRecord;
type Json = Record<string, unknown>;

/** A registered result without what only Ansible's module wrapper adds. */
function plain(r: Json): Json {
  const { invocation: _i, _ansible_no_log: _n, ...rest } = r;
  return rest;
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  ({ ours, ansible } = compare(lab, 'user_module.yml'));
}, 900_000);

describe('user: the behaviours of Ansible\'s user target, against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.stats).toEqual(ansible.stats);
  });

  it('the registered results are the same, warnings included', () => {
    for (const h of lab.hosts) {
      const a = ours.files[h.name]['results.json'] as Record<string, Json>;
      const b = ansible.files[h.name]['results.json'] as Record<string, Json>;
      expect(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, plain(v)]))).toEqual(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, plain(v)])));
      expect(a.home_made.changed).toBe(true);
      expect(a.pw_plain.warnings).toEqual(["The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly."]);
      expect(a.pw_invalid.warnings).toHaveLength(1);
      expect(a.pw_bang.warnings).toBeUndefined();
      expect(a.pw_hash.warnings).toBeUndefined();
      expect(a.pw_on_create.changed).toBe(false);
      expect([a.lock_1.changed, a.lock_2.changed, a.unlock.changed]).toEqual([true, false, true]);
      expect(String((a.append_alone.warnings as string[])[0])).toMatch(/^'append' is set, but no 'groups' are specified/);
      expect(a.expires_negative.changed).toBe(false);
      expect(a.home_moved.changed).toBe(true);
      expect(a.umask_local).toMatchObject({ failed: true, msg: "'umask' can not be used with 'local'" });
      expect(a.local_absent.warnings).toHaveLength(2);
    }
  });

  it('the same homes, modes and owners; getent\'s facts under ansible_facts', () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['homes.txt']).toBe(ansible.files[h.name]['homes.txt']);
      expect(ours.files[h.name]['shadow.txt']).toBe(ansible.files[h.name]['shadow.txt']);
    }
    expect(String(ours.files[lab.hosts[0].name]['homes.txt'])).toContain('/home/hawebu 755 hawebu hawebu');
    expect(ours.files[lab.hosts[0].name]['shadow.txt']).toBe('0 0\n');
  });
});
