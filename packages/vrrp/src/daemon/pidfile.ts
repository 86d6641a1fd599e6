import { readFileSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

export function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes our pid, refusing when the file names another live process (a second daemon). */
export async function claimPidFile(path: string, pid = process.pid): Promise<void> {
  const existing = readPid(path);
  if (existing !== undefined && existing !== pid && isAlive(existing)) {
    throw new Error(`already running with pid ${existing} (pid file ${path})`);
  }
  await writeFileAtomic(path, `${pid}\n`);
}

export function removePidFile(path: string, pid = process.pid): void {
  if (readPid(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
