import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modeMismatchTests, treeMismatch } from '../../src/index.js';

/** A real tree, checked by the real find(1), as the host would. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'haweb-tree-'));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.html'), 'a');
  writeFileSync(join(root, 'sub', 'b.sh'), 'b');
  chmodSync(root, 0o755);
  chmodSync(join(root, 'sub'), 0o755);
  chmodSync(join(root, 'a.html'), 0o644);
  chmodSync(join(root, 'sub', 'b.sh'), 0o755);
  symlinkSync('/nonexistent', join(root, 'dangling'));
  return root;
}

function mismatch(args: Parameters<typeof treeMismatch.command>[0]): string | undefined {
  const r = spawnSync('sh', ['-c', treeMismatch.command(args)], { encoding: 'utf8' });
  return treeMismatch.parse(r.stdout, r.status ?? -1, args);
}

describe('recursive attribute check (find)', () => {
  it.each([
    ['owner matches', { owner: 'root' }, false],
    ['group matches by id', { group: '0' }, false],
    ['u+rwX,g+rX,o+rX already true', { mode: 'u+rwX,g+rX,o+rX' }, false],
    ['g+w missing', { mode: 'g+w' }, true],
    ['o-r not yet', { mode: 'o-r' }, true],
    ['go-w already', { mode: 'go-w' }, false],
    ['octal 0755 (a.html is 0644)', { mode: '0755' }, true],
    ['a+X: executable file and dirs have x', { mode: 'a+X' }, false],
  ] as const)('%s', (_n, want, differs) => {
    const root = tree();
    expect(mismatch({ path: root, ...want }) !== undefined).toBe(differs);
  });

  it('after chmod -R the same spec finds nothing', () => {
    const root = tree();
    for (const spec of ['g+w', 'o-r', 'u=rwx,g=rx,o=rx'.replace(/=/g, '+')]) {
      spawnSync('chmod', ['-R', spec, root]);
      expect(mismatch({ path: root, mode: spec })).toBeUndefined();
    }
  });

  it('an unknown user is an error, not "nothing to do"', () => {
    const root = tree();
    expect(() => mismatch({ path: root, owner: 'no-such-user-haweb' })).toThrow(/find failed/);
  });

  it('= and s/t are refused for recursion', () => {
    expect(() => modeMismatchTests('u=rw')).toThrow(/recurse supports/);
    expect(() => modeMismatchTests('u+s')).toThrow(/recurse supports/);
  });
});

describe('recursive attributes with follow (find -L)', () => {
  it('a link to a folder outside is walked into with follow, not without; a dangling link is left out', () => {
    const root = tree();
    const outside = mkdtempSync(join(tmpdir(), 'haweb-tree-out-'));
    writeFileSync(join(outside, 'x'), 'x');
    chmodSync(join(outside, 'x'), 0o700);
    symlinkSync(outside, join(root, 'linked'));
    // The linked folder (0700, from mkdtemp) and its file lack a+r; chmod -R never follows the link.
    spawnSync('chmod', ['-R', 'a+r', root]);
    expect(mismatch({ path: root, mode: 'a+r' })).toBeUndefined();
    expect(mismatch({ path: root, mode: 'a+r', follow: true })).toBe(join(root, 'linked'));
    // The commands the module runs with follow change the target and pass the dangling link by.
    const r = spawnSync('find', ['-L', root, '!', '-type', 'l', '-exec', 'chmod', 'a+r', '{}', '+']);
    expect(r.status).toBe(0);
    expect(mismatch({ path: root, mode: 'a+r', follow: true })).toBeUndefined();
  });
});
