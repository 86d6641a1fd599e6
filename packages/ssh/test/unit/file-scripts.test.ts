import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWriteScript, readFileScript } from '../../src/index.js';

// The scripts are run here by a local sh, exactly as the host's sh would run them.
function sh(script: string, input?: string | Buffer) {
  const r = spawnSync('sh', ['-c', script], { input });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}
const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);

describe('atomicWriteScript', () => {
  it('creates a new file with the umask mode, and leaves no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, 'new.conf');
    expect(sh(`umask 022; ${atomicWriteScript(dest)}`, 'hello\n').code).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('hello\n');
    expect(mode(dest)).toBe('644');
    expect(readdirSync(dir)).toEqual(['new.conf']);
  });

  it('a new file follows the session umask (027 -> 0640); the temp file is created private first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, 'n');
    expect(sh(`umask 027; ${atomicWriteScript(dest)}`, 'x').code).toBe(0);
    expect(mode(dest)).toBe('640');
    const script = atomicWriteScript(dest);
    expect(script.indexOf('umask 077')).toBeGreaterThan(-1);
    expect(script.indexOf('umask 077')).toBeLessThan(script.indexOf('cat > "$t"'));
  });

  it('the temp file is not readable by others while the content streams in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, 'secret');
    // The content comes from a slow producer; meanwhile look at the temp file's mode.
    const r = spawnSync('sh', ['-c', `umask 022; (printf 'part1'; sleep 0.5; printf 'part2') | { ${atomicWriteScript(dest, { mode: '0600' })}
} & sleep 0.25; stat -c '%a' ${dir}/.secret.haweb-*.tmp; wait`]);
    expect(r.stdout.toString()).toBe('600\n');
    expect(readFileSync(dest, 'utf8')).toBe('part1part2');
    expect(mode(dest)).toBe('600');
  });

  it('keeps the existing mode when none is given, applies one when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old');
    chmodSync(dest, 0o640);
    expect(sh(atomicWriteScript(dest), 'new').code).toBe(0);
    expect(mode(dest)).toBe('640');
    expect(sh(atomicWriteScript(dest, { mode: '0600', owner: 'root', group: 'root' }), 'newer').code).toBe(0);
    expect(mode(dest)).toBe('600');
    expect(readFileSync(dest, 'utf8')).toBe('newer');
  });

  it('a failure (unknown owner) leaves the old file and no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, 'x');
    writeFileSync(dest, 'old');
    const r = sh(atomicWriteScript(dest, { owner: 'no-such-user-haweb' }), 'new');
    expect(r.code).not.toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['x']);
  });

  it('writes binary content and hostile file names verbatim', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-w-'));
    const dest = join(dir, `a'b $(x) \`y\`;z`);
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0]);
    expect(sh(atomicWriteScript(dest), bytes).code).toBe(0);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    const back = sh(readFileScript(dest));
    expect(back.code).toBe(0);
    expect(back.stdout.equals(bytes)).toBe(true);
  });

  it('rejects a malformed mode before anything runs', () => {
    expect(() => atomicWriteScript('/tmp/x', { mode: '644; rm -rf /' })).toThrow(/invalid file mode/);
  });
});

describe('readFileScript', () => {
  it('exits 44 for a missing file or a path through a non-directory', () => {
    expect(sh(readFileScript('/nonexistent/haweb')).code).toBe(44);
    expect(sh(readFileScript('/etc/hostname/x')).code).toBe(44);
  });

  it('any other error (here: a directory) is an error with its message, not "absent"', () => {
    const r = sh(readFileScript('/etc'));
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(44);
    expect(r.stderr).toMatch(/Is a directory/);
  });
});
