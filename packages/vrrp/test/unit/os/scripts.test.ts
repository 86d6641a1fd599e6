import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundedCapture, ProcessScriptRunner, resolveCredentials } from '../../../src/os/scripts.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nkeepalived_script:x:998:997::/:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\nscripts:x:997:\n';

function processState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'gone';
  } catch {
    return 'gone';
  }
}

describe('resolveCredentials', () => {
  it.each([
    ['nobody', { uid: 65534, gid: 65534 }],
    ['keepalived_script', { uid: 998, gid: 997 }],
    ['nobody root', { uid: 65534, gid: 0 }],
    ['998', { uid: 998, gid: 997 }],
    ['1234 5', { uid: 1234, gid: 5 }],
  ])('%j', (user, expected) => {
    expect(resolveCredentials(user, PASSWD, GROUP)).toEqual(expected);
  });
  it('rejects unknown names', () => {
    expect(() => resolveCredentials('nosuchuser', PASSWD, GROUP)).toThrow(/unknown script user "nosuchuser"/);
    expect(() => resolveCredentials('nobody nosuchgroup', PASSWD, GROUP)).toThrow(/unknown script group/);
  });
});

describe('BoundedCapture', () => {
  it('keeps the first bytes and says how much was cut', () => {
    const capture = new BoundedCapture(5);
    capture.push(Buffer.from('abc'));
    capture.push(Buffer.from('defgh'));
    capture.push(Buffer.from('ij'));
    expect(capture.text()).toBe('abcde... [5 more bytes]');
  });
});

describe('ProcessScriptRunner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrp-scripts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runner = new ProcessScriptRunner({ killGraceMs: 300 });

  it('reports exit codes and stderr', async () => {
    const ok = await runner.run(['/bin/sh', '-c', 'exit 0'], { timeoutMs: 5000 });
    expect(ok).toMatchObject({ code: 0, timedOut: false, stderr: '' });
    const failed = await runner.run(['/bin/sh', '-c', 'echo broken >&2; echo out; exit 3'], { timeoutMs: 5000 });
    expect(failed).toMatchObject({ code: 3, timedOut: false, stderr: 'broken\n' });
  });

  it('reports a missing program as 127', async () => {
    const missing = await runner.run([join(dir, 'does-not-exist')], { timeoutMs: 1000 });
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/ENOENT/);
  });

  it('kills the whole process group on timeout, escalating to SIGKILL', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // The script ignores TERM, and leaves a grandchild that would outlive it.
    const script = `trap '' TERM; sleep 30 & echo $! > ${pidFile}; wait`;
    const result = await runner.run(['/bin/sh', '-c', script], { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeUndefined();
    expect(result.signal).toBe('SIGKILL');
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
    expect(result.durationMs).toBeLessThan(3000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    expect(processState(grandchild)).toMatch(/^(gone|Z)$/); // dead; a zombie until its new parent reaps it
  });

  it('a script that honours TERM ends at the timeout with SIGTERM', async () => {
    const result = await runner.run(['/bin/sleep', '30'], { timeoutMs: 100 });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('does not wait for a background child that keeps stderr open', async () => {
    const result = await runner.run(['/bin/sh', '-c', 'sleep 2 & exit 0'], { timeoutMs: 5000 });
    expect(result.code).toBe(0);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('fails cleanly for an unknown user', async () => {
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    writeFileSync(passwd, PASSWD);
    writeFileSync(group, GROUP);
    const result = await new ProcessScriptRunner({ passwdPath: passwd, groupPath: group }).run(['/bin/true'], {
      timeoutMs: 1000,
      user: 'ghost',
    });
    expect(result).toMatchObject({ code: 126, timedOut: false });
    expect(result.stderr).toMatch(/unknown script user "ghost"/);
  });
});
