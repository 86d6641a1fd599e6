import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { taskPositions, walkTasks } from '../../../src/playbook/positions.js';
import type { Block, Handler, Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const FILE = join(__dirname, '../../fixtures/play/good/site.yml');

describe('loading a playbook with every keyword', () => {
  const { playbook, diagnostics } = readPlaybook(FILE, { registry: testRegistry() });
  const play = playbook.plays[0];

  it('has no diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(playbook.plays).toHaveLength(1);
  });

  it('reads play keywords', () => {
    expect(play).toMatchObject({
      name: 'Load balancers',
      hosts: 'lb:!edu-proxy-03',
      become: true,
      gatherFacts: false,
      serial: '50%',
      vars: { http_port: 8080, ports: [80, 443] },
      baseDir: join(__dirname, '../../fixtures/play/good'),
    });
    expect(play.pos).toMatchObject({ line: 2, col: 3 });
    expect(play.varsFiles).toEqual([{ file: join(play.baseDir, 'vars/common.yml'), vars: { common_var: 'from-vars-file', http_port: 9090 } }]);
  });

  it('puts role tasks before the play tasks, with role vars, params, tags and when', () => {
    const names = play.tasks.map((t) => t.name);
    expect(names).toEqual(['web index', 'web page', 'web index', 'web page', 'install config', 'a block', 'flattened items']);
    const [first, , second] = play.tasks as Task[];
    expect(first.role?.name).toBe('web');
    expect(first.role?.path).toBe(join(play.baseDir, 'roles/web'));
    expect(first.vars).toEqual({ web_root: '/var/www' });
    expect(second.vars).toEqual({ web_root: '/var/www', web_greeting: 'hi' });
    expect(second.tags).toEqual(['second', 'lb']);
    expect(second.when).toEqual(['http_port > 0']);
    expect(first.tags).toEqual(['lb']);
    expect(play.roleDefaults).toEqual({ web_greeting: 'hello', http_port: 80 });
  });

  it('reads task keywords and module arguments', () => {
    const install = play.tasks[4] as Task;
    expect(install).toMatchObject({
      kind: 'task',
      module: 'template',
      args: { src: 'nginx.conf.j2', dest: '/etc/nginx/nginx.conf', mode: '0644' },
      notify: ['restart nginx'],
      register: 'cfg',
      loopVar: 'item',
    });
    const flat = play.tasks[6] as Task;
    expect(flat).toMatchObject({
      module: 'command',
      args: 'echo {{ item }}',
      loop: [1, 2, 3], // with_items flattens one level
      when: ['http_port > 1', 'True'],
      changedWhen: ['False'],
      failedWhen: ["'ERR' in out.stdout"],
      register: 'out',
      ignoreErrors: true,
      noLog: true,
      vars: { local: 1 },
      notify: ['web restart'],
    });
  });

  it('reads blocks with rescue/always, inheriting tags and become', () => {
    const block = play.tasks[5] as Block;
    expect(block.kind).toBe('block');
    expect(block.when).toEqual(['cfg is changed']);
    expect(block.become).toBe(false);
    const [cmd, loop] = block.block as Task[];
    expect(cmd).toMatchObject({ module: 'command', args: { cmd: '/bin/true', chdir: '/tmp' }, become: false, tags: ['blk', 'lb'] });
    expect(loop).toMatchObject({ module: 'shell', loop: '{{ ports }}', loopVar: 'port_item' });
    expect((block.rescue[0] as Task).args).toBe('msg=failed');
    expect(block.always[0]).toMatchObject({ module: 'meta', args: 'flush_handlers' });
  });

  it('orders handlers: play first, then roles, with listen', () => {
    expect(play.handlers.map((h) => h.name)).toEqual(['restart nginx', 'reload web', 'reload web']);
    const restart = play.handlers[0] as Handler;
    expect(restart).toMatchObject({ module: 'service', args: 'name=nginx state=restarted', listen: ['web restart'] });
    expect(play.handlers[1].role?.name).toBe('web');
  });

  it('keeps pre and post tasks apart', () => {
    expect(play.preTasks.map((t) => t.name)).toEqual(['say hello']);
    expect(play.postTasks[0]).toMatchObject({ module: 'set_fact', args: { done: true } });
  });

  it('records positions of modules, arguments and notify entries', () => {
    const install = play.tasks[4] as Task;
    const pos = taskPositions(install);
    expect(install.pos).toMatchObject({ line: 24, col: 7 });
    expect(pos.module).toMatchObject({ line: 25, col: 7 });
    expect(pos.argKeys.dest).toMatchObject({ line: 27, col: 9 });
    expect(pos.argValues.dest).toMatchObject({ line: 27, col: 15 });
    expect(pos.notify[0]).toMatchObject({ line: 29, col: 15 });
    const flat = play.tasks[6] as Task;
    expect(taskPositions(flat).notify[0]).toMatchObject({ line: 63, col: 11 });
    expect([...walkTasks(play.tasks)].length).toBe(10);
  });
});
