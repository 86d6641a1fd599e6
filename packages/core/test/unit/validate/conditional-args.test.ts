/**
 * Ansible checks a module's arguments only when the task runs: an argument error in a task that may
 * not run (its own `when`, a `when` on an enclosing block, import, role or include) is a warning at
 * validation, and the task fails with the message if it is reached. An unconditional task keeps the
 * error; an unknown module is an error everywhere. Filters of well-known collections this provisioner
 * does not ship follow the same rule, by when Ansible evaluates the template.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/validate/index.js';
import { conditionalTasks } from '../../../src/validate/validate.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { testRegistry } from '../../fixtures/registry.js';
import { withoutInstalledCollections } from '../../fixtures/no-collections.js';

withoutInstalledCollections();

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-condargs-'));
  writeFileSync(join(dir, 'hosts'), '[web]\nh1\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function diagnostics(dir: string): string[] {
  const run = prepareRun({ playbook: join(dir, 'site.yml'), inventory: join(dir, 'hosts'), registry: testRegistry() });
  return run.diagnostics.map((d) => `${d.severity} ${d.pos?.file.split('/').pop()}:${d.pos?.line}:${d.pos?.col}: ${d.message}`);
}

const BAD_COPY = "module 'copy': give exactly one of src or content";

describe('argument errors of tasks that may not run', () => {
  it.each([
    ['unconditional', '- copy: {dest: /tmp/x}\n', [`error site.yml:3:13: ${BAD_COPY}`]],
    ["the task's own when", '- copy: {dest: /tmp/x}\n  when: false\n', [`warning site.yml:3:13: ${BAD_COPY} (the task runs only if its 'when' holds: it fails if it runs)`]],
    [
      'a block with a when',
      '- block:\n    - copy: {dest: /tmp/x}\n  when: x is defined\n',
      [`warning site.yml:4:17: ${BAD_COPY} (the task is under a 'when' of an enclosing block, import or role: it fails if it runs)`],
    ],
    [
      'nested blocks, the when on the outer one',
      '- block:\n    - block:\n        - copy: {dest: /tmp/x}\n  when: x is defined\n',
      [`warning site.yml:5:21: ${BAD_COPY} (the task is under a 'when' of an enclosing block, import or role: it fails if it runs)`],
    ],
    ['a block without when', '- block:\n    - copy: {dest: /tmp/x}\n', [`error site.yml:4:17: ${BAD_COPY}`]],
    [
      'an unknown argument, when false',
      '- copy: {dest: /tmp/x, content: a, frobnicate: 1}\n  when: false\n',
      ["warning site.yml:3:40: unknown argument 'frobnicate' for module 'copy' (the task runs only if its 'when' holds: it fails if it runs)"],
    ],
    ['an unknown module stays an error under a when', '- frobnicate: {x: 1}\n  when: false\n', ["error site.yml:3:7: unknown module 'frobnicate'"]],
    [
      'a loop over a variable, which may give no item',
      '- copy: {dest: /tmp/x}\n  loop: "{{ files }}"\n',
      [`warning site.yml:3:13: ${BAD_COPY} (the task runs once per item of its loop, which may have none: it fails if it runs)`],
    ],
    ['a loop over a literal list runs the task', '- copy: {dest: /tmp/x}\n  loop: [a, b]\n', [`error site.yml:3:13: ${BAD_COPY}`]],
    [
      "a module Ansible's collections provide, under a when",
      '- community.docker.docker_container: {name: x}\n  when: false\n',
      [
        "warning site.yml:3:7: module 'community.docker.docker_container' is provided by Ansible or a well-known collection, not by this provisioner (the task runs only if its 'when' holds: it fails if it runs)",
      ],
    ],
    [
      "the same module with only a loop: an error (the executor needs the module to run the loop)",
      '- community.docker.docker_container: {name: x}\n  loop: "{{ c }}"\n',
      ["error site.yml:3:7: module 'community.docker.docker_container' is provided by Ansible or a well-known collection, not by this provisioner"],
    ],
  ])('%s', (_name, task, want) => {
    const dir = project({ 'site.yml': `- hosts: web\n  tasks:\n${task.replace(/^/gm, '    ').replace(/ +$/, '')}` });
    expect(diagnostics(dir)).toEqual(want);
  });

  it('import_tasks and a role with a when: warnings; the same file imported without one: errors', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  roles:\n    - {role: r, when: false}\n  tasks:\n    - import_tasks: t.yml\n      when: false\n    - import_tasks: t.yml\n',
      'roles/r/tasks/main.yml': '- copy: {dest: /tmp/x}\n',
      't.yml': '- copy: {dest: /tmp/x}\n',
    });
    expect(diagnostics(dir)).toEqual([
      `warning main.yml:1:9: ${BAD_COPY} (the task runs only if its 'when' holds: it fails if it runs)`,
      `warning t.yml:1:9: ${BAD_COPY} (the task is under a 'when' of an enclosing block, import or role: it fails if it runs)`,
      `error t.yml:1:9: ${BAD_COPY}`,
    ]);
  });

  it('include_tasks with a when: warnings; without: errors', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  tasks:\n    - include_tasks: a.yml\n      when: false\n    - include_tasks: b.yml\n',
      'a.yml': '- copy: {dest: /tmp/x}\n',
      'b.yml': '- copy: {dest: /tmp/x}\n',
    });
    expect(diagnostics(dir)).toEqual([
      `warning a.yml:1:9: ${BAD_COPY} (the task is in a file read by include_tasks under a 'when': it fails if it runs)`,
      `error b.yml:1:9: ${BAD_COPY}`,
    ]);
  });

  it('conditionalTasks: which tasks may not run', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  tasks:\n    - {name: a, debug: {msg: a}}\n    - {name: b, debug: {msg: b}, when: x}\n    - block:\n        - {name: c, debug: {msg: c}}\n      rescue:\n        - {name: d, debug: {msg: d}}\n      when: y\n',
    });
    const { playbook } = readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
    const found = conditionalTasks(playbook.plays[0].tasks);
    expect([...found].map(([t, why]) => `${t.name}: ${why}`)).toEqual([
      "b: the task runs only if its 'when' holds",
      "c: the task is under a 'when' of an enclosing block, import or role",
      "d: the task is under a 'when' of an enclosing block, import or role",
    ]);
  });
});

describe('filters of well-known collections this provisioner does not ship', () => {
  it.each([
    ['in the arguments of an unconditional task', '- debug: {msg: "{{ x | community.general.json_query }}"}\n', "error site.yml:3:20: bad template in argument 'msg' of 'debug': filter 'community.general.json_query' is provided by a well-known collection, not by this provisioner"],
    [
      'in the arguments of a task under a when',
      '- debug: {msg: "{{ x | community.general.json_query }}"}\n  when: false\n',
      "warning site.yml:3:20: bad template in argument 'msg' of 'debug': filter 'community.general.json_query' is provided by a well-known collection, not by this provisioner (the task runs only if its 'when' holds: it fails if it runs)",
    ],
    [
      'in the loop of a task under a when (Ansible evaluates the loop first)',
      '- debug: {msg: "{{ item }}"}\n  loop: "{{ x | community.general.json_query }}"\n  when: false\n',
      "error site.yml:4:13: bad template in 'loop': filter 'community.general.json_query' is provided by a well-known collection, not by this provisioner",
    ],
    ['a filter nobody knows', '- debug: {msg: "{{ x | acme.corp.frob }}"}\n  when: false\n', "error site.yml:3:20: bad template in argument 'msg' of 'debug': no filter named 'acme.corp.frob'"],
  ])('%s', (_name, task, want) => {
    const dir = project({ 'site.yml': `- hosts: web\n  tasks:\n${task.replace(/^/gm, '    ').replace(/ +$/, '')}` });
    expect(diagnostics(dir)).toEqual([want]);
  });

  it('in the loop of a task in a file read by include_tasks: a warning', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  tasks:\n    - include_tasks: a.yml\n      when: false\n',
      'a.yml': '- debug: {msg: "{{ item }}"}\n  loop: "{{ x | community.general.json_query }}"\n',
    });
    expect(diagnostics(dir)).toEqual([
      "warning a.yml:2:9: bad template in 'loop': filter 'community.general.json_query' is provided by a well-known collection, not by this provisioner (the task is in a file read by include_tasks: it fails if it is reached)",
    ]);
  });
});

describe('DebOps modules', () => {
  it('debops.debops.dpkg_divert: a warning behind include_tasks, an error where static', () => {
    const dir = project({
      'site.yml': '- hosts: web\n  tasks:\n    - include_tasks: a.yml\n      when: false\n    - debops.debops.dpkg_divert: {path: /etc/ntp.conf}\n',
      'a.yml': '- debops.debops.dpkg_divert: {path: /etc/ntp.conf}\n',
    });
    expect(diagnostics(dir)).toEqual([
      "warning a.yml:1:3: module 'debops.debops.dpkg_divert' is provided by Ansible or a well-known collection, not by this provisioner: this task (in a file read by include_tasks) fails if it is reached",
      "error site.yml:5:7: module 'debops.debops.dpkg_divert' is provided by Ansible or a well-known collection, not by this provisioner",
    ]);
  });
});
