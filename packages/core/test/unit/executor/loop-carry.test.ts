/**
 * Inside a loop, each item sees what the items before it registered and the facts set_fact set, above
 * task vars, as Ansible's task executor updates the loop's variables after each item
 * (integration target set_fact/incremental.yml: `dig_list: "{{ dig_list + [item] }}"` grows).
 */
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/executor/runner.js';
import type { RunEvent } from '../../../src/executor/events.js';
import { FakeConnector, inventory, makeTemplater, play, playbook, registry, task } from './fakes.js';

async function run(tasks: ReturnType<typeof task>[]) {
  const log: string[] = [];
  const events: RunEvent[] = [];
  await runPlaybook(playbook(play(tasks)), { inventory: inventory(['a']), registry: registry(log), connector: new FakeConnector(), templater: makeTemplater(), onEvent: (e) => events.push(e) });
  return log;
}

describe('a loop carries its items forward', () => {
  it('set_fact over a task variable: the list grows', async () => {
    const log = await run([
      task('set_fact', { dig_list: '{{ dig_list + [item] }}' }, { loop: ['two', 'three'], vars: { dig_list: ['one'] } }),
      task('echo', { msg: '{{ dig_list }}' }),
    ]);
    expect(log.at(-1)).toBe('a:echo:["one","two","three"]');
  });

  it('the registered result of the item before', async () => {
    const log = await run([
      task('echo', { msg: "{{ item }}{{ (' after ' ~ r.msg) if r is defined else '' }}" }, { loop: ['x', 'y'], register: 'r' }),
    ]);
    expect(log).toEqual(['a:echo:x', 'a:echo:y after x']);
  });
});
