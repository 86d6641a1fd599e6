/**
 * Keywords Ansible knows beside a module, or in a form we do not take, are named as such: never taken
 * for a second module ("more than one module"), never called unknown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlaybook } from '../../../src/playbook/load.js';
import { formatDiagnostic } from '../../../src/model.js';
import { testRegistry } from '../../fixtures/registry.js';

const BAD = join(__dirname, '../../fixtures/play/bad');
const rel = relative(process.cwd(), BAD);

function errors(file: string): string[] {
  return readPlaybook(join(BAD, file), { registry: testRegistry() })
    .diagnostics.filter((d) => d.severity === 'error')
    .map(formatDiagnostic)
    .map((l) => l.split(rel + '/').join(''));
}

describe('loop keywords and the action form', () => {
  it('are named as unsupported keywords, with the reason', () => {
    const got = errors('loop-forms.yml');
    expect(got.filter((l) => /more than one module/.test(l))).toEqual([]);
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^loop-forms\.yml:5:7: error: 'with_inventory_hostnames': the lookup 'inventory_hostnames' is not supported by this provisioner as a loop \(supported: with_items, /),
        expect.stringMatching(/^loop-forms\.yml:8:7: error: 'with_random_choice': the lookup 'random_choice' is not supported/),
        "loop-forms.yml:11:7: error: 'loop': you cannot use loops on 'import_tasks' statements: use 'include_tasks' instead",
        expect.stringMatching(/^loop-forms\.yml:14:7: error: 'with_random_choice': the lookup 'random_choice' is not supported/),
        "loop-forms.yml:19:7: error: keyword 'debugger' in task is not supported by this provisioner",
      ]),
    );
    // The first task's module is still the module (validation names it as unknown); the action form alone adds no "no module" noise.
    const first = readPlaybook(join(BAD, 'loop-forms.yml'), { registry: testRegistry() }).playbook.plays[0].tasks[0];
    expect(first.kind === 'task' && first.module).toBe('nosuch_module');
    expect(got.some((l) => /no module in task 'the action form/.test(l))).toBe(false);
    // A templated module name in `action:` is kept for the run to resolve (no load error).
    expect(got.some((l) => /^loop-forms\.yml:16:/.test(l))).toBe(false);
  });
});

describe('an empty name', () => {
  it('on a play, a block and a task is no name, as in Ansible (name: is null in YAML)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haweb-noname-'));
    const file = join(dir, 'play.yml');
    writeFileSync(file, '- name:\n  hosts: all\n  tasks:\n    - name:\n      block:\n        - name:\n          command: hostname\n    - name: 3\n      command: hostname\n');
    const { playbook, diagnostics } = readPlaybook(file, { registry: testRegistry() });
    rmSync(dir, { recursive: true, force: true });
    expect(diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`)).toEqual(["8:13 'name' must be a string, got a number"]);
    const play = playbook.plays[0];
    expect(play.name).toBe('all'); // a play without a name is named by its hosts, as in Ansible
    const block = play.tasks[0] as { kind: string; name?: string; block: { module?: string; name?: string }[] };
    expect(block.name).toBeUndefined();
    expect(block.block[0]).toMatchObject({ module: 'command' });
    expect(block.block[0].name).toBeUndefined();
  });
});
