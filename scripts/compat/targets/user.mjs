/**
 * user's preparation before each tool's run, and the cleaning after it (the same for both): the
 * accounts and groups the target makes and leaves behind (test_local_expires.yml ends with local_ansibulluser present, test_umask.yml
 * with umaskuser_test_3) are removed, so that each tool starts from the host ansible-test gives it;
 * otherwise the second tool's first "Create local_ansibulluser" finds the first tool's account.
 */
const USERS = ['ansibulluser', 'ansibulluser2', 'ansibulluser3', 'randomuser', 'local_ansibulluser', 'umaskuser_test_1', 'umaskuser_test_2', 'umaskuser_test_3'];
const GROUPS = ['testgroup1', 'testgroup2', 'testgroup3', 'testgroup4', 'testgroup5', 'local_ansibulluser'];

/** A shell script for the host: each leftover account (and its home), then each leftover group. */
export function userTargetCleanup() {
  return [
    ...USERS.map((u) => `if getent passwd ${u} >/dev/null; then userdel -f -r ${u} >/dev/null 2>&1 || userdel -f ${u}; fi`),
    ...GROUPS.map((g) => `if getent group ${g} >/dev/null; then groupdel ${g}; fi`),
    'rm -rf /home/in2deep /home/thereisnodir /home/ansibulluser-mod',
    'true',
  ].join('\n');
}
