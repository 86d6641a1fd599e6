import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { parseYaml, toJS, rootOf } from '../../../src/playbook/yaml-source.js';
import type { Task } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'haweb-aliases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function play(text: string) {
  const file = join(dir, `p${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  return readPlaybook(file, { registry: testRegistry() });
}

describe('YAML anchors and aliases, read as PyYAML hands them to Ansible', () => {
  it('an alias stands for its anchor where the reader looks at nodes: module arguments, task lists, keywords', () => {
    const { playbook, diagnostics } = play(`- hosts: all
  vars:
    base: &base {dest: /tmp/a, content: "x\\n"}
  tasks:
    - name: first
      copy: &args {dest: /tmp/b, content: "y\\n"}
      tags: &tags [one, two]
    - name: second
      copy: *args
      tags: *tags
    - name: merged
      copy:
        <<: *base
        mode: "0600"
`);
    expect(diagnostics).toEqual([]);
    const [first, second, merged] = playbook.plays[0].tasks as Task[];
    expect(second.args).toEqual(first.args);
    expect(second.args).toEqual({ dest: '/tmp/b', content: 'y\n' });
    expect(second.tags).toEqual(['one', 'two']);
    expect(merged.args).toEqual({ dest: '/tmp/a', content: 'x\n', mode: '0600' });
  });

  it('values keep the same JavaScript shape as before (toJS of a resolved alias)', () => {
    const src = parseYaml('f.yml', 'a: &x [1, {b: 2}]\nc: *x\nd: {<<: {e: 3}, f: 4}\n');
    expect(src.diagnostics).toEqual([]);
    expect(toJS(src, rootOf(src))).toEqual({ a: [1, { b: 2 }], c: [1, { b: 2 }], d: { e: 3, f: 4 } });
  });

  it.each([
    ['an alias inside its own anchor', 'a: &x [1, *x]\n', /refers to a node that contains it/],
    ['a billion laughs', ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), 'z: *h'].join('\n') + '\n', /more than 1000000/],
  ])('refuses %s, with its position', (_what, text, message) => {
    const src = parseYaml('f.yml', text);
    const errors = src.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.message).join('\n')).toMatch(message);
    expect(errors[0].pos.line).toBeGreaterThan(0);
  });
});
