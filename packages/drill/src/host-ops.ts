/**
 * What the drill does to the proxies: run a root shell script, and reboot. Over SSH (any Connector of
 * the core contract, normally @haweb/ssh's SshConnector) or through the lab (transport/lab.ts).
 * Steps only see this interface, so they are unit-tested with a scripted fake.
 */
import type { Connection, ConnectionTarget, Connector } from '@haweb/core';
import type { RunResult } from './client-side.js';

export interface HostOps {
  /** Runs a POSIX shell script on the host as root. Never throws for a non-zero exit. */
  run(host: string, script: string, timeoutMs?: number): Promise<RunResult>;
  /** Triggers a reboot; resolves once it is under way (not when the host is back). */
  reboot(host: string): Promise<void>;
  close(): Promise<void>;
}

/** Host actions over a core Connector (SSH): one connection per host, reopened after a reboot. */
export class ConnectorHostOps implements HostOps {
  private readonly open = new Map<string, Promise<Connection>>();

  constructor(
    private readonly connector: Connector,
    private readonly targets: Map<string, ConnectionTarget>,
  ) {}

  private connection(host: string): Promise<Connection> {
    let c = this.open.get(host);
    if (!c) {
      const target = this.targets.get(host);
      if (!target) throw new Error(`no connection details for host ${host}`);
      c = this.connector.connect(target);
      // A failed connect is not cached: the next call tries again (a host coming back from reboot).
      c.catch(() => this.open.delete(host));
      this.open.set(host, c);
    }
    return c;
  }

  private async drop(host: string): Promise<void> {
    const c = this.open.get(host);
    this.open.delete(host);
    if (c) await c.then((x) => x.close()).catch(() => undefined);
  }

  async run(host: string, script: string, timeoutMs = 30_000): Promise<RunResult> {
    try {
      const conn = await this.connection(host);
      const r = await conn.run({ script }, { timeoutMs, become: true });
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      // The connection is gone (rebooting host): report it as a failed command, reconnect next time.
      await this.drop(host);
      return { code: 255, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
    }
  }

  async reboot(host: string): Promise<void> {
    // Detached and delayed so the SSH command returns before the host goes down.
    const r = await this.run(host, 'nohup sh -c "sleep 1; reboot" >/dev/null 2>&1 &', 15_000);
    await this.drop(host);
    if (r.code !== 0) throw new Error(`reboot of ${host} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    // Resolve when the reboot starts, so the drill marks the fault then.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.keys()].map((h) => this.drop(h)));
  }
}
