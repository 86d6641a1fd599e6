/**
 * Pure parts of issue 15's second batch: fetch's controller destination (Ansible's fetch action
 * rules), getent's record shaping, tempfile's mktemp argv.
 */
import { describe, expect, it } from 'vitest';
import { fetchDestination, lowLevelResult, mktempArgv, parseGetent, scriptCommandLine, splitLines } from '../../src/index.js';

describe("fetchDestination (Ansible's fetch action)", () => {
  const base = { hostName: 'web1', baseDir: '/play', destIsDirectory: false, flat: false };
  it.each<[string, Partial<Parameters<typeof fetchDestination>[0]> & { src: string; dest: string }, ReturnType<typeof fetchDestination>]>([
    ['per host, full source path', { src: '/etc/hostname', dest: '/backup' }, { path: '/backup/web1/etc/hostname' }],
    ['per host, dest with a trailing slash', { src: '/etc/hostname', dest: '/backup/' }, { path: '/backup/web1/etc/hostname' }],
    ['per host, relative dest: the playbook folder', { src: '/etc/hostname', dest: 'fetched' }, { path: '/play/fetched/web1/etc/hostname' }],
    ['per host, relative src', { src: 'x/y', dest: '/b' }, { path: '/b/web1/x/y' }],
    ['flat: dest is the file', { src: '/etc/hostname', dest: '/b/hn.txt', flat: true }, { path: '/b/hn.txt' }],
    ['flat into a folder: trailing slash', { src: '/etc/hostname', dest: '/b/', flat: true, destIsDirectory: true }, { path: '/b/hostname' }],
    ['flat, relative', { src: '/etc/hostname', dest: 'out/', flat: true }, { path: '/play/out/hostname' }],
    [
      'flat onto an existing folder without the slash',
      { src: '/etc/hostname', dest: '/b', flat: true, destIsDirectory: true },
      { error: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory' },
    ],
    ['per host, src climbing out of the host folder', { src: '../../etc/passwd', dest: '/b' }, { error: "Detected directory traversal, expected to be contained in '/b' but got '/etc/passwd'" }],
  ])('%s', (_why, input, expected) => {
    expect(fetchDestination({ ...base, ...input })).toEqual(expected);
  });
});

describe("parseGetent (Ansible's getent shaping)", () => {
  it.each<[string, string, string, string | undefined, Record<string, unknown>]>([
    ['passwd splits at colons', 'root:x:0:0:root:/root:/bin/bash\n', 'passwd', undefined, { root: ['x', '0', '0', 'root', '/root', '/bin/bash'] }],
    ['group keeps empty member lists', 'adm:x:4:\n', 'group', undefined, { adm: ['x', '4', ''] }],
    ['hosts split at whitespace runs', '127.0.0.1       localhost\n::1 localhost ip6-localhost\n', 'hosts', undefined, {
      '127.0.0.1': ['localhost'],
      '::1': ['localhost', 'ip6-localhost'],
    }],
    ['a key seen twice becomes a list of records', 'ssh 22/tcp\nssh 22/udp\nssh 22/sctp\n', 'services', undefined, { ssh: [['22/tcp'], ['22/udp'], ['22/sctp']] }],
    ['split given', 'a,b,c\n', 'custom', ',', { a: ['b', 'c'] }],
  ])('%s', (_why, stdout, db, split, expected) => {
    expect(parseGetent(stdout, db, split)).toEqual(expected);
  });
});

describe('mktempArgv (Python mkstemp/mkdtemp names)', () => {
  it.each<[Parameters<typeof mktempArgv>[0], string[]]>([
    [{ state: 'file', prefix: 'ansible.', suffix: '' }, ['mktemp', '--tmpdir', '--', 'ansible.XXXXXXXX']],
    [{ state: 'directory', prefix: 'ansible.', suffix: 'build' }, ['mktemp', '-d', '--tmpdir', '--suffix=build', '--', 'ansible.XXXXXXXX']],
    [{ state: 'file', path: '/srv/t', prefix: 'x-', suffix: '.conf' }, ['mktemp', '--tmpdir=/srv/t', '--suffix=.conf', '--', 'x-XXXXXXXX']],
  ])('%j', (args, argv) => expect(mktempArgv(args)).toEqual(argv));
});

describe("splitLines (Python's str.splitlines) and raw's result", () => {
  it.each<[string, string[]]>([
    ['', []],
    ['a', ['a']],
    ['a\nb\n', ['a', 'b']],
    ['a\r\nb', ['a', 'b']],
    ['\n', ['']],
    ['a\n\nb\n', ['a', '', 'b']],
    ['a\rb', ['a', 'b']],
  ])('%j -> %j', (text, lines) => expect(splitLines(text)).toEqual(lines));

  it('is changed, and fails on a non-zero rc with Ansible\'s message', () => {
    expect(lowLevelResult({ code: 0, stdout: 'hi\n', stderr: '' })).toEqual({ changed: true, rc: 0, stdout: 'hi\n', stdout_lines: ['hi'], stderr: '', stderr_lines: [] });
    expect(lowLevelResult({ code: 3, stdout: '', stderr: 'no\n' })).toMatchObject({ changed: true, failed: true, msg: 'non-zero return code', rc: 3, stderr_lines: ['no'] });
  });
});

describe("scriptCommandLine (Ansible's script action)", () => {
  it.each<[string, string | undefined, string]>([
    ['files/run.sh', undefined, '/tmp/d/run.sh'],
    ['  run.sh --a "b c"  ', undefined, '/tmp/d/run.sh --a "b c"'],
    ['run.sh run.sh', undefined, '/tmp/d/run.sh /tmp/d/run.sh'],
    ['run.py -v', '/usr/bin/python3', '/usr/bin/python3 /tmp/d/run.py -v'],
  ])('%j (executable %s)', (text, executable, line) => {
    const uploaded = `/tmp/d/${text.trim().split(' ')[0].split('/').pop()}`;
    expect(scriptCommandLine(text, uploaded, executable)).toBe(line);
  });
});
