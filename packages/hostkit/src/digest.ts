/**
 * sha256, the one digest the kit compares content with: of text or bytes in memory, and of a
 * controller file (tarballs, Node binaries), cached by size and mtime so a run hashes each once.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

const digestCache = new Map<string, { key: string; digest: string }>();

/** sha256 of a controller file, cached by size and mtime (tarballs are hashed once per run). */
export async function sha256File(path: string): Promise<string> {
  const st = statSync(path);
  const key = `${st.size}:${st.mtimeMs}`;
  const cached = digestCache.get(path);
  if (cached?.key === key) return cached.digest;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject);
  });
  const digest = hash.digest('hex');
  digestCache.set(path, { key, digest });
  return digest;
}
