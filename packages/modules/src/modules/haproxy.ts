import { z } from 'zod';
import {
  applySteps, haproxyBackends, haproxyDisableCommand, haproxyDrainCommand, haproxyEnableCommand, haproxyExchangeScript, haproxyRead,
  haproxyServerState, haproxyVersion, parseHaproxyStat, type HaproxyServerState,
} from '@haweb/hostkit';
import type { ModuleContext, ModuleResult } from '@haweb/core';
import { defineHostModule } from '../util/define.js';
import { boolish, intish } from '../util/schema.js';

/** Ansible's `str` type: scalars as Python prints them. */
const pyStr = z.union([z.string(), z.number(), z.boolean()]).transform((v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)));

type Args = {
  state: 'enabled' | 'disabled' | 'drain';
  host: string;
  backend?: string;
  weight?: string;
  socket: string;
  shutdown_sessions: boolean;
  fail_on_not_found: boolean;
  health: boolean;
  agent: boolean;
  wait: boolean;
  wait_retries: number;
  wait_interval: number;
  drain: boolean;
};

/** A failure the module reports as its result (Ansible's fail_json). */
class Failed extends Error {}

/**
 * community.general.haproxy: put a backend server in or out of rotation through HAProxy's admin
 * socket (`stats socket ... level admin`), as Ansible's module does: the server's state is read
 * (`show stat`) before and after, the command lines are Ansible's (get weight; enable/disable server;
 * agent/health checks; weight; drain), and `changed` says whether the state differs. Returns command,
 * output, state_before and state_after. No check mode, as Ansible's (the task is skipped).
 * The host talks to the socket with python3, else socat (hostkit's haproxy.ts says why).
 * Example: haproxy: { state: disabled, backend: app, host: web1, socket: /var/lib/haproxy/stats }
 */
export const haproxyModule = defineHostModule({
  name: 'haproxy',
  aliases: ['community.general.haproxy'],
  description: "Enable, disable or drain a backend server through HAProxy's admin socket, as community.general.haproxy.",
  args: z.strictObject({
    state: z.enum(['disabled', 'drain', 'enabled']),
    host: pyStr,
    backend: pyStr.optional(),
    weight: pyStr.optional(),
    socket: z.string().default('/var/run/haproxy.sock'),
    shutdown_sessions: boolish.default(false),
    fail_on_not_found: boolish.default(false),
    health: boolish.default(false),
    agent: boolish.default(false),
    wait: boolish.default(false),
    wait_retries: intish.default(25),
    wait_interval: intish.default(5),
    drain: boolish.default(false),
  }),
  checkMode: 'none',
  async run(a, ctx) {
    const session = new Session(ctx, a as Args);
    try {
      return await session.act();
    } catch (err) {
      // Ansible's fail_json carries the message only.
      if (err instanceof Failed) return { changed: false, failed: true, msg: err.message };
      throw err;
    }
  },
});

class Session {
  private readonly commands: string[] = [];
  private readonly outputs: string[] = [];
  private before: HaproxyServerState[] | null = null;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly a: Args,
  ) {}

  results(): Record<string, unknown> {
    return this.commands.length ? { command: this.commands, output: this.outputs } : {};
  }

  private async read(command: string): Promise<string> {
    const r = await this.ctx.fact(haproxyRead, { socket: this.a.socket, command });
    if (r.rc !== 0) throw new Failed(r.stderr || `HAProxy socket ${this.a.socket}: exit ${r.rc}`);
    return r.stdout;
  }

  private async state(backend: string | undefined): Promise<HaproxyServerState[] | null> {
    return haproxyServerState(parseHaproxyStat(await this.read('show stat')), backend, this.a.host);
  }

  /** A command that changes the server: one apply step, its answer kept for `output`. */
  private async send(command: string): Promise<void> {
    let answer = '';
    const applied = await applySteps(this.ctx, [{ kind: 'script', script: haproxyExchangeScript(this.a.socket, command), why: command, onResult: (r) => (answer = r.stdout) }], {
      failure: (f) => f.result.stderr.trim() || `HAProxy socket ${this.a.socket}: exit ${f.result.code}`,
    });
    if (applied.failed) throw new Failed(String(applied.msg));
    this.commands.push(command);
    this.outputs.push(answer.trim());
  }

  private async waitFor(backend: string, status: string): Promise<void> {
    // Ansible tries wait_retries - 1 times, sleeping wait_interval after each miss.
    for (let i = 1; i < this.a.wait_retries; i++) {
      const s = await this.state(backend);
      if (s && s[0].status.includes(status) && (!this.a.drain || s[0].scur === '0')) return;
      await new Promise((r) => setTimeout(r, this.a.wait_interval * 1000));
    }
    throw new Failed(`server ${backend}/${this.a.host} not status '${status}' after ${this.a.wait_retries} retries. Aborting.`);
  }

  private async forBackends(command: (px: string) => string, status: string): Promise<void> {
    const backends = this.a.backend === undefined ? haproxyBackends(parseHaproxyStat(await this.read('show stat'))) : [this.a.backend];
    for (const px of backends) {
      const s = await this.state(px);
      if (s === null && this.a.fail_on_not_found) throw new Failed(`The specified backend '${px}/${this.a.host}' was not found!`);
      if (s === null) continue;
      await this.send(command(px));
      if (this.a.wait) await this.waitFor(px, status);
    }
  }

  private opts() {
    return { agent: this.a.agent, health: this.a.health, weight: this.a.weight, shutdownSessions: this.a.shutdown_sessions };
  }

  private async disable(): Promise<void> {
    await this.forBackends((px) => haproxyDisableCommand(px, this.a.host, this.opts()), 'MAINT');
  }

  private async drain(thenDisable: boolean): Promise<void> {
    const version = haproxyVersion(await this.read('show info'));
    // HAProxy before 1.5 has no drain state: Ansible then does nothing.
    if (!version || version[0] < 1 || (version[0] === 1 && version[1] < 5)) return;
    await this.forBackends((px) => haproxyDrainCommand(px, this.a.host), 'DRAIN');
    if (thenDisable) await this.disable();
  }

  async act(): Promise<ModuleResult> {
    this.before = await this.state(this.a.backend);
    if (this.a.state === 'enabled') await this.forBackends((px) => haproxyEnableCommand(px, this.a.host, this.opts()), 'UP');
    else if (this.a.state === 'disabled' && this.a.drain) await this.drain(true);
    else if (this.a.state === 'disabled') await this.disable();
    else await this.drain(false);
    const after = await this.state(this.a.backend);
    return { changed: JSON.stringify(this.before) !== JSON.stringify(after), ...this.results(), state_before: this.before, state_after: after };
  }
}
