import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real daemon (dist/bin/vrrpd.js, supervisor and worker) in a scratch network namespace of its own:
 * a bad edit followed by SIGHUP keeps the running configuration and logs why, with file:line:col; a
 * good edit followed by SIGHUP is applied. Root only (network namespaces).
 */
const vrrpd = fileURLToPath(new URL('../../dist/bin/vrrpd.js', import.meta.url));
const ns = `${process.env.HAWEB_LAB_NAME ?? 'haweb'}-kreload`;
const dir = mkdtempSync(join(tmpdir(), 'vrrpd-reload-'));
const conf = join(dir, 'keepalived.conf');
const pidFile = join(dir, 'vrrpd.pid');
const statusFile = join(dir, 'vrrpd.json');
let daemon: ChildProcess | undefined;
let log = '';

const ip = (...args: string[]) => {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
};
const config = (priority: string) => `global_defs {\n    router_id reload-test\n}\nvrrp_instance VI_1 {\n    state MASTER\n    interface eth1\n    virtual_router_id 77\n    priority ${priority}\n    advert_int 1\n    virtual_ipaddress {\n        198.18.77.10/24\n    }\n}\n`;
const status = () => (existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')) as { vrrp: Array<{ data: { base_priority: number; state_name: string } }> } : undefined);

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) if (probe()) return;
  throw new Error(`timed out waiting for ${what}; log:\n${log}`);
}

describe('SIGHUP reload shares the reader with -t', () => {
  beforeAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1peer');
    ip('-n', ns, 'link', 'set', 'eth1', 'up');
    ip('-n', ns, 'link', 'set', 'eth1peer', 'up');
    ip('-n', ns, 'addr', 'add', '198.18.77.1/24', 'dev', 'eth1');
  });
  afterAll(async () => {
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
    if (pid) try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    if (daemon && daemon.exitCode === null) await Promise.race([new Promise((r) => daemon!.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
    for (const p of spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)) try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad edit is not applied and the log says why; a good one is', async () => {
    writeFileSync(conf, config('150'));
    daemon = spawn('ip', ['netns', 'exec', ns, process.execPath, vrrpd, '-n', '-l', '-f', conf, '-p', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    daemon.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await until('MASTER with priority 150', () => status()?.vrrp[0]?.data.state_name === 'MASTER' && status()!.vrrp[0].data.base_priority === 150);
    const supervisor = Number(readFileSync(pidFile, 'utf8'));

    // A pasted non-breaking space and an out-of-range priority.
    writeFileSync(conf, config('300').replace('    interface eth1', '    interface\u00a0eth1'));
    process.kill(supervisor, 'SIGHUP');
    await until('the refusal in the log', () => log.includes('has errors (above); keeping the running one'));
    expect(log).toContain(`${conf}:6:14: warning: 'interface\u00a0eth1' contains U+00A0 (NO-BREAK SPACE), which keepalived reads as part of the word, not as a blank`);
    expect(log).toContain(`${conf}:8:14: error: priority: 300 is out of range 1..255`);
    expect(daemon.exitCode).toBe(null);
    expect(status()!.vrrp[0].data).toMatchObject({ state_name: 'MASTER', base_priority: 150 });

    writeFileSync(conf, config('120'));
    process.kill(supervisor, 'SIGHUP');
    await until('priority 120 applied', () => status()?.vrrp[0]?.data.base_priority === 120);
    expect(daemon.exitCode).toBe(null);
  });
});
