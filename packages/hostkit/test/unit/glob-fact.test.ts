/** globMatches and directoryExists (command/shell's creates/removes and chdir), run under a real sh. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryExists, globMatches } from '../../src/facts/files.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-glob-'));
mkdirSync(join(dir, 'sub dir'));
writeFileSync(join(dir, 'sub dir', 'afile.txt'), 'x');
writeFileSync(join(dir, "it's"), 'x');
writeFileSync(join(dir, '.hidden'), 'x');

const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' }).stdout;

describe('globMatches under sh', () => {
  it.each([
    [`${dir}/sub dir/afile.*`, true],
    [`${dir}/sub dir/afile.t?t`, true],
    [`${dir}/sub dir/afile.[tx]xt`, true],
    [`${dir}/sub dir/bfile.*`, false],
    [`${dir}/*/afile.txt`, true],
    [`${dir}/it's`, true],
    [`${dir}/it*`, true],
    [`${dir}/$(touch x)*`, false],
    [`${dir}/sub dir/afile.txt`, true],
    [`${dir}/nothing`, false],
  ])('%s: %s', (pattern, expected) => {
    expect(globMatches.parse(sh(globMatches.command({ pattern })), 0, { pattern })).toBe(expected);
  });

  it.each([
    [join(dir, 'sub dir'), true],
    [join(dir, "it's"), false],
    [join(dir, 'none'), false],
  ])('directoryExists %s: %s', (path, expected) => {
    expect(directoryExists.parse(sh(directoryExists.command({ path })), 0, { path })).toBe(expected);
  });
});
