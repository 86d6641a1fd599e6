/**
 * A module this provisioner lacks but Ansible (or a well-known collection) provides: in a file that
 * include_tasks reads, a warning at validation and a failure only if the task is reached; anywhere
 * else an error. A module nobody knows is an error everywhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { knownElsewhere } from '../../../src/validate/validate.js';
import { testRegistry } from '../../fixtures/registry.js';
import { withoutInstalledCollections } from '../../fixtures/no-collections.js';

withoutInstalledCollections();

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-dyn-'));
  writeFileSync(join(dir, 'hosts'), '[web]\nh1\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function diagnostics(dir: string): string[] {
  const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
  return run.diagnostics.map((d) => `${d.severity} ${d.pos?.file.split('/').pop()}:${d.pos?.line}: ${d.message}`);
}

const OS_SPECIFIC = '- name: FreeBSD users\n  user: {name: www}\n- name: sysctl\n  sysctl: {name: kern.ipc.somaxconn, value: "1024"}\n';

describe('modules Ansible provides and this provisioner does not', () => {
  it.each([
    ['user', true], ['ansible.builtin.user', true], ['ansible.legacy.group', true], ['sysctl', true], ['ansible.posix.sysctl', true],
    ['community.general.ini_file', true], ['frobnicate', false], ['shel', false], ['acme.corp.thing', false],
    // Routed by ansible-core from any of its prefixes; newer ansible-core modules; a prefix on an unknown name.
    ['ansible.legacy.zypper', true], ['ansible.builtin.zypper', true], ['ansible.builtin.deb822_repository', true], ['deb822_repository', true], ['ansible.legacy.frobnicate', false],
  ])('%s is known elsewhere: %s', (name, known) => expect(knownElsewhere(name)).toBe(known));

  it('in a file read by include_tasks: warnings, the run may go on', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  tasks:\n    - include_tasks: setup-FreeBSD.yml\n      when: ansible_os_family == "FreeBSD"\n',
      'setup-FreeBSD.yml': OS_SPECIFIC,
    });
    expect(diagnostics(dir)).toEqual([
      "warning setup-FreeBSD.yml:2: module 'user' is provided by Ansible or a well-known collection, not by this provisioner: this task (in a file read by include_tasks) fails if it is reached",
      "warning setup-FreeBSD.yml:4: module 'sysctl' is provided by Ansible or a well-known collection, not by this provisioner: this task (in a file read by include_tasks) fails if it is reached",
    ]);
  });

  it('in a file read by import_tasks (loaded with the play, as in Ansible): errors', () => {
    const dir = project({ 'site.yml': '- hosts: web\n  tasks:\n    - import_tasks: setup-FreeBSD.yml\n', 'setup-FreeBSD.yml': OS_SPECIFIC });
    expect(diagnostics(dir)).toEqual([
      "error setup-FreeBSD.yml:2: module 'user' is provided by Ansible or a well-known collection, not by this provisioner",
      "error setup-FreeBSD.yml:4: module 'sysctl' is provided by Ansible or a well-known collection, not by this provisioner",
    ]);
  });

  it('a module nobody knows stays an error, even behind include_tasks', () => {
    const dir = project({ 'site.yml': '- hosts: web\n  tasks:\n    - include_tasks: extra.yml\n', 'extra.yml': '- frobnicate: {x: 1}\n' });
    expect(diagnostics(dir)).toEqual(["error extra.yml:1: unknown module 'frobnicate'"]);
  });
});
