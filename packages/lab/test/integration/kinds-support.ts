/** Helpers of the host-kind integration tests: what a lab may leave behind, and probes over the LAN. */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { clientExec, hostExec, type LabState } from '../../src/index.js';
import { run } from '../../src/exec.js';
import { labDir } from '../../src/paths.js';

/** Everything of lab `name` still present on the machine; empty when `down` cleaned up. */
export async function leftovers(name: string): Promise<string[]> {
  const found: string[] = [];
  const dir = labDir(name);
  for (const ns of await readdir('/run/netns').catch(() => [] as string[])) if (ns.startsWith(`${name}-`)) found.push(`netns ${ns}`);
  const links = (await run(['ip', '-o', 'link', 'show'], { step: 'list links' })).stdout;
  if (links.includes(`${name}-ctl`)) found.push(`link ${name}-ctl`);
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) if (line.includes(`${dir}/`) || line.includes(`/${name}-`)) found.push(`mount ${line}`);
  for (const hierarchy of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup']) {
    for (const cg of await readdir(`${hierarchy}/haweb-lab`).catch(() => [] as string[])) if (cg.startsWith(`${name}-`)) found.push(`cgroup ${hierarchy}/haweb-lab/${cg}`);
  }
  for (const m of await readdir('/run/systemd/nspawn/propagate').catch(() => [] as string[])) if (m.startsWith(`${name}-`)) found.push(`nspawn propagate dir ${m}`);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (cmd.includes(`${dir}/`) || cmd.includes(` ${name}-`) || cmd.includes(`=${name}-`) || cmd.includes(`/netns/${name}-`)) found.push(`process ${entry}: ${cmd}`);
  }
  if (existsSync(dir)) found.push(`state ${dir}`);
  return found;
}

/** curl from the client to host:port: exit 0 answered, 7 refused/rejected (no route), 28 timed out. */
export async function curlFromClient(lab: LabState, address: string, port: number): Promise<{ code: number; stderr: string }> {
  const r = await clientExec(lab, ['curl', '-sS', '-o', '/dev/null', '--max-time', '5', `http://${address}:${port}/`], { allowFailure: true, timeoutMs: 15_000 });
  return { code: r.code, stderr: r.stderr };
}

export async function bootId(lab: LabState, host: string): Promise<string> {
  return (await hostExec(lab, host, ['cat', '/proc/sys/kernel/random/boot_id'])).stdout.trim();
}
