/**
 * SshConnector: opens one verified SSH connection per host (node-ssh over ssh2). The host key is
 * checked against the target's known_hosts file by ssh2's hostVerifier; every failure to get a working
 * connection becomes an UnreachableError naming the host and the reason.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect as connectSocket } from 'node:net';
import { NodeSSH, type Config } from 'node-ssh';
import { UnreachableError, type ConnectionTarget, type Connector } from '@haweb/core';
import { SshConnection, DEFAULT_MAX_CHANNELS } from './connection.js';
import { decideHostKey, loadKnownKeyTypes } from './known-hosts-file.js';
import { hostKeyAlgorithms, keyTypeOfBlob } from './host-key-algorithms.js';

export interface SshConnectorOptions {
  /** Concurrent channels per connection (default 8, below OpenSSH's MaxSessions of 10). */
  maxChannels?: number;
  /** Told about keys learned under accept-new. */
  onHostKeyLearned?: (message: string) => void;
  /** Seconds between keepalives (default 15). */
  keepaliveIntervalMs?: number;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

async function firstDefaultKey(): Promise<string | undefined> {
  for (const name of DEFAULT_KEYS) {
    const text = await readFile(join(homedir(), '.ssh', name), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

export class SshConnector implements Connector {
  constructor(private readonly options: SshConnectorOptions = {}) {}

  async connect(target: ConnectionTarget): Promise<SshConnection> {
    const where = `${target.user}@${target.address}:${target.port}`;
    const fail = (message: string, reason: UnreachableError['reason']) =>
      new UnreachableError(target.hostName, `${target.hostName} (${where}): ${message}`, reason);

    let privateKey: string | undefined;
    if (target.privateKeyFile) {
      try {
        privateKey = await readFile(target.privateKeyFile, 'utf8');
      } catch (err) {
        throw fail(`cannot read private key ${target.privateKeyFile}: ${(err as Error).message}`, 'auth');
      }
    } else if (target.password === undefined && !process.env.SSH_AUTH_SOCK) {
      // Like ssh(1): without a key file, password or agent, try the user's default keys.
      privateKey = await firstDefaultKey();
    }

    let knownTypes: string[];
    try {
      knownTypes = await loadKnownKeyTypes(target.knownHostsFile, target.address, target.port);
    } catch (err) {
      throw fail(`cannot read known_hosts file ${target.knownHostsFile}: ${(err as Error).message}`, 'host-key');
    }

    let hostKeyProblem: string | undefined;
    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      let keyType: string;
      try {
        keyType = keyTypeOfBlob(key);
      } catch (err) {
        hostKeyProblem = `unreadable host key: ${(err as Error).message}`;
        verify(false);
        return;
      }
      decideHostKey({
        file: target.knownHostsFile,
        hostName: target.hostName,
        address: target.address,
        port: target.port,
        keyType,
        keyBase64: key.toString('base64'),
        policy: target.hostKeyPolicy,
      }).then(
        (decision) => {
          if (!decision.accept) hostKeyProblem = decision.message;
          else if (decision.verdict.status === 'learned' && decision.message) this.options.onHostKeyLearned?.(decision.message);
          verify(decision.accept);
        },
        (err: Error) => {
          hostKeyProblem = `host key check failed: ${err.message}`;
          verify(false);
        },
      );
    };

    const config: Config = {
      // Our own socket, for TCP_NODELAY: ssh2 leaves Nagle on, so its channel-open + exec-request pair
      // waits for the server's delayed ACK (~40 ms per command, ~50 ms more at connect).
      sock: connectSocket({ host: target.address, port: target.port, noDelay: true }),
      host: target.address,
      port: target.port,
      username: target.user,
      readyTimeout: target.connectTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: 4,
      hostVerifier,
      algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) as never },
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(privateKey === undefined && process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
    };

    const ssh = new NodeSSH();
    try {
      await ssh.connect(config);
    } catch (err) {
      ssh.dispose();
      if (hostKeyProblem) throw fail(hostKeyProblem, 'host-key');
      const e = err as Error & { level?: string; code?: string };
      if (e.level === 'client-authentication') {
        throw fail(`authentication failed (${e.message}); check ansible_user and the private key`, 'auth');
      }
      // Never echo the config: it may hold a password.
      throw fail(`cannot connect: ${e.message}`, 'connect');
    }
    return new SshConnection(target.hostName, ssh, target.user, this.options.maxChannels ?? DEFAULT_MAX_CHANNELS);
  }
}
