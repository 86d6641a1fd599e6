/**
 * SshConnector against the lab's real hosts (their own sshd, the lab's key and known_hosts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { UnreachableError } from '@haweb/core';
import type { LabState } from '@haweb/lab';
import { SshConnector, type SshConnection } from '../../src/index.js';
import { labState, labTarget } from './lab-target.js';

let lab: LabState;
let conn: SshConnection;
const connector = new SshConnector();
const scratch = mkdtempSync(join(tmpdir(), 'haweb-ssh-it-'));

beforeAll(async () => {
  lab = await labState();
  conn = await connector.connect(labTarget(lab));
});
afterAll(async () => {
  await conn?.close();
});

describe('SshConnector on a lab host', () => {
  it('connects with the lab key, verifying the host key against its known_hosts', async () => {
    const r = await conn.run({ argv: ['hostname'] });
    expect(r).toMatchObject({ code: 0, stdout: `${lab.hosts[0].name}\n` });
  });

  it('rejects a wrong known_hosts entry (CHANGED key) naming host, file and line', async () => {
    const file = join(scratch, 'wrong_known_hosts');
    const other = readFileSync(new URL('../unit/fixtures/other-ed25519.pub', import.meta.url), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(file, `# stale entry\n${lab.hosts[0].address} ${other}\n`);
    const err = await connector.connect(labTarget(lab, 0, { knownHostsFile: file, hostKeyPolicy: 'accept-new' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ reason: 'host-key', hostName: lab.hosts[0].name });
    expect((err as Error).message).toContain(`${file}:2`);
    expect((err as Error).message).toMatch(/CHANGED/);
    expect(readFileSync(file, 'utf8')).toBe(`# stale entry\n${lab.hosts[0].address} ${other}\n`);
  });

  it('strict rejects an unknown host; accept-new learns it and then strict accepts it', async () => {
    const file = join(scratch, 'empty_known_hosts');
    writeFileSync(file, '');
    const strict = await connector.connect(labTarget(lab, 0, { knownHostsFile: file })).catch((e: unknown) => e);
    expect(strict).toMatchObject({ reason: 'host-key' });
    expect((strict as Error).message).toMatch(/not in .*strict/);
    const learned = await connector.connect(labTarget(lab, 0, { knownHostsFile: file, hostKeyPolicy: 'accept-new' }));
    await learned.close();
    expect(readFileSync(file, 'utf8')).toBe(`${lab.hosts[0].address} ${lab.hosts[0].hostKey.split(' ').slice(0, 2).join(' ')}\n`);
    const again = await connector.connect(labTarget(lab, 0, { knownHostsFile: file }));
    expect((await again.run({ argv: ['true'] })).code).toBe(0);
    await again.close();
  });

  it('a key the host does not accept is an auth failure; a missing key file too; a closed port is a connect failure', async () => {
    const keyFile = join(scratch, 'stranger_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const badKey = await connector.connect(labTarget(lab, 0, { privateKeyFile: keyFile })).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(UnreachableError);
    expect(badKey).toMatchObject({ reason: 'auth' });
    expect((badKey as Error).message).toMatch(/authentication failed/);
    const noFile = await connector.connect(labTarget(lab, 0, { privateKeyFile: join(scratch, 'missing-key') })).catch((e: unknown) => e);
    expect(noFile).toMatchObject({ reason: 'auth' });
    expect((noFile as Error).message).toContain('missing-key');
    const noPort = await connector.connect(labTarget(lab, 0, { port: 2999, connectTimeoutMs: 3000 })).catch((e: unknown) => e);
    expect(noPort).toBeInstanceOf(UnreachableError);
    expect(noPort).toMatchObject({ reason: 'connect' });
    expect((noPort as Error).message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    `it's`,
    'a; echo INJECTED',
    '$(echo INJECTED)',
    '`echo INJECTED`',
    'line1\nline2\n',
    '"double" \\ $HOME * ~',
    '',
  ])('hostile argv value %j comes back verbatim from printf %%s', async (value) => {
    const r = await conn.run({ argv: ['printf', '%s', value] });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(value);
  });

  it('cwd that does not exist fails instead of running in $HOME', async () => {
    const r = await conn.run({ argv: ['pwd'] }, { cwd: '/nonexistent/haweb' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const ok = await conn.run({ argv: ['pwd'] }, { cwd: '/etc' });
    expect(ok.stdout).toBe('/etc\n');
  });

  it('stdin, env, untrimmed output, stderr and exit codes', async () => {
    const r = await conn.run({ script: 'cat; printf "  %s  \\n" "$GREETING" >&2; exit 3' }, { stdin: 'in put\n', env: { GREETING: "hi 'there'" } });
    expect(r).toEqual({ code: 3, stdout: 'in put\n', stderr: "  hi 'there'  \n" });
  });

  it('timeoutMs stops a long command with exit 124', async () => {
    const started = Date.now();
    const r = await conn.run({ argv: ['sleep', '30'] }, { timeoutMs: 1000 });
    expect(r.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('onOutput streams chunks as they arrive', async () => {
    const chunks: string[] = [];
    await conn.run({ script: 'for i in 1 2 3; do echo "step $i"; sleep 0.2; done' }, { onOutput: (c) => chunks.push(c) });
    expect(chunks.join('')).toBe('step 1\nstep 2\nstep 3\n');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('15 concurrent runs on one connection all succeed (channel semaphore)', async () => {
    const results = await Promise.all(
      Array.from({ length: 15 }, (_, i) => conn.run({ script: `sleep 0.3; echo ${i}` })),
    );
    expect(results.map((r) => r.code)).toEqual(Array(15).fill(0));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 15 }, (_, i) => `${i}\n`));
    expect(conn.channelsInUse).toBe(0);
  });

  it('writeFile is atomic: a concurrent reader sees the old or the new content, never a mix', async () => {
    const path = '/tmp/haweb-atomic-test';
    const oldContent = 'A'.repeat(512 * 1024);
    const newContent = 'B'.repeat(512 * 1024);
    await conn.writeFile(path, oldContent, { mode: '0640' });
    // A reader loop on the host records the distinct contents it sees while we rewrite the file.
    const reader = conn.run({
      script: `end=$(( $(date +%s) + 4 )); while [ $(date +%s) -lt $end ]; do sha256sum < ${path} | cut -c1-16; done | sort -u`,
    });
    for (let i = 0; i < 6; i++) await conn.writeFile(path, i % 2 === 0 ? newContent : oldContent);
    const seen = (await reader).stdout.trim().split('\n');
    const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
    expect(seen.every((h) => h === sha(oldContent) || h === sha(newContent))).toBe(true);
    expect(seen).toContain(sha(newContent)); // the reader really ran while the file was being replaced
    const stat = await conn.run({ argv: ['stat', '-c', '%a', path] });
    expect(stat.stdout).toBe('640\n'); // mode kept when not given
    const leftovers = await conn.run({ script: 'ls -a /tmp | grep -c haweb-atomic-test.haweb- || true' });
    expect(leftovers.stdout.trim()).toBe('0');
  });

  it('readFile returns bytes, or undefined for a missing file; putFile installs a controller file', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 0]);
    await conn.writeFile('/tmp/haweb-binary', bytes, { mode: '0600', owner: 'root', group: 'root' });
    expect((await conn.readFile('/tmp/haweb-binary'))?.equals(bytes)).toBe(true);
    expect(await conn.readFile('/tmp/haweb-definitely-missing')).toBeUndefined();
    const local = join(scratch, 'upload.txt');
    writeFileSync(local, 'uploaded\n');
    await conn.putFile(local, '/tmp/haweb-upload.txt', { mode: '0604' });
    expect((await conn.readFile('/tmp/haweb-upload.txt'))?.toString()).toBe('uploaded\n');
    expect((await conn.run({ argv: ['stat', '-c', '%a', '/tmp/haweb-upload.txt'] })).stdout).toBe('604\n');
  });

  it('a connection that drops is reported as lost (UnreachableError), without crashing the process', async () => {
    const doomed = await connector.connect(labTarget(lab));
    // Kill the sshd process serving this connection (the parent of our command).
    await doomed.run({ script: 'kill -9 $PPID' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const err = await doomed.run({ argv: ['true'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ reason: 'lost', hostName: lab.hosts[0].name });
    await doomed.close();
  });

  it('a failed writeFile (unknown owner) leaves the old file and no temp file', async () => {
    await conn.writeFile('/tmp/haweb-keep', 'old\n');
    await expect(conn.writeFile('/tmp/haweb-keep', 'new\n', { owner: 'no-such-user-haweb' })).rejects.toThrow(/writing \/tmp\/haweb-keep on edu-proxy-01 failed/);
    expect((await conn.readFile('/tmp/haweb-keep'))?.toString()).toBe('old\n');
    expect((await conn.run({ script: 'ls -a /tmp | grep -c "^\\.haweb-keep" || true' })).stdout.trim()).toBe('0');
  });
});
