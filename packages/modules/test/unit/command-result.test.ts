/** command/shell results as Ansible's command module builds them (pure parts). */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { physicalDirectory, stdinFor, stripEmptyEnds } from '../../src/util/command-result.js';
import { commandOf } from '../../src/modules/command.js';

describe('command results', () => {
  it.each([
    ['hello \n \r', 'hello \n '],
    ['hello \n \r\n', 'hello \n '],
    ['a\n\n', 'a'],
    ['a', 'a'],
    ['', ''],
  ])('strip_empty_ends: %j -> %j', (text, expected) => expect(stripEmptyEnds(text)).toBe(expected));

  it.each([
    [{ stdin: 'foobar' }, 'foobar\n'],
    [{ stdin: 'a\n' }, 'a\n\n'],
    [{ stdin: 'a', stdinAddNewline: false }, 'a'],
    [{ stdin: '' }, ''],
    [{}, undefined],
  ])('stdin %j -> %j', (opts, expected) => expect(stdinFor(opts)).toBe(expected));

  it.each([
    [{ cmd: 'echo "a b" c' }, { argv: ['echo', 'a b', 'c'], display: ['echo', 'a b', 'c'] }],
    [{ argv: ['echo', 'testing'] }, { argv: ['echo', 'testing'], display: ['echo', 'testing'] }],
    [{}, { error: 'no command given', rc: 256 }],
    [{ cmd: '  ' }, { error: 'no command given', rc: 256 }],
    [{ cmd: 'echo', argv: ['echo'] }, { error: 'only command or argv can be given, not both', rc: 256 }],
  ])('command %j', (args, expected) => expect(commandOf(args)).toEqual(expected));

  it('in chdir, $PWD is the physical path (as after os.chdir), for a script and for an argv', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'haweb-pwd-')));
    mkdirSync(join(dir, 'www_root', 'site'), { recursive: true });
    symlinkSync(join(dir, 'www_root'), join(dir, 'www'));
    const run = (c: { script: string }) => spawnSync('sh', ['-c', c.script], { cwd: join(dir, 'www', 'site'), env: { ...process.env, PWD: join(dir, 'www', 'site') }, encoding: 'utf8' }).stdout.trim();
    expect(run(physicalDirectory({ script: 'dirname "$PWD"' }) as { script: string })).toBe(join(dir, 'www_root'));
    expect(run(physicalDirectory({ argv: ['sh', '-c', 'echo "$PWD"'] }) as { script: string })).toBe(join(dir, 'www_root', 'site'));
  });
});
