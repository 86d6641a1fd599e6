/**
 * A module a role or playbook ships as Python: library/ modules are run (their arguments are theirs
 * to check: nothing is said), refused only when one needs ansible-core and the controller has none;
 * action_plugins/ are refused, saying what they are.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { testRegistry } from '../../fixtures/registry.js';
import { forgetControllerAnsible } from '../../../src/library/controller-ansible.js';

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
    ['roles/shell/files/test_shell.py', "unknown module 'test_shell'"],
  ])('%s', (file, expected) => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles: [shell]\n',
      'roles/shell/tasks/main.yml': '- test_shell:\n  register: r\n',
      [file]: '# python\n',
    });
    expect(messages(dir)).toEqual([expected]);
  });

  const ANSIBLE_MODULE = 'from ansible.module_utils.basic import AnsibleModule\n';
  const OLD_STYLE = '#!/bin/sh\n# WANT_JSON\necho \'{"changed": false}\'\n';
  // HAWEB_CONTROLLER_PYTHON: the one Python asked for ansible-core (a missing one: none here).
  it.each([
    ['roles/shell/library/test_shell.py', ANSIBLE_MODULE, undefined, []],
    ['library/test_shell.py', ANSIBLE_MODULE, undefined, []],
    ['roles/shell/library/test_shell', OLD_STYLE, '/nonexistent/python3', []],
    [
      'roles/shell/library/test_shell.py',
      ANSIBLE_MODULE,
      '/nonexistent/python3',
      [
        "roles/shell/tasks/main.yml:1:3: module 'test_shell' (roles/shell/library/test_shell.py, role 'shell'): a Python module from library/ needs ansible-core on the controller (no Python here imports ansible.module_utils (/nonexistent/python3: spawnSync /nonexistent/python3 ENOENT))",
      ],
    ],
  ])('library module %s (controller python %s)', (file, text, python, expected) => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles: [shell]\n',
      'roles/shell/tasks/main.yml': '- test_shell:\n    anything: [1, 2]\n  register: r\n',
      [file]: text,
    });
    const saved = process.env.HAWEB_CONTROLLER_PYTHON;
    if (python) process.env.HAWEB_CONTROLLER_PYTHON = python;
    forgetControllerAnsible();
    try {
      const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
      expect(run.diagnostics.map((d) => `${d.pos ? `${d.pos.file.replace(dir + '/', '')}:${d.pos.line}:${d.pos.col}: ` : ''}${d.message.replace(dir + '/', '')}`)).toEqual(expected);
    } finally {
      if (saved === undefined) delete process.env.HAWEB_CONTROLLER_PYTHON;
      else process.env.HAWEB_CONTROLLER_PYTHON = saved;
      forgetControllerAnsible();
    }
  });
});

describe("another role's Python module, in a file read by include_tasks", () => {
  it.each([
    // A dependency's library module is the play's (Ansible adds every loaded role's library/ to the
    // module path): found and run as a library module, from an included or an imported file alike.
    ['include_tasks'],
    ['import_tasks'],
  ])('%s -> found, no diagnostic', (action) => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles: [main]\n',
      'roles/main/meta/main.yml': 'dependencies: [prep]\n',
      'roles/main/tasks/main.yml': `- ${action}: kerberos.yml\n`,
      'roles/main/tasks/kerberos.yml': '- kinit: {user: u}\n',
      'roles/prep/tasks/main.yml': '- debug: {msg: prep}\n',
      'roles/prep/library/kinit.py': '# python\n',
    });
    const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
    expect(run.diagnostics.map((d) => [d.severity, d.message.replace(dir + '/', '')])).toEqual([]);
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
