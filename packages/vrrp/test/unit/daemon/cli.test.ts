import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram, companionFiles, configTest, formatStatus } from '../../../src/daemon/index.js';
import { SUPERVISOR_SH } from '../../../src/daemon/supervisor-sh.js';
import type { DaemonStatus } from '../../../src/daemon/index.js';

const seed = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));

describe('vrrpd -t', () => {
  it('checks each file, then the nodes against each other', () => {
    const report = configTest([seed('edu-proxy-01.conf'), seed('edu-proxy-02.conf')]);
    expect(report.errors).toBe(0);
    // The seeds' check script does not exist on this machine: -t says what keepalived would do about it.
    expect(report.lines).toContain(`${seed('edu-proxy-02.conf')}:7:1: warning: vrrp_script chk_nginx: /etc/keepalived/nginx_check.sh is not an executable here; keepalived disables such a script (and, for a vrrp_script, its tracking weight), vrrpd runs it and counts it as failing`);
    expect(report.lines.filter((l) => / OK | FAILED /.test(l))).toEqual([
      `${seed('edu-proxy-01.conf')}: OK (0 errors, 3 warnings)`,
      `${seed('edu-proxy-02.conf')}: OK (0 errors, 1 warning)`,
      'cross-node check of edu-proxy-01, edu-proxy-02: OK (0 errors, 0 warnings)',
    ]);
  });
  it('reports cross-node errors with file:line and counts them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpd-t-'));
    const other = join(dir, 'c.conf');
    writeFileSync(other, readFileSync(seed('edu-proxy-02.conf'), 'utf8').replace('auth_pass 1111', 'auth_pass 2222').replace('edu-proxy-02', 'edu-proxy-03'));
    const report = configTest([seed('edu-proxy-01.conf'), other]);
    expect(report.errors).toBe(1);
    expect(report.lines).toContain(`${other}:13:1: error: VRID 51 (VI_1 on edu-proxy-03, VI_1 on edu-proxy-01): auth_pass differs (never shown): adverts are dropped, both nodes become master`);
  });
  it('a missing file is an error, not a crash', () => {
    const report = configTest(['/nonexistent/keepalived.conf']);
    expect(report.errors).toBe(1);
    expect(report.lines[0]).toMatch(/^\/nonexistent\/keepalived.conf:1:1: error: cannot read configuration: ENOENT/);
  });
});

describe('command line', () => {
  function parse(args: string[]) {
    let got: unknown;
    const program = buildProgram((what) => (got = what));
    program.exitOverride();
    program.parse(['node', 'vrrpd', ...args]);
    return { got: got as { kind: string; flags?: Record<string, unknown>; file?: string; json?: boolean }, program };
  }
  it('keepalived flags and defaults', () => {
    const { got } = parse(['-n', '-l', '-D', '-f', '/etc/x.conf']);
    expect(got).toEqual({ kind: 'daemon', flags: expect.objectContaining({ dontFork: true, logConsole: true, logDetail: true, useFile: '/etc/x.conf', pid: '/run/vrrpd.pid', statusFile: '/run/vrrpd/vrrpd.json' }) });
  });
  it('-t with more files', () => {
    expect(parse(['-t', 'b.conf', 'c.conf']).got.flags!.configTest).toEqual(['b.conf', 'c.conf']);
    expect(parse(['-t']).got.flags!.configTest).toBe(true);
    expect(parse(['-t', '-f', 'a.conf', 'b.conf', 'c.conf']).got.flags).toMatchObject({ useFile: 'a.conf', configTest: ['b.conf', 'c.conf'] });
    expect(() => parse(['-f', 'a.conf', 'b.conf'])).toThrow(/only accepted with -t/);
  });
  it('-i / --config-id selects @ID lines, as keepalived does', () => {
    expect(parse(['-t', '-i', 'lb-a', '-f', 'a.conf']).got.flags).toMatchObject({ configId: 'lb-a', useFile: 'a.conf', configTest: true });
    expect(parse(['-n', '--config-id', 'lb-b']).got.flags).toMatchObject({ configId: 'lb-b' });
  });
  it('a private pid file keeps the worker pid, status and dump files next to it', () => {
    const { got, program } = parse(['-n', '-p', '/tmp/lab/a/main.pid']);
    expect(companionFiles(program, got.flags as never)).toEqual({ vrrpPid: '/tmp/lab/a/main_vrrp.pid', statusFile: '/tmp/lab/a/main.json', dumpFile: '/tmp/lab/a/main.data' });
    const explicitDefault = parse(['-n', '-p', '/run/vrrpd.pid']);
    expect(companionFiles(explicitDefault.program, explicitDefault.got.flags as never).statusFile).toBe('/run/vrrpd/vrrpd.json');
    const defaults = parse(['-n']);
    expect(companionFiles(defaults.program, defaults.got.flags as never)).toEqual({ vrrpPid: '/run/vrrpd_vrrp.pid', statusFile: '/run/vrrpd/vrrpd.json', dumpFile: '/tmp/vrrpd.data' });
  });
  it('status has its own --status-file', () => {
    expect(parse(['status', '--status-file', '/tmp/s.json', '--json']).got).toEqual({ kind: 'status', file: '/tmp/s.json', json: true });
  });
});

