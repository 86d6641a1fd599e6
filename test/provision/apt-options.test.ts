/**
 * apt's options (Ansible's apt module: check mode, version and name patterns, state=latest, only_upgrade,
 * fail_on_autoremove, the cache, upgrade, autoremove, purge, its messages), run by `provision` and by
 * Debian's `ansible-playbook` on the same lab hosts (fixtures/keywords/apt_options.yml), whose only apt
 * source is a repository served inside the lab (test/provision/lab-packages.ts) with hello in it and
 * python3-apt installed from it (Ansible's module imports it on the host). Each task's status, the recap
 * and the registered results must be the same; apt-get's own output is compared by what it says it did.
 *
 *   HAWEB_LAB_NAME=<lab> HAWEB_LAB_SUBNET=<subnet> npx vitest run --config vitest.integration.config.ts test/provision/apt-options.test.ts
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, labFromName, onHost, runAnsible, runProvision, type Lab, type RunRecord } from './ansible-compare.js';
import { installOnLab, type Installed } from './lab-packages.js';

let lab: Lab;
let ours: RunRecord;
let ansible: RunRecord;
let served: Installed | undefined;
let oursBare: RunRecord;
let ansibleBare: RunRecord;

type Json = Record<string, unknown>;

/** What a registered apt result says: status and message, the cache fields, and apt-get's plan lines (Inst/Remv/Purg). */
function said(r: Json): Json {
  const lines = Array.isArray(r.stdout_lines) ? (r.stdout_lines as string[]) : undefined;
  return {
    changed: r.changed,
    failed: r.failed ?? false,
    msg: typeof r.msg === 'string' && !r.msg.startsWith("'") ? r.msg.split('\n')[0] : r.msg === undefined ? undefined : 'apt-get failed',
    cache_updated: r.cache_updated,
    has_stdout: r.stdout !== undefined,
    plan: lines?.filter((l) => /^(Inst|Remv|Purg|Conf) /.test(l)).map((l) => l.replace(/\(.*\)|\[.*\]/g, '').trim()),
  };
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  served = installOnLab(lab, ['python3-apt'], ['hello']);
  ({ ours, ansible } = compare(lab, 'apt_options.yml'));
  // Without Python's apt bindings: each tool's run starts from hosts where python3-apt is purged.
  const purge = () => {
    for (const h of lab.hosts) onHost(lab, h.name, 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q python3-apt >/dev/null 2>&1; ! /usr/bin/python3 -c "import apt" 2>/dev/null');
  };
  purge();
  oursBare = runProvision(lab, 'apt_bindings.yml');
  purge();
  ansibleBare = runAnsible(lab, 'apt_bindings.yml');
}, 900_000);

afterAll(() => served?.remove());

describe('apt options against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(ours.code).toBe(0);
    expect(ansible.code).toBe(0);
    expect(ours.tasks).toEqual(ansible.tasks);
    expect(ours.stats).toEqual(ansible.stats);
  });

  it('the registered results say the same', () => {
    for (const h of lab.hosts) {
      const each = (all: unknown) => Object.fromEntries(Object.entries(all as Json).map(([k, v]) => [k, typeof v === 'string' ? v : said(v as Json)]));
      expect(each(ours.files[h.name]['results.json'])).toEqual(each(ansible.files[h.name]['results.json']));
    }
  });

  it('what the results are', () => {
    const r = ours.files[lab.hosts[0].name]['results.json'] as Record<string, Json>;
    expect(said(r.check_install)).toMatchObject({ changed: true, has_stdout: true, plan: ['Inst hello', 'Conf hello'] });
    expect(said(r.only_upgrade_absent)).toMatchObject({ changed: false, has_stdout: false });
    expect(said(r.installed)).toMatchObject({ changed: true, has_stdout: true });
    expect(said(r.again)).toMatchObject({ changed: false, has_stdout: false });
    expect(said(r.latest)).toMatchObject({ changed: false });
    expect(said(r.no_version)).toMatchObject({ failed: true, msg: 'no available installation candidate for hello=99' });
    expect(said(r.unknown)).toMatchObject({ failed: true, msg: "No package matching 'haweb-no-such-package' is available" });
    expect(said(r.no_match)).toMatchObject({ failed: true, msg: "No package(s) matching 'haweb-no-such-*' available" });
    expect(said(r.star)).toMatchObject({ failed: true, msg: 'unable to install additional packages when upgrading all installed packages' });
    expect(said(r.dist)).toMatchObject({ changed: false });
    expect(said(r.remove_check)).toMatchObject({ changed: true, plan: ['Purg hello'] });
    expect(said(r.removed)).toMatchObject({ changed: true });
    expect(said(r.removed_again)).toMatchObject({ changed: false, has_stdout: false });
    // hello purged at the end: not installed, not in apt-mark's manual list
    expect(r.host_state).toMatch(/(^|\n)0$/);
  });
});

describe('apt without python3-apt against ansible-playbook', () => {
  it('both runs end the same way, task by task', () => {
    expect(oursBare.code).toBe(0);
    expect(ansibleBare.code).toBe(0);
    expect(oursBare.tasks).toEqual(ansibleBare.tasks);
    expect(oursBare.stats).toEqual(ansibleBare.stats);
  });

  it('the registered results say the same, warnings included', () => {
    for (const h of lab.hosts) {
      const each = (all: unknown) =>
        Object.fromEntries(Object.entries(all as Json).map(([k, v]) => [k, typeof v === 'string' ? v : { ...said(v as Json), warnings: (v as Json).warnings }]));
      expect(each(oursBare.files[h.name]['results.json'])).toEqual(each(ansibleBare.files[h.name]['results.json']));
    }
  });

  it('check mode fails and changes nothing; a normal run installs python3-apt and goes on', () => {
    const r = oursBare.files[lab.hosts[0].name]['results.json'] as Record<string, Json>;
    expect(said(r.check_without)).toMatchObject({ failed: true, msg: 'python3-apt must be installed to use check mode. If run normally this module can auto-install it.' });
    expect(r.after_check).toBe('un ');
    expect(said(r.normal)).toMatchObject({ failed: false, changed: false });
    expect(r.after_normal).toBe('ii \nimports');
    expect(said(r.check_with)).toMatchObject({ failed: false, changed: true });
    expect(said(r.normal_update)).toMatchObject({ failed: false, changed: true });
    expect(r.after_update).toBe('ii ii ');
  });
});
