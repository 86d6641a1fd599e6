import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleTimestamp, createLogger } from '../../../src/daemon/logger.js';

describe('logging', () => {
  it('console lines carry keepalived\'s timestamp prefix; debug only with -D', () => {
    const lines: string[] = [];
    const log = createLogger({ console: true, detail: false, write: (l) => lines.push(l) });
    log.info('(VI_1) Entering MASTER STATE');
    log.debug('detail');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \d{4}: \(VI_1\) Entering MASTER STATE$/);
    expect(consoleTimestamp(new Date(2026, 10, 5, 3, 4, 5))).toBe('Thu Nov 05 03:04:05 2026');
  });

  it('syslog: one datagram per line to the /dev/log-style socket, facility daemon', async () => {
    // Node cannot bind a unix datagram socket, so a python3 one-liner plays syslogd.
    const path = join(mkdtempSync(join(tmpdir(), 'vrrpd-log-')), 'log.sock');
    const server = spawn('python3', ['-c', `import socket\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(${JSON.stringify(path)})\nprint('ready',flush=True)\ns.settimeout(10)\nfor i in range(2): print(s.recv(4096).decode(),flush=True)`]);
    let out = '';
    server.stdout.on('data', (c) => (out += c));
    for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
    const log = createLogger({ console: false, detail: true, syslogPath: path, write: () => { throw new Error('fell back to the console'); } });
    log.info('(VI_1) Entering MASTER STATE');
    log.warn('(VI_1) sent 0 priority');
    log.close();
    await new Promise((r) => server.on('exit', r));
    const got = out.split('\n').filter((l) => l.startsWith('<'));
    expect(got).toHaveLength(2);
    expect(got[0]).toMatch(new RegExp(`^<30>\\w{3} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} vrrpd\\[${process.pid}\\]: \\(VI_1\\) Entering MASTER STATE$`));
    expect(got[1]).toMatch(/^<28>.*: \(VI_1\) sent 0 priority$/);
  });
});

describe('log file (-g)', () => {
  it('appends timestamped lines, and two loggers can share the file', async () => {
    const { readFileSync } = await import('node:fs');
    const file = join(mkdtempSync(join(tmpdir(), 'vrrpd-logfile-')), 'sub', 'vrrpd.log');
    const one = createLogger({ console: false, detail: false, logFile: file, syslogPath: '/nonexistent' });
    const two = createLogger({ console: false, detail: false, logFile: file, syslogPath: '/nonexistent' });
    one.info('Starting VRRP child process, pid=1');
    two.info('(VI_1) Entering BACKUP STATE (init)');
    one.close();
    two.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.replace(/^.*? \d{4}: /, ''))).toEqual(['Starting VRRP child process, pid=1', '(VI_1) Entering BACKUP STATE (init)']);
  });
});
