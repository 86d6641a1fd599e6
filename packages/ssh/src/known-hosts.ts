/**
 * known_hosts parsing and matching (OpenSSH's format, read for behaviour from sshd(8) "SSH_KNOWN_HOSTS
 * FILE FORMAT"): one entry per line, `[marker] hostpatterns keytype base64key [comment]`.
 * Host patterns are comma-separated plain names (with `*`/`?` wildcards and `!` negation),
 * `[host]:port` for non-standard ports, or a single hashed `|1|salt|hmac-sha1` name.
 * Pure: no I/O here, so it is tested with fixtures.
 */
import { createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages. */
  line: number;
  marker?: '@cert-authority' | '@revoked';
  /** Plain host patterns (empty for hashed entries). */
  patterns: string[];
  /** Hashed name: HMAC-SHA1 of the host name keyed with the salt. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The base64 key blob, as written. */
  key: string;
}

export interface ParseProblem {
  line: number;
  message: string;
}

export function parseKnownHosts(text: string): { entries: KnownHostEntry[]; problems: ParseProblem[] } {
  const entries: KnownHostEntry[] = [];
  const problems: ParseProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m !== '@cert-authority' && m !== '@revoked') {
        problems.push({ line: lineNo, message: `unknown marker ${m}` });
        return;
      }
      marker = m;
    }
    if (fields.length < 3) {
      problems.push({ line: lineNo, message: 'expected "hosts keytype key"' });
      return;
    }
    const [hosts, keyType, key] = fields;
    const entry: KnownHostEntry = { line: lineNo, marker, patterns: [], keyType, key };
    if (hosts.startsWith('|1|')) {
      const parts = hosts.split('|');
      if (parts.length !== 4 || parts[2] === '' || parts[3] === '') {
        problems.push({ line: lineNo, message: 'malformed hashed host name' });
        return;
      }
      entry.hashed = { salt: Buffer.from(parts[2], 'base64'), hash: Buffer.from(parts[3], 'base64') };
    } else {
      entry.patterns = hosts.split(',').filter((p) => p !== '');
    }
    entries.push(entry);
  });
  return { entries, problems };
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** `|1|salt|hash` for a name, as `ssh-keygen -H` writes it. */
export function formatHashedName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${hashHostName(name, salt).toString('base64')}`;
}

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Does this entry name the host? A matching negated pattern excludes it whatever else matches. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) {
    const h = hashHostName(name, entry.hashed.salt);
    return h.length === entry.hashed.hash.length && h.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (wildcardToRegExp(p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'match'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypes: string[] }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/**
 * Verify a presented key. Revoked wins, then an exact match, then a same-type entry with another key
 * (changed). A host known only with other key types is unknown for this type (as OpenSSH treats it).
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): HostKeyVerdict {
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && entryMatches(e, host, port));
  const revoked = forHost.find((e) => e.marker === '@revoked' && e.keyType === keyType && e.key === keyBase64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const exact = plain.find((e) => e.keyType === keyType && e.key === keyBase64);
  if (exact) return { status: 'match', entry: exact };
  const changed = plain.find((e) => e.keyType === keyType);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types known for a host, so the client can ask the server for one of them first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  return [
    ...new Set(
      entries.filter((e) => e.marker === undefined && entryMatches(e, host, port)).map((e) => e.keyType),
    ),
  ];
}

/** The line `accept-new` appends. */
export function formatEntry(host: string, port: number, keyType: string, keyBase64: string): string {
  return `${knownHostsName(host, port)} ${keyType} ${keyBase64}`;
}
