import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRegistry, Registry } from '../../../src/registry.js';
import type { ModuleDefinition } from '../../../src/contract/module.js';

const mod = (name: string, aliases: string[] = []): ModuleDefinition => ({
  name,
  aliases,
  description: name,
  args: z.strictObject({}),
  checkMode: 'full',
  run: async () => ({ changed: false }),
});

describe('Registry', () => {
  it('resolves names, aliases and ansible.builtin / ansible.legacy FQCNs', () => {
    const pkg = mod('package', ['yum_like', 'ansible.builtin.package']);
    const r = createRegistry((reg) => reg.register(pkg), (reg) => reg.register(mod('copy')));
    for (const name of ['package', 'yum_like', 'ansible.builtin.package', 'ansible.legacy.package', 'ansible.builtin.yum_like']) {
      expect(r.get(name), name).toBe(pkg);
    }
    expect(r.get('ansible.builtin.copy')?.name).toBe('copy');
    expect(r.get('community.general.copy')).toBeUndefined();
    expect(r.get('nope')).toBeUndefined();
    expect(r.names()).toEqual(['copy', 'package']);
    expect(r.allNames()).toEqual(['ansible.builtin.package', 'copy', 'package', 'yum_like']);
  });

  it('refuses a name two modules claim', () => {
    const r = new Registry();
    r.register(mod('copy'));
    expect(() => r.register(mod('other', ['copy']))).toThrow('module name "copy" is already registered by module "copy"');
    // Registering the same definition twice is harmless.
    const same = mod('x');
    r.register(same);
    expect(() => r.register(same)).not.toThrow();
  });
});
