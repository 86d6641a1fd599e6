/**
 * group's setup adaptation for ansible-targets.mjs (the same for both tools): tests.yml installs
 * libuser (lgroupadd, for its `local: yes` cases) with the package manager its facts name,
 * `action: "{{ ansible_facts.pkg_mgr }}"`. The lab host reaches no mirror, so libuser and the two
 * libraries it needs that the image lacks are served from the target repository, with python3-apt
 * (Ansible's apt module imports it on the host) installed from it before each tool's run.
 */
export const GROUP_REPO = {
  /** Installed before each tool's run. */
  install: ['python3-apt'],
  /** Served in the repository (libuser's dependencies the lab image lacks: libglib2.0-0, libpopt0). */
  debs: ['libuser', 'libuser1', 'libglib2.0-0', 'libpopt0'],
};
