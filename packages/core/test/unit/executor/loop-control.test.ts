import { describe, expect, it } from 'vitest';
import { itemResultExtras, loopOutcome, loopVars } from '../../../src/executor/loops.js';
import type { HostStatus } from '../../../src/executor/events.js';
import type { Task } from '../../../src/model.js';
import { task } from './fakes.js';

const items = ['a', 'b', 'c'];
const withLc = (loopControl: Task['loopControl']): Task => ({ ...task('cmd', 'true'), loopControl });

describe('loopVars (loop_control)', () => {
  it.each<[string, Task['loopControl'], number, Record<string, unknown>]>([
    ['plain', undefined, 1, { item: 'b', ansible_loop_var: 'item', ansible_loop: { index: 2, index0: 1 } }],
    ['index_var', { indexVar: 'i' }, 2, { item: 'c', ansible_loop_var: 'item', ansible_loop: { index: 3, index0: 2 }, ansible_index_var: 'i', i: 2 }],
    [
      'extended, first item',
      { extended: true },
      0,
      { item: 'a', ansible_loop_var: 'item', ansible_loop: { index: 1, index0: 0, first: true, last: false, length: 3, revindex: 3, revindex0: 2, allitems: items, nextitem: 'b' } },
    ],
    [
      'extended, last item, no allitems',
      { extended: true, extendedAllItems: false },
      2,
      { item: 'c', ansible_loop_var: 'item', ansible_loop: { index: 3, index0: 2, first: false, last: true, length: 3, revindex: 1, revindex0: 0, previtem: 'b' } },
    ],
  ])('%s', (_name, lc, index, expected) => {
    expect(loopVars(withLc(lc), items[index], index, items)).toEqual(expected);
  });

  it('adds index_var and ansible_loop to each registered item result only when asked, as Ansible does', () => {
    const lc = { indexVar: 'i', extended: true };
    const extra = loopVars(withLc(lc), 'b', 1, items);
    expect(itemResultExtras(withLc(lc), extra)).toEqual({ i: 1, ansible_index_var: 'i', ansible_loop: extra.ansible_loop });
    expect(itemResultExtras(withLc(undefined), loopVars(withLc(undefined), 'b', 1, items))).toEqual({});
  });
});

describe('loopOutcome', () => {
  const items = (...statuses: HostStatus[]) => statuses.map((status, i) => ({ label: String(i), status, result: {} }));
  it.each<[string, HostStatus[], Record<string, unknown>, string[]]>([
    ['all ok', ['ok', 'changed'], { changed: true, skipped: false, msg: 'All items completed' }, ['failed']],
    ['one failed', ['ok', 'failed'], { changed: false, failed: true, skipped: false, msg: 'One or more items failed' }, []],
    ['all skipped', ['skipped', 'skipped'], { changed: false, skipped: true, msg: 'All items skipped' }, ['failed']],
    ['no items', [], { changed: false, skipped: true, skipped_reason: 'No items in the list' }, ['failed', 'msg']],
  ])('%s: skipped always, failed only when true (no undefined values reach templates)', (_why, statuses, want, absent) => {
    const out = loopOutcome(items(...statuses), [], statuses.length);
    expect(out.result).toMatchObject(want);
    for (const key of absent) expect(Object.keys(out.result)).not.toContain(key);
    expect(Object.values(out.result).every((v) => v !== undefined)).toBe(true);
  });
});
