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

describe("options a module does not take, in Ansible's words", () => {
  const strict = z.strictObject({ path: z.string().optional(), state: z.string().optional(), mode: z.string().optional() });
  const unknownIssues = (args: object) => strict.safeParse(args).error!.issues;
  const module = { args: strict, aliases: ['ansible.builtin.m'], argAliases: { path: ['dest', 'name'] } };
  it.each([
    // (2026-12-06, ansible-playbook 2.14.18: `copy: {content: x, dest: ..., foo: bar}` registered
    // "Unsupported parameters for (ansible.legacy.copy) module: foo. Supported parameters include: _original_basename, ... validate (attr).")
    ['m', { foo: 1 }, 'Unsupported parameters for (ansible.legacy.m) module: foo. Supported parameters include: mode, path, state (dest, name).'],
    ['ansible.builtin.m', { zz: 1, aa: 2 }, 'Unsupported parameters for (ansible.builtin.m) module: aa, zz. Supported parameters include: mode, path, state (dest, name).'],
  ])('%s %j', (written, args, want) => {
    expect(argumentsMessage('m', unknownIssues(args), { written, definition: module })).toBe(want);
  });

  it("a short name routed to a collection's module is named by its collection", () => {
    const sysctl = { args: strict, aliases: ['ansible.posix.sysctl', 'ansible.builtin.sysctl'] };
    expect(argumentsMessage('sysctl', unknownIssues({ foo: 1 }), { written: 'sysctl', definition: sysctl })).toBe(
      'Unsupported parameters for (ansible.posix.sysctl) module: foo. Supported parameters include: mode, path, state.',
    );
  });

  it('an action plugin that checks its own options (debug, reboot...) names the module as written', () => {
    // ansible-playbook 2.14.18: `debug: {msg: hi, foo: bar}` registered "Invalid options for debug: foo".
    const debug = { ...module, optionsCheckedByAction: true };
    expect(argumentsMessage('debug', unknownIssues({ foo: 1 }), { written: 'debug', definition: debug })).toBe('Invalid options for debug: foo');
    expect(argumentsMessage('debug', unknownIssues({ foo: 1 }), { written: 'ansible.builtin.debug', definition: debug })).toBe('Invalid options for ansible.builtin.debug: foo');
  });

  it('an unknown option beside another problem keeps the issues listed', () => {
    const issues = z.strictObject({ path: z.string() }).safeParse({ foo: 1 }).error!.issues;
    expect(argumentsMessage('m', issues, { written: 'm', definition: module })).toMatch(/^invalid arguments for module "m": /);
  });
});
