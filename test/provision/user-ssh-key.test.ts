/**
 * The user module's generate_ssh_key options (issue 15: every option Ansible declares), run by
 * `provision` and by Debian's `ansible-playbook` on the same lab hosts (fixtures/keywords/
 * user_ssh_key.yml): task statuses, registered results, the key files' modes and owners. A key is
 * random by nature: its fingerprint and public key are compared by shape (type, size, comment), and
 * each run's public key must be the one of the file it made.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/user-ssh-key.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let ours: RunRecord;
let ansible: RunRecord;
type Json = Record<string, unknown>;

/** A registered result with the key material replaced by its shape. */
function shaped(r: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(r)) {
    if (['invocation', 'diff', 'stdout', 'stdout_lines', 'stderr', 'stderr_lines', 'msg'].includes(k)) continue;
    if (k === 'ssh_fingerprint' && typeof v === 'string') out[k] = v.replace(/SHA256:\S+/, 'SHA256:<hash>');
    else if (k === 'ssh_public_key' && typeof v === 'string') out[k] = v.replace(/^(\S+) \S+/, '$1 <key>');
    else out[k] = v;
  }
  return out;
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  ({ ours, ansible } = compare(lab, 'user_ssh_key.yml'));
}, 900_000);

describe('user: generate_ssh_key against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.stats).toEqual(ansible.stats);
  });

  it('the registered results are the same, key material by shape', () => {
    for (const h of lab.hosts) {
      const a = ours.files[h.name]['results.json'] as Record<string, Json>;
      const b = ansible.files[h.name]['results.json'] as Record<string, Json>;
      expect(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, shaped(v)]))).toEqual(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, shaped(v)])));
      expect(a.key_new.changed).toBe(true);
      expect(a.key_again.changed).toBe(false);
      expect(a.key_again.ssh_public_key).toBe(a.key_new.ssh_public_key);
      expect(a.key_forced.changed).toBe(true);
      expect(a.key_forced.ssh_public_key).not.toBe(a.key_new.ssh_public_key);
      expect(String(a.key_new.ssh_public_key)).toMatch(/^ssh-ed25519 \S+ hawebkey@lab$/);
      expect(String(a.key_abs.ssh_fingerprint)).toMatch(/^2048 SHA256:\S+ deploy \(RSA\)$/);
    }
  });

  it('the same files, modes and owners; the passphrase opens the key', () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['modes.txt']).toBe(ansible.files[h.name]['modes.txt']);
      expect(ours.files[h.name]['opened.txt']).toBe('ssh-rsa\n');
    }
    expect(String(ours.files[lab.hosts[0].name]['modes.txt'])).toContain('.ssh 700 hawebkey hawebkey');
  });

  it('the passphrase never reaches the output', () => {
    expect(ours.output).not.toContain('s3cret phrase');
  });
});
