/** Captures with tshark inside a namespace and reads fields back (tshark's own VRRP/ARP dissectors). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export class Capture {
  readonly file: string;
  private readonly child: ChildProcess;
  private readonly done: Promise<void>;
  stderr = '';

  constructor(ns: string, ifname: string, filter: string, maxSeconds: number) {
    this.file = join(mkdtempSync(join(tmpdir(), 'vrrp-cap-')), 'capture.pcapng');
    this.child = spawn(
      'ip',
      ['netns', 'exec', ns, 'tshark', '-q', '-i', ifname, '-f', filter, '-a', `duration:${maxSeconds}`, '-w', this.file],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr!.on('data', (c) => (this.stderr += c));
    this.done = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }

  /** Resolves once dumpcap reports it is capturing. */
  async started(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!/Capturing on/.test(this.stderr)) {
      if (Date.now() > deadline) throw new Error(`tshark did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  /** Deletes the capture file and its directory. */
  dispose(): void {
    rmSync(dirname(this.file), { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    await this.done;
  }

  /** One row per packet matching the display filter, one column per field. */
  fields(displayFilter: string, fields: string[]): string[][] {
    const args = ['-r', this.file, '-Y', displayFilter, '-T', 'fields', '-E', 'separator=|'];
    for (const f of fields) args.push('-e', f);
    // tshark exits non-zero when a capture stopped by a signal ends mid-packet, yet prints every row.
    const result = spawnSync('tshark', args, { encoding: 'utf8' });
    if (result.status !== 0 && !result.stdout) throw new Error(`tshark ${args.join(' ')}: ${result.stderr}`);
    const out = result.stdout;
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
  }
}
