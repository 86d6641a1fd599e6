/**
 * Ansible options our modules do not accept, with why (checked by test/unit/ansible-specs.test.ts
 * against test/compat/ansible-specs.json).
 *  - UNSUPPORTED: deliberate, kept short: what this provisioner will not do, and why.
 *  - NOT_YET_IMPLEMENTED: the open work, named so the spec test stays honest about it; an entry
 *    leaves this list when the option is implemented (the test fails on a stale entry).
 */
const SELINUX = 'SELinux contexts: this provisioner does not manage SELinux labels (its hosts run without SELinux); use semanage/chcon through command';
const UNSAFE_WRITES = 'every write is atomic (temporary file, then rename); Ansible\'s fallback to a non-atomic write is never taken';
const OTHER_OS = 'macOS, BSD or Solaris only: this provisioner manages Linux hosts';
const selinux = { selevel: SELINUX, serole: SELINUX, setype: SELINUX, seuser: SELINUX };
const fileCommon = { ...selinux, unsafe_writes: UNSAFE_WRITES };

export const UNSUPPORTED: Record<string, Record<string, string>> = {
  blockinfile: fileCommon,
  copy: fileCommon,
  file: fileCommon,
  lineinfile: fileCommon,
  template: {
    ...fileCommon,
    output_encoding: 'templates are written as UTF-8 only (the encoding of every host this provisioner supports)',
  },
  unarchive: fileCommon,
  user: {
    seuser: SELINUX,
    hidden: OTHER_OS, login_class: OTHER_OS, profile: OTHER_OS, authorization: OTHER_OS, role: OTHER_OS,
  },
  replace: { ...fileCommon, others: 'a pass-through of file options (documentation-only in Ansible): give them by name' },
  get_url: {
    ...fileCommon,
    use_gssapi: 'Kerberos/GSSAPI authentication: the hosts this provisioner supports have no Kerberos client set up',
  },
};

const APT_OPTION = 'apt-get option not yet passed through';
const YUM_OPTION = 'yum/dnf option not yet passed through';
const IPTABLES_MATCH = 'iptables match/target not yet planned';
const SSH_KEYGEN = 'generating the user\'s SSH key pair (ssh-keygen) not yet implemented';
const ATTRIBUTES = 'chattr attributes not yet applied by this module';
const yumNotYet = {
  allow_downgrade: YUM_OPTION, autoremove: YUM_OPTION, bugfix: YUM_OPTION, cacheonly: YUM_OPTION, conf_file: YUM_OPTION,
  disable_excludes: YUM_OPTION, disable_gpg_check: YUM_OPTION, disable_plugin: YUM_OPTION, download_dir: YUM_OPTION,
  download_only: YUM_OPTION, enable_plugin: YUM_OPTION, exclude: YUM_OPTION, install_repoquery: YUM_OPTION,
  install_weak_deps: YUM_OPTION, installroot: YUM_OPTION, list: 'package listing (a query, not a state) not yet implemented',
  lock_timeout: YUM_OPTION, releasever: YUM_OPTION, security: YUM_OPTION, skip_broken: YUM_OPTION, sslverify: YUM_OPTION,
  update_only: YUM_OPTION, validate_certs: YUM_OPTION,
};

