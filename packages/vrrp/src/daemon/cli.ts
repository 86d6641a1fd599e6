import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_CONFIG_FILE, DEFAULT_DUMP_FILE, DEFAULT_PID_FILE, DEFAULT_STATUS_FILE, DEFAULT_VRRP_PID_FILE } from './paths.js';
import { fileURLToPath } from 'node:url';
import { claimPidFile, isAlive, readPid } from './pidfile.js';
import { formatStatus, readStatusFile } from './status-command.js';
import { SUPERVISOR_SH } from './supervisor-sh.js';
import type { WorkerOptions } from './worker-main.js';

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface DaemonFlags {
  useFile: string;
  dontFork?: boolean;
  logConsole?: boolean;
  logDetail?: boolean;
  logFile?: string;
  pid: string;
  vrrpPid: string;
  statusFile: string;
  dumpFile: string;
  configTest?: boolean | string[];
  vrrp?: boolean;
  configId?: string;
}

/** Set in the environment of the detached copy, so it does not detach again. */
const DAEMONIZED = 'VRRPD_DAEMONIZED';

/** Builds the command line (keepalived's flags, plus `status`). Actions call `run` with the outcome. */
export function buildProgram(run: (what: { kind: 'daemon'; flags: DaemonFlags } | { kind: 'status'; file: string; json: boolean }) => void): Command {
  const program = new Command('vrrpd')
    .description('A keepalived-compatible VRRP daemon (VRRPv2/v3 over IPv4), reading keepalived.conf')
    .version(packageVersion(), '-v, --version', 'print the version and exit')
    .addOption(new Option('-f, --use-file <file>', 'configuration file').default(DEFAULT_CONFIG_FILE))
    .option('-n, --dont-fork', 'stay in the foreground')
    .option('-l, --log-console', 'log to stderr instead of syslog')
    .option('-D, --log-detail', 'detailed log messages')
    .option('-g, --log-file <file>', 'append log lines to this file instead of syslog')
    .addOption(new Option('-p, --pid <file>', 'pid file of the main (supervisor) process').default(DEFAULT_PID_FILE))
    .addOption(new Option('-r, --vrrp-pid <file>', 'pid file of the VRRP worker process (with a private -p: next to it)').default(DEFAULT_VRRP_PID_FILE))
    .addOption(new Option('--status-file <file>', 'JSON status written on every change (with a private -p: next to it)').default(DEFAULT_STATUS_FILE))
    .addOption(new Option('--dump-file <file>', 'where SIGUSR1 writes a state dump (with a private -p: next to it)').default(DEFAULT_DUMP_FILE))
    .option('-t, --config-test [more-files...]', 'check the configuration (and, given more files, the nodes against each other) and exit')
    .option('-P, --vrrp', 'accepted for keepalived compatibility (vrrpd only does VRRP)')
    .option('-i, --config-id <id>', 'read the configuration lines marked @id (and skip those marked @^id), as keepalived does')
    .enablePositionalOptions()
    .argument('[more-files...]', 'with -t: more nodes\' configuration files for the cross-node check')
    .showHelpAfterError()
    .action((files: string[], flags: DaemonFlags) => {
      if (files.length > 0 && !flags.configTest) program.error(`error: extra arguments (${files.join(' ')}) are only accepted with -t`);
      if (files.length > 0) flags.configTest = [...(Array.isArray(flags.configTest) ? flags.configTest : []), ...files];
      run({ kind: 'daemon', flags });
    });
  program
    .command('status')
    .description('print the state of each instance from the status file')
    .option('--json', 'print the raw JSON')
    .addOption(new Option('--status-file <file>', 'status file to read').default(DEFAULT_STATUS_FILE))
    .action((o: { json?: boolean; statusFile: string }) => run({ kind: 'status', file: o.statusFile, json: o.json ?? false }));
  return program;
}

async function runConfigTest(flags: DaemonFlags): Promise<number> {
  // Loaded only for -t: starting the daemon (what a failback waits for) does not parse the config here.
  const { configTest } = await import('./config-test.js');
  const extra = Array.isArray(flags.configTest) ? flags.configTest : [];
  const report = configTest([flags.useFile, ...extra], undefined, { configId: flags.configId });
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  return report.errors > 0 ? 1 : 0;
}

