/**
 * Modules of collections installed on the controller (community.general's pam_limits, by its full
 * name and by the short name ansible-core routes; kernel_blacklist, whose module_utils import others;
 * make; alternatives; one as a background job, one with become to a user whose home cannot be written) run by `provision` as by `ansible-playbook` on the same
 * lab hosts, each task run twice: the same statuses, recap, registered results and files, in normal
 * mode, in check mode and with --check --diff. A module with an action plugin in its collection
 * (community.general.shutdown) is refused before any host is touched.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/collection-modules.test.ts
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { compare, expectSame, FIXTURES, KW_DIR, labFromName, onHost, type Lab } from './ansible-compare.js';

let lab: Lab;
let hosts: string[];

beforeAll(() => {
  lab = labFromName(inject('labName'));
  hosts = lab.hosts.map((h) => h.name).sort();
});

const all = (status: string) => hosts.map((h) => `${h}=${status}`).join(' ');

// provision's JSON shows a diff only with --diff; Ansible's shows the diff pam_limits and
// alternatives return in any mode (the registered results, compared in registered.json, keep it).
const withoutDiffMark = { ansibleTasks: (tasks: string[]) => tasks.map((t) => t.replace(/=(changed|ok)\+diff/g, '=$1')) };

describe('the collections keyword', () => {
  it("a play's list resolves a short name only a listed collection has (community.general's sudoers), as under ansible-playbook", () => {
    const { ours, ansible } = compare(lab, 'collections_keyword.yml');
    expectSame(ours, ansible);
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      expect(ours.files[h]['results.json']).toEqual({ first: [true, false], again: [false] });
      expect(onHost(lab, h, 'cat /tmp/haweb-kw-sudoers.d/haweb-kw; rm -rf /tmp/haweb-kw-sudoers.d')).toBe('nobody ALL=NOPASSWD: /bin/true\n');
    }
    // The task is named by its module as written, as Ansible names it by its action.
    expect(ours.tasks[1]).toMatch(/^sudoers\b/);
  });

  it('on blocks, tasks, handlers, imports and includes: the nearest list resolves a short name, as under ansible-playbook', () => {
    const { ours, ansible } = compare(lab, 'collections_levels.yml');
    // Ansible's JSON names a role's tasks with the role's prefix, and shows include_role as a task of its own.
    expectSame(ours, ansible, { ansibleTasks: (tasks) => tasks.filter((t) => !t.startsWith('include_role : ')).map((t) => t.replace(/^coll_(plain|meta) : /, '')) });
    expect(ours.code).toBe(0);
    // What each short `kw_probe` ran: haweb_kw.one's, haweb_kw.two's or the playbook's library/ one.
    const seen = [
      'play one: haweb_kw.one',
      'task two: haweb_kw.two',
      'task empty list: library',
      'block two: haweb_kw.two',
      'block two, task one: haweb_kw.one',
      'block two, inner block: haweb_kw.two',
      'block two, include_tasks: haweb_kw.two',
      'import_tasks two: haweb_kw.two',
      'include_tasks two: haweb_kw.one',
      'role plain: library',
      'role plain, its block two: haweb_kw.two',
      'role plain: library',
      'role plain, its block two: haweb_kw.two',
      'role plain: library',
      'role plain, its block two: haweb_kw.two',
      'role meta one: haweb_kw.one',
      'role meta one, task two: haweb_kw.two',
      'role meta one, block two: haweb_kw.two',
      'handler two: haweb_kw.two',
    ];
    for (const h of hosts) expect(ours.files[h]['collections_levels.json']).toEqual(seen);
  });
});

describe('modules of collections installed on the controller', () => {
  it('run as ansible-playbook runs them', () => {
    const { ours, ansible } = compare(lab, 'collection_modules.yml');
    expectSame(ours, ansible, withoutDiffMark);
    expect(ours.code).toBe(0);
    for (const h of hosts) {
      const files = ours.files[h];
      expect(files['limits.conf']).toMatch(/^@haweb\s+soft\s+nofile\s+4096$/m);
      expect(files['limits.conf']).toMatch(/^@haweb\s+hard\s+nproc\s+100$/m);
      expect(files['limits.conf']).toMatch(/^@haweb\s+soft\s+core\s+0$/m);
      expect(files['blacklist.conf']).toBe('blacklist haweb_dummy\n');
      expect(files['hello.txt']).toBe('hello\n');
      expect(files['registered.json']).toMatchObject({
        pl: [true, false, true, '@haweb\tsoft\tnofile\t4096\n', '@haweb\tsoft\tnofile\t4096\n'],
        pldiff: { before: '', after: '@haweb\tsoft\tnofile\t4096\n' },
        plbad: [true, 'value of limit_type must be one of: soft, hard, -, got: bogus'],
        kb: [true, false],
        mk: [true, false, 'hello.txt', '/usr/bin/gmake hello.txt'],
        al: [true, false, '/usr/bin/true'],
        async: [true, 1, '@haweb\tsoft\tcore\t0\n'],
        nobody: [true, 'nobody'],
      });
      expect(files['nobody-limits.conf']).toBe('nobody\tsoft\tnofile\t64\n');
    }
    expect(ours.tasks).toContain(`pam_limits again: ${all('ok')}`);
    expect(ours.tasks).toContain(`make it again: ${all('ok')}`);
  });

  it('in check mode', () => {
    const { ours, ansible } = compare(lab, 'collection_modules.yml', ['--check']);
    expectSame(ours, ansible, withoutDiffMark);
    // pam_limits creates its dest even in check mode (empty), under both tools; nothing is written to it.
    for (const h of hosts) expect(ours.files[h]['limits.conf']).toBe('');
    // async in check mode fails for both tools; the play goes on to the end.
    expect(ours.tasks).toContain(`pam_limits as a background job: ${all('failed')}`);
    expect(ours.code).toBe(2);
  });

  it('in check mode with --diff', () => {
    const { ours, ansible } = compare(lab, 'collection_modules.yml', ['--check', '--diff']);
    expectSame(ours, ansible);
    expect(ours.tasks).toContain(`pam_limits by its full name: ${all('changed+diff')}`);
  });

  it('a module with an action plugin in its collection: refused at validation, no host touched', () => {
    for (const h of hosts) onHost(lab, h, `rm -rf ${KW_DIR} && mkdir -p ${KW_DIR}`);
    const playbook = join(FIXTURES, 'collection_action_plugin.yml');
    const r = spawnSync(process.execPath, [join(FIXTURES, '../../../../packages/cli/dist/provision.js'), 'run', playbook, '-i', lab.inventory], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/collection_action_plugin\.yml:10:7: error: module 'community\.general\.shutdown' \(.*plugins\/modules\/shutdown\.py\) has an action plugin in its collection \(.*plugins\/action\/shutdown\.py\): Ansible runs it through that controller-side Python code, which this provisioner does not run/);
    for (const h of hosts) expect(onHost(lab, h, `ls -A ${KW_DIR}`)).toBe('');
  });
});
