/** Arguments refused when a task runs: Ansible's words for missing required ones, the issues otherwise. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { argumentsMessage } from '../../../src/executor/task.js';

const spec = z.strictObject({ path: z.string(), state: z.enum(['a', 'b']).optional(), src: z.string() }).refine((a) => a.src !== 'x', { message: 'src must not be x' });

describe('argumentsMessage', () => {
  it.each([
    [{}, 'missing required arguments: path, src'],
    [{ src: 'y' }, 'missing required arguments: path'],
    [{ path: '/p', src: 'y', state: 'c' }, /^invalid arguments for module "m": state: /],
    [{ src: 'y', state: 'c' }, /^invalid arguments for module "m": (path|state): .*; (path|state): /],
  ])('%j', (args, want) => {
    const r = spec.safeParse(args);
    expect(r.success).toBe(false);
    const msg = argumentsMessage('m', r.error!.issues);
    if (typeof want === 'string') expect(msg).toBe(want);
    else expect(msg).toMatch(want);
  });

  it.each([
    ['one of the following is required: a, b'],
    // required_if (group's non_unique without gid)
    ['non_unique is True but all of the following are missing: gid'],
  ])("a check of the whole in Ansible's words is Ansible's message alone: %s", (message) => {
    const check = z.object({ a: z.string().optional(), b: z.string().optional() }).refine((x) => x.a !== undefined || x.b !== undefined, { message });
    expect(argumentsMessage('m', check.safeParse({}).error!.issues)).toBe(message);
  });

  it('a refinement of the whole is its own message', () => {
    const r = spec.safeParse({ path: '/p', src: 'x' });
    expect(argumentsMessage('m', r.error!.issues)).toBe('invalid arguments for module "m": src must not be x');
  });
});
