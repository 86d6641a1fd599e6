/**
 * Controller side of the client probe: starts probe/client.js where the client is, turns its JSON
 * lines into samples (page number → host), and stops it when told.
 */
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { ClientSide } from '../client-side.js';
import type { Sample } from '../types.js';

/** Path of the compiled probe script (dist/probe/client.js, next to this file). */
export const PROBE_SCRIPT = fileURLToPath(new URL('./client.js', import.meta.url));

export interface ProbeOptions {
  vip: string;
  port: number;
  /** Page number → host name. */
  pages: Record<string, string>;
  minIntervalMs?: number;
  maxIntervalMs?: number;
  timeoutMs?: number;
  /** The probe stops by itself after this long. */
  maxMs?: number;
  /** Node binary that runs the probe (the controller's by default). */
  nodeBinary?: string;
  /** The probe script (default PROBE_SCRIPT). */
  script?: string;
}

/** What the drill needs from a running probe; steps are unit-tested with a fake one. */
export interface Probe {
  /** Every sample so far, in the order requests finished. */
  samples(): readonly Sample[];
  stop(): Promise<void>;
}

export function hostOfPage(pages: Record<string, string>, page: number): string | undefined {
  return pages[String(page)];
}

/** Turns one line printed by the probe into a sample; undefined for control lines. */
export function parseProbeLine(line: string, pages: Record<string, string>): Sample | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o.t !== 'number' || typeof o.end !== 'number') return undefined;
  if (typeof o.page === 'number') {
    const host = hostOfPage(pages, o.page);
    return host ? { t: o.t, end: o.end, page: o.page, host } : { t: o.t, end: o.end, page: o.page, error: `page-${o.page}-unknown-host` };
  }
  return { t: o.t, end: o.end, error: typeof o.error === 'string' ? o.error : 'unknown' };
}

export class ProbeSession implements Probe {
  private readonly list: Sample[] = [];
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private stderr = '';

  constructor(
    private readonly client: ClientSide,
    private readonly opts: ProbeOptions,
  ) {}

  samples(): readonly Sample[] {
    return this.list;
  }

  /** Starts the probe and resolves once it made its first request (or rejects if it died). */
  async start(): Promise<void> {
    const o = this.opts;
    const argv = [
      o.nodeBinary ?? process.execPath,
      o.script ?? PROBE_SCRIPT,
      '--target', `${o.vip}:${o.port}`,
      '--min-interval-ms', String(o.minIntervalMs ?? 10),
      '--max-interval-ms', String(o.maxIntervalMs ?? 20),
      '--timeout-ms', String(o.timeoutMs ?? 1000),
      '--max-ms', String(o.maxMs ?? 900_000),
    ];
    const child = this.client.spawn(argv);
    this.child = child;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (this.stderr.length < 4096) this.stderr += d;
    });
    this.exited = new Promise((resolve) => child.on('close', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (line.includes('"ready"')) resolve();
        const s = parseProbeLine(line, o.pages);
        if (s) this.list.push(s);
      });
      child.on('error', (e) => reject(e));
      child.on('close', (code) => reject(new Error(`probe exited (${code}) before it started: ${this.stderr.trim()}`)));
      setTimeout(() => reject(new Error(`probe did not start within 10 s on ${this.client.description}`)), 10_000);
    });
    await ready;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    if (child.exitCode === null && child.signalCode === null) child.stdin?.end('stop\n');
    const timeoutMs = (this.opts.timeoutMs ?? 1000) + 3000;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref()),
    ]);
    // Our own child, by its PID, only if it did not stop when told.
    if (timedOut) child.kill('SIGKILL');
    await this.exited;
  }
}

/** Asks each address once from the client (probe --once); returns address → page number or error. */
export async function probeOnce(
  client: ClientSide,
  targets: { address: string; port: number }[],
  opts: { nodeBinary?: string; timeoutMs?: number; script?: string } = {},
): Promise<Map<string, { page?: number; error?: string }>> {
  const list = targets.map((x) => `${x.address}:${x.port}`).join(',');
  const r = await client.run(
    [opts.nodeBinary ?? process.execPath, opts.script ?? PROBE_SCRIPT, '--once', list, '--timeout-ms', String(opts.timeoutMs ?? 2000)],
    (opts.timeoutMs ?? 2000) * targets.length + 5000,
  );
  const out = new Map<string, { page?: number; error?: string }>();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as { target: string; page?: number; error?: string };
      out.set(o.target.slice(0, o.target.lastIndexOf(':')), { page: o.page, error: o.error });
    } catch {
      /* not ours */
    }
  }
  if (out.size === 0) throw new Error(`probe --once printed nothing (exit ${r.code}): ${r.stderr.trim()}`);
  return out;
}
