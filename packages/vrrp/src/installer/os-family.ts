/**
 * RHEL family or Debian family, from Ansible's `ansible_os_family` fact. (A ten-line twin of
 * @haweb/nginx's: this package may not depend on the installer packages.)
 */
export type OsFamily = 'RedHat' | 'Debian';

export function osFamilyFromFacts(facts: Readonly<Record<string, unknown>>, hostName = 'host'): OsFamily {
  const value = facts.ansible_os_family;
  if (value === 'RedHat' || value === 'CentOS') return 'RedHat';
  if (value === 'Debian' || value === 'Ubuntu') return 'Debian';
  if (value === undefined) throw new Error(`${hostName}: fact ansible_os_family is missing (enable gather_facts or pass os_family)`);
  throw new Error(`${hostName}: OS family ${JSON.stringify(value)} is not supported (RedHat or Debian only)`);
}
