import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCommandLine } from '../../src/index.js';
import { becomeLine, effectiveBecome, interactiveSudoFlags, readsBecomePassword } from '../../src/command-line.js';
import { chmodSync, writeFileSync } from 'node:fs';

const hostile = [
  `it's`,
  `"double"`,
  'a; touch /tmp/haweb-pwned',
  '$(touch /tmp/haweb-pwned)',
  '`touch /tmp/haweb-pwned`',
  'line1\nline2\n',
  '$HOME ${PATH} \\ * ? [a] ~ & | > <',
  ' leading and trailing spaces ',
  '',
  '-n',
  'ünïcødé ✓',
];

/** Run a command line the way sshd does: handed to the login shell with -c. */
function runLikeSshd(line: string, input?: string): { code: number; stdout: string } {
  const r = spawnSync('sh', ['-c', line], { input, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout };
}

describe('buildCommandLine', () => {
  it.each([
    [{ argv: ['ls', '-l'] }, {}, 'ls -l'],
    [{ argv: ['echo', 'a b'] }, {}, "echo 'a b'"],
    [{ script: 'echo hi; echo there' }, {}, "sh -c 'echo hi; echo there'"],
    [{ argv: ['pwd'] }, { cwd: '/etc' }, 'cd /etc && pwd'],
    // Ansible's sudo line: its default flags, then the user.
    [{ argv: ['id'] }, { become: true }, 'sudo -H -S -n -u root -- sh -c id'],
    [{ argv: ['id'] }, { become: true, user: 'root' }, 'id'],
    [{ argv: ['sleep', '9'] }, { timeoutMs: 1500 }, 'timeout -k 5 2 sleep 9'],
    [{ argv: ['env'] }, { env: { A: 'x y' } }, "env 'A=x y' env"],
    [{ argv: ['pwd'] }, { cwd: '/my dir', become: true }, `sudo -H -S -n -u root -- sh -c 'cd '\\''/my dir'\\'' && pwd'`],
  ] as const)('%j %j -> %s', (command, opts, expected) => {
    expect(buildCommandLine(command, { user: 'deploy', ...opts })).toBe(expected);
  });

  it('rejects an invalid environment variable name', () => {
    expect(() => buildCommandLine({ argv: ['true'] }, { user: 'root', env: { 'A;rm': 'x' } })).toThrow(/invalid environment/);
  });

  it.each(hostile)('hostile argv value %j reaches the command verbatim', (value) => {
    const line = buildCommandLine({ argv: ['printf', '%s', value] }, { user: 'root' });
    expect(runLikeSshd(line).stdout).toBe(value);
  });

  it.each(hostile)('hostile value %j in cwd, env and under sudo-style wrapping stays data', (value) => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-q-'));
    const sub = join(dir, value.replace(/\//g, '_') || 'empty');
    execFileSync('mkdir', ['-p', '--', sub]);
    const line = buildCommandLine(
      { script: 'printf "%s|" "$V"; pwd' },
      { user: 'root', cwd: sub, env: { V: value }, timeoutMs: 20_000 },
    );
    expect(runLikeSshd(line).stdout).toBe(`${value}|${sub}\n`);
  });

  it('a missing cwd fails the command instead of running it elsewhere', () => {
    const r = runLikeSshd(buildCommandLine({ argv: ['echo', 'ran'] }, { user: 'root', cwd: '/nonexistent/haweb' }));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });

  it('timeout exits 124', () => {
    const r = runLikeSshd(buildCommandLine({ argv: ['sleep', '5'] }, { user: 'root', timeoutMs: 1000 }));
    expect(r.code).toBe(124);
  });
});

describe('become as another user (become_user, become_method, become_flags, become_exe)', () => {
  it.each([
    [{ user: 'www-data', method: 'sudo' }, 'deploy', 'sudo -H -S -n -u www-data -- sh -c id'],
    [{ user: 'www-data', method: 'sudo', flags: '-E' }, 'root', 'sudo -E -u www-data -- sh -c id'],
    [{ user: 'root', method: 'sudo', exe: '/usr/local/bin/sudo', flags: '-H  -n' }, 'deploy', '/usr/local/bin/sudo -H -n -u root -- sh -c id'],
    [{ user: 'www-data', method: 'su' }, 'root', "su www-data -c 'sh -c id'"],
    [{ user: 'app', method: 'su', flags: '-m', password: 'ignored by root' }, 'root', "su -m app -c 'sh -c id'"],
    [{ user: "it's", method: 'sudo' }, 'root', `sudo -H -S -n -u 'it'\\''s' -- sh -c id`],
  ] as const)('%j from %s -> %s', (become, login, expected) => {
    expect(buildCommandLine({ argv: ['id'] }, { user: login, become })).toBe(expected);
  });

  it.each([
    [true, 'root', undefined],
    [true, 'deploy', { user: 'root', method: 'sudo' }],
    [{ user: 'deploy', method: 'sudo' }, 'deploy', undefined],
    [false, 'deploy', undefined],
    [undefined, 'deploy', undefined],
  ] as const)('effective become of %j for login %s: %j', (become, login, expected) => {
    expect(effectiveBecome(become, login)).toEqual(expected);
  });

  it.each([
    ['-H -S -n', ['-H', '-S']],
    ['-Hn -S', ['-H', '-S']],
    ['-n', []],
    ['--non-interactive -E', ['-E']],
    ['-nH', ['-H']],
    ['--preserve-env=PATH', ['--preserve-env=PATH']],
  ])('with a password, sudo flags %j become %j (as Ansible drops -n)', (flags, expected) => {
    expect(interactiveSudoFlags(flags)).toEqual(expected);
  });

  it('the password is read from stdin only where a prompt can come', () => {
    expect(readsBecomePassword({ user: 'x', method: 'su', password: 'p' }, 'root')).toBe(false);
    expect(readsBecomePassword({ user: 'x', method: 'su', password: 'p' }, 'deploy')).toBe(true);
    expect(readsBecomePassword({ user: 'x', method: 'sudo', password: 'p' }, 'root')).toBe(true);
    expect(readsBecomePassword({ user: 'x', method: 'sudo' }, 'deploy')).toBe(false);
  });

  it('the password never appears in the command line', () => {
    for (const method of ['sudo', 'su'] as const) {
      const line = buildCommandLine({ argv: ['id'] }, { user: 'deploy', become: { user: 'root', method, password: 's3cr3t-pw' } });
      expect(line).not.toContain('s3cr3t-pw');
    }
  });

  /**
   * Stand-ins for sudo and su that behave as the real ones do with a piped password: with FAKE_NEEDPW=1
   * `sudo -n` refuses, `sudo -S` and `su` read one line and compare it; then they run the command.
   */
  const fakes = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-become-'));
    const sudo = join(dir, 'sudo');
    writeFileSync(
      sudo,
      [
        '#!/bin/sh',
        'n=0',
        'while [ $# -gt 0 ]; do case "$1" in -n) n=1;; -p|-u) shift;; --) shift; break;; -*) ;; *) break;; esac; shift; done',
        'if [ "$FAKE_NEEDPW" = 1 ]; then',
        '  [ $n = 1 ] && { echo "sudo: a password is required" >&2; exit 1; }',
        '  IFS= read -r got || exit 1',
        '  [ "$got" = "$FAKE_PW" ] || { echo "Sorry, try again." >&2; exit 1; }',
        'fi',
        'exec "$@"',
      ].join('\n'),
    );
    const su = join(dir, 'su');
    writeFileSync(
      su,
      [
        '#!/bin/sh',
        'while [ "$1" != "-c" ]; do shift; done',
        'printf "Password: " >&2',
        'IFS= read -r got || exit 1',
        '[ "$got" = "$FAKE_PW" ] || { echo "su: Authentication failure" >&2; exit 1; }',
        'exec sh -c "$2"',
      ].join('\n'),
    );
    chmodSync(sudo, 0o755);
    chmodSync(su, 0o755);
    return { sudo, su };
  })();

  function runBecome(method: 'sudo' | 'su', password: string, needPassword: boolean, input: string) {
    const line = buildCommandLine(
      { script: 'echo "out:$(cat)"; echo err >&2; exit 3' },
      { user: 'deploy', become: { user: 'root', method, password, exe: fakes[method] } },
    );
    const r = spawnSync('sh', ['-c', line], {
      input: `${password}\n${input}`,
      encoding: 'utf8',
      env: { ...process.env, FAKE_PW: 'right-pw', FAKE_NEEDPW: needPassword ? '1' : '0' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it.each(['sudo', 'su'] as const)('%s with the right password: the command gets only the input after it, its own stderr and exit code', (method) => {
    expect(runBecome(method, 'right-pw', true, 'line1\nline2')).toEqual({ code: 3, stdout: 'out:line1\nline2\n', stderr: 'err\n' });
  });

  it('sudo that asks no password (NOPASSWD): the password line is not the command\'s input', () => {
    expect(runBecome('sudo', 'right-pw', false, 'data')).toEqual({ code: 3, stdout: 'out:data\n', stderr: 'err\n' });
  });

  it.each([
    ['the become user ran it', true, 'MARK\nerr\n'],
    ['the program does not exist', false, ''],
  ] as const)('the become marker shows on stderr only when %s', (_what, exists, markerShown) => {
    const line = buildCommandLine(
      { script: 'echo err >&2' },
      { user: 'deploy', become: { user: 'root', method: 'sudo', exe: exists ? fakes.sudo : '/nonexistent/sudo' }, becomeMarker: 'MARK' },
    );
    const r = spawnSync('sh', ['-c', line], { encoding: 'utf8', env: { ...process.env, FAKE_NEEDPW: '0' } });
    if (exists) expect(r.stderr).toBe(markerShown);
    else expect(r.stderr).not.toContain('MARK');
  });

  it.each(['sudo', 'su'] as const)('%s with a wrong password: a clear message, the command never runs', (method) => {
    const r = runBecome(method, 'wrong-pw', true, 'right-pw\n');
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Incorrect ${method} password`);
    expect(r.stderr).not.toContain('wrong-pw');
    expect(r.code).not.toBe(0);
  });
});
