import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInitScript, type InitScriptSpec } from '../../src/index.js';

const SPEC: InitScriptSpec = {
  name: 'vrrpd',
  shortDescription: 'VRRP daemon',
  description: 'vrrpd moves virtual IP addresses between nodes.',
  daemon: '/usr/local/vrrpd/sbin/vrrpd',
  args: '-f /etc/vrrpd/vrrpd.conf -p /run/vrrpd.pid',
  pidFile: '/run/vrrpd.pid',
  configFile: '/etc/vrrpd/vrrpd.conf',
  configTest: '"$DAEMON" -t -f "$CONFIG"',
  defaultsFile: '/etc/default/vrrpd',
  optionsVar: 'VRRPD_OPTIONS',
  processMatch: '/usr/local/vrrpd/lib/',
  stopTimeoutSeconds: 10,
  startPriority: 86,
  stopPriority: 14,
};

describe('renderInitScript: headers', () => {
  const text = renderInitScript(SPEC);
  it('has the chkconfig line RHEL reads and the LSB block update-rc.d reads', () => {
    expect(text).toMatch(/^#!\/bin\/sh\n# chkconfig: 2345 86 14\n# description: vrrpd moves virtual IP addresses between nodes\.\n/);
    expect(text).toContain('### BEGIN INIT INFO\n# Provides:          vrrpd\n# Required-Start:    $network $remote_fs $syslog\n');
    expect(text).toContain('# Default-Start:     2 3 4 5\n# Default-Stop:      0 1 6\n');
    expect(text).toContain('### END INIT INFO');
    expect(text).toContain(`"$DAEMON" $VRRPD_OPTIONS -f /etc/vrrpd/vrrpd.conf -p /run/vrrpd.pid`);
    expect(text).toContain("[ -r '/etc/default/vrrpd' ] && . '/etc/default/vrrpd'");
  });
  it('passes sh -n', () => {
    const res = spawnSync('sh', ['-n'], { input: text });
    expect(res.status).toBe(0);
  });
  it.each([
    [{ name: 'a b' }, /service name "a b" is not valid/],
    [{ optionsVar: 'x-y' }, /options variable "x-y" is not valid/],
    [{ description: 'a\nb' }, /one line/],
  ])('refuses %j', (override, error) => {
    expect(() => renderInitScript({ ...SPEC, ...override })).toThrow(error);
  });
});

/**
 * The rendered script driven for real against a stand-in daemon: it forks a shell loop whose
 * command line carries the match text, writes the pid file, counts SIGHUPs, and validates its config
 * with -t (valid when the file contains "valid").
 */
describe('renderInitScript: LSB behaviour', () => {
  let dir: string;
  let script: string;
  let cfg: string;
  let pidFile: string;
  let hups: string;
  const pids: number[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'initd-'));
    cfg = join(dir, 'vrrpd.conf');
    pidFile = join(dir, 'vrrpd.pid');
    hups = join(dir, 'hups');
    writeFileSync(cfg, 'valid\n');
    const daemon = join(dir, 'fake-vrrpd');
    writeFileSync(
      daemon,
      `#!/bin/sh
if [ "$1" = -t ]; then grep -q '^valid' "$3"; exit $?; fi
# -f CONFIG -p PIDFILE: fork a loop whose command line names ${dir}/lib/, write its pid
sh -c 'trap "echo hup >> ${hups}" HUP; while :; do sleep 0.1; done # ${dir}/lib/' </dev/null >/dev/null 2>&1 &
echo $! > "$4"
`,
    );
    chmodSync(daemon, 0o755);
    script = join(dir, 'vrrpd.init');
    writeFileSync(
      script,
      renderInitScript({ ...SPEC, daemon, args: `-f '${cfg}' -p '${pidFile}'`, pidFile, configFile: cfg, defaultsFile: join(dir, 'defaults'), processMatch: `${dir}/lib/`, stopTimeoutSeconds: 3 }),
    );
    chmodSync(script, 0o755);
  });

  afterAll(() => {
    if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, 'utf8')));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const act = (action: string): { code: number | null; out: string } => {
    const res = spawnSync(script, action ? [action] : [], { timeout: 20_000, encoding: 'utf8' });
    return { code: res.status, out: `${res.stdout}${res.stderr}` };
  };
  const hupCount = (): number => (existsSync(hups) ? readFileSync(hups, 'utf8').split('\n').filter(Boolean).length : 0);
  const waitFor = async (cond: () => boolean): Promise<boolean> => {
    for (let i = 0; i < 30; i += 1) {
      if (cond()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return cond();
  };

  it('status of a stopped daemon is 3', () => {
    expect(act('status')).toMatchObject({ code: 3 });
  });
  it('start is 0, status then 0, a second start is still 0', () => {
    expect(act('start').code).toBe(0);
    pids.push(Number(readFileSync(pidFile, 'utf8')));
    expect(act('status')).toMatchObject({ code: 0, out: expect.stringMatching(/vrrpd is running \(pid \d+\)/) });
    expect(act('start')).toMatchObject({ code: 0, out: expect.stringContaining('already running') });
  });
  it('reload sends SIGHUP after validating the config', async () => {
    expect(act('reload').code).toBe(0);
    expect(await waitFor(() => hupCount() === 1)).toBe(true);
  });
  it('reload with an invalid config is 6 and sends nothing', async () => {
    writeFileSync(cfg, 'broken\n');
    expect(act('reload')).toMatchObject({ code: 6, out: expect.stringContaining('is not valid') });
    await new Promise((r) => setTimeout(r, 400));
    expect(hupCount()).toBe(1);
    writeFileSync(cfg, 'valid\n');
  });
  it('stop is 0 and the process is gone; stopping again is 0', () => {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(act('stop').code).toBe(0);
    // Gone, or a zombie nobody here reaps (a host's init would).
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || /^\d+ \(.*\) Z /.test(stat)).toBe(true);
    expect(existsSync(pidFile)).toBe(false);
    expect(act('stop')).toMatchObject({ code: 0, out: expect.stringContaining('not running') });
  });
  it('reload of a stopped daemon is 7; an unknown action is 2', () => {
    expect(act('reload').code).toBe(7);
    expect(act('bogus')).toMatchObject({ code: 2, out: expect.stringContaining('Usage:') });
    expect(act('').code).toBe(2);
  });
  it('a pid file naming a process that is not ours: status 1 (dead, pid file exists), start replaces it', () => {
    writeFileSync(pidFile, `${process.pid}\n`);
    expect(act('status').code).toBe(1);
    expect(act('start').code).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    pids.push(pid);
    expect(pid).not.toBe(process.pid);
    expect(act('restart').code).toBe(0);
    pids.push(Number(readFileSync(pidFile, 'utf8')));
    expect(Number(readFileSync(pidFile, 'utf8'))).not.toBe(pid);
    expect(act('stop').code).toBe(0);
  });
  it('start without the config is 6', () => {
    rmSync(cfg);
    expect(act('start').code).toBe(6);
    writeFileSync(cfg, 'valid\n');
  });
});
