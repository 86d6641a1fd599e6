/** Helpers shared by the lab's integration tests. */
import { readFile } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import type { LabState } from '../../src/index.js';

/** Host key blobs by host name or address, from an OpenSSH known_hosts file (plain, unhashed entries). */
export function parseKnownHosts(text: string): Map<string, { type: string; blob: Buffer }[]> {
  const keys = new Map<string, { type: string; blob: Buffer }[]>();
  for (const line of text.split('\n')) {
    const [names, type, key] = line.trim().split(/\s+/);
    if (!names || names.startsWith('#') || !key) continue;
    for (const name of names.split(',')) {
      keys.set(name, [...(keys.get(name) ?? []), { type, blob: Buffer.from(key, 'base64') }]);
    }
  }
  return keys;
}

/**
 * Connects as root with the lab's key, accepting the server only if its host key is the one known_hosts
 * lists for that address. `knownHostsText` lets a test supply a wrong file.
 */
export async function connectChecked(lab: LabState, address: string, knownHostsText?: string): Promise<{ ssh: NodeSSH; presented: Buffer[] }> {
  const known = parseKnownHosts(knownHostsText ?? (await readFile(lab.paths.knownHosts, 'utf8')));
  const presented: Buffer[] = [];
  const ssh = new NodeSSH();
  await ssh.connect({
    host: address,
    username: 'root',
    privateKey: await readFile(lab.paths.privateKey, 'utf8'),
    readyTimeout: 10_000,
    hostVerifier: (key: Buffer) => {
      presented.push(key);
      return (known.get(address) ?? []).some((k) => k.blob.equals(key));
    },
  } as Parameters<NodeSSH['connect']>[0]);
  return { ssh, presented };
}
