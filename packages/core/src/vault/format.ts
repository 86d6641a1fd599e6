/**
 * Ansible Vault's file format, AES256 cipher (formats 1.1 and 1.2), as ansible-core 2.14 writes it
 * (lib/ansible/parsing/vault/__init__.py: format_vaulttext_envelope, VaultAES256):
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";<vault id label>")
 *   <hex body, in lines of 80 characters, the last line ended by "\n">
 *
 * The hex body, once unhexlified, is three lines joined by "\n": hex(salt), hex(HMAC), hex(ciphertext).
 * PBKDF2-HMAC-SHA256 (10000 iterations) turns the password and the 32-byte salt into 80 bytes: the
 * AES-256 key, the HMAC-SHA256 key and the 16-byte initial counter. The plaintext is PKCS#7-padded to
 * 16 bytes before AES-256-CTR (Ansible pads although CTR does not need it), and the HMAC covers the
 * ciphertext. Pure functions over bytes; the only randomness is a salt the caller may fix.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';
const CIPHER = 'AES256';
const ITERATIONS = 10000;
const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const SALT_LENGTH = 32;
const LINE_WIDTH = 80;

/** Malformed vault text (not a wrong password). */
export class VaultFormatError extends Error {
  override name = 'VaultFormatError';
}

export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** The vault id written in a 1.2 header; undefined for 1.1. */
  label?: string;
  /** The hex body with line breaks removed. */
  body: string;
}

/** Does this text or file content start as Ansible Vault data does? */
export function isVaultText(data: string | Uint8Array): boolean {
  const head = typeof data === 'string' ? data.slice(0, VAULT_HEADER.length) : Buffer.from(data.subarray(0, VAULT_HEADER.length)).toString('latin1');
  return head === VAULT_HEADER;
}

/** Split vault text into its header fields and body. */
export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text.split(/\r?\n/);
  const header = lines[0].trim().split(';').map((s) => s.trim());
  if (header[0] !== VAULT_HEADER) throw new VaultFormatError(`not Ansible Vault data (the first line must start with ${VAULT_HEADER})`);
  if (header.length < 3) throw new VaultFormatError(`vault header '${lines[0].trim()}' has no version and cipher`);
  const [, version, cipher, label] = header;
  if (version !== '1.1' && version !== '1.2') throw new VaultFormatError(`vault format version ${version} is not supported (1.1 and 1.2 are)`);
  if (cipher !== CIPHER) throw new VaultFormatError(`vault cipher ${cipher} is not supported (only AES256)`);
  const body = lines.slice(1).map((l) => l.trim()).join('');
  if (body === '' || !/^[0-9a-fA-F]+$/.test(body) || body.length % 2 !== 0) throw new VaultFormatError('vault body is not hexadecimal text');
  return { version, cipher, label: label === undefined || label === '' ? undefined : label, body };
}

/** The header and the body cut into lines of 80, as Ansible writes a file. A label other than `default` makes it format 1.2. */
export function formatEnvelope(body: string, label?: string): string {
  const header = label && label !== 'default' ? `${VAULT_HEADER};1.2;${CIPHER};${label}` : `${VAULT_HEADER};1.1;${CIPHER}`;
  const lines = [header];
  for (let i = 0; i < body.length; i += LINE_WIDTH) lines.push(body.slice(i, i + LINE_WIDTH));
  return `${lines.join('\n')}\n`;
}

interface DerivedKeys {
  cipherKey: Buffer;
  hmacKey: Buffer;
  iv: Buffer;
}

function deriveKeys(password: Uint8Array, salt: Uint8Array): DerivedKeys {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256');
  return {
    cipherKey: derived.subarray(0, KEY_LENGTH),
    hmacKey: derived.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    iv: derived.subarray(2 * KEY_LENGTH),
  };
}

function pkcs7Pad(data: Uint8Array): Buffer {
  const n = 16 - (data.length % 16);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(data: Buffer): Buffer {
  const n = data.length > 0 ? data[data.length - 1] : 0;
  if (n < 1 || n > 16 || n > data.length) throw new VaultFormatError('vault plaintext has invalid padding');
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw new VaultFormatError('vault plaintext has invalid padding');
  return data.subarray(0, data.length - n);
}

/** The hex body (without header) for `plaintext` under `password`. `salt` is random unless given (tests fix it). */
export function encryptBody(plaintext: Uint8Array, password: Uint8Array, salt: Uint8Array = randomBytes(SALT_LENGTH)): string {
  if (salt.length === 0) throw new VaultFormatError('the vault salt must not be empty');
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const cipher = createCipheriv('aes-256-ctr', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(pkcs7Pad(plaintext)), cipher.final()]);
  const hmac = createHmac('sha256', hmacKey).update(ciphertext).digest('hex');
  const inner = [Buffer.from(salt).toString('hex'), hmac, ciphertext.toString('hex')].join('\n');
  return Buffer.from(inner, 'latin1').toString('hex');
}

/** The plaintext of a hex body, or undefined when the HMAC does not match (a wrong password). */
export function decryptBody(body: string, password: Uint8Array): Buffer | undefined {
  const inner = Buffer.from(body, 'hex').toString('latin1');
  const parts = inner.split('\n');
  if (parts.length !== 3) throw new VaultFormatError('vault body does not hold salt, HMAC and ciphertext');
  const [saltHex, hmacHex, cipherHex] = parts;
  for (const part of parts) if (!/^(?:[0-9a-fA-F]{2})+$/.test(part)) throw new VaultFormatError('vault body has a part that is not hexadecimal');
  const salt = Buffer.from(saltHex, 'hex');
  const expected = Buffer.from(hmacHex, 'hex');
  const ciphertext = Buffer.from(cipherHex, 'hex');
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const actual = createHmac('sha256', hmacKey).update(ciphertext).digest();
  // Constant time, so the comparison does not tell an attacker how many leading bytes matched.
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv);
  return pkcs7Unpad(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
}

/** A whole vault file for `plaintext`. */
export function encryptVault(plaintext: Uint8Array, password: Uint8Array, options: { label?: string; salt?: Uint8Array } = {}): string {
  return formatEnvelope(encryptBody(plaintext, password, options.salt), options.label);
}

/** `encrypt_string`'s YAML: `[name: ]!vault |` and the vault text indented by 10 spaces, as ansible-vault prints it. */
export function vaultYamlScalar(vaultText: string, name?: string): string {
  const lines = vaultText.replace(/\n$/, '').split('\n').map((l) => `${' '.repeat(10)}${l}`);
  return `${name ? `${name}: ` : ''}!vault |\n${lines.join('\n')}`;
}