function runStatus(file: string, json: boolean): number {
  try {
    const status = readStatusFile(file);
    process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
    return isAlive(status.vrrpd.pid) ? 0 : 3;
  } catch (error) {
    process.stderr.write(`vrrpd status: cannot read ${file}: ${(error as Error).message} (is vrrpd running?)\n`);
    return 3;
  }
}

/**
 * A private `-p FILE` (not the default) means a private instance, e.g. one per network namespace on a
 * shared file system: unless given explicitly, the worker pid file, status file and dump go next to it.
 */
export function companionFiles(program: Command, flags: DaemonFlags): { vrrpPid: string; statusFile: string; dumpFile: string } {
  const pid = resolve(flags.pid);
  const privatePid = program.getOptionValueSource('pid') === 'cli' && pid !== DEFAULT_PID_FILE;
  const fromCli = (name: string) => program.getOptionValueSource(name) === 'cli';
  const dir = dirname(pid);
  const stem = basename(pid).replace(/\.pid$/, '');
  return {
    vrrpPid: fromCli('vrrpPid') || !privatePid ? resolve(flags.vrrpPid) : join(dir, `${stem}_vrrp.pid`),
    statusFile: fromCli('statusFile') || !privatePid ? resolve(flags.statusFile) : join(dir, `${stem}.json`),
    dumpFile: fromCli('dumpFile') || !privatePid ? resolve(flags.dumpFile) : join(dir, `${stem}.data`),
  };
}

/** Without -n: start a detached copy of ourselves and return once it has written its pid file. */
async function daemonize(argv: readonly string[], pidFile: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], { detached: true, stdio: 'ignore', env: { ...process.env, [DAEMONIZED]: '1' } });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (readPid(pidFile) === child.pid) {
      child.unref();
      return 0;
    }
    if (exited !== null) {
      process.stderr.write(`vrrpd: the daemon exited with status ${exited} during startup (run with -n -l to see why)\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write(`vrrpd: the daemon did not write ${pidFile} within 15 s\n`);
  child.unref();
  return 1;
}

/** The `vrrpd` command. Resolves with the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let chosen: Parameters<Parameters<typeof buildProgram>[0]>[0] | undefined;
  const program = buildProgram((what) => (chosen = what));
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code ?? 2;
  }
  if (!chosen) return 0;
  if (chosen.kind === 'status') return runStatus(chosen.file, chosen.json);
  const flags = chosen.flags;
  if (flags.configTest) return runConfigTest(flags);
  if (!flags.dontFork && process.env[DAEMONIZED] !== '1') return daemonize(argv, flags.pid);
  // Paths are resolved against the directory vrrpd was started in, before a daemon leaves it for /.
  const files = companionFiles(program, flags);
  const configFile = resolve(flags.useFile);
  const pidFile = resolve(flags.pid);
  if (process.env[DAEMONIZED] === '1') process.chdir('/');
  try {
    await claimPidFile(pidFile);
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    return 1;
  }
  const worker: WorkerOptions = {
    configFile, logConsole: flags.logConsole ?? false, logDetail: flags.logDetail ?? false, logFile: flags.logFile ? resolve(flags.logFile) : undefined,
    statusPath: files.statusFile, dumpPath: files.dumpFile, vipFile: vipFileFor(pidFile), configId: flags.configId,
  };
  const logMode = worker.logConsole ? 'console' : worker.logFile ? 'file' : 'syslog';
  // This process becomes the supervisor (same pid, the one in the pid file): a POSIX sh loop, not a
  // second Node process. Loaded only here: `vrrpd -t` and `status` need no FFI.
  const { execv } = await import('./exec.js');
  return execv('/bin/sh', [
    'vrrpd', '-c', SUPERVISOR_SH, 'vrrpd',
    process.execPath, fileURLToPath(new URL('./worker-main.js', import.meta.url)), JSON.stringify(worker),
    pidFile, files.vrrpPid, worker.vipFile!, logMode, worker.logFile ?? '',
    ...WORKER_NODE_FLAGS,
  ]);
}

/** The VIP record of the instance whose main pid file is given (/run/vrrpd.pid → /run/vrrpd.vips). */
export function vipFileFor(pidFile: string): string {
  return `${pidFile.replace(/\.pid$/, '')}.vips`;
}

/**
 * V8 flags of the worker. --no-flush-bytecode: V8 otherwise drops the compiled code of functions
 * unused for a while, and a backup's takeover path (compiled at start-up by the rehearsal) may wait
 * months for its first use. Measured in docs/BENCHMARKS.md "Failover".
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--no-flush-bytecode'];
