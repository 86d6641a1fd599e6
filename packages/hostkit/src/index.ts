/**
 * @haweb/hostkit: what the provisioner knows about hosts, in one place.
 *   - facts: a command plus a pure parser (files, packages, services, OS family);
 *   - plans: pure functions from facts to steps (file attributes, packages, services);
 *   - apply: writing files (compare, validate-then-rename, check mode, diff) and running steps;
 *   - init.d services and source builds shared by the installer packages.
 * Modules and installers import this package; it knows nothing of SSH (only core's Remote).
 */
export * from './os-family.js';
export * from './digest.js';
export * from './secrets.js';

export * from './facts/files.js';
export * from './facts/packages.js';
export * from './facts/services.js';
export * from './facts/selinux.js';

export * from './plans/files.js';
export * from './plans/packages.js';
export * from './plans/services.js';

export { ensureFile, planFileWrite, readFileInfo, backupName, ansiblePathInfo, type EnsureFileOptions } from './file-write.js';
export * from './validated-file.js';
export { runArgv, planScript, detachedScript, CommandFailed, type PlannedCommand } from './util/run.js';
export { ok, changed, failed, fileDiff, stateDiff, errorMessage } from './util/result.js';
export { parseMode, resolveMode, formatMode, type ModeSpec } from './util/mode.js';

export * from './initd/initd-script.js';
export * from './initd/boot-enable.js';
export * from './initd/initd-control.js';

export * from './source-build/build-deps.js';
export * from './source-build/tarball.js';
export * from './source-build/configure-args.js';
export * from './source-build/source-build.js';

export * from './apply.js';
export * from './facts/host-profile.js';
export * from './facts/firewall.js';
export * from './plans/service-manager.js';
export * from './plans/units.js';
export * from './plans/firewall.js';
export * from './plans/firewall-layout.js';
export * from './plans/host-checks.js';
export { shlexSplit } from './util/shlex.js';
// Read-only queries of issue 15's second batch of modules (find, getent, ...).
export * from './facts/find.js';
export * from './facts/hostname.js';
export * from './plans/hostname.js';
export * from './facts/service-list.js';
export * from './plans/sysctl.js';
export * from './facts/sysctl.js';
export * from './facts/download.js';
export * from './plans/download.js';
export * from './facts/accounts.js';
export * from './plans/accounts.js';
export * from './facts/systemd.js';
export * from './plans/systemd.js';
export * from './plans/wait-for.js';
// Issue 15's third batch (ini_file, authorized_key, mount, known_hosts, cron, debconf).
export * from './plans/ini-file.js';
export * from './plans/authorized-key.js';
export * from './plans/mount.js';
export * from './plans/known-hosts.js';
export * from './plans/cron.js';
export * from './plans/debconf.js';
export * from './facts/timezone.js';
export * from './plans/timezone.js';
export * from './facts/fragments.js';
export * from './plans/assemble.js';
export * from './plans/pip.js';
export * from './plans/firewalld.js';
// Issue 15's fourth batch (uri, reboot, package_facts, apt_repository, apt_key, git).
export * from './facts/http.js';
export * from './facts/package-facts.js';
export * from './plans/reboot.js';
export * from './plans/apt-sources.js';
export * from './plans/apt-keys.js';
export * from './plans/git.js';
export * from './facts/path-stat.js';
// Issue 15: the corpus's haproxy, nagios, npm and rpm_key.
export * from './plans/haproxy.js';
export * from './plans/nagios.js';
export * from './plans/npm.js';
export * from './plans/rpm-key.js';
// community.postgresql's postgresql_user, postgresql_db and postgresql_privs (psql on the host).
export * from './plans/postgresql.js';
// community.general.locale_gen (geerlingguy.postgresql).
export * from './plans/locale-gen.js';
// Issue 15: the ansible-examples LAMP playbooks' modules (seboolean, mysql_db, mysql_user).
export * from './plans/selinux-boolean.js';
export * from './plans/mysql.js';
export * from './plans/dpkg-divert.js';
export * from './plans/acl.js';
export * from './plans/apt.js';
