/**
 * Debian's keepalived run in a namespace in the foreground with private pid files, bounded by
 * timeout(1), its log captured for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KEEPALIVED = '/usr/sbin/keepalived';

export class Keepalived {
  log = '';
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
  ) {
    child.stdout!.on('data', (c) => (this.log += c));
    child.stderr!.on('data', (c) => (this.log += c));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  static start(ns: string, config: string, maxSeconds = 120): Keepalived {
    const dir = mkdtempSync(join(tmpdir(), 'vrrp-ka-'));
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, config);
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'timeout', String(maxSeconds), KEEPALIVED, '-n', '-l', '-D', '-P', '-f', conf,
        '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Keepalived(child, dir);
  }

  /** Lines of the log after `fromOffset` that match. */
  lines(pattern: RegExp, fromOffset = 0): string[] {
    return this.log.slice(fromOffset).split('\n').filter((l) => pattern.test(l));
  }

  async waitForLog(pattern: RegExp, timeoutMs: number, fromOffset = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines(pattern, fromOffset)[0];
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`keepalived never logged ${pattern} within ${timeoutMs} ms. Log:\n${this.log.slice(fromOffset)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** keepalived's own pids (parent and VRRP child) from its private pid files. */
  pids(): number[] {
    const out: number[] = [];
    for (const file of ['keepalived.pid', 'vrrp.pid']) {
      try {
        out.push(Number(readFileSync(join(this.dir, file), 'utf8').trim()));
      } catch {
        // not written (yet) or already removed
      }
    }
    return out.filter((pid) => pid > 1);
  }

  /** SIGTERM through timeout(1) (it forwards the signal); SIGKILL to keepalived's own pids if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      rmSync(this.dir, { recursive: true, force: true });
      return;
    }
    const pids = this.pids();
    this.child.kill('SIGTERM');
    const t = setTimeout(() => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      this.child.kill('SIGKILL');
    }, 5000);
    await this.exited;
    clearTimeout(t);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
