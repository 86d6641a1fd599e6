/** Validation of an option given by its alias: a templated value waits for the run, a literal one is checked. */
import { describe, expect, it } from 'vitest';
import { validateArgs, type Task } from '@haweb/core';
import { builtinModules } from '../../src/plugin.js';

const lineinfile = builtinModules.find((m) => m.name === 'lineinfile')!;
const task = (args: Record<string, unknown>): Task =>
  ({ kind: 'task', module: 'lineinfile', args, pos: { file: 'x.yml', line: 1, col: 1 }, when: [], tags: [], vars: {}, loopVar: 'item', notify: [] }) as unknown as Task;

describe('an option given by its alias', () => {
  it.each([
    [{ dest: '{{ conf_file }}', line: 'a' }, []],
    [{ path: '{{ conf_file }}', line: 'a' }, []],
    [{ dest: 'relative/file', line: 'a' }, ["module 'lineinfile', argument 'path': must be an absolute path on the host"]],
  ])('%j', (args, expected) => {
    expect(validateArgs(task(args), lineinfile).map((d) => d.message)).toEqual(expected);
  });
});
