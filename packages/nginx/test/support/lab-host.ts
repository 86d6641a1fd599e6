/**
 * Integration-test plumbing: a real ModuleContext over @haweb/ssh's SshConnector to one host of a
 * lab (host keys checked against the lab's known_hosts), with the few facts the installers read
 * gathered from the host itself. Modules run exactly as the engine would run them.
 */
import { renderString, type Connection, type Fact, type ModuleContext, type ModuleDefinition, type ModuleResult } from '@haweb/core';
import { SshConnector } from '@haweb/ssh';

export interface LabHostLike {
  name: string;
  address: string;
}

export interface LabStateLike {
  name: string;
  hosts: LabHostLike[];
  paths: { privateKey: string; knownHosts: string };
}

export interface LabHost {
  name: string;
  address: string;
  connection: Connection;
  facts: Record<string, unknown>;
  progress: string[];
  /** Run a module with raw args (validated by its zod spec, as the engine does). */
  run(module: ModuleDefinition, args: Record<string, unknown>, opts?: { check?: boolean; diff?: boolean }): Promise<ModuleResult>;
  /** Run a shell script on the host; returns stdout, throws on a non-zero exit. */
  sh(script: string, timeoutMs?: number): Promise<string>;
  /** Run a shell script; returns the exit code and output. */
  try(script: string): Promise<{ code: number; out: string }>;
  close(): Promise<void>;
}

export async function openLabHost(state: LabStateLike, hostName: string): Promise<LabHost> {
  const host = state.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`lab ${state.name} has no host ${hostName}`);
  const connection = await new SshConnector().connect({
    hostName,
    address: host.address,
    port: 22,
    user: 'root',
    privateKeyFile: state.paths.privateKey,
    knownHostsFile: state.paths.knownHosts,
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 15_000,
  });
  const raw = await connection.run({ script: '. /etc/os-release; echo "$ID $ID_LIKE"; uname -m; nproc' });
  const [ids, arch, nproc] = raw.stdout.trim().split('\n');
  const family = /\b(debian|ubuntu)\b/.test(ids) ? 'Debian' : /\b(rhel|centos|fedora)\b/.test(ids) ? 'RedHat' : ids;
  const facts: Record<string, unknown> = {
    ansible_os_family: family,
    ansible_architecture: arch,
    ansible_processor_vcpus: Number(nproc),
  };
  const progress: string[] = [];
  const context = (check: boolean, diff: boolean): ModuleContext => ({
    hostName,
    vars: { inventory_hostname: hostName, ...facts },
    facts,
    check,
    diff,
    become: false,
    remote: connection,
    async fact<A, T>(fact: Fact<A, T>, args: A): Promise<T> {
      const res = await connection.run({ script: fact.command(args) });
      return fact.parse(res.stdout, res.code, args);
    },
    resolveLocal: (path) => path,
    render: (template, extra) => renderString(template, { ...facts, ...(extra ?? {}) }),
    evaluate: () => {
      throw new Error('evaluate is not used by the installers');
    },
    markSecret: () => undefined,
    progress: (message) => {
      progress.push(message);
    },
    log: () => undefined,
  });
  return {
    name: hostName,
    address: host.address,
    connection,
    facts,
    progress,
    run: (module, args, opts = {}) => module.run(module.args.parse(args), context(opts.check ?? false, opts.diff ?? false)),
    async sh(script, timeoutMs = 60_000) {
      const res = await connection.run({ script }, { timeoutMs });
      if (res.code !== 0) throw new Error(`${hostName}: ${script}: exit ${res.code}: ${res.stdout}${res.stderr}`);
      return res.stdout;
    },
    async try(script) {
      const res = await connection.run({ script });
      return { code: res.code, out: `${res.stdout}${res.stderr}` };
    },
    close: () => connection.close(),
  };
}

/** GET http://address:port/ from the controller (lab addresses only), bounded in time. */
export async function httpGet(address: string, port: number, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}:${port}/`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}
