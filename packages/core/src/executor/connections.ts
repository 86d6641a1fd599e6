import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Connection, ConnectionTarget, Connector } from '../contract/connector.js';
import { UnreachableError } from '../contract/connector.js';
import type { Remote } from '../contract/remote.js';
import type { Vars } from '../model.js';

export interface TargetDefaults {
  hostKeyPolicy: 'strict' | 'accept-new';
  knownHostsFile?: string;
  defaultKnownHostsFile?: string;
  connectTimeoutMs: number;
  /** Ansible's configured remote_user, remote_port and private_key_file: below the host's variables (and the remote_user keyword). */
  remoteUser?: string;
  port?: number;
  privateKeyFile?: string;
  /** Ansible's configured host_key_checking: false reads as accept-new, below the host's variables. */
  hostKeyChecking?: boolean;
}

function pick(vars: Vars, ...names: string[]): unknown {
  for (const n of names) if (vars[n] !== undefined && vars[n] !== null && vars[n] !== '') return vars[n];
  return undefined;
}

/**
 * OpenSSH options an Ansible inventory may carry in ansible_ssh_common_args / ansible_ssh_extra_args:
 * we honour the two that concern host keys, so an inventory written for Ansible keeps its meaning.
 */
export function sshArgsHostKeyOptions(vars: Vars): { knownHostsFile?: string; policy?: 'strict' | 'accept-new' } {
  const text = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'].map((k) => (vars[k] === undefined ? '' : String(vars[k]))).join(' ');
  const file = /UserKnownHostsFile[= ]\s*("[^"]+"|'[^']+'|\S+)/i.exec(text)?.[1]?.replace(/^["']|["']$/g, '');
  const strict = /StrictHostKeyChecking[= ]\s*(\S+)/i.exec(text)?.[1]?.toLowerCase();
  return {
    knownHostsFile: file && file !== '/dev/null' ? file : undefined,
    policy: strict === 'accept-new' ? 'accept-new' : strict === 'yes' ? 'strict' : undefined,
  };
}

/**
 * The user a task logs in as: ansible_user (or ansible_ssh_user) when set, which wins over the
 * remote_user keyword as in Ansible 2.14; else the keyword; else the controller's user, as ssh does.
 */
export function loginUser(vars: Vars, remoteUser?: string): string {
  return String(pick(vars, 'ansible_user', 'ansible_ssh_user') ?? remoteUser ?? process.env.USER ?? 'root');
}

/**
 * How to reach a host, from its (rendered) variables: ansible_host, ansible_port, ... or their old
 * ansible_ssh_* spellings. Plain `host`, `port`, `user` are the author's own variables, as in Ansible.
 * `remoteUser` is the task's remote_user keyword.
 */
export function connectionTarget(hostName: string, vars: Vars, defaults: TargetDefaults, transport: 'ssh' | 'local' = 'ssh', remoteUser?: string): ConnectionTarget {
  const port = Number(pick(vars, 'ansible_port', 'ansible_ssh_port') ?? defaults.port ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UnreachableError(hostName, `invalid ansible_port ${JSON.stringify(vars.ansible_port ?? vars.ansible_ssh_port)}`);
  }
  const key = pick(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file') ?? defaults.privateKeyFile;
  const password = pick(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password');
  // Ansible's ansible_host_key_checking=false is read as accept-new: unknown keys are learned, but a
  // changed key still aborts (we never connect to a host whose key changed).
  const checking = vars.ansible_host_key_checking;
  const policyVar =
    checking === false || (typeof checking === 'string' && /^(false|no|0|off)$/i.test(checking)) ? 'accept-new' : undefined;
  const timeout = pick(vars, 'ansible_timeout');
  const sshArgs = sshArgsHostKeyOptions(vars);
  return {
    hostName,
    transport,
    address: String(pick(vars, 'ansible_host', 'ansible_ssh_host') ?? hostName),
    port,
    user: loginUser(vars, remoteUser),
    privateKeyFile: key === undefined ? undefined : String(key),
    password: password === undefined ? undefined : String(password),
    knownHostsFile:
      defaults.knownHostsFile ??
      (pick(vars, 'ansible_ssh_known_hosts_file') as string | undefined) ??
      sshArgs.knownHostsFile ??
      defaults.defaultKnownHostsFile ??
      join(homedir(), '.ssh', 'known_hosts'),
    // --accept-new-host-keys on the command line wins; else the inventory's say; else the configured
    // host_key_checking; else strict.
    hostKeyPolicy:
      defaults.hostKeyPolicy === 'accept-new'
        ? 'accept-new'
        : (policyVar ?? sshArgs.policy ?? (defaults.hostKeyChecking === false ? 'accept-new' : defaults.hostKeyPolicy)),
    connectTimeoutMs: timeout !== undefined ? Number(timeout) * 1000 : defaults.connectTimeoutMs,
  };
}

/**
 * One connection per host and login user for the whole run: opened on first use through the
 * Connector, reused by every task that logs in as that user, closed at the end. A task with another
 * remote_user gets its own connection, logged in as that user.
 */
export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();

  constructor(private readonly connector: Connector) {}

  /** `key` tells connections to one host apart (transport, login user); the host name by default. */
  connection(hostName: string, target: () => ConnectionTarget, key: string = hostName): Promise<Connection> {
    let conn = this.open.get(key);
    if (!conn) {
      const opening: { promise?: Promise<Connection> } = {};
      conn = (async () => {
        try {
          return await this.connector.connect(target());
        } catch (err) {
          // A host that could not be reached is tried again by the next use (a host rebooting: reboot).
          if (this.open.get(key) === opening.promise) this.open.delete(key);
          if (err instanceof UnreachableError) throw err;
          throw new UnreachableError(hostName, `cannot connect: ${(err as Error).message}`);
        }
      })();
      opening.promise = conn;
      this.open.set(key, conn);
    }
    return conn;
  }

  /** Drops a connection that was lost (its host rebooted), so the next use opens a new one. */
  private forgetLost(key: string, conn: Promise<Connection>, err: unknown): void {
    if (!(err instanceof UnreachableError) || err.reason !== 'lost' || this.open.get(key) !== conn) return;
    this.open.delete(key);
    void conn.then((c) => c.close()).catch(() => undefined);
  }

  /** A Remote that connects on first use: controller-only tasks never open a connection. */
  lazyRemote(hostName: string, target: () => ConnectionTarget, key: string = hostName): Remote {
    const use = async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
      const conn = this.connection(hostName, target, key);
      try {
        return await fn(await conn);
      } catch (err) {
        this.forgetLost(key, conn, err);
        throw err;
      }
    };
    return {
      hostName,
      run: (command, options) => use((c) => c.run(command, options)),
      writeFile: (path, content, attrs) => use((c) => c.writeFile(path, content, attrs)),
      putFile: (local, remote, attrs) => use((c) => c.putFile(local, remote, attrs)),
      readFile: (path, options) => use((c) => c.readFile(path, options)),
    };
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(
      all.map(async (p) => {
        try {
          await (await p).close();
        } catch {
          // Unreachable hosts have nothing to close; a failing close must not hide the run's result.
        }
      }),
    );
  }
}
