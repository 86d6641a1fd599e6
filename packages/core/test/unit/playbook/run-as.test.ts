/** remote_user and become_* as written on plays, blocks, tasks, imports and role entries. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { formatDiagnostic, type Block, type Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

function load(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-runas-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
  return { ...r, errors: r.diagnostics.map(formatDiagnostic).map((l) => l.split(`${dir}/`).join('')) };
}

describe('remote_user and become_* keywords', () => {
  it('are read on play, block, task, import_tasks and role entries, as written (templates kept)', () => {
    const { playbook, errors } = load({
      'site.yml': [
        '- hosts: all',
        '  remote_user: deploy',
        '  become_method: su',
        '  become_flags: ""',
        '  roles:',
        '    - { role: web, become_user: www-data, become_exe: /usr/bin/sudo }',
        '  tasks:',
        '    - name: t',
        '      command: id',
        '      become_user: "{{ app_user }}"',
        '      remote_user: 1001',
        '    - block:',
        '        - command: id',
        '      become_flags: -E',
        '    - import_tasks: more.yml',
        '      become_user: nobody',
      ].join('\n'),
      'more.yml': '- command: id\n',
      'roles/web/tasks/main.yml': '- command: id\n  become_user: own\n',
    });
    expect(errors).toEqual([]);
    const play = playbook.plays[0];
    expect(play.runAs).toEqual({ remoteUser: 'deploy', becomeMethod: 'su', becomeFlags: '' });
    const [role, task, block, imported] = play.tasks as [Task, Task, Block, Block];
    // The role's own task keeps its become_user; the entry gives the rest.
    expect(role.runAs).toEqual({ becomeUser: 'own', becomeExe: '/usr/bin/sudo' });
    expect(task.runAs).toEqual({ becomeUser: '{{ app_user }}', remoteUser: '1001' });
    expect(block.runAs).toEqual({ becomeFlags: '-E' });
    expect(imported.runAs).toEqual({ becomeUser: 'nobody' });
  });

  it('refuses a literal become_method it does not have, and an empty user, with file:line:col', () => {
    const { errors } = load({
      'site.yml': [
        '- hosts: all',
        '  become_method: doas',
        '  tasks:',
        '    - command: id',
        '      become_user: ""',
        '    - command: id',
        '      remote_user: [a]',
        '    - command: id',
        '      become_method: "{{ m }}"',
      ].join('\n'),
    });
    expect(errors).toEqual([
      "site.yml:2:18: error: become_method 'doas' is not supported by this provisioner (supported: sudo, su)",
      "site.yml:5:20: error: 'become_user' must be a non-empty string or a template, got an empty string",
      "site.yml:7:20: error: 'remote_user' must be a non-empty string or a template, got a list",
    ]);
  });
});
