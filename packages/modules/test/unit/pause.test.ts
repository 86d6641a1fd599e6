/** pause: Python's float formatting of the pause, and the module's results (a real one-second wait). */
import { describe, expect, it } from 'vitest';
import type { ModuleContext } from '@haweb/core';
import { pauseModule, pythonFloat } from '../../src/modules/pause.js';

describe('pythonFloat', () => {
  it.each([[1, '1.0'], [1.004, '1.0'], [0.0167, '0.02'], [2.5, '2.5'], [60, '60.0']])('%s', (x, want) => expect(pythonFloat(x)).toBe(want));
});

const ctx = {} as ModuleContext;
const run = (args: Record<string, unknown>) => pauseModule.run(pauseModule.args.parse(args), ctx);

describe('pause', () => {
  it('waits at least a second and reports it as Ansible does', async () => {
    const r = await run({ seconds: '0' });
    expect(r).toMatchObject({ changed: false, rc: 0, stderr: '', stdout: expect.stringMatching(/^Paused for 1\.\d+ seconds$/), delta: 1, echo: true, user_input: '' });
    expect(String(r.start)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });
  it('refuses a prompt without a duration, saying why', async () => {
    expect(await run({ prompt: 'Continue?' })).toMatchObject({ failed: true, msg: expect.stringContaining('provision does not read a terminal') });
  });
  it('refuses seconds and minutes together, and non-numbers', () => {
    expect(pauseModule.args.safeParse({ seconds: 1, minutes: 1 }).success).toBe(false);
    expect(pauseModule.args.safeParse({ seconds: 'soon' }).success).toBe(false);
  });
});
