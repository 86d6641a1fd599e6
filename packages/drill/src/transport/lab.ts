/**
 * The lab (packages/lab) as seen by the drill: its state (VIP, client namespace, inventory) and its
 * reboot, which kills the host's PID 1 and lets the lab's supervisor boot it again. Host commands still
 * go over SSH; only the reboot goes through the lab, as the seed's "reboot the machine" does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostOps } from '../host-ops.js';
import type { RunResult } from '../client-side.js';

/** The part of the lab's lab.json the drill reads. */
export interface LabInfo {
  name: string;
  vip: string;
  client: { address: string; netns: string };
  hosts: { name: string; address: string; netns: string }[];
  paths: { inventory: string; knownHosts: string; privateKey: string };
}

export function labStateFile(name: string): string {
  const root = process.env.HAWEB_LAB_STATE_DIR ?? '/var/lib/haweb/lab';
  return join(root, name, 'lab.json');
}

export async function readLabInfo(name: string): Promise<LabInfo> {
  const file = labStateFile(name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`lab ${name} is not up (no ${file}); run \`npm run lab -- up${name === 'haweb' ? '' : ` --name ${name}`}\``);
  }
  const s = JSON.parse(text) as LabInfo;
  if (!s.vip || !s.client?.netns || !Array.isArray(s.hosts) || !s.paths?.inventory) throw new Error(`${file}: not a lab state the drill understands`);
  return s;
}

type LabReboot = (name: string, host: string, log?: (m: string) => void) => Promise<void>;

async function loadLabReboot(): Promise<LabReboot> {
  const spec = '@haweb/lab';
  const mod = (await import(spec)) as { labReboot?: LabReboot };
  if (typeof mod.labReboot !== 'function') throw new Error('@haweb/lab does not export labReboot (build it: npx turbo run build --filter=@haweb/lab)');
  return mod.labReboot;
}

/**
 * Host operations for a lab: commands through `inner` (SSH), reboot through the lab. The lab's reboot
 * waits for the whole boot; the drill only needs it started, so it runs on in the background and its
 * failure is reported by the next command.
 */
export class LabRebootHostOps implements HostOps {
  private readonly reboots = new Map<string, Promise<void>>();
  private rebootError?: Error;

  constructor(
    private readonly labName: string,
    private readonly inner: HostOps,
    private readonly log: (line: string) => void = () => {},
    private readonly rebootFn?: LabReboot,
  ) {}

  run(host: string, script: string, timeoutMs?: number): Promise<RunResult> {
    if (this.rebootError) {
      const e = this.rebootError;
      this.rebootError = undefined;
      return Promise.resolve({ code: 255, stdout: '', stderr: `lab reboot failed: ${e.message}` });
    }
    return this.inner.run(host, script, timeoutMs);
  }

  async reboot(host: string): Promise<void> {
    const reboot = this.rebootFn ?? (await loadLabReboot());
    let started!: () => void;
    const killed = new Promise<void>((r) => (started = r));
    // The lab logs once it killed PID 1: that is the moment of the fault.
    const p = reboot(this.labName, host, (m) => {
      this.log(`  lab: ${m}`);
      started();
    }).catch((e: unknown) => {
      this.rebootError = e instanceof Error ? e : new Error(String(e));
    });
    this.reboots.set(host, p);
    await Promise.race([killed, p, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (this.rebootError) throw this.rebootError;
  }

  async close(): Promise<void> {
    // A reboot still booting is the lab's business (its supervisor); do not leave a promise dangling.
    await Promise.race([Promise.all(this.reboots.values()), new Promise((r) => setTimeout(r, 1000).unref())]);
    await this.inner.close();
  }
}

type LabHostExec = (lab: unknown, host: string, argv: string[], o?: { allowFailure?: boolean; timeoutMs?: number }) => Promise<RunResult>;
type LabReadState = (name: string) => Promise<unknown>;

/**
 * Host commands through the lab instead of SSH (`--via lab`): `sh -c SCRIPT` inside the host's own
 * namespaces (the lab's hostExec enters its PID 1's namespaces, so pgrep/kill see only that host).
 */
export class LabExecHostOps implements HostOps {
  private readonly rebooter: LabRebootHostOps;

  constructor(
    private readonly labName: string,
    log: (line: string) => void = () => {},
  ) {
    this.rebooter = new LabRebootHostOps(labName, { run: (h, s, t) => this.exec(h, s, t), reboot: async () => undefined, close: async () => undefined }, log);
  }

  private async exec(host: string, script: string, timeoutMs = 30_000): Promise<RunResult> {
    const spec = '@haweb/lab';
    const mod = (await import(spec)) as { hostExec?: LabHostExec; readLabState?: LabReadState };
    if (typeof mod.hostExec !== 'function' || typeof mod.readLabState !== 'function') throw new Error('@haweb/lab does not export hostExec/readLabState');
    const state = await mod.readLabState(this.labName);
    if (!state) return { code: 255, stdout: '', stderr: `lab ${this.labName} is not up` };
    try {
      return await mod.hostExec(state, host, ['sh', '-c', script], { allowFailure: true, timeoutMs });
    } catch (e) {
      // Not running (rebooting) or timed out: a failed command, like a dropped SSH connection.
      return { code: 255, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
    }
  }

  run(host: string, script: string, timeoutMs?: number): Promise<RunResult> {
    return this.rebooter.run(host, script, timeoutMs);
  }
  reboot(host: string): Promise<void> {
    return this.rebooter.reboot(host);
  }
  close(): Promise<void> {
    return this.rebooter.close();
  }
}
