/**
 * async / poll / async_status on lab hosts, each playbook run by `provision` and by Debian's
 * `ansible-playbook` on the same hosts: the recap, which host ran which task, and what the tasks
 * registered must be the same. That a job really runs in the background is read on the host: the
 * task after a `poll: 0` task runs while the job's command is still going (a file the job writes at
 * its end is not there yet), and a job outlives the run that started it.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/async.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, onHost, runProvision, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

/** The files whose content is a time or depends on one: compared by what they say, then dropped. */
function dropTimes(run: RunRecord): void {
  for (const files of Object.values(run.files)) {
    // The job ended after the next task started: host-side clock, nanoseconds.
    expect(BigInt(String(files['bg-end']).trim())).toBeGreaterThan(BigInt(String(files['next-start']).trim()));
    delete files['bg-end'];
    delete files['next-start'];
    delete files['doomed-pid'];
  }
}

describe('async / poll / async_status', () => {
  it('fire-and-forget, polling, time-out, until on async_status, cleanup, loops: as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'async.yml');
    dropTimes(ours);
    dropTimes(ansible);
    // Whether the killed job's process is still there when the next task looks is Ansible's own race
    // (its watchdog reports the time-out, then kills): ours is asserted below, Ansible's not compared.
    const ourKilledProcess: Record<string, unknown> = {};
    for (const run of [ours, ansible]) {
      for (const h of hosts) {
        const killed = (run.files[h]?.['results.json'] as { killed?: unknown[] } | undefined)?.killed;
        const state = killed?.pop();
        if (run === ours) ourKilledProcess[h] = state;
      }
    }
    expectSame(ours, ansible);
    for (const h of hosts) {
      expect(ourKilledProcess[h]).toBe('gone');
      const f = ours.files[h];
      expect(f['job-when-next-ran']).toBe('running\n');
      expect(f['results.json']).toEqual({
        job: { changed: true, failed: 0, finished: 0, started: 1 },
        jid_in_path: true,
        running: { changed: false, failed: false, finished: 0, started: 1, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
        done: [1, 1, 0, `done-${h}`, true, false, `sleep 10; date +%s%N > /tmp/haweb-kw/bg-end; echo done-${h}`, true, true, true],
        polled: [1, 3, 'polled', 'oops', true, true, 1],
        late: [true, false, 'async task did not complete within the requested time - 2s', 0, 1],
        polled_file: 'removed',
        cleaned: [true, 0, 0, false],
        gone: [true, 'could not find job', 1, 1],
        each: ['item-a', 'item-b'],
        guarded: [false, 0, 'skipped, since /tmp exists', 1],
        killed: [true, 'Timeout exceeded', 1],
      });
    }
  });

  it('a job started with poll: 0 outlives the run that started it', () => {
    const flag = '/tmp/haweb-async-survivor';
    for (const h of hosts) onHost(lab, h, `rm -f ${flag}`);
    const ours = runProvision(lab, 'async_survive.yml');
    expect(ours.code).toBe(0);
    // The run (and its SSH connections) ended; the job writes its file 2 s after it started.
    for (const h of hosts) {
      const seen = onHost(lab, h, `for i in $(seq 1 50); do test -e ${flag} && break; sleep 0.2; done; cat ${flag} 2>/dev/null || echo missing`);
      expect(seen.trim()).toBe('survived');
    }
  });

  it('copy with async fails when it runs, in Ansible\'s words (its action does not support async)', () => {
    const { ours, ansible } = compare(lab, 'async_refused.yml');
    expectSame(ours, ansible);
    for (const h of hosts) expect(ours.files[h]['results.json']).toEqual({ failed: true, msg: 'async is not supported for this task.', changed: false });
  });

  it("a role's library/ modules (AnsibleModule, old-style), async on them, on script and on other modules: as under ansible-playbook", () => {
    const { ours, ansible } = compare(lab, 'async_library.yml');
    // provision's JSON names a role's task without Ansible's `role : ` prefix, and shows a diff only
    // with --diff (Ansible's JSON shows the diff file returns, here through async_status: compared registered).
    expectSame(ours, ansible, { ansibleTasks: (tasks) => tasks.map((t) => t.replace(/^pym_lib : /, '').replace(/=changed\+diff/g, '=changed')) });
    for (const h of hosts) {
      expect(ours.files[h]['written']).toBe('hello\n');
      expect(ours.files[h]['bg']).toBe('late\n');
      expect(ours.files[h]['results.json']).toEqual({
        facts: [false, 'yes', 'yes'],
        write: [true, '/tmp/haweb-kw/written', false, true],
        fail: [true, 'probe failed', 3, false],
        junk: [false, false, 'after', false],
        bg: [1, 0, true, 'not-yet', 1, true, '/tmp/haweb-kw/bg'],
        bgfail: [true, 'probe failed', 1, false],
        script: [true, 'async is not supported for this task.'],
        file: [1, 0, 1, true, 'file', '0640', 'touch'],
        stat: [1, false, true, 6],
        old: [false, 'hi', false],
      });
    }
  });
});
