import { SecretMasker } from '@haweb/core';

/**
 * Ansible's modules return their results through exit_json, which replaces the values of their
 * no_log options (url_password...) wherever they appear, in a mapping's keys as in its values, with
 * "********" (remove_values): what `register` keeps is masked already, not only what is printed.
 * The masking is the run's own (SecretMasker), applied to the result before it is registered.
 */
export function withoutNoLogValues<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const masker = new SecretMasker();
  for (const s of secrets) masker.add(s);
  return masker.size === 0 ? value : masker.maskDeep(value);
}
