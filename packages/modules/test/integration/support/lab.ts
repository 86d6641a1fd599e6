/**
 * Module integration support: a real SSH connection to a lab host (through @haweb/ssh) and a
 * ModuleContext over it, so modules run exactly as the executor runs them: facts execute their command
 * on the host and parse the output; render/evaluate use the core's Jinja2 templating.
 */
import { expect, inject } from 'vitest';
import { posix, resolve as resolvePath } from 'node:path';
import { readLabState, type LabState } from '@haweb/lab';
import { SshConnector } from '@haweb/ssh';
import { evaluate, renderString, type Connection, type ModuleContext, type ModuleDefinition, type ModuleResult } from '@haweb/core';

export async function labConnection(hostIndex = 1): Promise<{ lab: LabState; conn: Connection }> {
  const lab = await readLabState(inject('labName'));
  if (!lab) throw new Error('the lab is not up');
  const host = lab.hosts[hostIndex] ?? lab.hosts[0];
  const conn = await new SshConnector().connect({
    hostName: host.name,
    address: host.address,
    port: 22,
    user: 'root',
    privateKeyFile: lab.paths.privateKey,
    knownHostsFile: lab.paths.knownHosts,
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 10_000,
  });
  return { lab, conn };
}

export interface ContextOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  facts?: Record<string, unknown>;
  localDir?: string;
}

export function sshContext(conn: Connection, opts: ContextOptions = {}): ModuleContext {
  const vars = { ...(opts.facts ?? {}), ...(opts.vars ?? {}) };
  return {
    hostName: conn.hostName,
    vars,
    facts: opts.facts ?? {},
    check: opts.check ?? false,
    diff: opts.diff ?? true,
    become: false,
    remote: conn,
    async fact(fact, args) {
      const r = await conn.run({ script: fact.command(args) });
      return fact.parse(r.stdout, r.code, args);
    },
    resolveLocal: (p) => (posix.isAbsolute(p) ? p : resolvePath(opts.localDir ?? process.cwd(), p)),
    render: (t, extra) => renderString(t, { ...vars, ...(extra ?? {}) }),
    evaluate: (e, extra) => evaluate(e, { ...vars, ...(extra ?? {}) }),
    markSecret() {},
    progress() {},
    log() {},
  };
}

export async function run(module: ModuleDefinition, args: unknown, ctx: ModuleContext): Promise<ModuleResult> {
  const parsed = module.args.safeParse(args);
  if (!parsed.success) throw new Error(`invalid args for ${module.name}: ${parsed.error.message}`);
  return module.run(parsed.data, ctx);
}

/**
 * The module contract on a real host: check mode changes nothing (probe before == after) but predicts
 * a change with a diff; the first run changes; the second run changes nothing.
 */
export async function converge(
  conn: Connection,
  module: ModuleDefinition,
  args: unknown,
  probe: () => Promise<string>,
  opts: ContextOptions = {},
): Promise<{ check: ModuleResult; first: ModuleResult; second: ModuleResult; before: string; after: string }> {
  const before = await probe();
  const check = await run(module, args, sshContext(conn, { ...opts, check: true }));
  expect(check.failed ?? false, check.msg).toBe(false);
  expect(check.changed, 'check mode predicts the change').toBe(true);
  expect(await probe(), 'check mode changed nothing on the host').toBe(before);
  const first = await run(module, args, sshContext(conn, opts));
  expect(first.failed ?? false, first.msg).toBe(false);
  expect(first.changed, 'first run changes').toBe(true);
  // A diff as text pairs, or in the module's own Ansible shape (apt's `prepared`).
  const shown = (first.diff?.length ?? 0) > 0 || (typeof first.ansibleDiff === 'object' && first.ansibleDiff !== null && Object.keys(first.ansibleDiff).length > 0);
  expect(shown, 'first run has a diff').toBe(true);
  const after = await probe();
  expect(after, 'the host changed').not.toBe(before);
  const second = await run(module, args, sshContext(conn, opts));
  expect(second.failed ?? false, second.msg).toBe(false);
  expect(second.changed, 'second run is a no-op').toBe(false);
  expect(await probe(), 'second run changed nothing').toBe(after);
  return { check, first, second, before, after };
}

/** A shell probe of host state. */
export function probeOf(conn: Connection, script: string): () => Promise<string> {
  return async () => {
    const r = await conn.run({ script });
    return `${r.code}\n${r.stdout}${r.stderr}`;
  };
}

// Provided by the root integration config's global setup (test/setup/lab.global.ts).
declare module 'vitest' {
  export interface ProvidedContext {
    labName: string;
  }
}
