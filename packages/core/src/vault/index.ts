export { VAULT_HEADER, VaultFormatError, decryptBody, encryptBody, encryptVault, formatEnvelope, isVaultText, parseEnvelope, vaultYamlScalar, type VaultEnvelope } from './format.js';
export { VaultError, VaultKeyring, decryptIfVaulted, useVaultKeyring, vaultKeyring, type VaultSecret } from './keyring.js';
export { VAULTED_DIFF_NOTE, hideVaultedDiff, readControllerFile } from './controller-files.js';
