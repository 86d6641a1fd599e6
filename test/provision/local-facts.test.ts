/**
 * Local facts (`ansible_local`, the setup module's fact_path and the play keywords fact_path and
 * gather_timeout's neighbour) run by `provision` and by Debian's `ansible-playbook` on the same lab hosts
 * (fixtures/keywords/local_facts.yml): what the play's gathering and the setup module return must be
 * the same, warnings included.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/local-facts.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let ours: RunRecord;
let ansible: RunRecord;
type Json = Record<string, unknown>;

/** What a register user reads of a setup result: its facts and warnings (Ansible adds the interpreter it found). */
function setupResult(r: Json): Json {
  const facts = { ...(r.ansible_facts as Json) };
  delete facts.discovered_interpreter_python;
  return { changed: r.changed, failed: r.failed ?? false, ansible_facts: facts, warnings: r.warnings ?? [] };
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  ({ ours, ansible } = compare(lab, 'local_facts.yml'));
}, 900_000);

describe('local facts against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.stats).toEqual(ansible.stats);
  });

  it("the play's gathering reads its fact_path", () => {
    for (const h of lab.hosts) {
      expect(ours.files[h.name]['play.json']).toEqual(ansible.files[h.name]['play.json']);
      expect(ours.files[h.name]['play.json']).toMatchObject({ j: { a: 1, c: { d: 'e' } }, x: { host: h.name }, i: { Sec: { key: 'v1', path: 'v1/x', d: '1' } } });
    }
  });

  it('the setup module returns the same facts and warnings', () => {
    for (const h of lab.hosts) {
      const a = ours.files[h.name]['results.json'] as Record<string, Json>;
      const b = ansible.files[h.name]['results.json'] as Record<string, Json>;
      for (const k of ['with_path', 'default_path', 'missing_path']) expect(setupResult(a[k])).toEqual(setupResult(b[k]));
      expect((a.with_path.warnings as string[]).length).toBe(2);
      expect(a.default_path.ansible_facts).toMatchObject({ ansible_local: { haweb: { default: 'path' } } });
      expect(a.missing_path.ansible_facts).toEqual({ ansible_local: {} });
    }
  });
});
