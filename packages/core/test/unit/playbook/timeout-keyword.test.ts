/** `timeout` on a play, a block, an import and a task: a whole number of seconds or a template. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { testRegistry } from '../../fixtures/registry.js';

function load(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'haweb-timeout-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return readPlaybook(join(dir, 'site.yml'), { registry: testRegistry() });
}

describe('timeout keyword', () => {
  it('is read on a play, a block, an import and a task', () => {
    const { playbook, diagnostics } = load({
      'site.yml': [
        '- hosts: all',
        '  timeout: 30',
        '  tasks:',
        '    - block:',
        '        - {debug: {msg: a}, timeout: "{{ t }}"}',
        '      timeout: "5"',
        '    - import_tasks: more.yml',
        '      timeout: 7',
        '',
      ].join('\n'),
      'more.yml': '- debug: {msg: b}\n',
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const play = playbook.plays[0];
    expect(play.timeout).toBe(30);
    const [b, imp] = play.tasks;
    expect(b.kind === 'block' && [b.timeout, b.block[0].timeout]).toEqual([5, '{{ t }}']);
    expect(imp.timeout).toBe(7);
  });

  it('anything else is an error naming the keyword', () => {
    const { diagnostics } = load({ 'site.yml': '- hosts: all\n  tasks:\n    - {debug: {msg: a}, timeout: soon}\n' });
    expect(diagnostics.map((d) => d.message)).toEqual(["'timeout' must be a whole number or a template, got a string"]);
  });
});
