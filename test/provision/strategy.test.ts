/**
 * strategy: free beside linear, on lab hosts, each playbook run by `provision` and by Debian's
 * `ansible-playbook` on the same hosts. The first host is slow in the first task; host-side times (ns,
 * the hosts share the machine's clock) show whether the other host waited for it: under free it ran
 * all its tasks and its handler before the slow host ended its first task, under linear it did not.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/strategy.test.ts
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, FIXTURES, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

/** The host-side times of a run, then the files without them (they differ from run to run). */
function times(run: RunRecord): Record<string, Record<string, bigint>> {
  const out: Record<string, Record<string, bigint>> = {};
  for (const [h, files] of Object.entries(run.files)) {
    out[h] = {};
    for (const name of Object.keys(files).filter((n) => n.startsWith('t-'))) {
      out[h][name] = BigInt(String(files[name]).trim());
      delete files[name];
    }
  }
  return out;
}

describe('strategy', () => {
  it('free: the fast host finishes its tasks and its handler while the slow host is still in its first task', () => {
    const { ours, ansible } = compare(lab, 'strategy_free.yml');
    const [slow, fast] = hosts;
    for (const run of [ours, ansible]) {
      const t = times(run);
      expect(t[fast]['t-3']).toBeLessThan(t[slow]['t-1']);
      expect(t[fast]['t-handler']).toBeLessThan(t[slow]['t-1']);
      // Each host's own order: its handler ran at its own flush, between the second and third task.
      for (const h of hosts) expect(run.files[h].order).toBe('one\ntwo\nhandler\nthree\n');
    }
    // ansible-playbook's JSON callback files results under whichever task started last (free starts a
    // task per host), so the per-task lines are not comparable; the recap, the files and the code are.
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.code).toBe(ansible.code);
    expect(ours.code).toBe(0);
  });

  it('linear (explicit): the fast host waits for the slow one at every task', () => {
    const { ours, ansible } = compare(lab, 'strategy_linear.yml');
    const [slow, fast] = hosts;
    for (const run of [ours, ansible]) {
      const t = times(run);
      expect(t[fast]['t-2']).toBeGreaterThan(t[slow]['t-1']);
      for (const h of hosts) expect(run.files[h].order).toBe('one\ntwo\nhandler\nthree\n');
    }
    // ansible-playbook's JSON lists the flush_handlers meta task with no host results (twice); ours does not list it.
    const ran = (tasks: string[]) => tasks.filter((t) => !t.endsWith(': '));
    expect(ran(ours.tasks)).toEqual(ran(ansible.tasks));
    expect(ours.stats).toEqual(ansible.stats);
    expect(ours.files).toEqual(ansible.files);
    expect(ours.code).toBe(ansible.code);
  });

  it('another strategy is refused at validation, with its place', () => {
    const r = spawnSync(process.execPath, [join(FIXTURES, '../../../../packages/cli/dist/provision.js'), 'run', join(FIXTURES, 'strategy_refused.yml'), '-i', lab.inventory], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/strategy_refused\.yml:5:13: .*strategy 'host_pinned' is not supported by this provisioner \(supported: linear, free\)/);
  });
});
