/** A module a role or playbook ships as Python (library/, action_plugins/): refused, saying what it is. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { testRegistry } from '../../fixtures/registry.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-pyplugin-'));
  writeFileSync(join(dir, 'hosts'), '[web]\nh1\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const messages = (dir: string) =>
  prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() }).diagnostics.map((d) => d.message.replace(dir + '/', ''));

describe("a role's or playbook's own Python module", () => {
  it.each([
    ['roles/shell/action_plugins/test_shell.py', "module 'test_shell' is Python code shipped with the role 'shell' (roles/shell/action_plugins/test_shell.py): this provisioner runs its own modules only, not Ansible's Python modules or plugins"],
    ['roles/shell/library/test_shell.py', "module 'test_shell' is Python code shipped with the role 'shell' (roles/shell/library/test_shell.py): this provisioner runs its own modules only, not Ansible's Python modules or plugins"],
    ['library/test_shell.py', "module 'test_shell' is Python code shipped with the playbook (library/test_shell.py): this provisioner runs its own modules only, not Ansible's Python modules or plugins"],
    ['roles/shell/files/test_shell.py', "unknown module 'test_shell'"],
  ])('%s', (file, expected) => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles: [shell]\n',
      'roles/shell/tasks/main.yml': '- test_shell:\n  register: r\n',
      [file]: '# python\n',
    });
    expect(messages(dir)).toEqual([expected]);
  });
});

describe("another role's Python module, in a file read by include_tasks", () => {
  it.each([
    // Ansible resolves an included file's modules only when its tasks are reached; a dependency's library counts.
    ['include_tasks', 'warning', "module 'kinit' is Python code shipped with the role 'prep' (roles/prep/library/kinit.py): this provisioner runs its own modules only, not Ansible's Python modules or plugins: this task (in a file read by include_tasks) fails if it is reached"],
    ['import_tasks', 'error', "module 'kinit' is Python code shipped with the role 'prep' (roles/prep/library/kinit.py): this provisioner runs its own modules only, not Ansible's Python modules or plugins"],
  ])('%s -> %s', (action, severity, expected) => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles: [main]\n',
      'roles/main/meta/main.yml': 'dependencies: [prep]\n',
      'roles/main/tasks/main.yml': `- ${action}: kerberos.yml\n`,
      'roles/main/tasks/kerberos.yml': '- kinit: {user: u}\n',
      'roles/prep/tasks/main.yml': '- debug: {msg: prep}\n',
      'roles/prep/library/kinit.py': '# python\n',
    });
    const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
    expect(run.diagnostics.map((d) => [d.severity, d.message.replace(dir + '/', '')])).toEqual([[severity, expected]]);
  });
});

describe('a task that expects to fail (ignore_errors: true)', () => {
  it.each([
    ['true', 'warning', "module 'copy': give exactly one of src or content (the task has ignore_errors: it fails when it runs)"],
    ['yes', 'warning', "module 'copy': give exactly one of src or content (the task has ignore_errors: it fails when it runs)"],
    ['false', 'error', "module 'copy': give exactly one of src or content"],
    ['"{{ x }}"', 'error', "module 'copy': give exactly one of src or content"],
  ])('ignore_errors: %s -> %s', (flag, severity, message) => {
    const dir = project({ 'site.yml': `- hosts: web\n  tasks:\n    - copy: {dest: /tmp/x}\n      ignore_errors: ${flag}\n` });
    const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
    expect(run.diagnostics.map((d) => [d.severity, d.message])).toEqual([[severity, message]]);
  });
});
