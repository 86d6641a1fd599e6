/**
 * SHA-256 and SHA-512 crypt ($5$ and $6$), the scheme glibc's crypt(3) implements (Ulrich Drepper's
 * public specification, "Unix crypt using SHA-256 and SHA-512"), for the password_hash filter: Ansible
 * without passlib (Debian's ansible-core) hashes with the host Python's crypt, which is this scheme, so
 * that a hash written to /etc/shadow by the user module is one the host's login accepts.
 */
import { createHash, randomInt } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;

/** The order in which the final digest's bytes are encoded, three at a time (the specification's table). */
const ORDER = {
  sha256: { triplets: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]], tail: [-1, 31, 30, 3] },
  sha512: {
    triplets: [
      [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
      [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
    ],
    tail: [-1, -1, 63, 2],
  },
} as const;

export type ShaCryptAlgorithm = keyof typeof ORDER;

function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = source[i % source.length];
  return out;
}

/** A random salt of `size` characters from crypt's alphabet. */
export function randomSalt(size = 16): string {
  let s = '';
  for (let i = 0; i < size; i++) s += ITOA64[randomInt(ITOA64.length)];
  return s;
}

/**
 * `$5$`/`$6$` hash of `password` with `salt` (at most 16 characters are used, as crypt does) and
 * `rounds` (the default 5000 is left out of the result, as crypt leaves it out).
 */
export function shaCrypt(algorithm: ShaCryptAlgorithm, password: string, salt: string, rounds?: number): string {
  const hash = () => createHash(algorithm);
  const key = Buffer.from(password, 'utf8');
  const saltText = salt.slice(0, 16);
  const saltBytes = Buffer.from(saltText, 'utf8');
  const r = rounds === undefined ? ROUNDS_DEFAULT : Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Math.trunc(rounds)));
  const size = algorithm === 'sha256' ? 32 : 64;

  const b = hash().update(key).update(saltBytes).update(key).digest();
  const a = hash().update(key).update(saltBytes);
  let n = key.length;
  for (; n > size; n -= size) a.update(b);
  a.update(b.subarray(0, n));
  for (let bits = key.length; bits > 0; bits >>= 1) a.update(bits & 1 ? b : key);
  const da = a.digest();

  const dp = hash();
  for (let i = 0; i < key.length; i++) dp.update(key);
  const p = repeatTo(dp.digest(), key.length);
  const ds = hash();
  for (let i = 0; i < 16 + da[0]; i++) ds.update(saltBytes);
  const s = repeatTo(ds.digest(), saltBytes.length);

  let c = da;
  for (let i = 0; i < r; i++) {
    const h = hash();
    h.update(i & 1 ? p : c);
    if (i % 3) h.update(s);
    if (i % 7) h.update(p);
    h.update(i & 1 ? c : p);
    c = h.digest();
  }

  const encode = (b2: number, b1: number, b0: number, count: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    let out = '';
    for (let i = 0; i < count; i++) {
      out += ITOA64[w & 0x3f];
      w >>= 6;
    }
    return out;
  };
  const order = ORDER[algorithm];
  let text = order.triplets.map(([x, y, z]) => encode(c[x], c[y], c[z], 4)).join('');
  const [t2, t1, t0, count] = order.tail;
  text += encode(t2 < 0 ? 0 : c[t2], t1 < 0 ? 0 : c[t1], c[t0], count);
  const prefix = algorithm === 'sha256' ? '$5$' : '$6$';
  return `${prefix}${rounds === undefined ? '' : `rounds=${r}$`}${saltText}$${text}`;
}
