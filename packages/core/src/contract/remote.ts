/**
 * What a module may do to a managed host. The SSH transport (packages/ssh) implements it;
 * unit tests use an in-memory fake. Modules never see SSH itself.
 */

/** A command to run on the host. */
export type Command =
  /** argv, quoted by the transport for a POSIX shell: every element reaches the host as data. */
  | { argv: readonly string[] }
  /**
   * A shell script. Only for scripts built from literal text plus values passed through
   * `shellQuote` (see ./quote.ts), never by pasting untrusted strings.
   */
  | { script: string };

export interface RunOptions {
  /** Bytes written to the command's standard input, then closed. */
  stdin?: string | Buffer;
  /** Working directory; the command fails (does not fall back to $HOME) when it does not exist. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Called with output chunks as they arrive, for live progress of long steps. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the command after this many milliseconds (exit code 124, like timeout(1)). */
  timeoutMs?: number;
  /**
   * Run as another user: `true` is root through sudo (modules pass their task's boolean); the engine
   * replaces it with the task's Become before the transport sees it.
   */
  become?: boolean | Become;
}

/**
 * Who a command runs as, Ansible's become_user / become_method / become_flags / become_exe and the
 * become password (a secret: it reaches the host on the command's standard input, never in a command
 * line, a log or an error).
 */
export interface Become {
  user: string;
  method: 'sudo' | 'su';
  /** As written (become_flags); undefined means the method's default (sudo: `-H -S -n`, su: none). */
  flags?: string;
  /** The program (become_exe); default the method's name. */
  exe?: string;
  password?: string;
}

/** The become of a call: `true` means root through sudo, as modules ask for it. */
export function becomeOf(become: boolean | Become | undefined): Become | undefined {
  if (become === undefined || become === false) return undefined;
  return become === true ? { user: 'root', method: 'sudo' } : become;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  signal?: string;
}

export interface FileAttributes {
  /** Octal string, e.g. "0644". */
  mode?: string;
  owner?: string;
  group?: string;
}

export interface Remote {
  /** Inventory name of the host. */
  readonly hostName: string;
  run(command: Command, options?: RunOptions): Promise<RunResult>;
  /**
   * Write a whole file atomically: a temporary file in the destination's folder, then rename.
   * A reader sees the old or the new content, never a partial one.
   */
  writeFile(path: string, content: string | Buffer, attrs?: FileAttributes & { become?: boolean | Become }): Promise<void>;
  /** Copy a controller file to the host (atomically, like writeFile). */
  putFile(localPath: string, remotePath: string, attrs?: FileAttributes & { become?: boolean | Become }): Promise<void>;
  /** Read a file, or undefined when it does not exist. */
  readFile(path: string, options?: { become?: boolean | Become }): Promise<Buffer | undefined>;
}
