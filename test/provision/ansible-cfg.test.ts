/**
 * A project folder as Ansible users keep one: an ansible.cfg naming the inventory, the roles folder,
 * the login user, the SSH key, skipped tags and --diff always; an inventory with addresses only. Run
 * from that folder without -i by `provision` and by `ansible-playbook` on the same lab hosts: the same
 * recap and the same files on the hosts; [privilege_escalation] become and become_user as defaults
 * below the keywords. Then a setting provision does not implement (hash_behaviour = merge) stops
 * provision before any host is touched, naming the file and line.
 * Runs from the repo root: npx vitest run --config vitest.integration.config.ts test/provision/ansible-cfg.test.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labFromName, onHost, type Lab } from './ansible-compare.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/provision.js');
const OUT = '/tmp/haweb-cfg';

let lab: Lab;
let project: string;

/** The environment of both tools: nothing ANSIBLE_* from outside, so ansible.cfg alone speaks. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ANSIBLE_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ANSIBLE_NOCOLOR: '1', ...extra };
}

function write(rel: string, text: string): void {
  mkdirSync(join(project, rel, '..'), { recursive: true });
  writeFileSync(join(project, rel), text);
}

beforeAll(() => {
  lab = labFromName(inject('labName'));
  project = mkdtempSync(join(tmpdir(), 'haweb-cfg-project-'));
  const labDir = `/var/lib/haweb/lab/${lab.name}`;
  write(
    'ansible.cfg',
    [
      '[defaults]',
      'inventory = inventories/lab.ini',
      'roles_path = shared/roles',
      'remote_user = root',
      `private_key_file = ${labDir}/id_ed25519`,
      'forks = 2',
      'retry_files_enabled = False ; output and speed settings are read and ignored',
      'stdout_callback = default',
      '',
      '[diff]',
      'always = True',
      '',
      '[tags]',
      'skip = never_here',
      '',
    ].join('\n'),
  );
  write(
    'inventories/lab.ini',
    [
      '[web]',
      ...lab.hosts.map((h) => `${h.name} ansible_host=${h.address}`),
      '',
      '[all:vars]',
      `ansible_ssh_common_args=-o UserKnownHostsFile=${labDir}/known_hosts -o StrictHostKeyChecking=yes`,
      '',
    ].join('\n'),
  );
  write(
    'shared/roles/cfg_role/tasks/main.yml',
    [
      '- name: who we logged in as',
      '  command: id -un',
      '  register: who',
      '  changed_when: false',
      '- name: a file from the role',
      '  copy:',
      `    dest: ${OUT}/role.txt`,
      '    content: "{{ who.stdout }} via {{ inventory_hostname }}\\n"',
      '',
    ].join('\n'),
  );
  write(
    'site.yml',
    [
      '- hosts: web',
      '  gather_facts: false',
      '  roles: [cfg_role]',
      '  tasks:',
      '    - name: skipped by ansible.cfg [tags] skip',
      `      copy: { dest: ${OUT}/skipped.txt, content: "should not be here" }`,
      '      tags: [never_here]',
      '    - name: run',
      `      copy: { dest: ${OUT}/ran.txt, content: "yes" }`,
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function reset(): void {
  for (const h of lab.hosts) onHost(lab, h.name, `rm -rf ${OUT} && mkdir -p ${OUT}`);
}

function filesOnHosts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of lab.hosts) out[h.name] = onHost(lab, h.name, `cd ${OUT} && for f in $(ls | sort); do echo "$f: $(cat $f)"; done`);
  return out;
}

type Recap = Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: number }>;

function provision(args: string[] = [], env: Record<string, string> = {}): { code: number | null; recap?: Recap; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', 'site.yml', '--json', ...args], { cwd: project, env: cleanEnv(env), encoding: 'utf8', timeout: 300_000 });
  let recap: Recap | undefined;
  try {
    const doc = JSON.parse(r.stdout) as { stats: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: number }> };
    recap = Object.fromEntries(Object.entries(doc.stats).map(([h, s]) => [h, { ok: s.ok, changed: s.changed, failed: s.failed, skipped: s.skipped, unreachable: s.unreachable }]));
  } catch {
    recap = undefined;
  }
  return { code: r.status, recap, stderr: r.stderr, stdout: r.stdout };
}

function ansible(): { code: number | null; recap: Recap; stdout: string } {
  const r = spawnSync('ansible-playbook', ['site.yml'], { cwd: project, env: cleanEnv({ ANSIBLE_STDOUT_CALLBACK: 'json' }), encoding: 'utf8', timeout: 300_000 });
  const doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { stats: Record<string, { ok: number; changed: number; failures: number; skipped: number; unreachable: number }> };
  const recap = Object.fromEntries(Object.entries(doc.stats).map(([h, s]) => [h, { ok: s.ok, changed: s.changed, failed: s.failures, skipped: s.skipped, unreachable: s.unreachable }]));
  return { code: r.status, recap, stdout: r.stdout };
}

/**
 * `playbook` run from the project folder with ANSIBLE_CONFIG naming `cfg` there (the lab's login user
 * and key, plus `settings`), by provision and then by ansible-playbook on fresh output folders: their
 * exit codes and output, and the files each left on the hosts.
 */