describe('vrrpd status', () => {
  it('one line per instance', () => {
    const status = {
      vrrpd: { pid: 1, router_id: 'edu-proxy-01', config_file: '/etc/keepalived/keepalived.conf', updated: '2026-11-25T03:00:00.000Z' },
      vrrp: [{ data: { iname: 'VI_1', vrid: 51, state_name: 'BACKUP', effective_priority: 80, base_priority: 100, master_address: '198.51.100.52', vips: ['198.51.100.50/32 dev eth1'], fault_reasons: [] }, stats: { advert_sent: 3, advert_rcvd: 10, dropped_total: 2 } }],
      sync_groups: [], track_script: [],
    } as unknown as DaemonStatus;
    expect(formatStatus(status)).toBe('vrrpd pid 1, router_id edu-proxy-01, updated 2026-11-25T03:00:00.000Z\nVI_1 vrid 51 BACKUP priority 80/100 master 198.51.100.52 vips 198.51.100.50/32 dev eth1 (adverts 3 sent, 10 received, 2 dropped)');
  });
});

describe('supervisor (POSIX sh)', () => {
  it('removes the recorded VIPs at once when the worker dies, respawns it, forwards SIGHUP, and stops it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpd-sup-'));
    // A fake `ip` first in PATH records what the supervisor asks of it.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'ip'), `#!/bin/sh\necho "$*" >> ${join(dir, 'ip.log')}\n`, { mode: 0o755 });
    const statusPath = join(dir, 'status.json');
    const vipFile = join(dir, 'main.vips');
    const options = { configFile: '/dev/null', logConsole: true, logDetail: false, statusPath, dumpPath: join(dir, 'dump'), vipFile };
    const sup = spawn('/bin/sh', ['-c', SUPERVISOR_SH, 'vrrpd', process.execPath, fileURLToPath(new URL('./fixtures/fake-worker.mjs', import.meta.url)), JSON.stringify(options),
      join(dir, 'main.pid'), join(dir, 'vrrp.pid'), vipFile, 'console', ''], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    writeFileSync(join(dir, 'main.pid'), `${sup.pid}\n`);
    let stderr = '';
    sup.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => sup.on('exit', (code) => r(code)));
    const starts = () => (existsSync(`${statusPath}.starts`) ? readFileSync(`${statusPath}.starts`, 'utf8').trim().split('\n').map(Number) : []);
    const ipCalls = () => (existsSync(join(dir, 'ip.log')) ? readFileSync(join(dir, 'ip.log'), 'utf8').trim().split('\n') : []);
    const until = async (probe: () => boolean) => { for (let i = 0; i < 600 && !probe(); i++) await new Promise((r) => setTimeout(r, 25)); expect(probe()).toBe(true); };
    try {
      await until(() => starts().length === 1 && existsSync(vipFile));
      await until(() => existsSync(join(dir, 'vrrp.pid')) && readFileSync(join(dir, 'vrrp.pid'), 'utf8').trim() === String(starts()[0]));
      process.kill(starts()[0], 'SIGKILL');
      await until(() => starts().length === 2);
      await until(() => ipCalls().length > 0); // the log line lands when the fake ip has run
      expect(ipCalls()).toEqual(['addr del 192.0.2.50/32 dev eth1']);
      expect(stderr).toContain(`VRRP child process(${starts()[0]}) died (status 137); removing VIPs and respawning`);
      await until(() => existsSync(join(dir, 'vrrp.pid')) && readFileSync(join(dir, 'vrrp.pid'), 'utf8').trim() === String(starts()[1]));
      process.kill(sup.pid!, 'SIGHUP');
      await until(() => existsSync(`${statusPath}.reloads`) && readFileSync(`${statusPath}.reloads`, 'utf8').trim() === String(starts()[1]));
      process.kill(sup.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'main.pid'))).toBe(false);
      expect(existsSync(join(dir, 'vrrp.pid'))).toBe(false);
      expect(stderr).toContain('Stopped vrrpd');
      expect(starts()).toHaveLength(2);
    } finally {
      if (sup.exitCode === null) sup.kill('SIGKILL');
      for (const pid of starts()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
