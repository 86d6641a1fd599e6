/**
 * The real probe script against HTTP servers on loopback: one new connection per request, pages
 * mapped to hosts, refused connections recorded as errors, and it stops when told. The script is
 * compiled from src on the fly so the test does not depend on this package's own build.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClient } from '../../src/client-side.js';
import { ProbeSession, parseProbeLine, probeOnce } from '../../src/probe/session.js';

let script: string;
const servers: http.Server[] = [];
const sockets = new Set<unknown>();

function serve(page: string): Promise<number> {
  return new Promise((resolve) => {
    const srv = http.createServer((_q, r) => r.end(`<h1>Welcome to nginx! ${page}</h1>`));
    srv.on('connection', (s) => sockets.add(s));
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port));
    servers.push(srv);
  });
}

beforeAll(() => {
  const src = readFileSync(fileURLToPath(new URL('../../src/probe/client.ts', import.meta.url)), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  script = join(mkdtempSync(join(tmpdir(), 'drill-probe-')), 'client.mjs');
  writeFileSync(script, js);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('probe', () => {
  it('asks each target once and tells pages from refusals', async () => {
    const port = await serve('7');
    const r = await probeOnce(new LocalClient(), [{ address: '127.0.0.1', port }, { address: '127.0.0.2', port: 1 }], { script, timeoutMs: 1000 });
    expect(r.get('127.0.0.1')).toEqual({ page: 7, error: undefined });
    expect(r.get('127.0.0.2')?.error).toBe('ECONNREFUSED');
  });

  it('makes a new connection every 10-20 ms, maps pages to hosts, and stops when told', async () => {
    let connections = 0;
    const srv = http.createServer((_q, r) => r.end('<title>Welcome to nginx! 1</title>'));
    srv.on('connection', () => connections++);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    servers.push(srv);
    const port = (srv.address() as AddressInfo).port;
    const probe = new ProbeSession(new LocalClient(), { vip: '127.0.0.1', port, pages: { '1': 'edu-proxy-01' }, script, maxMs: 20_000 });
    const started = Date.now();
    await probe.start();
    await new Promise((r) => setTimeout(r, 600));
    await probe.stop();
    const took = Date.now() - started;
    const samples = probe.samples();
    // 600 ms at one request every 10-20 ms: 30-60 requests, give or take process start.
    expect(samples.length).toBeGreaterThanOrEqual(20);
    expect(samples.length).toBeLessThanOrEqual(Math.ceil(took / 10) + 2);
    expect(samples.every((s) => s.host === 'edu-proxy-01' && s.page === 1 && s.end >= s.t)).toBe(true);
    // One connection per request: no keep-alive.
    expect(connections).toBe(samples.length);
    // Samples come in the order requests finished; spacing is about when they started.
    const starts = samples.map((s) => s.t).sort((a, b) => a - b);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(9);
  });

  it('records failures by reason and unknown pages as errors', async () => {
    const probe = new ProbeSession(new LocalClient(), { vip: '127.0.0.1', port: 1, pages: {}, script, maxMs: 20_000 });
    await probe.start();
    await new Promise((r) => setTimeout(r, 100));
    await probe.stop();
    expect(probe.samples().length).toBeGreaterThan(2);
    expect(new Set(probe.samples().map((s) => s.error))).toEqual(new Set(['ECONNREFUSED']));
    expect(parseProbeLine('{"t":1,"end":2,"page":3}', { '1': 'a' })).toEqual({ t: 1, end: 2, page: 3, error: 'page-3-unknown-host' });
    expect(parseProbeLine('{"ready":true,"t":1}', {})).toBeUndefined();
    expect(parseProbeLine('garbage', {})).toBeUndefined();
  });

  it('stops by itself after its maximum duration', async () => {
    const port = await serve('2');
    const probe = new ProbeSession(new LocalClient(), { vip: '127.0.0.1', port, pages: { '2': 'b' }, script, maxMs: 300 });
    const t0 = Date.now();
    await probe.start();
    // stop() only waits for the exit that already happens at max-ms.
    await new Promise((r) => setTimeout(r, 800));
    const n = probe.samples().length;
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.samples().length).toBe(n);
    await probe.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
