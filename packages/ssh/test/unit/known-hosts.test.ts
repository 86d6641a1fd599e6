import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  checkHostKey,
  decideHostKey,
  formatHashedName,
  hostKeyAlgorithms,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const pub = (name: string) => {
  const [type, key] = fixture(name).trim().split(/\s+/);
  return { type, key };
};
const ed = pub('host-ed25519.pub');
const ec = pub('host-ecdsa.pub');
const rsa = pub('host-rsa.pub');
const otherEd = pub('other-ed25519.pub');
const otherEc = pub('other-ecdsa.pub');
const otherRsa = pub('other-rsa.pub');

describe('parseKnownHosts', () => {
  it('reads plain, bracketed and marked entries with their line numbers', () => {
    const { entries, problems } = parseKnownHosts(fixture('known_hosts.plain'));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.line, e.marker, e.patterns.join(','), e.keyType])).toEqual([
      [2, undefined, '198.51.100.51', 'ssh-ed25519'],
      [3, undefined, '198.51.100.51', 'ecdsa-sha2-nistp256'],
      [4, undefined, 'edu-proxy-02,198.51.100.52', 'ssh-rsa'],
      [6, undefined, '[198.51.100.53]:2222', 'ssh-ed25519'],
      [7, undefined, '*.lab.example,!bad.lab.example', 'ssh-ed25519'],
      [8, '@revoked', '*', 'ssh-ed25519'],
      [9, '@cert-authority', '*.lab.example', 'ecdsa-sha2-nistp256'],
    ]);
  });

  it('reads hashed entries written by ssh-keygen -H', () => {
    const { entries } = parseKnownHosts(fixture('known_hosts.hashed'));
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hashed && e.patterns.length === 0)).toBe(true);
  });

  it('reports malformed lines instead of guessing', () => {
    const { entries, problems } = parseKnownHosts('onlyhost\n|1|x| ssh-ed25519 AAAA\n@weird h ssh-rsa AAAA\n');
    expect(entries).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
  });
});

describe('checkHostKey', () => {
  const plain = parseKnownHosts(fixture('known_hosts.plain')).entries;
  const hashed = parseKnownHosts(fixture('known_hosts.hashed')).entries;
  const cases: Array<[string, typeof plain, string, number, { type: string; key: string }, string, number?]> = [
    ['plain ed25519 match', plain, '198.51.100.51', 22, ed, 'match', 2],
    ['plain ecdsa match', plain, '198.51.100.51', 22, ec, 'match', 3],
    ['second name of a list', plain, '198.51.100.52', 22, rsa, 'match', 4],
    ['rsa changed', plain, '198.51.100.52', 22, otherRsa, 'changed', 4],
    ['ed25519 changed', plain, '198.51.100.51', 22, { type: 'ssh-ed25519', key: pub('other-ecdsa.pub').key }, 'changed', 2],
    ['port 22 entry does not cover another port', plain, '198.51.100.51', 2222, ed, 'unknown'],
    ['[host]:port entry', plain, '198.51.100.53', 2222, ed, 'match', 6],
    ['[host]:port entry only for its port', plain, '198.51.100.53', 22, ed, 'unknown'],
    ['wildcard', plain, 'web.lab.example', 22, ed, 'match', 7],
    ['negated pattern excludes', plain, 'bad.lab.example', 22, ed, 'unknown'],
    ['unknown host', plain, '198.51.100.99', 22, ed, 'unknown'],
    ['known with another type only', plain, '198.51.100.52', 22, ed, 'unknown'],
    ['revoked key', plain, '198.51.100.51', 22, otherEd, 'revoked', 8],
    ['cert-authority is not a host key', plain, 'web.lab.example', 22, otherEc, 'unknown'],
    ['hashed match', hashed, '198.51.100.61', 22, ed, 'match', 1],
    ['hashed changed', hashed, '198.51.100.61', 22, { type: 'ssh-ed25519', key: otherEd.key }, 'changed', 1],
    ['hashed [host]:port', hashed, '198.51.100.62', 2200, ec, 'match', 2],
    ['hashed name does not match other host', hashed, '198.51.100.62', 22, ec, 'unknown'],
  ];
  it.each(cases)('%s', (_name, entries, host, port, key, status, line) => {
    const verdict = checkHostKey(entries, host, port, key.type, key.key);
    expect(verdict.status).toBe(status);
    if (line !== undefined) expect('entry' in verdict && verdict.entry.line).toBe(line);
  });

  it('names the other known key types of an unknown key', () => {
    expect(checkHostKey(plain, '198.51.100.52', 22, ed.type, ed.key)).toEqual({ status: 'unknown', otherTypes: ['ssh-rsa'] });
  });

  it('matches a name hashed by us like one hashed by ssh-keygen', () => {
    const line = `${formatHashedName('[10.0.0.0]:1', randomBytes(20))} ${ed.type} ${ed.key}`;
    const entries = parseKnownHosts(line.replace('10.0.0.0', '198.51.100.70')).entries;
    // Hashing the changed text breaks the hash: the name must be hashed, not compared.
    expect(checkHostKey(entries, '198.51.100.70', 1, ed.type, ed.key).status).toBe('unknown');
    const good = parseKnownHosts(`${formatHashedName('[198.51.100.70]:1', randomBytes(20))} ${ed.type} ${ed.key}`).entries;
    expect(checkHostKey(good, '198.51.100.70', 1, ed.type, ed.key).status).toBe('match');
  });
});

