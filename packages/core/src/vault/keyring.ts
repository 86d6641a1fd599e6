/**
 * The vault passwords of one run, each with its vault id (label), and the decryption rule Ansible uses
 * with its default settings (vault_id_match off): the secret whose id matches the data's 1.2 label is
 * tried first, then every other one.
 */
import { decryptBody, encryptVault, isVaultText, parseEnvelope, VaultFormatError } from './format.js';

export interface VaultSecret {
  /** The vault id (label); `default` when none was given. */
  id: string;
  password: Buffer;
  /** Where the password came from, for messages (never the password). */
  source: string;
}

/** Vault data that cannot be opened: the message names the file (and position) and never a password. */
export class VaultError extends Error {
  override name = 'VaultError';
}

export class VaultKeyring {
  constructor(readonly secrets: readonly VaultSecret[] = []) {}

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /** Decrypt vault text found in `where` (a file name, or file:line:col); throws VaultError. */
  decrypt(text: string, where: string): Buffer {
    return this.open(text, where).plaintext;
  }

  /** Decrypt and say which vault id opened it (rekey and view need it). */
  open(text: string, where: string): { plaintext: Buffer; id: string } {
    let envelope;
    try {
      envelope = parseEnvelope(text);
    } catch (e) {
      throw new VaultError(`${where}: ${(e as Error).message}`);
    }
    if (this.empty) {
      throw new VaultError(`${where} is encrypted with Ansible Vault: give its password with --vault-password-file, --vault-id or --ask-vault-pass`);
    }
    const ordered = [...this.secrets.filter((s) => s.id === envelope.label), ...this.secrets.filter((s) => s.id !== envelope.label)];
    for (const secret of ordered) {
      let plaintext: Buffer | undefined;
      try {
        plaintext = decryptBody(envelope.body, secret.password);
      } catch (e) {
        if (e instanceof VaultFormatError) throw new VaultError(`${where}: ${e.message}`);
        throw e;
      }
      if (plaintext !== undefined) return { plaintext, id: secret.id };
    }
    const tried = this.secrets.map((s) => `${s.id} (${s.source})`).join(', ');
    const label = envelope.label ? ` (vault id ${envelope.label})` : '';
    throw new VaultError(`${where}${label}: decryption failed: no vault password given opens it (tried ${tried})`);
  }

  /** Vault text for `plaintext` with the secret of vault id `id` (default: the first secret). */
  encrypt(plaintext: Uint8Array, id?: string, salt?: Uint8Array): string {
    const secret = id === undefined ? this.secrets[0] : this.secrets.find((s) => s.id === id);
    if (!secret) {
      throw new VaultError(id === undefined ? 'no vault password given: use --vault-password-file, --vault-id or --ask-vault-pass' : `no vault password given for vault id ${id}`);
    }
    return encryptVault(plaintext, secret.password, { label: secret.id, salt });
  }
}

/**
 * The keyring loaders use. The CLI installs the run's keyring once, before anything is read; the YAML
 * schema's `!vault` tag and whole-file decryption read it here because YAML tags are resolved deep
 * inside the parser, where no per-call option reaches.
 */
let activeKeyring = new VaultKeyring();

export function useVaultKeyring(keyring: VaultKeyring): void {
  activeKeyring = keyring;
}

export function vaultKeyring(): VaultKeyring {
  return activeKeyring;
}

/** File content, decrypted when it is a vault file; `vaulted` says whether it was. Throws VaultError. */
export function decryptIfVaulted(content: Buffer, where: string, keyring: VaultKeyring = activeKeyring): { content: Buffer; vaulted: boolean } {
  if (!isVaultText(content)) return { content, vaulted: false };
  return { content: keyring.decrypt(content.toString('utf8'), where), vaulted: true };
}
