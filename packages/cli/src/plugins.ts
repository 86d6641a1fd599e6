import { Registry, executorModules, type ModuleDefinition, type ModulePlugin } from '@haweb/core';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';

/**
 * Workspace packages that contribute modules. Each exports `plugin: ModulePlugin` (the convention for
 * every plug-in package); a `modules: ModuleDefinition[]` export is accepted too.
 */
export const PLUGIN_PACKAGES: readonly string[] = Object.keys(BUILTIN_PLUGINS);

export interface PluginLoad {
  registry: Registry;
  /** Packages whose plug-in was registered. */
  loaded: string[];
  /** Why a package contributed nothing (missing export, import error). */
  notes: string[];
}

type PluginModule = { plugin?: unknown; modules?: unknown; default?: { plugin?: unknown; modules?: unknown } };

/** Register one package's export into the registry; returns a note when it had nothing usable. */
export function registerExport(registry: Registry, name: string, mod: PluginModule): string | undefined {
  const plugin = mod.plugin ?? mod.default?.plugin;
  const modules = mod.modules ?? mod.default?.modules;
  if (typeof plugin === 'function') {
    (plugin as ModulePlugin)(registry);
    return undefined;
  }
  if (Array.isArray(modules)) {
    for (const m of modules as ModuleDefinition[]) registry.register(m);
    return undefined;
  }
  return `${name} exports no \`plugin\``;
}

/** A shipped plug-in from the static table; any other package by a runtime import. */
async function loadPlugin(name: string): Promise<PluginModule> {
  return (BUILTIN_PLUGINS[name] as PluginModule | undefined) ?? ((await import(name)) as PluginModule);
}

/** Build the run's registry from the plug-in packages; a package that is missing or broken is noted, not fatal. */
export async function composeRegistry(
  packages: readonly string[] = PLUGIN_PACKAGES,
  load: (name: string) => Promise<PluginModule> = loadPlugin,
): Promise<PluginLoad> {
  // The executor's own modules (include_vars, add_host, group_by) come first: no package provides them.
  const registry = new Registry().use(executorModules);
  const loaded: string[] = [];
  const notes: string[] = [];
  // Other packages' imports run in parallel (start-up time counts in every run); registered in a fixed order.
  const imports = await Promise.allSettled(packages.map((name) => load(name)));
  for (const [i, name] of packages.entries()) {
    const imported = imports[i];
    if (imported.status === 'rejected') {
      notes.push(`${name} could not be loaded: ${(imported.reason as Error).message.split('\n')[0]}`);
      continue;
    }
    const mod = imported.value;
    try {
      const note = registerExport(registry, name, mod);
      if (note) notes.push(note);
      else loaded.push(name);
    } catch (err) {
      notes.push(`${name}: ${(err as Error).message}`);
    }
  }
  return { registry, loaded, notes };
}
