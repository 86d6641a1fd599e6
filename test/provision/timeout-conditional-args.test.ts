/**
 * The `timeout` keyword, and module arguments checked only when a task runs, on lab hosts: each
 * playbook run by `provision` and by Debian's `ansible-playbook` on the same hosts, with the same
 * recap, task statuses and registered results.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/timeout-conditional-args.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

const stopped = (action: string, n: number) => `The ${action} action failed to execute in the expected time frame (${n}) and was terminated`;

describe('timeout', () => {
  it("stops a call after N seconds with Ansible's message and result: per item, no retry, block and templated", () => {
    const started = Date.now();
    const { ours, ansible } = compare(lab, 'timeout.yml');
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    expectSame(ours, ansible);
    const [first, second] = hosts;
    expect(ours.files[first]['results.json']).toEqual({
      plain: { changed: false, failed: true, msg: stopped('shell', 2) },
      item: { failed: true, msg: stopped('shell', 2), item: 5, ansible_loop_var: 'item' },
      first_rc: 0,
      loop_failed: true,
      loop_msg: 'One or more items failed',
      until: { changed: false, failed: true, msg: stopped('ansible.builtin.command', 2) },
      block: { changed: false, failed: true, msg: stopped('command', 2) },
    });
    expect(ours.stats[first]).toMatchObject({ failed: 0, ignored: 4 });
    expect(ours.stats[second]).toMatchObject({ failed: 1, ignored: 4 });
    expect(ours.code).toBe(2);
    console.log(`timeout.yml, both tools, run one after the other: ${seconds} s`);
  });
});

describe('module arguments checked when the task runs', () => {
  it('a bad argument under a false when is skipped; reached, the task fails with the module message', () => {
    const { ours, ansible } = compare(lab, 'conditional_args.yml');
    expectSame(ours, ansible);
    const [first, second] = hosts;
    const msg = 'missing required arguments: path';
    expect(ours.files[first]['results.json']).toEqual({ msg, failed: true, registered: msg });
    expect(ours.stats[first]).toEqual({ ok: 2, changed: 1, unreachable: 0, failed: 0, skipped: 2, rescued: 1, ignored: 0 });
    expect(ours.stats[second]).toEqual({ ok: 0, changed: 0, unreachable: 0, failed: 1, skipped: 2, rescued: 0, ignored: 0 });
    // Validation warned, naming where and why, before any host was touched.
    expect(ours.output).toContain("conditional_args.yml:9:7: warning: missing required argument 'path' for module 'ansible.builtin.file' (the task runs only if its 'when' holds: it fails if it runs)");
  });

  it("an option the module does not take fails the task with Ansible's message: the action plugin's or the module's", () => {
    const { ours, ansible } = compare(lab, 'unknown_options.yml');
    expectSame(ours, ansible);
    for (const h of hosts) {
      expect(ours.files[h]['results.json']).toEqual({
        debug: [true, 'Invalid options for debug: foo'],
        reboot: [true, 'Invalid options for ansible.builtin.reboot: foo'],
        assert: [true, 'Invalid options for assert: colour'],
        group_by: [true, 'Invalid options for group_by: bogus'],
        copy: [true, 'Unsupported parameters for (ansible.legacy.copy) module: foo, zed', true],
        file: [true, 'Unsupported parameters for (ansible.builtin.file) module: wrong'],
      });
      expect(ours.stats[h]).toMatchObject({ failed: 0, ignored: 6 });
    }
  });
});
