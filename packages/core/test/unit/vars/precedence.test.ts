import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryBuilder } from '../../../src/inventory/builder.js';
import { parseIniInventory } from '../../../src/inventory/ini.js';
import { groupDepths, groupNames, groupsInPrecedenceOrder, hostVars, inventoryVars, magicVars } from '../../../src/vars/precedence.js';
import { parseExtraVars } from '../../../src/vars/extra-vars.js';
import { ValidationError } from '../../../src/model.js';

function ini(text: string) {
  const b = new InventoryBuilder();
  parseIniInventory('inv', text, b);
  const inv = b.finish();
  expect(b.diagnostics).toEqual([]);
  return inv;
}

// parent > child > grandchild; zeta and alpha both at depth 1
const inv = ini(`
[grandchild]
h1 x=host
[child:children]
grandchild
[parent:children]
child
[alpha]
h1
[zeta]
h1
[all:vars]
x=all
y=all
z=all
w=all
[parent:vars]
x=parent
y=parent
z=parent
w=parent
[child:vars]
x=child
y=child
[grandchild:vars]
y=grandchild
[alpha:vars]
w=alpha
z=alpha
[zeta:vars]
w=zeta
`);

describe('inventory variable precedence', () => {
  it('orders groups by depth, then name', () => {
    expect(groupDepths(inv).get('grandchild')).toBe(3);
    expect(groupsInPrecedenceOrder(inv, 'h1')).toEqual(['all', 'alpha', 'parent', 'zeta', 'child', 'grandchild']);
  });

  it('all < parent < child, host vars last, same depth alphabetical', () => {
    const v = inventoryVars(inv, 'h1');
    expect(v.x).toBe('host'); // host var beats every group
    expect(v.y).toBe('grandchild'); // deepest group
    expect(v.z).toBe('parent'); // alpha and parent are both depth 1: alphabetical, so parent wins
    expect(v.w).toBe('zeta'); // alpha < parent < zeta at depth 1
  });

  it('group_names excludes all/ungrouped and is sorted', () => {
    expect(groupNames(inv, 'h1')).toEqual(['alpha', 'child', 'grandchild', 'parent', 'zeta']);
    expect(magicVars(inv, 'h1').groups).toMatchObject({ all: ['h1'], parent: ['h1'], ungrouped: [] });
  });
});

describe('hostVars: the full precedence chain', () => {
  const play = {
    roleDefaults: { a: 'role-default', b: 'role-default', c: 'role-default', d: 'role-default', e: 'role-default', f: 'role-default', g: 'role-default', only_default: 1 },
    vars: { c: 'play', d: 'play', e: 'play', f: 'play', g: 'play' },
    varsFiles: [{ file: 'one.yml', vars: { d: 'vars_file-1', e: 'vars_file-1', f: 'vars_file-1', g: 'vars_file-1' } }, { file: 'two.yml', vars: { d: 'vars_file-2' } }],
    baseDir: '/pb',
  };
  const layered = ini('[g]\nh1 b=host\n[g:vars]\na=group\nb=group\nc=group\n');

  it('role defaults < inventory < play vars < vars_files < task vars < facts < extra vars', () => {
    const v = hostVars({
      inventory: layered,
      host: 'h1',
      play,
      scopes: [{ e: 'block', f: 'block' }, { f: 'task' }],
      hostFacts: { g: 'fact' },
      extraVars: { h: 'extra' },
    });
    expect(v).toMatchObject({
      only_default: 1,
      a: 'group',
      b: 'host',
      c: 'play',
      d: 'vars_file-2',
      e: 'block',
      f: 'task',
      g: 'fact',
      h: 'extra',
      inventory_hostname: 'h1',
      group_names: ['g'],
      playbook_dir: '/pb',
    });
    expect(hostVars({ inventory: layered, host: 'h1', play, hostFacts: { g: 'fact' }, extraVars: { g: 'extra' } }).g).toBe('extra');
  });

  it('replaces dicts whole (hash_behaviour=replace)', () => {
    const v = hostVars({ inventory: layered, host: 'h1', play: { ...play, vars: { d: { x: 1, y: 2 } }, varsFiles: [{ file: 'f', vars: { d: { y: 3 } } }] } });
    expect(v.d).toEqual({ y: 3 });
  });
});

describe('extra vars', () => {
  it('reads key=value words with shell quoting', () => {
    expect(parseExtraVars(['a=1 b="two words"', "c='x=y' d="])).toEqual({ a: '1', b: 'two words', c: 'x=y', d: '' });
  });

  it('reads inline JSON and YAML mappings with their types', () => {
    expect(parseExtraVars(['{"n": 1, "l": [1, 2], "t": true}', '{m: {k: v}}'])).toEqual({ n: 1, l: [1, 2], t: true, m: { k: 'v' } });
  });

  it('reads @file (YAML or JSON), later arguments win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-ev-'));
    writeFileSync(join(dir, 'ev.yml'), 'port: 8080\nname: from-file\n');
    expect(parseExtraVars(['name=first', '@ev.yml', 'name=last'], dir)).toEqual({ name: 'last', port: 8080 });
  });

  it('rejects malformed input with a clear message', () => {
    expect(() => parseExtraVars(['novalue'])).toThrow(/expected key=value, @file or a JSON\/YAML mapping, got "novalue"/);
    expect(() => parseExtraVars(['a="open'])).toThrow(/unbalanced quote/);
    expect(() => parseExtraVars(['./vars.yml'])).toThrow(/written @\.\/vars\.yml/);
    expect(() => parseExtraVars(['@/nonexistent/haweb.yml'])).toThrow(ValidationError);
    expect(() => parseExtraVars(['[1, 2]'])).toThrow(/expected a mapping/);
  });

  it('reads key=value as ansible-playbook does (outer quotes go, interior quotes stay, templates whole)', () => {
    expect(parseExtraVars([`a=1  b='q "x"'`])).toEqual({ a: '1', b: 'q "x"' });
    expect(parseExtraVars(['path={{ base }}/x state=directory msg="{{ a }} b"'])).toEqual({ path: '{{ base }}/x', state: 'directory', msg: '{{ a }} b' });
    expect(parseExtraVars([`evil=q'1 2'`])).toEqual({ evil: "q'1 2'" });
    expect(parseExtraVars(['msg=a\\tb'])).toEqual({ msg: 'a\tb' });
  });
});
