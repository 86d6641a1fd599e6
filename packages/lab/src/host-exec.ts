/**
 * Running commands inside a lab host (in all of its PID 1's namespaces, with the same capability
 * bounding set the host's init has) or in the client's network namespace.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { LabError, run, type RunResult } from './exec.js';
import { runningInit } from './host.js';
import type { LabState } from './state.js';

export interface HostExecOptions {
  input?: string | Buffer;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

const HOST_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb' };
const DROPPED_CAPS = '-sys_time,-sys_module,-sys_rawio,-syslog,-wake_alarm';
/** Outside a host's own pid namespace these would act on the real machine. */
const MACHINE_POWER_COMMANDS = new Set(['reboot', 'halt', 'poweroff', 'shutdown', 'init', 'telinit']);

export function netnsOf(lab: LabState, host: string): string {
  if (host === 'client') return lab.client.netns;
  const h = lab.hosts.find((x) => x.name === host);
  if (!h) throw new LabError(`find host ${host}`, `lab ${lab.name} has no host ${host} (hosts: ${lab.hosts.map((x) => x.name).join(', ')}, client)`);
  return h.netns;
}

export async function hostArgv(lab: LabState, host: string, argv: string[]): Promise<string[]> {
  netnsOf(lab, host);
  if (host === 'client') return clientArgv(lab, argv);
  const init = await runningInit(lab.name, host);
  if (!init) throw new LabError(`run in ${host}`, `host ${host} of lab ${lab.name} is not running (try \`lab up\`)`);
  return ['nsenter', '-t', String(init), '-a', '-r', '-w', '--', '/usr/bin/setpriv', '--bounding-set', DROPPED_CAPS, '--', ...argv];
}

function clientArgv(lab: LabState, argv: string[]): string[] {
  if (argv.length === 0) throw new LabError('run in client', 'no command given');
  if (MACHINE_POWER_COMMANDS.has(basename(argv[0]))) {
    throw new LabError('run in client', `refusing "${argv[0]}": the client shares the machine's pid namespace`);
  }
  return ['ip', 'netns', 'exec', lab.client.netns, ...argv];
}

/** Runs argv inside the host (its own pid, mount, uts, ipc, net namespaces and root filesystem). */
export async function hostExec(lab: LabState, host: string, argv: string[], options: HostExecOptions = {}): Promise<RunResult> {
  if (argv.length === 0) throw new LabError(`run in ${host}`, 'no command given');
  return run(await hostArgv(lab, host, argv), {
    step: `run \`${argv.join(' ')}\` in ${host}`,
    env: HOST_ENV,
    input: options.input,
    allowFailure: options.allowFailure,
    timeoutMs: options.timeoutMs,
  });
}

/** Runs argv in the client's network namespace (the client has no own pid namespace or filesystem). */
export async function clientExec(lab: LabState, argv: string[], options: HostExecOptions = {}): Promise<RunResult> {
  return run(clientArgv(lab, argv), {
    step: `run \`${argv.join(' ')}\` in the client`,
    input: options.input,
    allowFailure: options.allowFailure,
    timeoutMs: options.timeoutMs,
  });
}

/** Interactive form for the CLI: inherits the terminal, resolves with the command's exit code. */
export async function hostExecInteractive(lab: LabState, host: string, argv: string[]): Promise<number> {
  const full = await hostArgv(lab, host, argv);
  return new Promise((resolve, reject) => {
    const child = spawn(full[0], full.slice(1), { stdio: 'inherit', env: host === 'client' ? process.env : { ...HOST_ENV, TERM: process.env.TERM ?? 'dumb' } });
    child.on('error', (err) => reject(new LabError(`run in ${host}`, err.message)));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 + 9 : 1)));
  });
}