function bothTools(cfg: string, settings: string[], playbook: string) {
  write(cfg, ['[defaults]', 'inventory = inventories/lab.ini', 'remote_user = root', `private_key_file = /var/lib/haweb/lab/${lab.name}/id_ed25519`, ...settings, ''].join('\n'));
  const env = cleanEnv({ ANSIBLE_CONFIG: join(project, cfg) });
  reset();
  const ours = spawnSync(process.execPath, [CLI, 'run', playbook], { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
  const ourFiles = filesOnHosts();
  reset();
  const theirs = spawnSync('ansible-playbook', [playbook], { cwd: project, env, encoding: 'utf8', timeout: 300_000 });
  return { ours, theirs, ourFiles, theirFiles: filesOnHosts() };
}

describe('a project folder with an ansible.cfg', () => {
  it('runs without -i as under ansible-playbook: its inventory, roles_path, remote_user, private_key_file and [tags] skip', () => {
    reset();
    const ours = provision();
    expect(ours.code, ours.stderr).toBe(0);
    const ourFiles = filesOnHosts();
    reset();
    const theirs = ansible();
    expect(theirs.code, theirs.stdout.slice(-2000)).toBe(0);
    expect(ours.recap).toEqual(theirs.recap);
    expect(filesOnHosts()).toEqual(ourFiles);
    for (const h of lab.hosts) {
      expect(ourFiles[h.name]).toBe(`ran.txt: yes\nrole.txt: root via ${h.name}\n`);
      expect(ours.recap![h.name]).toMatchObject({ changed: 2, failed: 0, unreachable: 0 });
    }
  });

  it('[diff] always shows the diff of a change without --diff', () => {
    reset();
    const r = spawnSync(process.execPath, [CLI, 'run', 'site.yml'], { cwd: project, env: cleanEnv(), encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`+++ ${OUT}/ran.txt\n@@ -0,0 +1,1 @@\n+yes`);
  });

  it('the environment wins over the file (ANSIBLE_REMOTE_USER naming a user the hosts refuse: unreachable)', () => {
    reset();
    const r = provision([], { ANSIBLE_REMOTE_USER: 'nobody-here' });
    expect(r.code).toBe(4);
    expect(r.recap).toEqual(Object.fromEntries(lab.hosts.map((h) => [h.name, { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 1 }])));
  });

  it('[privilege_escalation] become and become_user are the defaults below the keywords, as under ansible-playbook', () => {
    write(
      'become.yml',
      [
        '- hosts: web',
        '  gather_facts: false',
        '  tasks:',
        '    - name: as the configured become_user',
        '      command: id -un',
        '      register: configured',
        '    - name: become false on the task',
        '      command: id -un',
        '      become: false',
        '      register: plain',
        '    - name: record',
        '      become: false',
        `      copy: { dest: "${OUT}/become.txt", content: "{{ configured.stdout }} {{ plain.stdout }}\\n" }`,
        '',
      ].join('\n'),
    );
    const { ours, theirs, ourFiles, theirFiles } = bothTools('become.cfg', ['[privilege_escalation]', 'become = True', 'become_user = nobody'], 'become.yml');
    expect(ours.status, ours.stdout + ours.stderr).toBe(0);
    expect(theirs.status, theirs.stdout.slice(-2000)).toBe(0);
    expect(theirFiles).toEqual(ourFiles);
    for (const h of lab.hosts) expect(ourFiles[h.name]).toBe('become.txt: nobody root\n');
  });

  it('any_errors_fatal = True: one failure stops the play for every host, and the next play finds none, as under ansible-playbook', () => {
    const first = lab.hosts[0]!.name;
    write(
      'fatal.yml',
      [
        '- hosts: web',
        '  gather_facts: false',
        '  tasks:',
        `    - name: fails on ${first}`,
        `      command: "{{ 'false' if inventory_hostname == '${first}' else 'true' }}"`,
        `    - name: never reached (the configured any_errors_fatal)`,
        `      copy: { dest: "${OUT}/reached.txt", content: "yes" }`,
        '- hosts: web',
        '  gather_facts: false',
        '  any_errors_fatal: false',
        '  tasks:',
        `    - name: fails on ${first} again`,
        `      command: "{{ 'false' if inventory_hostname == '${first}' else 'true' }}"`,
        `    - name: not reached either (no host is left for this play)`,
        `      copy: { dest: "${OUT}/second.txt", content: "yes" }`,
        '',
      ].join('\n'),
    );
    const { ours, theirs, ourFiles, theirFiles } = bothTools('fatal.cfg', ['any_errors_fatal = True', 'strategy = linear'], 'fatal.yml');
    expect(ours.status, theirs.stdout.slice(-3000)).toBe(theirs.status);
    expect(ours.status).toBe(2);
    expect(theirFiles).toEqual(ourFiles);
    for (const h of lab.hosts) expect(ourFiles[h.name]).toBe('');
  });

  it('a setting provision does not implement stops it before any host is touched, naming the file and line', () => {
    reset();
    write('merge.cfg', '[defaults]\ninventory = inventories/lab.ini\nhash_behaviour = merge\n');
    const r = provision([], { ANSIBLE_CONFIG: join(project, 'merge.cfg') });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`provision: ${join(project, 'merge.cfg')}:3: [defaults] hash_behaviour = merge: provision replaces dictionaries as Ansible does by default (merge is not implemented); remove it`);
    for (const h of lab.hosts) expect(onHost(lab, h.name, `ls ${OUT} | wc -l`).trim()).toBe('0');
  });
});
