/**
 * Playbook keywords on lab hosts, each playbook run by `provision` and by Debian's `ansible-playbook`
 * on the same hosts: the recap, which host ran which task with which status, and the files the
 * playbook left must be the same; each test also says what they are.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/keywords.test.ts
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, labFromName, type Lab, type RunRecord } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

function eachHost(files: RunRecord['files'], name: string): unknown[] {
  return hosts.map((h) => files[h]?.[name]);
}

describe('check_mode (task, block, play; literal and templated)', () => {
  it('without --check: only the tasks under check_mode: true are dry', () => {
    const { ours, ansible } = compare(lab, 'check_mode.yml');
    expectSame(ours, ansible);
    for (const h of hosts) {
      expect(Object.keys(ours.files[h]).sort()).toEqual(['block-task-false', 'plain', 'play-task-false', 'results.json']);
      expect(ours.files[h]['results.json']).toEqual({ task: true, block: true, override: true, plain: true, cmd_skipped: true, check_var: false });
    }
  });

  it('with --check: check_mode: false still writes', () => {
    const { ours, ansible } = compare(lab, 'check_mode.yml', ['--check']);
    expectSame(ours, ansible);
    for (const h of hosts) {
      expect(Object.keys(ours.files[h]).sort()).toEqual(['block-task-false', 'play-task-false', 'results.json']);
      expect(eachHost(ours.files, 'results.json')[0]).toMatchObject({ check_var: true, cmd_skipped: true });
    }
  });
});

describe('templated boolean keywords', () => {
  it('ignore_errors and no_log from templates, the nearest one winning', () => {
    const { ours, ansible } = compare(lab, 'templated_flags.yml');
    expectSame(ours, ansible);
    const [first, second] = hosts;
    expect(ours.files[first]['results.json']).toEqual({ failed: true, rc: 1, secret_rc: 0 });
    expect(ours.files[second]).toEqual({});
    expect(ours.stats[first]).toMatchObject({ failed: 1, ignored: 2 });
    expect(ours.stats[second]).toMatchObject({ failed: 1, ignored: 0 });
    for (const run of [ours, ansible]) expect(run.output).not.toContain('hunter2');
  });
});

describe('diff (task, block, play)', () => {
  it.each([[[]], [['--diff']]])('with %j: the same tasks show diffs as under ansible-playbook', (args) => {
    const { ours, ansible } = compare(lab, 'diff.yml', args);
    expectSame(ours, ansible);
    const shown = ours.tasks.filter((t) => t.includes('+diff')).map((t) => t.split(':')[0]);
    const always = ['diff true on the task', 'task diff true wins over the block', 'play diff true'];
    expect(shown).toEqual(args.length ? [always[0], 'plain task follows the command line', ...always.slice(1)] : always);
  });
});

describe('until / retries / delay', () => {
  it('attempts made and registered as ansible-playbook does', () => {
    const { ours, ansible } = compare(lab, 'until.yml');
    expectSame(ours, ansible);
    for (const h of hosts) {
      const files = ours.files[h];
      expect(files['results.json']).toEqual({ ok_attempts: 3, ok_failed: false, bad_attempts: 2, bad_failed: true, bad_rc: 1, loop_attempts: [1, 2] });
      expect(files.tries).toBe('x\nx\nx\n');
      // retries: 2 makes three attempts; the registered count says 2 (Ansible 2.14's count).
      expect(files['gives-up']).toBe('x\nx\nx\n');
      expect(files['no-until']).toBe('x\n');
    }
  });
});

describe('environment (play, block, task)', () => {
  it('merged as ansible-playbook merges it', () => {
    const { ours, ansible } = compare(lab, 'environment.yml');
    expectSame(ours, ansible);
    for (const h of hosts) {
      const files = ours.files[h];
      expect(files['env-task']).toBe(`HX_BLOCK=2\nHX_OVER=task\nHX_PLAY=play\nHX_TASK=${h}\n`);
      expect(files['env-block']).toBe('HX_BLOCK=2\nHX_OVER=block\nHX_PLAY=play\n');
      expect(files['env-loop']).toBe('a\nb\n');
      expect(files['env-command']).toBe('play play\n');
    }
  });
});

describe('import_tasks / include_tasks', () => {
  it('file:, apply:, templated names and includes in handlers run as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'includes.yml');
    expectSame(ours, ansible);
    const [first, second] = hosts;
    const common = ['common imported none', 'common included applied'];
    const handlers = ['handler from import', 'handler from include'];
    expect(ours.files[first].order).toBe([...common, 'flavour a', ...handlers].join('\n') + '\n');
    expect(ours.files[second].order).toBe([...common, 'flavour b', ...handlers].join('\n') + '\n');
  });
});

describe('with_<lookup> loops and lookup()/query()', () => {
  it('items and lookups as ansible-playbook gives them', () => {
    const { ours, ansible } = compare(lab, 'loops.yml');
    // Ansible's fileglob gives the folder's order (Python's glob, unsorted); ours is sorted: compare as sets.
    const sortLines = (text: unknown) => String(text).split('\n').filter(Boolean).sort().join('\n');
    for (const h of hosts) {
      expect(sortLines(ours.files[h].fileglob)).toBe(sortLines(ansible.files[h].fileglob));
      ansible.files[h].fileglob = ours.files[h].fileglob;
    }
    expectSame(ours, ansible);
    for (const h of hosts) {
      const f = ours.files[h];
      expect(f.dict).toBe('b=2\na=1\n');
      expect(f.subelements).toBe('ann k1\nann k2\nbob k3\n');
      expect(f.together).toBe('1 a\n2 b\n3 \n'); // None prints as nothing (Ansible's finalize)
      expect(f.nested).toBe('x1\nx2\ny1\ny2\n');
      expect(f.sequence).toBe('n01\nn03\nn05\n');
      expect(f.fileglob).toBe('a.conf\nb.conf\n');
      expect(f.lines).toBe('l1\nl2\n');
      expect(f.first_found).toBe('b.conf\n');
      expect(f['lookups.json']).toEqual({ file: 'a', env: 'from-controller', pipe: 'piped', ff: 'a.conf', tpl: `hello ${h}\n`, q: ['1', '2'] });
    }
  });
});

describe('order, serial lists, any_errors_fatal, max_fail_percentage', () => {
  it('order: reverse_sorted with serial [1, "100%"]', () => {
    const { ours, ansible } = compare(lab, 'serial_order.yml');
    expectSame(ours, ansible);
    for (const h of hosts) expect(ours.files[h].batch).toBe(`${h}\n`);
    expect(ours.tasks).toEqual([`record the batch: ${hosts[1]}=changed`, `record the batch: ${hosts[0]}=changed`]);
  });

  it('any_errors_fatal stops every host, and later plays find none', () => {
    const { ours, ansible } = compare(lab, 'fatal.yml');
    expectSame(ours, ansible);
    expect(ours.code).toBe(2);
    for (const h of hosts) expect(Object.keys(ours.files[h])).toEqual(['before']);
  });

  it.each([
    ['max_fail.yml', []],
    ['max_fail_ok.yml', ['after-50']],
  ])('max_fail_percentage (%s)', (playbook, onFirst) => {
    const { ours, ansible } = compare(lab, playbook);
    expectSame(ours, ansible);
    expect(Object.keys(ours.files[hosts[0]])).toEqual(onFirst);
    expect(Object.keys(ours.files[hosts[1]])).toEqual([]);
  });
});

describe('run_once', () => {
  it('the first host runs it; every host gets its result, as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'run_once.yml');
    expectSame(ours, ansible);
    const [first, second] = hosts;
    expect(ours.files[first].ran).toBe(`${first}\n`);
    expect(ours.files[second].ran).toBeUndefined();
    for (const h of hosts) expect(ours.files[h]['seen.json']).toEqual({ stdout: first, picked: first });
  });
});
