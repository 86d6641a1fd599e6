/**
 * SshConnector end to end without the lab: an ssh2 test server on 127.0.0.1 that runs each exec
 * request with the local `sh` (so quoting, cwd, timeout and file scripts really execute), with its own
 * host key and one authorized client key. Covers host key verification through the real handshake,
 * auth failures, the channel limit seen from the server side, and a dropped connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { UnreachableError, type ConnectionTarget } from '@haweb/core';
import { SshConnector } from '../../src/index.js';

// ssh2 ships no type declarations; the test server only needs a few calls.
const ssh2: any = createRequire(import.meta.url)('ssh2');

const dir = mkdtempSync(join(tmpdir(), 'haweb-loopback-'));
function keygen(name: string): { priv: string; pubLine: string; path: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path]);
  return { priv: readFileSync(path, 'utf8'), pubLine: readFileSync(`${path}.pub`, 'utf8').trim(), path };
}
const hostKey = keygen('host');
const otherHostKey = keygen('other-host');
const clientKey = keygen('client');
const strangerKey = keygen('stranger');

let port = 0;
let active = 0;
let peak = 0;
const clients = new Set<any>();
let server: any;

beforeAll(async () => {
  const allowed = ssh2.utils.parseKey(clientKey.pubLine);
  server = new ssh2.Server({ hostKeys: [hostKey.priv] }, (client: any) => {
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx: any) => {
      const ok = ctx.method === 'publickey' && ctx.key.algo === allowed.type && Buffer.compare(ctx.key.data, allowed.getPublicSSH()) === 0;
      if (!ok) return ctx.reject(['publickey']);
      if (ctx.signature && !allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession: () => any) => {
        const session = acceptSession();
        session.on('exec', (accept: () => any, _reject: unknown, info: { command: string }) => {
          const stream = accept();
          active++;
          peak = Math.max(peak, active);
          const child = spawn('sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
          stream.pipe(child.stdin);
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          child.on('close', (code: number | null) => {
            active--;
            stream.exit(code ?? 255);
            stream.end();
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const c of clients) c.end();
  await new Promise((r) => server.close(r));
});

const keyBlob = (pubLine: string) => pubLine.split(' ').slice(0, 2).join(' ');
function target(over: Partial<ConnectionTarget> = {}): ConnectionTarget {
  const knownHostsFile = join(dir, `kh-${Math.random().toString(36).slice(2)}`);
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${keyBlob(hostKey.pubLine)}\n`);
  return {
    hostName: 'loopback',
    address: '127.0.0.1',
    port,
    user: 'tester',
    privateKeyFile: clientKey.path,
    knownHostsFile,
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 5000,
    ...over,
  };
}

describe('SshConnector over a loopback ssh2 server', () => {
  it('connects when the key matches known_hosts and runs argv as data', async () => {
    const conn = await new SshConnector().connect(target());
    const hostile = "a'b; echo INJECTED $(echo X) `echo Y`\n";
    expect(await conn.run({ argv: ['printf', '%s', hostile] })).toEqual({ code: 0, stdout: hostile, stderr: '' });
    await conn.close();
  });

  it('rejects a changed host key, naming host, file and line', async () => {
    const t = target();
    writeFileSync(t.knownHostsFile, `# one\n# two\n[127.0.0.1]:${port} ${keyBlob(otherHostKey.pubLine)}\n`);
    const err = await new SshConnector().connect({ ...t, hostKeyPolicy: 'accept-new' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err).toMatchObject({ reason: 'host-key', hostName: 'loopback' });
    expect((err as Error).message).toContain(`${t.knownHostsFile}:3`);
  });

  it('strict refuses an unknown host; accept-new learns it as [host]:port', async () => {
    const t = target();
    writeFileSync(t.knownHostsFile, '');
    expect(await new SshConnector().connect(t).catch((e: unknown) => e)).toMatchObject({ reason: 'host-key' });
    const learned: string[] = [];
    const conn = await new SshConnector({ onHostKeyLearned: (m) => learned.push(m) }).connect({ ...t, hostKeyPolicy: 'accept-new' });
    await conn.close();
    expect(readFileSync(t.knownHostsFile, 'utf8')).toBe(`[127.0.0.1]:${port} ${keyBlob(hostKey.pubLine)}\n`);
    expect(learned[0]).toMatch(/learned ssh-ed25519 key for loopback/);
  });

  it('without a key file, password or agent it uses ~/.ssh/id_ed25519 like ssh(1)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'haweb-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519'), clientKey.priv, { mode: 0o600 });
    const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };
    process.env.HOME = home;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const conn = await new SshConnector().connect(target({ privateKeyFile: undefined }));
      expect((await conn.run({ argv: ['true'] })).code).toBe(0);
      await conn.close();
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.SSH_AUTH_SOCK !== undefined) process.env.SSH_AUTH_SOCK = saved.SSH_AUTH_SOCK;
    }
  });

  it('an unaccepted client key is an auth failure', async () => {
    const err = await new SshConnector().connect(target({ privateKeyFile: strangerKey.path })).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'auth' });
  });

  it('never opens more than 8 channels at once, and all 20 runs succeed', async () => {
    const conn = await new SshConnector().connect(target());
    peak = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.run({ script: `sleep 0.2; echo ${i}` })));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(peak).toBe(8); // used to the limit, never beyond
    await conn.close();
  });

  it('writeFile / readFile through real scripts; timeout gives 124', async () => {
    const conn = await new SshConnector().connect(target());
    const path = join(dir, "out file's");
    await conn.writeFile(path, Buffer.from([1, 0, 2]), { mode: '0600' });
    expect((await conn.readFile(path))?.equals(Buffer.from([1, 0, 2]))).toBe(true);
    expect(await conn.readFile(join(dir, 'missing'))).toBeUndefined();
    expect((await conn.run({ argv: ['sleep', '5'] }, { timeoutMs: 1000 })).code).toBe(124);
    await conn.close();
  });

  it('a connection the server drops is "lost"', async () => {
    const conn = await new SshConnector().connect(target());
    for (const c of clients) c.end();
    await new Promise((r) => setTimeout(r, 200));
    expect(await conn.run({ argv: ['true'] }).catch((e: unknown) => e)).toMatchObject({ reason: 'lost' });
    await conn.close();
  });
});
