/**
 * The one apply step: what reaches the host (round trips, order), what check mode says without
 * touching it, and how a failing step is reported, table by table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCommands, applySteps, planFileWrite, runPlan, type Step } from '../../src/index.js';
import { CommandFailed } from '../../src/util/run.js';
import { FakeHost, fakeContext } from '../../src/testing/index.js';

const run = (argv: string[], why = 'w', detach = false): Step => ({ kind: 'run', argv, why, ...(detach ? { detach } : {}) });

describe('applySteps: round trips', () => {
  const cases: Array<[string, Step[], boolean, string[]]> = [
    ['one run step: its argv', [run(['chmod', '0644', '--', '/a'])], false, ['chmod 0644 -- /a']],
    ['run steps apart', [run(['mkdir', '-p', '--', '/d']), run(['chown', 'www-data', '--', '/d'])], false, ['mkdir -p -- /d', 'chown www-data -- /d']],
    ['run steps together: one script', [run(['mkdir', '-p', '--', '/d']), run(['chown', 'www-data', '--', '/d'])], true, ['mkdir -p -- /d && chown www-data -- /d']],
    [
      'a file step splits the together batches',
      [run(['cp', '-p', '--', '/f', '/f~']), { kind: 'file', path: '/f', content: 'x', mode: '0600', why: 'f', parents: false }, run(['chmod', 'u+x', '--', '/f'])],
      true,
      ["cp -p -- /f '/f~'", 'writeFile /f 0600', 'chmod u+x -- /f'],
    ],
    ['a file step makes its folder first', [{ kind: 'file', path: '/etc/x/y.conf', content: 'x', mode: '0644', why: 'y' }], false, ['mkdir -p /etc/x', 'writeFile /etc/x/y.conf 0644']],
  ];
  it.each(cases)('%s', async (_name, steps, together, log) => {
    const host = new FakeHost().file('/a', '').file('/f', '');
    const res = await applySteps(fakeContext(host), steps, { together });
    expect(res.changed).toBe(true);
    expect(host.log).toEqual(log);
  });

  it('detached steps go together only with detached ones, each batch wrapped once', async () => {
    const host = new FakeHost();
    await applySteps(fakeContext(host), [run(['update-rc.d', 'x', 'defaults']), run(['service', 'x', 'start'], 'w', true), run(['service', 'y', 'start'], 'w', true)], { together: true });
    expect(host.log).toHaveLength(2);
    expect(host.log[0]).toBe('update-rc.d x defaults');
    expect(host.log[1]).toContain('( service x start && service y start ) >"$out" 2>&1 </dev/null');
  });
});

describe('applySteps: check mode and diff', () => {
  it('check mode runs nothing and says what it would do, with the diffs of the files', async () => {
    const host = new FakeHost();
    const steps: Step[] = [{ kind: 'file', path: '/etc/a', content: 'new\n', mode: '0644', why: 'write a' }, run(['systemctl', 'daemon-reload'], 'reload')];
    const res = await applySteps(fakeContext(host, { check: true, diff: true }), steps, { before: { '/etc/a': 'old\n' } });
    expect(host.log).toEqual([]);
    expect(res).toMatchObject({ changed: true, msg: 'would: write a; reload', diff: [{ before: 'old\n', after: 'new\n', beforeHeader: '/etc/a' }] });
  });

  const msgs: Array<[string, { msg?: string; checkMsg?: string }, string]> = [
    ['the reasons', {}, 'would: a; b'],
    ['would + msg', { msg: 'install x' }, 'would install x'],
    ['checkMsg as given', { msg: 'mode 0644 -> 0600', checkMsg: 'mode 0644 -> 0600' }, 'mode 0644 -> 0600'],
  ];
  it.each(msgs)('check-mode message: %s', async (_n, options, want) => {
    const res = await applySteps(fakeContext(new FakeHost(), { check: true }), [run(['x'], 'a'), run(['y'], 'b')], { ...options, result: { name: 'x' } });
    expect(res).toEqual({ changed: true, msg: want, name: 'x' });
  });

  it('no steps: unchanged, with the declared result keys', async () => {
    expect(await applySteps(fakeContext(new FakeHost()), [], { result: { path: '/p' } })).toEqual({ changed: false, path: '/p' });
  });
});

describe('applySteps: failures', () => {
  it('stops at the failing step; changed says whether an earlier one ran', async () => {
    const host = new FakeHost().on(/^false/, { code: 3, stderr: 'boom\n' });
    const first = await applySteps(fakeContext(host), [run(['false'], 'first')]);
    expect(first).toMatchObject({ changed: false, failed: true, rc: 3, msg: 'first: false: exit 3: boom' });
    const second = await applySteps(fakeContext(host), [run(['true'], 'ok'), run(['false'], 'second'), run(['never'])]);
    expect(second).toMatchObject({ changed: true, failed: true, rc: 3 });
    expect(host.log).not.toContain('never');
  });

  it('a refused validation keeps the old file and says so', async () => {
    const host = new FakeHost().file('/etc/app.conf', 'old\n').on(/^check /, { code: 1, stdout: 'line 1: bad\n' });
    const steps: Step[] = [{ kind: 'file', path: '/etc/app.conf', content: 'bad\n', why: 'conf', validate: { command: 'check %s', candidate: '/etc/.app.conf.new' } }];
    const res = await applySteps(fakeContext(host), steps, { failure: (f) => (f.refused ? `refused: ${f.result.stdout.trim()}` : 'other') });
    expect(res).toMatchObject({ failed: true, rc: 1, msg: 'refused: line 1: bad' });
    expect(host.text('/etc/app.conf')).toBe('old\n');
    expect(host.files.has('/etc/.app.conf.new')).toBe(false);
  });

  it('applyCommands and runPlan keep the modules\' wording (one round trip)', async () => {
    const host = new FakeHost().on(/chown/, { code: 1, stderr: "chown: invalid user: 'nobody2'" });
    const res = await applyCommands(fakeContext(host), [{ argv: ['chmod', '0600', '--', '/f'] }, { argv: ['chown', 'nobody2', '--', '/f'] }], { msg: 'attrs' });
    expect(res).toMatchObject({ failed: true, msg: "chmod 0600 -- /f && chown nobody2 -- /f failed (rc=1): chown: invalid user: 'nobody2'" });
    await expect(runPlan(fakeContext(host), [{ argv: ['chown', 'nobody2', '--', '/f'] }])).rejects.toBeInstanceOf(CommandFailed);
    const quiet = new FakeHost();
    await runPlan(fakeContext(quiet, { check: true }), [{ argv: ['rm', '-f', '--', '/f'] }]);
    expect(quiet.log).toEqual([]);
  });
});

describe('applySteps: streamed steps, probes and guarded steps (installers)', () => {
  const local = mkdtempSync(join(tmpdir(), 'apply-test-'));
  afterAll(() => rmSync(local, { recursive: true, force: true }));

  it('a streamed step gets its output as it comes, after its progress and before-hook; its own timeout wins', async () => {
    const host = new FakeHost().on(/^make/, { stdout: 'cc a.o\ncc b.o\n' });
    const ctx = fakeContext(host);
    const seen: string[] = [];
    const steps: Step[] = [
      { kind: 'script', script: 'make 2>&1', why: 'compile', progress: 'building', before: () => seen.push('before'), onOutput: (c) => seen.push(c), timeoutMs: 3_600_000 },
      { kind: 'script', script: 'true', why: 'no limit', timeoutMs: 0 },
      run(['echo'], 'default'),
    ];
    const res = await applySteps(ctx, steps, { timeoutMs: 5_000 });
    expect(res).toMatchObject({ changed: true, msg: 'compile; no limit; default' });
    expect(ctx.progressLog).toEqual(['building']);
    expect(seen).toEqual(['before', 'cc a.o\ncc b.o\n']);
    expect(host.runs.map((r) => r.options.timeoutMs)).toEqual([3_600_000, undefined, 5_000]);
  });

  it('a probe that may fail hands its result on; a later step decides from it whether it runs', async () => {
    const cases: Array<[string, string[]]> = [
      ['abc', ['sha256sum /f', 'make']],
      ['old', ['sha256sum /f', 'mkdir -p /d', `putFile ${join(local, 'f')} /d/f`, 'make']],
    ];
    writeFileSync(join(local, 'f'), 'tarball');
    for (const [sum, want] of cases) {
      const host = new FakeHost().on(/^sha256sum/, { code: 1, stdout: `${sum}\n` });
      let onHost = '';
      const send = () => onHost !== 'abc';
      const steps: Step[] = [
        { kind: 'script', script: 'sha256sum /f', why: 'probe', mayFail: true, onResult: (r) => (onHost = r.stdout.trim()) },
        { kind: 'run', argv: ['mkdir', '-p', '/d'], why: 'dir', when: send },
        { kind: 'put', local: join(local, 'f'), path: '/d/f', mode: '0644', why: 'upload', when: send },
        { kind: 'script', script: 'make', why: 'build' },
      ];
      const res = await applySteps(fakeContext(host), steps);
      expect(res.failed).toBeUndefined();
      expect(host.log).toEqual(want);
    }
  });

  it('a put step makes its local file first (prepare), then tells its progress; check mode calls none of the hooks', async () => {
    const order: string[] = [];
    const host = new FakeHost();
    const ctx = fakeContext(host);
    const steps: Step[] = [
      {
        kind: 'put',
        local: join(local, 'pack.tgz'),
        path: '/opt/x.tgz',
        mode: '0644',
        why: 'upload',
        progress: 'uploading',
        // The file does not exist until prepare makes it: the upload proves the order.
        prepare: async () => {
          order.push('pack');
          writeFileSync(join(local, 'pack.tgz'), 'packed');
        },
      },
      { kind: 'script', script: 'tar', why: 'extract', before: () => order.push('before'), onResult: () => order.push('result'), when: () => {
        order.push('when');
        return true;
      } },
    ];
    await applySteps(ctx, steps);
    expect(order).toEqual(['pack', 'when', 'before', 'result']);
    expect(ctx.progressLog).toEqual(['uploading']);
    expect(host.log).toEqual([`putFile ${join(local, 'pack.tgz')} /opt/x.tgz`, 'tar']);
    expect(host.text('/opt/x.tgz')).toBe('packed');

    order.length = 0;
    const quiet = new FakeHost();
    const checked = fakeContext(quiet, { check: true });
    expect(await applySteps(checked, steps)).toEqual({ changed: true, msg: 'would: upload; extract' });
    expect(order).toEqual([]);
    expect(checked.progressLog).toEqual([]);
    expect(quiet.log).toEqual([]);
  });

  it('steps with hooks are never joined into a together batch', async () => {
    const host = new FakeHost();
    await applySteps(fakeContext(host), [run(['a']), { kind: 'run', argv: ['b'], why: 'w', timeoutMs: 1_000 }, run(['c']), run(['d'])], { together: true });
    expect(host.log).toEqual(['a', 'b', 'c && d']);
  });
});

describe('planFileWrite', () => {
  const existing = { type: 'file' as const, mode: 0o640, owner: 'root', group: 'adm', uid: 0, gid: 4, size: 3, mtime: 0 };
  const at = new Date(2026, 11, 5, 15, 4, 5);
  const cases: Array<[string, Parameters<typeof planFileWrite>[1], Parameters<typeof planFileWrite>[2], string[]]> = [
    ['new file, octal mode', undefined, { mode: '0600' }, ['write /f 0600']],
    ['new file, symbolic mode after the write', undefined, { mode: 'u=rw,g=r' }, ['write /f', 'chmod u=rw,g=r -- /f']],
    ['replaced, symbolic mode resolved on the old bits', existing, { mode: 'g-r' }, ['write /f 0600']],
    ['backup first', existing, { backup: true }, ['cp -p -- /f /f.2026-12-05@15:04:05~', 'write /f']],
  ];
  it.each(cases)('%s', (_n, info, opts, want) => {
    const plan = planFileWrite('/f', info, opts, 'x', at, 'tok');
    expect(plan.steps.map((s) => (s.kind === 'run' ? s.argv.join(' ') : s.kind === 'file' ? `write ${s.path}${s.mode ? ` ${s.mode}` : ''}` : s.kind))).toEqual(want);
  });

  it('validated: the candidate carries the final attributes (the old ones where none asked)', () => {
    const plan = planFileWrite('/etc/f', existing, { validate: 'check %s' }, 'x', at, 'tok');
    expect(plan.steps).toEqual([
      { kind: 'file', path: '/etc/f', content: 'x', why: 'file replaced', parents: false, mode: '0640', owner: 'root', group: 'adm', validate: { command: 'check %s', candidate: '/etc/.f.haweb-validate-tok' } },
    ]);
  });
});
