import { describe, expect, it } from 'vitest';
import { parseCmdline, parseStat, processMatches } from '../../../src/os/processes.js';
import type { ProcessMatch } from '../../../src/os/types.js';

describe('parseStat', () => {
  it.each([
    ['1234 (nginx) S 1 1234 1234 0 -1', { comm: 'nginx', state: 'S' }],
    ['77 (my (odd) name) Z 1 77', { comm: 'my (odd) name', state: 'Z' }],
    ['garbage', undefined],
  ])('%s', (text, expected) => expect(parseStat(text)).toEqual(expected));
});

describe('parseCmdline', () => {
  it.each([
    ['/usr/sbin/haproxy\0-f\0/etc/haproxy.cfg\0', ['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg']],
    ['nginx: master process /usr/local/nginx/sbin/nginx\0', ['nginx: master process /usr/local/nginx/sbin/nginx']],
    ['', []],
  ])('%j', (text, expected) => expect(parseCmdline(text)).toEqual(expected));
});

const m = (o: Partial<ProcessMatch>): ProcessMatch => ({ process: 'nginx', params: [], paramMatch: 'exact', paramMatchGiven: false, fullCommand: false, ...o });

describe('processMatches (keepalived: exact, not a pgrep regex)', () => {
  it.each([
    ['name against comm', m({}), 'nginx', ['nginx: master process /usr/local/nginx/sbin/nginx'], true],
    ['no prefix match', m({ process: 'ngin' }), 'nginx', [], false],
    ['long names compare on 15 characters', m({ process: 'a-very-long-process-name' }), 'a-very-long-pro', [], true],
    ['exact parameters', m({ process: '/usr/sbin/haproxy', params: ['-f', '/etc/h.cfg'] }), 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/h.cfg'], true],
    ['exact parameters, one more given', m({ process: '/usr/sbin/haproxy', params: ['-f'] }), 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/h.cfg'], false],
    ['partial: the first n match', m({ process: '/usr/sbin/haproxy', params: ['-f'], paramMatch: 'partial', paramMatchGiven: true }), 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/h.cfg'], true],
    ['initial: the last may be longer', m({ process: '/usr/sbin/haproxy', params: ['-f', '/etc/h'], paramMatch: 'initial', paramMatchGiven: true }), 'haproxy', ['/usr/sbin/haproxy', '-f', '/etc/h.cfg'], true],
    ['param_match with no parameters: none allowed', m({ process: 'sleep', paramMatch: 'partial', paramMatchGiven: true }), 'sleep', ['sleep', '100'], false],
    ['full_command matches argv[0] exactly', m({ process: '/bin/sleep', fullCommand: true }), 'sleep', ['/bin/sleep', '100'], true],
    ['kernel threads have no command line', m({ process: 'kthreadd', fullCommand: true }), 'kthreadd', [], false],
  ])('%s', (_what, match, comm, argv, expected) => {
    expect(processMatches(match, { comm, state: 'S' }, () => argv)).toBe(expected);
  });
});

describe('ProcfsProcessMonitor on this machine (pidfd_open + /proc)', () => {
  it('counts matching processes, sees an exit through the pidfd and a new one on a rescan', async () => {
    const { spawn } = await import('node:child_process');
    const { loadLibc, Poller, ProcfsProcessMonitor } = await import('../../../src/os/index.js');
    const libc = loadLibc();
    const poller = new Poller(libc);
    // A unique parameter tells our sleeps from anyone else's.
    const tag = `${4000 + (process.pid % 1000)}.${Date.now() % 1000}`;
    const first = spawn('sleep', [tag], { stdio: 'ignore' });
    const { readFileSync: read } = await import('node:fs');
    for (let i = 0; i < 200; i++) {
      try { if (read(`/proc/${first.pid}/cmdline`, 'utf8').startsWith('sleep')) break; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 25));
    }
    const monitor = new ProcfsProcessMonitor(libc, poller, { scanIntervalMs: 60_000 });
    const counts: number[] = [];
    const watch = monitor.watch({ process: 'sleep', params: [tag], paramMatch: 'exact', paramMatchGiven: false, fullCommand: false }, (n) => counts.push(n));
    const waitFor = async (probe: () => boolean) => {
      for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(probe()).toBe(true);
    };
    let second: ReturnType<typeof spawn> | undefined;
    try {
      expect(counts).toEqual([1]);
      first.kill('SIGKILL');
      // Only the pidfd can report this: the periodic scan is a minute away.
      await waitFor(() => counts.at(-1) === 0);
      second = spawn('sleep', [tag], { stdio: 'ignore' });
      // Until it has exec'ed, the child is still a node: wait for its command line to be sleep's.
      const { readFileSync } = await import('node:fs');
      await waitFor(() => { try { return readFileSync(`/proc/${second!.pid}/cmdline`, 'utf8').startsWith(`sleep\0${tag}`); } catch { return false; } });
      expect(await watch.rescan()).toBe(1);
      expect(counts).toEqual([1, 0, 1]);
    } finally {
      watch.stop();
      first.kill('SIGKILL');
      second?.kill('SIGKILL');
    }
  });
});