describe('host key algorithms and blobs', () => {
  it('asks first for the key types known for the host', () => {
    const entries = parseKnownHosts(fixture('known_hosts.plain')).entries;
    expect(knownKeyTypes(entries, '198.51.100.52', 22)).toEqual(['ssh-rsa']);
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    expect(new Set(hostKeyAlgorithms([])).size).toBe(hostKeyAlgorithms([]).length);
  });
  it.each([ed, ec, rsa])('reads the key type out of a %s blob', (k) => {
    expect(keyTypeOfBlob(Buffer.from(k.key, 'base64'))).toBe(k.type);
  });
  it('rejects a garbage blob', () => {
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 1, 0, 65]))).toThrow(/malformed/);
  });
});

describe('decideHostKey (file policies)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-kh-'));
  const base = { hostName: 'edu-proxy-01', address: '198.51.100.51', port: 22 };

  it('strict rejects an unknown key, naming host and file', async () => {
    const file = join(dir, 'strict');
    writeFileSync(file, '');
    const d = await decideHostKey({ ...base, file, keyType: ed.type, keyBase64: ed.key, policy: 'strict' });
    expect(d.accept).toBe(false);
    expect(d.message).toContain('edu-proxy-01 (198.51.100.51)');
    expect(d.message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('accept-new learns an unknown key once (parallel connections append one line) and keeps the others', async () => {
    const file = join(dir, 'accept');
    writeFileSync(file, `198.51.100.52 ${rsa.type} ${rsa.key}`); // no final newline
    const decisions = await Promise.all(
      Array.from({ length: 5 }, () => decideHostKey({ ...base, file, keyType: ed.type, keyBase64: ed.key, policy: 'accept-new' })),
    );
    expect(decisions.every((d) => d.accept)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`198.51.100.52 ${rsa.type} ${rsa.key}\n198.51.100.51 ${ed.type} ${ed.key}\n`);
    const again = await decideHostKey({ ...base, file, keyType: ed.type, keyBase64: ed.key, policy: 'strict' });
    expect(again.verdict.status).toBe('match');
  });

  it('accept-new writes [host]:port for a non-standard port and creates the file', async () => {
    const file = join(dir, 'sub', 'new_known_hosts');
    const d = await decideHostKey({ ...base, port: 2222, file, keyType: ec.type, keyBase64: ec.key, policy: 'accept-new' });
    expect(d.accept).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(`[198.51.100.51]:2222 ${ec.type} ${ec.key}\n`);
  });

  it.each(['strict', 'accept-new'] as const)('%s always rejects a CHANGED key, naming host, file and line', async (policy) => {
    const file = join(dir, `changed-${policy}`);
    writeFileSync(file, `# header\n198.51.100.51 ${ed.type} ${ed.key}\n`);
    const d = await decideHostKey({ ...base, file, keyType: otherEd.type, keyBase64: otherEd.key, policy });
    expect(d.accept).toBe(false);
    expect(d.message).toMatch(/CHANGED/);
    expect(d.message).toContain(`${file}:2`);
    expect(d.message).toContain('edu-proxy-01');
    expect(readFileSync(file, 'utf8')).toBe(`# header\n198.51.100.51 ${ed.type} ${ed.key}\n`);
  });
});
