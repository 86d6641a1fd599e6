/**
 * Issue 15's third batch of modules against ansible-playbook on the same lab hosts:
 * fixtures/modules-batch3.yml (ini_file, authorized_key, mount, known_hosts, cron, debconf as register
 * users write them, then a play that declares the final state) is run by provision, then by
 * ansible-playbook (test/provision/ansible-compare.ts: same hosts, the playbook's first task resets
 * them). Compared: the recap, each task's status per host, every registered result (names, types,
 * values), and the host state the playbook records (files under the test folder with type, mode,
 * owner and content; fstab; the mount table; cron.d files; the user's crontab; the user's keys;
 * debconf's answers). Then provision runs the final play again: changed=0.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, runAnsible, runProvision, type Lab, type RunRecord } from '../../../../test/provision/ansible-compare.js';

// ansible-compare.ts looks playbooks up from its own fixtures folder.
const PLAYBOOK = '../../../../packages/modules/test/integration/fixtures/modules-batch3.yml';
const TREE = '/srv/haweb-b3';

let lab: Lab;
let ours: RunRecord;
let theirs: RunRecord;

type Json = Record<string, unknown>;

/**
 * A registered result with what differs by nature between two runs replaced by its shape: the
 * backup file's name (a time stamp; Ansible's also has its process id), a hashed host's salt.
 * Diffs are compared by the tests that ask for them: Ansible's ini_file and known_hosts return a
 * diff (empty texts) even without --diff, this engine only with --diff.
 */
function normalise(r: Json): Json {
  if (typeof r !== 'object' || r === null) return r;
  const out: Json = { ...r };
  delete out.diff;
  if (typeof out.backup_file === 'string') out.backup_file = '<backup>';
  // Ansible's own notice on its first module run on a fresh host (it made ~/.ansible/tmp), not the module's.
  if (Array.isArray(out.warnings)) out.warnings = (out.warnings as string[]).filter((w) => !w.startsWith('Module remote_tmp '));
  return out;
}

function results(run: RunRecord, host: string): Json {
  const all = run.files[host]['results.json'] as Record<string, Json>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, normalise(v)]));
}

/** The recorded host state, with the random salt of hashed known_hosts names shaped. */
function hostState(run: RunRecord, host: string): string {
  return String(run.files[host]['state.txt']).replace(/\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+/g, '|1|<salt>|<hash>');
}

/** Ansible's ini_file and known_hosts return a diff (empty texts) without --diff; compared as results above. */
const withoutDiffMark = (tasks: string[]): string[] => tasks.map((t) => t.replace(/\+diff/g, ''));

beforeAll(() => {
  lab = labFromName(inject('labName'));
  ours = runProvision(lab, PLAYBOOK);
  theirs = runAnsible(lab, PLAYBOOK);
});

afterAll(() => {
  for (const h of lab?.hosts ?? []) {
    onHost(
      lab,
      h.name,
      `for m in ${TREE}/mnt ${TREE}/bind; do if mountpoint -q $m; then umount $m; fi; done; sed -i '\\#${TREE}#d' /etc/fstab; ` +
        `rm -rf ${TREE} /etc/haweb-b3-keys /etc/cron.d/haweb-b3 /etc/cron.d/haweb-b3-file; crontab -r -u b3user 2>/dev/null; userdel -r b3user 2>/dev/null; true`,
    );
  }
});

