/**
 * The two OS families the installers know, chosen from gathered facts (Ansible's
 * `ansible_os_family`: "RedHat" for RHEL/CentOS/Rocky/Alma, "Debian" for Debian/Ubuntu).
 */
export type OsFamily = 'RedHat' | 'Debian';

export function osFamilyOf(facts: Readonly<Record<string, unknown>>, hostName = 'host'): OsFamily {
  const value = facts.ansible_os_family;
  if (value === undefined) {
    throw new Error(`${hostName}: fact ansible_os_family is missing (enable gather_facts or pass os_family)`);
  }
  if (value === 'RedHat' || value === 'CentOS') return 'RedHat';
  if (value === 'Debian' || value === 'Ubuntu') return 'Debian';
  throw new Error(`${hostName}: OS family ${JSON.stringify(value)} is not supported (RedHat or Debian only)`);
}

/** Module arg override wins over the fact, so a play without fact gathering still works. */
export function resolveOsFamily(
  override: OsFamily | undefined,
  facts: Readonly<Record<string, unknown>>,
  hostName?: string,
): OsFamily {
  return override ?? osFamilyOf(facts, hostName);
}
