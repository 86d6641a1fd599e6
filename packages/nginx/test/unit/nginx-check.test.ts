import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderNginxCheck } from '../../src/index.js';

/**
 * The health check run for real against a stand-in nginx: a script that starts a copy of `sleep`
 * named nginxd (so /proc/PID/comm starts with "nginx", as the check demands) and writes its pid,
 * or fails when told to.
 */
let dir: string;
const started: number[] = [];

function setup(): { check: string; pidFile: string; starts: string; cannot: string } {
  dir = mkdtempSync(join(tmpdir(), 'nginx-check-'));
  const pidFile = join(dir, 'nginx.pid');
  const starts = join(dir, 'starts');
  const cannot = join(dir, 'cannot-start');
  copyFileSync(execFileSync('sh', ['-c', 'command -v sleep']).toString().trim(), join(dir, 'nginxd'));
  writeFileSync(
    join(dir, 'nginx'),
    `#!/bin/sh\necho start >> '${starts}'\n[ -e '${cannot}' ] && exit 1\n'${dir}/nginxd' 30 </dev/null >/dev/null 2>&1 &\necho $! > '${pidFile}'\n`,
  );
  chmodSync(join(dir, 'nginx'), 0o755);
  const check = join(dir, 'nginx_check.sh');
  writeFileSync(check, renderNginxCheck({ nginx: join(dir, 'nginx'), pid_file: pidFile, start_wait_tenths: 10 }));
  chmodSync(check, 0o755);
  return { check, pidFile, starts, cannot };
}

function runCheck(check: string): number {
  return spawnSync(check, [], { timeout: 10_000 }).status ?? -1;
}

function remember(pidFile: string): void {
  if (existsSync(pidFile)) started.push(Number(readFileSync(pidFile, 'utf8')));
}

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('nginx_check.sh', () => {
  it('nginx stopped: starts it and passes', () => {
    const { check, pidFile, starts } = setup();
    expect(runCheck(check)).toBe(0);
    remember(pidFile);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('nginxd');
    expect(readFileSync(starts, 'utf8')).toBe('start\n');
  });

  it('nginx running: passes without starting another', () => {
    const { check, pidFile, starts } = setup();
    expect(runCheck(check)).toBe(0);
    remember(pidFile);
    expect(runCheck(check)).toBe(0);
    expect(readFileSync(starts, 'utf8')).toBe('start\n');
  });

  it('nginx cannot start: fails (exit 1), so the weight -20 moves the VIP', () => {
    const { check, cannot, starts } = setup();
    writeFileSync(cannot, '');
    const t0 = Date.now();
    expect(runCheck(check)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2_000); // within the vrrp_script interval of 2 s
    expect(readFileSync(starts, 'utf8')).toBe('start\n');
  });

  it('an nginx still exiting (pid file gone, process not yet): waits for it to be gone, then starts and passes', () => {
    const { check, pidFile, starts } = setup();
    // An old master on its way out: a process named exactly nginx, with no pid file (nginx removes the
    // pid file before it closes its listening sockets). It exits 0.4 s from now.
    mkdirSync(join(dir, 'old'));
    copyFileSync(execFileSync('sh', ['-c', 'command -v sleep']).toString().trim(), join(dir, 'old', 'nginx'));
    // started through a shell that exits at once, so that init reaps it when it ends (no zombie left to us)
    const oldPid = Number(execFileSync('sh', ['-c', `'${join(dir, 'old', 'nginx')}' 0.4 </dev/null >/dev/null 2>&1 & echo $!`]).toString().trim());
    started.push(oldPid);
    // The stand-in records whether the old one was still there (running, not a zombie) when asked to start.
    writeFileSync(join(dir, 'nginx'), readFileSync(join(dir, 'nginx'), 'utf8').replace('echo start >>', `[ "$(cut -d' ' -f3 /proc/${oldPid}/stat 2>/dev/null)" = S ] && echo old-alive >> '${starts}'\necho start >>`));
    expect(runCheck(check)).toBe(0);
    remember(pidFile);
    expect(readFileSync(starts, 'utf8')).toBe('start\n');
  });

  it('its verdict does not wait for logger: the check exits, and its output pipes close, while a slow logger still runs', () => {
    const { check, cannot } = setup();
    writeFileSync(cannot, '');
    // A logger that takes its time (as one does under load) and says when it is done.
    const bin = join(dir, 'bin');
    const done = join(dir, 'logger-done');
    execFileSync('mkdir', [bin]);
    writeFileSync(join(bin, 'logger'), `#!/bin/sh\nsleep 2\necho "$@" >> '${done}'\n`);
    chmodSync(join(bin, 'logger'), 0o755);
    // spawnSync returns once the check exited and every holder of its stdout/stderr closed them.
    const r = spawnSync(check, [], { timeout: 10_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(1);
    expect(existsSync(done)).toBe(false);
  });

  it('nginx starts without error but never comes up: fails once the start wait is over', () => {
    const { check, starts } = setup();
    // A stand-in that exits 0 and starts nothing (an nginx whose master dies right after daemonizing).
    writeFileSync(join(dir, 'nginx'), `#!/bin/sh\necho start >> '${starts}'\nexit 0\n`);
    expect(runCheck(check)).toBe(1);
    expect(readFileSync(starts, 'utf8')).toBe('start\n');
  });

  it('a stale pid file naming another process does not count as nginx', () => {
    const { check, pidFile, cannot } = setup();
    writeFileSync(pidFile, `${process.pid}\n`);
    writeFileSync(cannot, '');
    expect(runCheck(check)).toBe(1);
  });

  it('never kills anything', () => {
    const text = renderNginxCheck({ nginx: '/usr/local/nginx/sbin/nginx', pid_file: '/usr/local/nginx/logs/nginx.pid', start_wait_tenths: 10 });
    expect(text).not.toMatch(/killall|pkill|kill -(9|TERM|KILL)/);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
  });
});
