/**
 * apt's keys as Ansible's apt_key handles them (deprecated since Debian 12, still used by roles): the
 * host's apt-key lists and adds keys, its gpg reads a key file's id; pure functions read their output
 * and the key id as Ansible does.
 */
import { shellQuote } from '@haweb/core';

/** Key ids in `apt-key adv --list-public-keys --keyid-format=long` or `gpg --with-colons` output (pub and sub, not expired). */
export function parseKeyIds(output: string, shortFormat = false): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue;
    const tokens = line.split(/\s+/);
    const slash = tokens[1]?.split('/');
    if (slash && slash.length === 2) found.push(slash[1]);
    else {
      const colon = line.split(':');
      if (colon.length > 4) found.push(colon[4]);
    }
  }
  return shortFormat ? found.map((k) => k.slice(-8)) : found;
}

export interface KeyIds {
  /** Last 8 characters (apt-key del). */
  shortId: string;
  /** Last 16 characters (compared with the listing). */
  fingerprint: string;
  /** The whole id, upper-case, without 0x. */
  keyId: string;
}

/** Ansible's parse_key_id: 8, 16 or more hex characters, an optional 0x. */
export function parseKeyId(id: string): KeyIds | undefined {
  if (!/^\s*(0[xX])?[0-9a-fA-F]+\s*$/.test(id)) return undefined;
  let keyId = id.trim().toUpperCase();
  if (keyId.startsWith('0X')) keyId = keyId.slice(2);
  if (keyId.length !== 8 && keyId.length !== 16 && keyId.length <= 16) return undefined;
  return { shortId: keyId.slice(-8), fingerprint: keyId.length > 16 ? keyId.slice(-16) : keyId, keyId };
}

/** The listing command (a keyring of its own when given). */
export function aptKeyListCommand(keyring?: string): string {
  return `${['apt-key', ...(keyring ? ['--keyring', keyring] : []), 'adv', '--list-public-keys', '--keyid-format=long'].map(shellQuote).join(' ')} 2>/dev/null`;
}

export function aptKeyAddArgv(keyring: string | undefined, file: string): string[] {
  return ['apt-key', ...(keyring ? ['--keyring', keyring] : []), 'add', file];
}

export function aptKeyDelArgv(keyring: string | undefined, shortId: string): string[] {
  return ['apt-key', ...(keyring ? ['--keyring', keyring] : []), 'del', shortId];
}

export function aptKeyRecvArgv(keyring: string | undefined, keyserver: string, keyId: string): string[] {
  return ['apt-key', ...(keyring ? ['--keyring', keyring] : []), 'adv', '--no-tty', '--keyserver', keyserver, '--recv', keyId];
}
