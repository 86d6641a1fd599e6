/**
 * Host key algorithm order. Like OpenSSH, ask first for the key types already recorded for the host,
 * so a host with several keys presents the one we can verify.
 */
const DEFAULT_ORDER = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Signature algorithms that prove possession of a key of this known_hosts type. */
function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return DEFAULT_ORDER.includes(keyType) ? [keyType] : [];
}

export function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const first = knownTypes.flatMap(algorithmsForKeyType);
  return [...new Set([...first, ...DEFAULT_ORDER])];
}

/** The key type inside an SSH wire-format public key blob (a uint32 length, then the name). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const len = blob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > blob.length) throw new Error('malformed host key blob');
  return blob.subarray(4, 4 + len).toString('latin1');
}
