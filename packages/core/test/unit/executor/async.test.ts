import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModuleResult } from '../../../src/contract/module.js';
import {
  cleanupScript,
  fromStatusFile,
  jobState,
  newJobId,
  parseJobFiles,
  readScript,
  startScript,
  startedResult,
  statusResult,
  validJobId,
  watchdogSeconds,
} from '../../../src/executor/async.js';

describe('job ids', () => {
  it("look like Ansible's and are safe in a path", () => {
    const jid = newJobId();
    expect(jid).toMatch(/^j\d{12}\.\d+$/);
    expect(validJobId(jid)).toBe(true);
  });
  it.each(['../x', 'a/b', '', '.', '..', 'a b', '$(id)'])('refuses %j', (jid) => expect(validJobId(jid)).toBe(false));
});

describe('watchdogSeconds (async_wrapper: a first 5 s, then 5 s steps until the limit is used up)', () => {
  it.each([
    [1, 10],
    [2, 10],
    [5, 10],
    [6, 15],
    [30, 35],
    [0, 10],
  ])('async %i: killed after %i s', (limit, seconds) => expect(watchdogSeconds(limit)).toBe(seconds));
});

describe('jobState (what the job files say)', () => {
  const files = (entries: Record<string, string>) => new Map(Object.entries(entries));
  const started = JSON.stringify({ started: 1, finished: 0, ansible_job_id: 'j1.2' });
  const job = JSON.stringify({ module: 'shell', args: { cmd: 'echo hi' } });
  it.each<[string, Record<string, string>, unknown]>([
    ['no status file', {}, { state: 'missing' }],
    ['started only', { '': started, '.job': job }, { state: 'running' }],
    ['an empty status file (being written)', { '': '' }, { state: 'running' }],
    ['garbage', { '': 'oops' }, { state: 'broken', reason: 'could not parse job output: oops' }],
    ['a final result', { '': '{"changed":true,"rc":0}' }, { state: 'final', result: { changed: true, rc: 0 } }],
    ['killed by the watchdog', { '': started, '.timeout': '' }, { state: 'timedout' }],
    [
      'the command ended',
      { '': started, '.job': job, '.start': '2026-12-05T15:00:00.000Z\n', '.rc': '3 2026-12-05T15:00:02.500Z\n', '.out': 'hi\n', '.err': '' },
      { state: 'ended', module: 'shell', args: { cmd: 'echo hi' }, outcome: { rc: 3, stdout: 'hi\n', stderr: '', start: '2026-12-05T15:00:00.000Z', end: '2026-12-05T15:00:02.500Z' } },
    ],
    ['ended and timed out at once: the exit code wins', { '': started, '.job': job, '.rc': '0 2026-12-05T15:00:02Z', '.timeout': '' }, { state: 'ended', module: 'shell', args: { cmd: 'echo hi' }, outcome: { rc: 0, stdout: '', stderr: '', start: '2026-12-05T15:00:02Z', end: '2026-12-05T15:00:02Z' } }],
    ['a bad exit record', { '': started, '.rc': 'x' }, { state: 'broken', reason: 'bad exit record: "x"' }],
    ['no job record', { '': started, '.rc': '0 t' }, { state: 'broken', reason: 'the job record (.job) is missing or unreadable' }],
  ])('%s', (_name, entries, expected) => expect(jobState(files(entries))).toEqual(expected));
});

describe("results as Ansible's async action gives them", () => {
  it('poll: 0', () => {
    expect(startedResult('j1.2', '/root/.ansible_async')).toEqual({ changed: true, failed: 0, started: 1, finished: 0, ansible_job_id: 'j1.2', results_file: '/root/.ansible_async/j1.2' });
  });
  it('status and cleanup add empty output and the job path', () => {
    const empty = { stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };
    expect(statusResult('j1', '/h/j1', 'status', { finished: 0 })).toEqual({ changed: false, started: 1, finished: 0, ansible_job_id: 'j1', results_file: '/h/j1', ...empty });
    expect(statusResult('j1', '/h/j1', 'cleanup', {})).toEqual({ changed: false, started: 0, finished: 0, ansible_job_id: 'j1', erased: '/h/j1', ...empty });
    expect(statusResult('j1', '/h/j1', 'status', { changed: true, stdout: 'x', finished: 1 })).toMatchObject({ changed: true, stdout: 'x', finished: 1, started: 1 });
  });
});

