/**
 * The known_hosts file on the controller: read, verify a presented host key, and learn unknown keys
 * (accept-new) with an atomic append (temp file in the same folder, then rename). Appends to one file
 * are serialized inside this process, so hosts connecting in parallel do not lose each other's lines.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { checkHostKey, formatEntry, knownKeyTypes, parseKnownHosts, type HostKeyVerdict } from './known-hosts.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface HostKeyDecision {
  accept: boolean;
  /** Why it was rejected (names host, file and line), or what was learned. */
  message?: string;
  verdict: HostKeyVerdict | { status: 'learned' };
}

const appendQueues = new Map<string, Promise<unknown>>();

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export async function loadKnownKeyTypes(file: string, host: string, port: number): Promise<string[]> {
  return knownKeyTypes(parseKnownHosts(await readText(file)).entries, host, port);
}

/** Append a line atomically; the file's other lines stay as they are. */
export function appendKnownHost(file: string, line: string): Promise<void> {
  const previous = appendQueues.get(file) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const current = await readText(file);
    // A parallel connection to the same host may have learned the same key already.
    if (current.split('\n').some((l) => l.trim() === line)) return;
    const text = current === '' || current.endsWith('\n') ? current : `${current}\n`;
    const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, `${text}${line}\n`, { mode: 0o600, flag: 'wx' });
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  });
  appendQueues.set(file, next);
  return next;
}

/**
 * Decide about a presented key. Re-reads the file each time, so a key learned by a parallel
 * connection is seen.
 */
export async function decideHostKey(opts: {
  file: string;
  hostName: string;
  address: string;
  port: number;
  keyType: string;
  keyBase64: string;
  policy: HostKeyPolicy;
}): Promise<HostKeyDecision> {
  const { file, hostName, address, port, keyType, keyBase64, policy } = opts;
  const who = hostName === address ? address : `${hostName} (${address}${port === 22 ? '' : `:${port}`})`;
  // Serialize against pending appends of the same file.
  await (appendQueues.get(file) ?? Promise.resolve()).catch(() => undefined);
  const verdict = checkHostKey(parseKnownHosts(await readText(file)).entries, address, port, keyType, keyBase64);
  switch (verdict.status) {
    case 'match':
      return { accept: true, verdict };
    case 'changed':
      return {
        accept: false,
        verdict,
        message:
          `host key for ${who} has CHANGED: the server presented a different ${keyType} key than the one ` +
          `recorded in ${file}:${verdict.entry.line}. This may be a man-in-the-middle attack, or the host was ` +
          `reinstalled; if the change is expected, remove line ${verdict.entry.line} of ${file} and connect again.`,
      };
    case 'revoked':
      return {
        accept: false,
        verdict,
        message: `host key for ${who} is marked @revoked in ${file}:${verdict.entry.line}`,
      };
    case 'unknown': {
      const others = verdict.otherTypes.length ? ` (keys of other types are known: ${verdict.otherTypes.join(', ')})` : '';
      if (policy === 'strict') {
        return {
          accept: false,
          verdict,
          message:
            `host key for ${who} is not in ${file}${others}; strict host key checking rejects it ` +
            `(add the key to the file, or use --accept-new-host-keys to learn it)`,
        };
      }
      await appendKnownHost(file, formatEntry(address, port, keyType, keyBase64));
      return { accept: true, verdict: { status: 'learned' }, message: `learned ${keyType} key for ${who} in ${file}` };
    }
  }
}
