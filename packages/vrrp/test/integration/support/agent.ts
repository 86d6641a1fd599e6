/** Client side of os-agent.mjs: starts it in a namespace and talks JSON lines to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const AGENT = fileURLToPath(new URL('./os-agent.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/os/index.js', import.meta.url));

export interface AgentEvent {
  event: string;
  [key: string]: unknown;
}

export class OsAgent {
  readonly events: AgentEvent[] = [];
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line);
      if (message.id !== undefined) {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(Object.assign(new Error(message.error), { code: message.code }));
      } else {
        this.events.push(message);
      }
    });
  }

  /**
   * `ip netns exec` also remounts /sys for the namespace; `nsenter --net` does not (the way the lab
   * tests run daemons), so /sys/class/net then shows the root namespace's interfaces.
   */
  static async start(ns: string, via: 'ip-netns-exec' | 'nsenter-net' = 'ip-netns-exec'): Promise<OsAgent> {
    if (!existsSync(DIST)) throw new Error(`${DIST} missing: build first (npx turbo run build --filter=@haweb/vrrp...)`);
    const argv = via === 'ip-netns-exec' ? ['ip', 'netns', 'exec', ns] : ['nsenter', `--net=/run/netns/${ns}`, '--'];
    const child = spawn(argv[0], [...argv.slice(1), process.execPath, AGENT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent = new OsAgent(child);
    await agent.waitFor((e) => e.event === 'ready', 10_000);
    return agent;
  }

  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Resolves with the first event (already seen or future) matching; rejects after timeoutMs. */
  async waitFor(match: (event: AgentEvent) => boolean, timeoutMs: number, from = 0): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`agent event not seen within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  packets(socket?: number): Buffer[] {
    return this.events
      .filter((e) => e.event === 'packet' && (socket === undefined || e.socket === socket))
      .map((e) => Buffer.from(e.hex as string, 'hex'));
  }

  /** Ends stdin so a well-behaved agent exits by itself; kills it (by pid) if it does not. */
  async stop(graceMs = 3000): Promise<{ code: number | null; signal: NodeJS.Signals | null; selfExited: boolean }> {
    this.child.stdin!.end();
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs));
    const first = await Promise.race([this.exited, timer]);
    if (first !== 'timeout') return { ...first, selfExited: true };
    this.child.kill('SIGKILL');
    return { ...(await this.exited), selfExited: false };
  }
}