export const NOT_YET_IMPLEMENTED: Record<string, Record<string, string>> = {
  apt: {
    allow_change_held_packages: APT_OPTION,
    autoclean: APT_OPTION, autoremove: APT_OPTION, clean: APT_OPTION,
    fail_on_autoremove: APT_OPTION, force: APT_OPTION, lock_timeout: APT_OPTION,
    only_upgrade: APT_OPTION, policy_rc_d: APT_OPTION, update_cache_retries: APT_OPTION,
    update_cache_retry_max_delay: APT_OPTION, upgrade: 'dist/full/safe upgrade not yet planned',
  },
  blockinfile: { attributes: ATTRIBUTES },
  copy: { attributes: ATTRIBUTES },
  dnf: { ...yumNotYet, allowerasing: YUM_OPTION, nobest: YUM_OPTION },
  replace: { attributes: ATTRIBUTES },
  get_url: {
    attributes: ATTRIBUTES,
    unredirected_headers: 'curl sends the given headers on every redirect; dropping some of them on redirects is not yet implemented',
  },
  user: {
    generate_ssh_key: SSH_KEYGEN, ssh_key_bits: SSH_KEYGEN, ssh_key_comment: SSH_KEYGEN, ssh_key_file: SSH_KEYGEN,
    ssh_key_passphrase: SSH_KEYGEN, ssh_key_type: SSH_KEYGEN,
  },
  gather_facts: { parallel: 'facts are gathered by the one setup module; no parallel fact modules' },
  iptables: {
    chain_management: IPTABLES_MATCH, dst_range: IPTABLES_MATCH, flush: IPTABLES_MATCH, fragment: IPTABLES_MATCH, gateway: IPTABLES_MATCH,
    gid_owner: IPTABLES_MATCH, goto: IPTABLES_MATCH, icmp_type: IPTABLES_MATCH, limit: IPTABLES_MATCH, limit_burst: IPTABLES_MATCH,
    log_level: IPTABLES_MATCH, log_prefix: IPTABLES_MATCH, match_set: IPTABLES_MATCH, match_set_flags: IPTABLES_MATCH,
    policy: IPTABLES_MATCH, reject_with: IPTABLES_MATCH, set_counters: IPTABLES_MATCH, set_dscp_mark: IPTABLES_MATCH,
    set_dscp_mark_class: IPTABLES_MATCH, src_range: IPTABLES_MATCH, syn: IPTABLES_MATCH, tcp_flags: IPTABLES_MATCH,
    to_source: IPTABLES_MATCH, uid_owner: IPTABLES_MATCH, wait: IPTABLES_MATCH,
  },
  lineinfile: { attributes: ATTRIBUTES, others: 'a pass-through of file options (documentation-only in Ansible) not yet accepted' },
  service: { arguments: 'extra arguments to the init script not yet passed', runlevel: 'OpenRC runlevels not supported yet', sleep: 'a pause between stop and start not yet implemented', use: 'choosing the service manager by hand not yet implemented' },
  setup: { fact_path: 'local facts (facts.d) not yet gathered', gather_timeout: 'a gathering timeout not yet implemented' },
  stat: { get_attributes: 'lsattr attributes not yet reported' },
  sysvinit: { arguments: 'extra arguments to the init script not yet passed', daemonize: 'daemonizing a script without its own not yet implemented', runlevels: 'explicit runlevels not yet implemented', sleep: 'a pause between stop and start not yet implemented' },
  template: {
    attributes: ATTRIBUTES, block_end_string: 'custom Jinja2 delimiters not yet supported', block_start_string: 'custom Jinja2 delimiters not yet supported',
    comment_end_string: 'custom Jinja2 delimiters not yet supported', comment_start_string: 'custom Jinja2 delimiters not yet supported',
    variable_end_string: 'custom Jinja2 delimiters not yet supported', variable_start_string: 'custom Jinja2 delimiters not yet supported',
    lstrip_blocks: 'depends on the templating engine rework (issue 15 item 3)',
    trim_blocks: 'depends on the templating engine rework (issue 15 item 3)', newline_sequence: 'not yet implemented',
  },
  unarchive: {
    attributes: ATTRIBUTES, copy: 'deprecated alias of remote_src, not yet accepted', decrypt: 'vault-encrypted archives are not yet decrypted',
    io_buffer_size: 'a read buffer size of Ansible\'s own Python code: not yet accepted', validate_certs: 'downloading archives (src as a URL) not yet implemented',
  },
  yum: yumNotYet,
};

/** Values Ansible allows for an accepted option that our spec refuses: module -> option -> value (or '*' for any value outside the choices we take) -> reason. */
export const UNSUPPORTED_CHOICES: Record<string, Record<string, Record<string, string>>> = {
  apt: { state: { latest: 'upgrading to the latest version not yet planned', 'build-dep': 'build dependencies not yet planned', fixed: 'fixing broken dependencies not yet planned' } },
  dnf: { state: { latest: 'upgrading to the latest version not yet planned' } },
  yum: { state: { latest: 'upgrading to the latest version not yet planned' }, use_backend: { auto: 'the backend is named by the module (yum or dnf)', yum4: 'the backend is named by the module (yum or dnf)' } },
  iptables: { rule_num: { '*': 'a rule number is a number: a non-numeric string is refused before the host is touched' } },
  // Issue 15's second batch.
  hostname: {
    use: Object.fromEntries(
      ['alpine', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'sles', 'solaris'].map((u) => [u, 'only the Linux strategies of the hosts this provisioner supports (systemd, debian, redhat)']),
    ),
  },
};
