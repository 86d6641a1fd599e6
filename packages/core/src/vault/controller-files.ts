/**
 * Controller files that modules read (copy and template sources): decrypted when vault-encrypted, as
 * Ansible does, and then treated as secrets: the content is masked in output and a diff of the
 * destination shows neither the old nor the new content.
 */
import { readFile } from 'node:fs/promises';
import type { FileDiff, ModuleResult } from '../contract/module.js';
import { decryptIfVaulted, VaultError } from './keyring.js';

export const VAULTED_DIFF_NOTE = '(content from a vault-encrypted file is not shown)\n';

/** Read a controller file; a vault file is decrypted and its plaintext registered with `markSecret`. Throws VaultError. */
export async function readControllerFile(path: string, ctx: { markSecret(value: string): void }): Promise<{ content: Buffer; vaulted: boolean }> {
  const raw = await readFile(path);
  const opened = decryptIfVaulted(raw, path);
  if (opened.vaulted) ctx.markSecret(opened.content.toString('utf8'));
  return opened;
}

/** The result with every diff's text replaced by a note (for a destination written from vaulted content). */
export function hideVaultedDiff(result: ModuleResult): ModuleResult {
  if (!result.diff) return result;
  const diff: FileDiff[] = result.diff.map((d) => ({ ...d, before: VAULTED_DIFF_NOTE, after: d.before === d.after ? VAULTED_DIFF_NOTE : `${VAULTED_DIFF_NOTE}(changed)\n` }));
  return { ...result, diff };
}

export { VaultError };
