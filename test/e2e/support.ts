/** What the end-to-end tests share: the repository's paths and two small helpers. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const PLAYBOOK = join(ROOT, 'playbooks/ha-nginx.yml');
export const PROVISION = join(ROOT, 'packages/cli/dist/provision.js');
export const DRILL = join(ROOT, 'packages/drill/dist/cli.js');

/** Runs a node script of the repository (provision, drill) from its root, killed after timeoutMs; stderr is echoed. */
export function run(argv: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** Polls probe every 250 ms until ok holds or timeoutMs passes; fails the test with the last value seen. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  expect(ok(last), `${what}: last seen ${JSON.stringify(last)}`).toBe(true);
  return last;
}
