#!/usr/bin/env node
/**
 * The client probe: runs where the client is (inside the lab's client network namespace through
 * `ip netns exec NS node client.js ...`, or on the controller), so it must import nothing but Node's
 * own modules. It opens a NEW HTTP connection to the target every 10-20 ms and prints one JSON line
 * per finished request: {"t":start,"end":end,"page":N} or {"t":start,"end":end,"error":"ECONNREFUSED"}.
 *
 * Bounded: it stops by itself after --max-ms, never has more than --max-inflight requests open, and
 * stops when told (a line "stop" on stdin, stdin closed, or SIGTERM/SIGINT); it then waits for the
 * requests in flight (each bounded by --timeout-ms) and prints {"done":true,...}.
 *
 * `--once A:P,B:P` asks each target once and prints one line each with "target" set (used to learn
 * which page number each host serves).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

interface ProbeArgs {
  target?: string;
  once?: string;
  minIntervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
  maxMs: number;
  maxInflight: number;
}

const PAGE_RE = /Welcome to nginx!\s*(\d+)/;
const MAX_BODY = 64 * 1024;

function now(): number {
  // Epoch milliseconds with sub-millisecond resolution, comparable with the controller's clock.
  return performance.timeOrigin + performance.now();
}

function parseArgs(argv: string[]): ProbeArgs {
  const a: ProbeArgs = { minIntervalMs: 10, maxIntervalMs: 20, timeoutMs: 1000, maxMs: 900_000, maxInflight: 100 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value after ${key}`);
    i++;
    switch (key) {
      case '--target': a.target = value; break;
      case '--once': a.once = value; break;
      case '--min-interval-ms': a.minIntervalMs = Number(value); break;
      case '--max-interval-ms': a.maxIntervalMs = Number(value); break;
      case '--timeout-ms': a.timeoutMs = Number(value); break;
      case '--max-ms': a.maxMs = Number(value); break;
      case '--max-inflight': a.maxInflight = Number(value); break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  for (const k of ['minIntervalMs', 'maxIntervalMs', 'timeoutMs', 'maxMs', 'maxInflight'] as const) {
    if (!Number.isFinite(a[k]) || a[k] <= 0) throw new Error(`--${k} must be a positive number`);
  }
  // Hard ceilings, whatever the caller asks: the probe must never become a load generator.
  a.minIntervalMs = Math.max(5, a.minIntervalMs);
  a.maxIntervalMs = Math.max(a.minIntervalMs, a.maxIntervalMs);
  a.maxMs = Math.min(a.maxMs, 3_600_000);
  a.maxInflight = Math.min(a.maxInflight, 500);
  return a;
}

function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  if (i <= 0) throw new Error(`target must be ADDRESS:PORT, got ${target}`);
  const port = Number(target.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in ${target}`);
  return { host: target.slice(0, i), port };
}

interface Outcome {
  t: number;
  end: number;
  page?: number;
  error?: string;
}

/** One request on a fresh connection (no agent, no keep-alive). Always resolves. */
function requestOnce(host: string, port: number, timeoutMs: number): Promise<Outcome> {
  const t = now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (o: Omit<Outcome, 't' | 'end'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ t, end: now(), ...o });
    };
    const req = http.request(
      { host, port, path: '/', method: 'GET', agent: false, headers: { Connection: 'close', 'User-Agent': 'haweb-drill-probe' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return finish({ error: `http-${res.statusCode}` });
          const m = PAGE_RE.exec(body);
          finish(m ? { page: Number(m[1]) } : { error: 'unknown-body' });
        });
        res.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message }));
    req.end();
  });
}

function emit(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function runOnce(args: ProbeArgs): Promise<void> {
  const targets = (args.once ?? '').split(',').filter(Boolean);
  for (const target of targets) {
    const { host, port } = splitTarget(target);
    emit({ target, ...(await requestOnce(host, port, args.timeoutMs)) });
  }
}

async function runLoop(args: ProbeArgs): Promise<void> {
  const { host, port } = splitTarget(args.target!);
  const startedAt = now();
  let stopping = false;
  let inflight = 0;
  let sent = 0;
  let skipped = 0;
  const pending = new Set<Promise<void>>();

  const stop = () => {
    stopping = true;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    if (d.includes('stop')) stop();
  });
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);

  emit({ ready: true, t: startedAt, target: args.target });
  while (!stopping && now() - startedAt < args.maxMs) {
    if (inflight < args.maxInflight) {
      inflight++;
      sent++;
      const p = requestOnce(host, port, args.timeoutMs).then((o) => {
        inflight--;
        emit(o);
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    } else {
      skipped++;
    }
    const wait = args.minIntervalMs + Math.random() * (args.maxIntervalMs - args.minIntervalMs);
    await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  emit({ done: true, t: now(), sent, skipped, reason: stopping ? 'told' : 'max-ms' });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.once) await runOnce(args);
  else if (args.target) await runLoop(args);
  else throw new Error('give --target ADDRESS:PORT or --once ADDRESS:PORT[,...]');
  // stdin may hold the loop open; everything is printed, so leave.
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`probe: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
