import type { ModuleDefinition, ModulePlugin, ModuleRegistry } from './contract/module.js';

/** Collection prefixes a module name may be written with, as in Ansible (`ansible.builtin.copy`). */
const COLLECTION_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/**
 * The modules a run knows, by name and alias. Plug-in packages fill it; the engine and the validator
 * look modules up here only, so the engine knows nothing of particular modules.
 */
export class Registry implements ModuleRegistry {
  private readonly byName = new Map<string, ModuleDefinition>();
  private readonly primary = new Map<string, ModuleDefinition>();

  register(module: ModuleDefinition): void {
    for (const name of [module.name, ...(module.aliases ?? [])]) {
      const existing = this.byName.get(name);
      if (existing && existing !== module) {
        throw new Error(`module name "${name}" is already registered by module "${existing.name}"`);
      }
    }
    this.primary.set(module.name, module);
    for (const name of [module.name, ...(module.aliases ?? [])]) this.byName.set(name, module);
  }

  /** Looks a module up by name, alias, or FQCN (`ansible.builtin.x` resolves to `x`). */
  get(name: string): ModuleDefinition | undefined {
    const direct = this.byName.get(name);
    if (direct) return direct;
    for (const prefix of COLLECTION_PREFIXES) {
      if (name.startsWith(prefix)) return this.byName.get(name.slice(prefix.length));
    }
    return undefined;
  }

  /** Primary names of registered modules, sorted. */
  names(): string[] {
    return [...this.primary.keys()].sort();
  }

  /** Every name a module answers to (primary names and aliases), sorted: for "did you mean" hints. */
  allNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  use(...plugins: ModulePlugin[]): this {
    for (const plugin of plugins) plugin(this);
    return this;
  }
}

export function createRegistry(...plugins: ModulePlugin[]): Registry {
  return new Registry().use(...plugins);
}