describe('issue 15 third batch: provision against ansible-playbook', () => {
  it('both runs succeed with the same recap and the same status for every task', () => {
    expect(ours.code, ours.output).toBe(0);
    expect(theirs.code, theirs.output).toBe(0);
    expect(ours.stats).toEqual(theirs.stats);
    expect(withoutDiffMark(ours.tasks)).toEqual(withoutDiffMark(theirs.tasks));
  });

  it('registers the same results (names, types, values)', () => {
    for (const h of lab.hosts) {
      const mine = results(ours, h.name);
      const ansible = results(theirs, h.name);
      expect(mine, h.name).toEqual(ansible);
    }
  });

  it('leaves the same host state (files with type, mode, owner, content; fstab; mounts; crontabs; keys; debconf)', () => {
    for (const h of lab.hosts) expect(hostState(ours, h.name), h.name).toBe(hostState(theirs, h.name));
  });

  it('did what each task says (not only what Ansible did)', () => {
    const r = results(ours, lab.hosts[0].name);
    const state = hostState(ours, lab.hosts[0].name);
    expect([r.ini_changed, r.ini_again, r.ini_check].map((x) => (x as Json).changed)).toEqual([true, false, true]);
    expect(r.ini_nocreate).toMatchObject({ failed: true, msg: `Destination ${TREE}/nope.ini does not exist!` });
    expect(state).toContain(`== ./app.ini\nglobal = yes\n; app\n[db]\nhost = db1\n\n[mysqld]\nplugin-load = a.so\nplugin-load = b.so\nskip-name-resolve\n[web]\nport = 8080\n`);
    expect(state).toContain('./app.ini f 600 root root');
    expect(state).toContain('./new/x.ini f 644 b3user b3user');
    expect(r.ak_nouser).toMatchObject({ failed: true });
    expect(state).toMatch(/\/home\/b3user\/\.ssh 700 b3user b3user\n\/home\/b3user\/\.ssh\/authorized_keys 600 b3user b3user\nssh-ed25519 \S+ final\n/);
    expect(state).toContain('./keys d 700 b3user b3user');
    expect([r.mt_present, r.mt_mounted, r.mt_again, r.mt_opts, r.mt_unmounted].map((x) => (x as Json).changed)).toEqual([true, true, false, true, true]);
    expect(r.mt_bind).toMatchObject({ boot: 'no', opts: 'bind,noauto' });
    expect(state).toContain(`== fstab\ntmpfs ${TREE}/mnt tmpfs size=1m 0 0\n== mounts\n${TREE}/mnt tmpfs\n`);
    expect(state).toContain(`== ./fstab\ntmpfs ${TREE}/other tmpfs defaults 1 2\n`);
    expect(r.kh_mismatch).toMatchObject({ failed: true, msg: 'Host parameter does not match hashed host field in supplied key' });
    expect(state).toMatch(/== \.\/known_hosts\n\|1\|<salt>\|<hash> ssh-ed25519 \S+\n/);
    expect(r.cr_last).toMatchObject({ changed: true });
    expect(r.cr_bad).toMatchObject({ failed: true, msg: 'You must specify time and date fields or special time.' });
    expect(state).toContain('/etc/cron.d/haweb-b3-file 644 root root\n#Ansible: final\n7 * * * * root /bin/true\n');
    expect(state).toContain('== crontab\n600 b3user crontab\nMAILTO="ops@lan"\n#Ansible: b3 job\n5 */2 * * * /bin/true\n');
    expect(r.dc_set).toMatchObject({ changed: true, current: { 'debconf/priority': 'critical' }, previous: { 'debconf/priority': 'high' } });
    expect(state).toContain('* debconf/priority: high');
  });

  it('in check mode, the same tasks change, fail or are skipped, and nothing on the host changes', () => {
    const before = hostState(runProvision(lab, PLAYBOOK, ['-e', 'rerun=true']), lab.hosts[0].name);
    const check = { ours: runProvision(lab, PLAYBOOK, ['--check']), theirs: runAnsible(lab, PLAYBOOK, ['--check']) };
    expect(check.ours.code, check.ours.output).toBe(0);
    expect(withoutDiffMark(check.ours.tasks)).toEqual(withoutDiffMark(check.theirs.tasks));
    expect(check.ours.stats).toEqual(check.theirs.stats);
    for (const h of lab.hosts) expect(results(check.ours, h.name), h.name).toEqual(results(check.theirs, h.name));
    expect(hostState(check.theirs, lab.hosts[0].name)).toBe(before);
  });

  it('a second run of the final state changes nothing', () => {
    const again = runProvision(lab, PLAYBOOK, ['-e', 'rerun=true']);
    expect(again.code, again.output).toBe(0);
    for (const h of lab.hosts) expect(again.stats[h.name], h.name).toMatchObject({ changed: 0, failed: 0 });
    for (const h of lab.hosts) expect(hostState(again, h.name), h.name).toBe(hostState(theirs, h.name));
  });
});
