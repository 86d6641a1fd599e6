/** wait_for: argument checks, the outcome parser, and the wait script under a real python3 (files and a loopback port). */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWaitFor, TCP_STATES, WAIT_FOR_SCRIPT, waitForArgumentError, type WaitForArgs } from '../../src/index.js';

const base: WaitForArgs = {
  host: '127.0.0.1', state: 'started', timeout: 2, connect_timeout: 1, delay: 0, sleep: 1,
  active_connection_states: ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT'],
};

describe('waitForArgumentError', () => {
  it.each<[Partial<WaitForArgs>, string | undefined]>([
    [{ port: 80 }, undefined],
    [{ port: 80, path: '/x' }, 'port and path parameter can not both be passed to wait_for'],
    [{ path: '/x', state: 'stopped' }, 'state=stopped should only be used for checking a port in the wait_for module'],
    [{ path: '/x', state: 'drained' }, 'state=drained should only be used for checking a port in the wait_for module'],
    [{ port: 80, exclude_hosts: ['a'] }, 'exclude_hosts should only be with state=drained'],
    [{ port: 80, active_connection_states: ['NOPE'] }, 'unknown active_connection_state (NOPE) defined'],
  ])('%j', (over, want) => expect(waitForArgumentError({ ...base, ...over })).toBe(want));
});

describe('parseWaitFor', () => {
  it.each([
    ['a result line', 'noise\n{"elapsed": 3, "state": "started"}\n', '', 0, { elapsed: 3, state: 'started' }],
    ['no python3', '', 'sh: python3: not found', 127, { failed: true, msg: 'wait_for could not wait on the host: python3 is not installed on the host (wait_for runs its wait there, as Ansible does)', elapsed: 0 }],
    ['a crash', '', 'Traceback\nValueError: x', 1, { failed: true, msg: 'wait_for could not wait on the host: exit 1: Traceback | ValueError: x', elapsed: 0 }],
  ])('%s', (_, out, err, code, want) => expect(parseWaitFor(out, err, code)).toEqual(want));
});

/** Runs the script without blocking the event loop (the test's own server must keep answering). */
function wait(over: Partial<WaitForArgs>): Promise<Record<string, unknown>> {
  const a = { ...base, ...over };
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', ['-c', WAIT_FOR_SCRIPT], { timeout: 20_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve(parseWaitFor(out, err, code ?? -1)));
    child.stdin.end(JSON.stringify({ ...a, tcp_states: a.active_connection_states.map((s) => TCP_STATES[s]) }));
  });
}

describe('the wait script under python3', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-wait-'));
  writeFileSync(join(dir, 'log'), 'booting\nlistening on port 8080 as web\n');
  it('finds a pattern in a file, with its groups', async () => {
    expect(await wait({ path: join(dir, 'log'), search_regex: 'port (?P<port>\\d+) as (\\w+)$' })).toMatchObject({
      // Ansible's path facts replace `state` for an existing path.
      state: 'file', mode: '0644', size: 38, port: null, search_regex: 'port (?P<port>\\d+) as (\\w+)$', match_groups: ['8080', 'web'], match_groupdict: { port: '8080' }, path: join(dir, 'log'), elapsed: 0,
    });
  });
  it('times out on a pattern that never appears, with Ansible\'s message', async () => {
    expect(await wait({ path: join(dir, 'log'), search_regex: 'ready', timeout: 1 })).toMatchObject({ failed: true, msg: `Timeout when waiting for search string ready in ${join(dir, 'log')}` });
  });
  it('an absent path is absent at once; a custom msg replaces the timeout message', async () => {
    expect(await wait({ path: join(dir, 'nope'), state: 'absent' })).toMatchObject({ state: 'absent', elapsed: 0 });
    expect(await wait({ path: join(dir, 'log'), state: 'absent', timeout: 1, msg: 'still there' })).toMatchObject({ failed: true, msg: 'still there' });
  });
  it('waits for a listening port, and sees a closed one as stopped', async () => {
    const server = createServer((s) => s.end('SSH-2.0-test\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await wait({ port })).toMatchObject({ state: 'started', port, elapsed: 0 });
      expect(await wait({ port, search_regex: 'SSH-2' })).toMatchObject({ state: 'started', port });
      expect(await wait({ port, state: 'stopped', timeout: 1 })).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${port} to stop.` });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await wait({ port, state: 'stopped' })).toMatchObject({ state: 'stopped', port });
    expect(await wait({ port, timeout: 1 })).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${port}` });
  }, 30_000);
});
