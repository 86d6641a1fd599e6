/** Reading where tasks run: connection, delegate_to, delegate_facts, local_action; the implicit localhost. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInventory, resolvePattern } from '../../../src/inventory/index.js';
import { outsideHostVars } from '../../../src/inventory/localhost.js';
import { readPlaybook } from '../../../src/playbook/load.js';
import { taskPositions } from '../../../src/playbook/positions.js';
import type { Block, Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-dlg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string) {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const { playbook, diagnostics } = readPlaybook(file, { registry: testRegistry() });
  return { playbook, errors: diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`) };
}

describe('local_action', () => {
  it.each([
    ['string form', "local_action: command echo 'a b'", { module: 'command', args: "echo 'a b'" }],
    ['module alone', 'local_action: ping', { module: 'ping', args: {} }],
    ['mapping form', 'local_action: {module: copy, dest: /tmp/x, content: y}', { module: 'copy', args: { dest: '/tmp/x', content: 'y' } }],
  ])('%s: the module, its arguments, and delegate_to localhost', (_, line, expected) => {
    const { playbook, errors } = load(`- hosts: all\n  tasks:\n    - ${line}\n      register: r\n`);
    expect(errors).toEqual([]);
    expect(playbook.plays[0].tasks[0]).toMatchObject({ ...expected, delegateTo: 'localhost', register: 'r' });
  });

  it('beside delegate_to: localhost wins, as in Ansible, with a warning', () => {
    const file = join(dir, 'both.yml');
    writeFileSync(file, '- hosts: all\n  tasks:\n    - local_action: command hostname\n      delegate_to: web1\n');
    const { playbook, diagnostics } = readPlaybook(file, { registry: testRegistry() });
    expect(diagnostics.map((d) => `${d.severity} ${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual([
      "warning 4:7 'delegate_to' is ignored beside 'local_action', which runs on localhost (as in Ansible)",
    ]);
    expect(playbook.plays[0].tasks[0]).toMatchObject({ module: 'command', delegateTo: 'localhost' });
  });

  it('an argument of the string form is pointed at in its line', () => {
    const file = join(dir, 'kv.yml');
    writeFileSync(file, '- hosts: all\n  tasks:\n    - local_action: copy dest=/tmp/x bogus=1\n');
    const { playbook } = readPlaybook(file, { registry: testRegistry() });
    const positions = taskPositions(playbook.plays[0].tasks[0] as Task);
    expect(positions?.argKeys.bogus).toMatchObject({ line: 3, col: 38 });
  });

  it.each([
    ['local_action: {dest: /tmp/x}', ["3:21 'local_action' as a mapping needs 'module:' naming the module"]],
    ['local_action: ""', ["3:21 'local_action' must be a module with its arguments ('copy src=a dest=b') or a mapping with 'module:', got an empty string"]],
    ['local_action: ping\n      command: hostname', ["4:7 task has both 'local_action' and the module 'command' (a task runs exactly one module)"]],
  ])('%s is refused with its position', (line, expected) => {
    expect(load(`- hosts: all\n  tasks:\n    - ${line}\n`).errors).toEqual(expected);
  });
});

describe('action (the module named in a keyword, as local_action without the delegation)', () => {
  it.each([
    ['string form', "action: command echo 'a b'", { module: 'command', args: "echo 'a b'" }],
    ['module alone', 'action: ping', { module: 'ping', args: {} }],
    ['mapping form', 'action: {module: copy, dest: /tmp/x, content: y}', { module: 'copy', args: { dest: '/tmp/x', content: 'y' } }],
  ])('%s: the module and its arguments, run where the task runs', (_, line, expected) => {
    const { playbook, errors } = load(`- hosts: all\n  tasks:\n    - ${line}\n      register: r\n`);
    expect(errors).toEqual([]);
    const task = playbook.plays[0].tasks[0];
    expect(task).toMatchObject({ ...expected, register: 'r' });
    expect((task as Task).delegateTo).toBeUndefined();
  });

  it.each([
    ['action: {dest: /tmp/x}', ["3:15 'action' as a mapping needs 'module:' naming the module"]],
    ['action: ping\n      command: hostname', ["4:7 task has both 'action' and the module 'command' (a task runs exactly one module)"]],
  ])('%s is refused with its position', (line, expected) => {
    expect(load(`- hosts: all\n  tasks:\n    - ${line}\n`).errors).toEqual(expected);
  });
});

describe('connection, delegate_to, delegate_facts', () => {
  it('are read on plays, blocks and tasks', () => {
    const { playbook, errors } = load(
      [
        '- hosts: all',
        '  connection: local',
        '  tasks:',
        '    - block:',
        '        - command: hostname',
        '          delegate_to: "{{ groups.web[0] }}"',
        '          delegate_facts: yes',
        '          connection: ssh',
        '      delegate_to: db1',
        '      delegate_facts: "{{ flag }}"',
        '      connection: "{{ how }}"',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    const play = playbook.plays[0];
    expect(play.connection).toBe('local');
    const b = play.tasks[0] as Block;
    expect(b).toMatchObject({ delegateTo: 'db1', delegateFacts: '{{ flag }}', connection: '{{ how }}' });
    expect(b.block[0] as Task).toMatchObject({ delegateTo: '{{ groups.web[0] }}', delegateFacts: true, connection: 'ssh' });
  });

  it('refuses a connection plugin this provisioner does not have, and an empty delegate_to', () => {
    const { errors } = load('- hosts: all\n  connection: docker\n  tasks:\n    - command: x\n      delegate_to: ""\n      connection: lcoal\n');
    expect(errors).toEqual([
      "2:15 connection 'docker' is not supported by this provisioner (supported: ssh, local)",
      "5:20 'delegate_to' must be a host name, an address or a template, got an empty string",
      "6:19 connection 'lcoal' is not supported by this provisioner (supported: ssh, local), did you mean 'local'?",
    ]);
  });

  it('import_tasks and include_tasks `apply:` carry them to their tasks; on include_tasks itself they are refused', () => {
    writeFileSync(join(dir, 'inner.yml'), '- command: hostname\n');
    const { playbook, errors } = load(
      [
        '- hosts: all',
        '  tasks:',
        '    - import_tasks: inner.yml',
        '      delegate_to: db1',
        '      connection: local',
        '    - include_tasks:',
        '        file: inner.yml',
        '        apply: {delegate_to: db2, delegate_facts: true}',
        '    - include_tasks: inner.yml',
        '      delegate_to: db3',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([
      "10:7 'delegate_to' on 'include_tasks' applies only to the include itself in Ansible, not to the included tasks: put it under 'apply:' or on the tasks",
    ]);
    const [imported, included] = playbook.plays[0].tasks as Block[];
    expect(imported).toMatchObject({ delegateTo: 'db1', connection: 'local' });
    expect(included.include?.apply).toMatchObject({ delegateTo: 'db2', delegateFacts: true });
  });

  it('delegation on a play is refused, as Ansible has none there', () => {
    expect(load('- hosts: all\n  delegate_to: x\n  tasks: []\n').errors).toEqual(["2:3 keyword 'delegate_to' in play is not supported by this provisioner"]);
  });
});

describe('implicit localhost', () => {
  const { inventory } = readInventory(join(__dirname, '../../fixtures/inventory/ini/hosts'));

  it.each([
    ['localhost', ['localhost']],
    ['127.0.0.1', ['127.0.0.1']],
    ['lb:localhost', ['edu-proxy-01', 'edu-proxy-02', 'edu-proxy-03', 'localhost']],
    ['localhost:!localhost', []],
  ])('%s matches it by name', (pattern, hosts) => {
    expect(resolvePattern(inventory, pattern)).toMatchObject({ hosts, unmatched: [] });
  });

  it('`all`, groups and globs do not match it', () => {
    expect(resolvePattern(inventory, 'all').hosts).not.toContain('localhost');
    expect(resolvePattern(inventory, 'local*').hosts).toEqual([]);
  });

  it('reads host_vars/localhost next to the inventory for it, without calling the file unused', () => {
    const inv = join(dir, 'inv');
    mkdirSync(join(inv, 'host_vars'), { recursive: true });
    writeFileSync(join(inv, 'hosts.yml'), 'all:\n  vars: {site: x, who: all}\n  hosts:\n    web1:\n');
    writeFileSync(join(inv, 'host_vars', 'localhost.yml'), 'who: localhost\n');
    const r = readInventory(join(inv, 'hosts.yml'));
    expect(r.diagnostics).toEqual([]);
    expect(outsideHostVars(r.inventory, 'localhost')).toEqual({ site: 'x', who: 'localhost', ansible_connection: 'local' });
    expect(outsideHostVars(r.inventory, '127.0.0.1')).toEqual({ site: 'x', who: 'all', ansible_connection: 'local' });
  });

  it('takes the `all` group variables and a local connection; another outside host only the `all` variables', () => {
    inventory.groups.get('all')!.vars = { site: 'x' };
    expect(outsideHostVars(inventory, 'localhost')).toEqual({ site: 'x', ansible_connection: 'local' });
    expect(outsideHostVars(inventory, '192.0.2.9')).toEqual({ site: 'x' });
  });
});
