/**
 * Where the client is: the process that makes requests to the VIP and whose ARP table is read.
 * Either the controller itself (`--client local`) or a network namespace on the controller (the lab's
 * client: only its network is entered, so the controller's node and files are used).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ClientSide {
  /** For messages: "local" or "netns haweb-client". */
  readonly description: string;
  /** Start a long-running command in the client's network. */
  spawn(argv: readonly string[]): ChildProcess;
  /** Run a short command in the client's network, killed after timeoutMs. */
  run(argv: readonly string[], timeoutMs?: number): Promise<RunResult>;
}

function collect(child: ChildProcess, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      // Our own child, by its PID.
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 124 : 1), stdout, stderr });
    });
  });
}

export class LocalClient implements ClientSide {
  readonly description = 'local';
  spawn(argv: readonly string[]): ChildProcess {
    return spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  }
  run(argv: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
    return collect(spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
  }
}

/** A client that is a network namespace: commands go through `ip netns exec NS`. */
export class NetnsClient implements ClientSide {
  readonly description: string;
  constructor(readonly netns: string) {
    if (!/^[A-Za-z0-9_.-]+$/.test(netns)) throw new Error(`bad network namespace name: ${netns}`);
    this.description = `netns ${netns}`;
  }
  private wrap(argv: readonly string[]): string[] {
    return ['netns', 'exec', this.netns, ...argv];
  }
  spawn(argv: readonly string[]): ChildProcess {
    return spawn('ip', this.wrap(argv), { stdio: ['pipe', 'pipe', 'pipe'] });
  }
  run(argv: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
    return collect(spawn('ip', this.wrap(argv), { stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
  }
}
