/**
 * Secrets inside keepalived.conf-syntax configs (keepalived's and vrrpd's): auth_pass values are
 * handed to the engine's secret filter so they never reach diffs or logs.
 */
export function markConfigSecrets(config: string, markSecret: (value: string) => void): void {
  for (const m of config.matchAll(/^\s*auth_pass\s+("?)([^\s"]+)\1/gm)) markSecret(m[2]);
}
