/** The controller as a host: LocalConnection runs the same command lines and file scripts under sh here. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionTarget, Connector } from '@haweb/core';
import { LocalConnection, LocalConnector, TransportConnector } from '../../src/local.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const conn = new LocalConnection('localhost');

describe('LocalConnection', () => {
  it('runs argv with every element as data, with cwd, env and stdin', async () => {
    const r = await conn.run({ argv: ['printf', '%s|%s|%s', '$HOME', 'a b', "it's"] });
    expect(r).toEqual({ code: 0, stdout: "$HOME|a b|it's", stderr: '' });
    const env = await conn.run({ script: 'printf "%s %s" "$X" "$(pwd)"' }, { env: { X: 'x y' }, cwd: dir });
    expect(env.stdout).toBe(`x y ${dir}`);
    expect((await conn.run({ argv: ['cat'] }, { stdin: 'fed' })).stdout).toBe('fed');
  });

  it('reports exit codes and stderr, and a missing cwd fails instead of running elsewhere', async () => {
    expect(await conn.run({ script: 'echo oops >&2; exit 3' })).toEqual({ code: 3, stdout: '', stderr: 'oops\n' });
    expect((await conn.run({ argv: ['true'] }, { cwd: join(dir, 'missing') })).code).not.toBe(0);
  });

  it('stops a command at its timeout (exit 124, like timeout(1))', async () => {
    expect((await conn.run({ argv: ['sleep', '5'] }, { timeoutMs: 200 })).code).toBe(124);
  });

  it('streams output as it comes', async () => {
    const chunks: string[] = [];
    await conn.run({ script: 'echo one; echo two >&2' }, { onOutput: (c, s) => chunks.push(`${s}:${c}`) });
    expect(chunks.sort()).toEqual(['stderr:two\n', 'stdout:one\n']);
  });

  it('writes files atomically with their mode, copies controller files, reads them back (absent: undefined)', async () => {
    const dest = join(dir, 'written');
    await conn.writeFile(dest, 'content\n', { mode: '0640' });
    expect(readFileSync(dest, 'utf8')).toBe('content\n');
    expect(statSync(dest).mode & 0o777).toBe(0o640);
    const src = join(dir, 'src');
    writeFileSync(src, Buffer.from([0, 1, 2, 255]));
    await conn.putFile(src, join(dir, 'copied'), { mode: '0600' });
    expect(readFileSync(join(dir, 'copied'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await conn.readFile(join(dir, 'copied'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await conn.readFile(join(dir, 'nothing'))).toBeUndefined();
  });

  it('a write that cannot happen fails naming the path', async () => {
    await expect(conn.writeFile(join(dir, 'no', 'such', 'dir', 'f'), 'x')).rejects.toThrow(/writing .*no\/such\/dir\/f on localhost failed/);
  });
});

describe('TransportConnector', () => {
  it('sends local targets to the local connector and the rest to SSH', async () => {
    const asked: string[] = [];
    const ssh: Connector = {
      connect: async (t) => {
        asked.push(`ssh ${t.hostName}`);
        return new LocalConnection(t.hostName);
      },
    };
    const connector = new TransportConnector(ssh, new LocalConnector());
    const target = (hostName: string, transport?: 'ssh' | 'local'): ConnectionTarget => ({
      hostName,
      transport,
      address: hostName,
      port: 22,
      user: 'root',
      knownHostsFile: '/dev/null',
      hostKeyPolicy: 'strict',
      connectTimeoutMs: 1000,
    });
    expect(await connector.connect(target('here', 'local'))).toBeInstanceOf(LocalConnection);
    await connector.connect(target('there', 'ssh'));
    await connector.connect(target('default'));
    expect(asked).toEqual(['ssh there', 'ssh default']);
  });
});
