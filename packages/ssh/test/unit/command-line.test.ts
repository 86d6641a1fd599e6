import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCommandLine } from '../../src/index.js';

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
    [{ argv: ['id'] }, { become: true }, "sudo -n -H -- sh -c id"],
    [{ argv: ['id'] }, { become: true, user: 'root' }, 'id'],
    [{ argv: ['sleep', '9'] }, { timeoutMs: 1500 }, 'timeout -k 5 2 sleep 9'],
    [{ argv: ['env'] }, { env: { A: 'x y' } }, "env 'A=x y' env"],
    [{ argv: ['pwd'] }, { cwd: '/my dir', become: true }, `sudo -n -H -- sh -c 'cd '\\''/my dir'\\'' && pwd'`],
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
