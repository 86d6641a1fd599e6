/**
 * A cross-process lock (a directory holding the owner's PID), so two `up`s (e.g. two test runs) do not
 * build the same image or lab at once. A lock whose owner is dead is taken over.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from './exec.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(path: string, what: string, timeoutMs: number, action: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(`${path}/pid`, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(`${path}/pid`, 'utf8').catch(() => '')).trim());
      if (owner > 0 && !alive(owner)) {
        await rm(path, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new LabError(`lock ${what}`, `${path} is held by pid ${owner || '?'} for more than ${timeoutMs / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await action();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}
