/**
 * Ansible options our modules do not accept, with why (checked by test/unit/ansible-specs.test.ts
 * against test/compat/ansible-specs.json).
 *  - UNSUPPORTED: deliberate, kept short: what this provisioner will not do, and why.
 *  - NOT_YET_IMPLEMENTED: the open work, named so the spec test stays honest about it; an entry
 *    leaves this list when the option is implemented (the test fails on a stale entry).
 */
const SELINUX_LOGIN = "the account's SELinux user (semanage login) is not managed; the file modules' SELinux options are (util/file-common.ts)";
const OTHER_OS = 'macOS, BSD or Solaris only: this provisioner manages Linux hosts';

export const UNSUPPORTED: Record<string, Record<string, string>> = {
  user: {
    seuser: SELINUX_LOGIN,
    hidden: OTHER_OS, login_class: OTHER_OS, profile: OTHER_OS, authorization: OTHER_OS, role: OTHER_OS,
  },
  replace: { others: 'a pass-through of file options (documentation-only in Ansible): give them by name' },
  get_url: {
    use_gssapi: 'Kerberos/GSSAPI authentication: the hosts this provisioner supports have no Kerberos client set up',
  },
  // community.postgresql (geerlingguy.postgresql): options the collection deprecated, to be removed in its 3.0.0.
  'community.postgresql.postgresql_user': {
    priv: 'deprecated by the collection (removed in community.postgresql 3.0.0): grant privileges with postgresql_privs',
    groups: 'deprecated by the collection (removed in community.postgresql 3.0.0): grant memberships with postgresql_privs type=group',
  },
  // Issue 15's fourth batch.
  uri: {
    use_gssapi: 'Kerberos/GSSAPI authentication: the hosts this provisioner supports have no Kerberos client set up',
  },
};

const YUM_OPTION = 'yum/dnf option not yet passed through';
const ATTRIBUTES = 'chattr attributes not yet applied by this module';
const yumNotYet = {
  autoremove: YUM_OPTION, bugfix: YUM_OPTION, cacheonly: YUM_OPTION, conf_file: YUM_OPTION,
  disable_excludes: YUM_OPTION, disable_gpg_check: YUM_OPTION, disable_plugin: YUM_OPTION, download_dir: YUM_OPTION,
  download_only: YUM_OPTION, enable_plugin: YUM_OPTION, install_repoquery: YUM_OPTION,
  install_weak_deps: YUM_OPTION, installroot: YUM_OPTION, list: 'package listing (a query, not a state) not yet implemented',
  lock_timeout: YUM_OPTION, releasever: YUM_OPTION, security: YUM_OPTION, skip_broken: YUM_OPTION, sslverify: YUM_OPTION,
  update_only: YUM_OPTION, validate_certs: YUM_OPTION,
};

export const NOT_YET_IMPLEMENTED: Record<string, Record<string, string>> = {
  'community.postgresql.postgresql_db': {
    target_opts: 'pg_dump / pg_restore options: state=dump and state=restore not yet planned',
    dump_extra_args: 'pg_dump options: state=dump not yet planned',
  },
  apt: {
    lock_timeout: 'Ansible retries while python-apt cannot take the apt lock; apt-get fails at once on a held lock (not yet waited for)',
  },
  assemble: { attributes: ATTRIBUTES },
  blockinfile: { attributes: ATTRIBUTES },
  copy: { attributes: ATTRIBUTES },
  dnf: { ...yumNotYet, nobest: YUM_OPTION },
  'ansible.posix.firewalld': Object.fromEntries(
    ['icmp_block', 'icmp_block_inversion', 'protocol', 'port_forward', 'rich_rule', 'source', 'interface', 'masquerade', 'target', 'offline'].map((o) => [
      o, 'firewalld: only ports and services in a zone are implemented yet (what the corpus uses)',
    ]),
  ),
  replace: { attributes: ATTRIBUTES },
  'community.general.ini_file': { attributes: ATTRIBUTES },
  get_url: {
    attributes: ATTRIBUTES,
  },
  uri: {
    attributes: ATTRIBUTES,
  },
  gather_facts: { parallel: 'facts are gathered by the one setup module; no parallel fact modules' },
  lineinfile: { attributes: ATTRIBUTES, others: 'a pass-through of file options (documentation-only in Ansible) not yet accepted' },
  service: { arguments: 'extra arguments to the init script not yet passed', runlevel: 'OpenRC runlevels not supported yet', use: 'choosing the service manager by hand not yet implemented' },
  stat: { get_attributes: 'lsattr attributes not yet reported' },
  sysvinit: { arguments: 'extra arguments to the init script not yet passed', daemonize: 'daemonizing a script without its own not yet implemented', runlevels: 'explicit runlevels not yet implemented' },
  template: { attributes: ATTRIBUTES },
  unarchive: {
    attributes: ATTRIBUTES, decrypt: 'vault-encrypted archives are not yet decrypted',
    io_buffer_size: 'a read buffer size of Ansible\'s own Python code: not yet accepted',
  },
  yum: yumNotYet,
  // Issue 15: the ansible-examples LAMP playbooks' modules.
  'community.mysql.mysql_user': {
    plugin: 'authentication plugins other than mysql_native_password not yet set',
    plugin_hash_string: 'authentication plugins other than mysql_native_password not yet set',
    plugin_auth_string: 'authentication plugins other than mysql_native_password not yet set',
    resource_limits: 'per-user resource limits (MAX_QUERIES_PER_HOUR...) not yet compared or set',
  },
};

/** Values Ansible allows for an accepted option that our spec refuses: module -> option -> value (or '*' for any value outside the choices we take) -> reason. */
export const UNSUPPORTED_CHOICES: Record<string, Record<string, Record<string, string>>> = {
  'community.postgresql.postgresql_db': {
    state: { dump: 'pg_dump of a database to a file not yet planned', restore: 'restoring a dump with psql / pg_restore not yet planned' },
  },
  dnf: { state: { latest: 'upgrading to the latest version not yet planned' } },
  yum: { state: { latest: 'upgrading to the latest version not yet planned' }, use_backend: { auto: 'the backend is named by the module (yum or dnf)', yum4: 'the backend is named by the module (yum or dnf)' } },
  iptables: { rule_num: { '*': 'a rule number is a number: a non-numeric string is refused before the host is touched' } },
  // Issue 15's fourth batch.
  uri: {
    status_code: { '*': 'status codes are integers: a list of non-numeric strings is refused before the host is touched' },
  },
  // Issue 15: the ansible-examples LAMP playbooks' modules.
  'community.mysql.mysql_user': {
    update_password: { on_new_username: "reusing the password of the user's other hosts for a new user@host not yet implemented" },
  },
  // Issue 15's second batch.
  hostname: {
    use: Object.fromEntries(
      ['alpine', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'sles', 'solaris'].map((u) => [u, 'only the Linux strategies of the hosts this provisioner supports (systemd, debian, redhat)']),
    ),
  },
};