describe('the job scripts under a real sh', () => {
  let home: string | undefined;
  afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
    home = undefined;
  });
  const sh = (script: string, input = '') => execFileSync('sh', ['-c', script], { encoding: 'utf8', input, env: { ...process.env, HOME: home } });
  const waitFor = (path: string) => {
    // Bounded: at most 400 looks, 50 ms apart.
    for (let i = 0; i < 400; i++) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        execFileSync('sleep', ['0.05']);
      }
    }
    throw new Error(`${path} never appeared`);
  };

  it('start returns before the command ends; its output, exit code and times land in the job files', { timeout: 60_000 }, () => {
    home = mkdtempSync(join(tmpdir(), 'haweb-async-'));
    const gate = join(home, 'gate');
    const jid = 'j000000000001.1';
    // The command waits for a file the test writes only after start returned: it cannot have ended.
    const out = sh(
      startScript(jid, 10, { command: { script: `while ! test -e '${gate}'; do sleep 0.05; done; echo "it's out"; echo err >&2; exit 4` } }),
      '{"module":"shell","args":{}}',
    );
    const dir = out.trim();
    expect(dir).toBe(join(home, '.ansible_async'));
    const running = parseJobFiles(sh(readScript(jid)));
    expect(running.dir).toBe(dir);
    expect(jobState(running.files)).toEqual({ state: 'running' });
    writeFileSync(gate, '');
    waitFor(join(dir, `${jid}.rc`));
    const st = jobState(parseJobFiles(sh(readScript(jid))).files);
    expect(st).toMatchObject({ state: 'ended', module: 'shell', outcome: { rc: 4, stdout: "it's out\n", stderr: 'err\n' } });
    expect(sh(cleanupScript(jid)).trim()).toBe(dir);
    expect(sh(cleanupScript(jid)).split('\n')[1]).toBe('missing');
    expect(jobState(parseJobFiles(sh(readScript(jid))).files)).toEqual({ state: 'missing' });
  });

  it('an argv runs quoted, in its folder; a result with nothing to run is recorded as final', { timeout: 60_000 }, () => {
    home = mkdtempSync(join(tmpdir(), 'haweb-async-'));
    const jid = 'j000000000002.1';
    sh(startScript(jid, 10, { command: { argv: ['sh', '-c', 'pwd; echo "$1"', 'x', '$(id) ; `id`'] }, cwd: '/tmp' }), '{}');
    waitFor(join(home, '.ansible_async', `${jid}.rc`));
    expect(jobState(parseJobFiles(sh(readScript(jid))).files)).toMatchObject({ state: 'ended', outcome: { rc: 0, stdout: '/tmp\n$(id) ; `id`\n' } });
    const skipped = 'j000000000003.1';
    sh(startScript(skipped, 10, { result: { changed: false, msg: "it's there" } }), '{}');
    expect(jobState(parseJobFiles(sh(readScript(skipped))).files)).toEqual({ state: 'final', result: { changed: false, msg: "it's there" } });
  });

  it.each([
    ['~/.ansible_async_test', (h: string) => join(h, '.ansible_async_test')],
    ['~/with space/$(id)', (h: string) => join(h, 'with space', '$(id)')],
  ])('async_dir %j: the job folder (tilde from the host)', (asyncDir, where) => {
    home = mkdtempSync(join(tmpdir(), 'haweb-async-'));
    const jid = 'j000000000005.1';
    const dir = sh(startScript(jid, 10, { result: { changed: true } }, asyncDir), '{}').trim();
    expect(dir).toBe(where(home));
    expect(jobState(parseJobFiles(sh(readScript(jid, asyncDir))).files)).toEqual({ state: 'final', result: { changed: true } });
    expect(jobState(parseJobFiles(sh(readScript(jid))).files)).toEqual({ state: 'missing' });
    expect(sh(cleanupScript(jid, asyncDir)).trim()).toBe(where(home));
  });

  it('a job the controller drives: "started" until its result is written into the status file', { timeout: 60_000 }, () => {
    home = mkdtempSync(join(tmpdir(), 'haweb-async-'));
    const jid = 'j000000000004.1';
    const dir = sh(startScript(jid, 10, { controller: true }), '{"module":"file","args":{}}').trim();
    expect(jobState(parseJobFiles(sh(readScript(jid))).files)).toEqual({ state: 'running' });
    writeFileSync(join(dir, jid), JSON.stringify({ changed: true, failed: false, diff: { before: { state: 'absent' }, after: { state: 'touch' } } }) + '\n');
    const st = jobState(parseJobFiles(sh(readScript(jid))).files);
    expect(st).toEqual({ state: 'final', result: { changed: true, failed: false, diff: { before: { state: 'absent' }, after: { state: 'touch' } } } });
    // Ansible's diff shape, read back: kept as ansibleDiff (registered as diff), never shown as text pairs.
    expect(fromStatusFile((st as { result: ModuleResult }).result)).toEqual({ changed: true, failed: false, ansibleDiff: { before: { state: 'absent' }, after: { state: 'touch' } } });
    expect(fromStatusFile({ changed: true, diff: [{ before: 'a', after: 'b' }] })).toEqual({ changed: true, diff: [{ before: 'a', after: 'b' }] });
  });
});

describe('validation of async', () => {
  it('accepts async on any module (one command on the host, steps driven from the controller, or refused when it runs)', async () => {
    const { prepareRun } = await import('../../../src/validate/index.js');
    const { formatDiagnostic } = await import('../../../src/model.js');
    const { testRegistry } = await import('../../fixtures/registry.js');
    const registry = testRegistry();
    const shell = registry.get('shell')!;
    registry.register({ ...shell, name: 'bg_shell', aliases: [], background: { prepare: async () => ({ result: { changed: false } }), finish: () => ({ changed: true }) } });
    const dir = mkdtempSync(join(tmpdir(), 'haweb-async-validate-'));
    try {
      const playbook = join(dir, 'site.yml');
      writeFileSync(
        playbook,
        ['- hosts: all', '  tasks:', '    - copy: { dest: /x, content: x }', '      async: 10', '    - bg_shell: sleep 1', '      async: "{{ limit }}"', '      poll: 0', ''].join('\n'),
      );
      const run = prepareRun({ playbook, inventory: join(__dirname, '../../fixtures/inventory/ini/hosts'), registry });
      expect(run.diagnostics.map((d) => formatDiagnostic(d).replace(dir + '/', ''))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
