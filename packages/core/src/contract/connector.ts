import type { Remote } from './remote.js';

/** How to reach one inventory host (built by the engine from ansible_host, ansible_port, ...). */
export interface ConnectionTarget {
  /** Inventory name, used in messages. */
  hostName: string;
  /** ssh (the default), or local: the controller itself (`connection: local`, ansible_connection=local). */
  transport?: 'ssh' | 'local';
  address: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  /** Secret: never logged. */
  password?: string;
  /** known_hosts file the host key is verified against. */
  knownHostsFile: string;
  /** strict: unknown or changed key aborts. accept-new: unknown keys are learned, changed keys abort. */
  hostKeyPolicy: 'strict' | 'accept-new';
  connectTimeoutMs: number;
}

/** An open connection: a Remote plus its lifetime. One per host, reused for every task. */
export interface Connection extends Remote {
  close(): Promise<void>;
}

export interface Connector {
  connect(target: ConnectionTarget): Promise<Connection>;
}

/** The host could not be reached (refused, timed out, auth failed, host key rejected). Exit code 4. */
export class UnreachableError extends Error {
  constructor(
    readonly hostName: string,
    message: string,
    readonly reason: 'connect' | 'auth' | 'host-key' | 'lost' = 'connect',
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}
