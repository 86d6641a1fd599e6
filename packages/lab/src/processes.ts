/**
 * Finding and stopping processes by PID. The root namespace sees every host's processes, so the lab never
 * kills by name: only PIDs it recorded, or PIDs proven to be inside one of its namespaces.
 */
import { readFile, readdir, readlink, stat } from 'node:fs/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function cmdline(pid: number): Promise<string[]> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return raw.split('\0').filter(Boolean);
}

export async function parentPid(pid: number): Promise<number | undefined> {
  const raw = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const afterComm = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(afterComm[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** PIDs whose network namespace is the one bound at `netnsPath` (e.g. /run/netns/haweb-lan). */
export async function pidsInNetns(netnsPath: string): Promise<number[]> {
  let target: string;
  try {
    const st = await stat(netnsPath);
    target = `net:[${st.ino}]`;
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ns = await readlink(`/proc/${entry}/ns/net`).catch(() => '');
    if (ns === target) pids.push(Number(entry));
  }
  return pids;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(isAlive);
  }
  return left;
}

/** PIDs whose command line is `... supervisor.sh <dir>/...` for a host directory under `labHostsDir`. */
export async function supervisorPidsUnder(labHostsDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await cmdline(Number(entry));
    if (argv.some((a) => a.endsWith('/supervisor.sh')) && argv.some((a) => a.startsWith(`${labHostsDir}/`))) pids.push(Number(entry));
  }
  return pids;
}
