/**
 * The CLI's view of the loader (packages/core inventory/, playbook/, validate/): load the inventory
 * and playbook, validate the whole run, and return every diagnostic. Nothing here touches a host.
 */
import * as core from '@haweb/core';
import type { Diagnostic, Inventory, ModuleRegistry, Playbook, Vars } from '@haweb/core';

export interface LoadRequest {
  playbookFile: string;
  inventorySources: string[];
  extraVars: Vars;
  registry: ModuleRegistry;
  limit?: string;
}

export interface LoadedRun {
  playbook?: Playbook;
  inventory?: Inventory;
  diagnostics: Diagnostic[];
}

type AnyFn = (...args: unknown[]) => unknown;
const loaderApi = core as unknown as Record<string, AnyFn | undefined>;

function diagnosticsOf(err: unknown): Diagnostic[] {
  if (err instanceof core.ValidationError) return err.diagnostics;
  throw err;
}

export function loadInventoryOnly(sources: string[], playbookDir?: string): { inventory?: Inventory; diagnostics: Diagnostic[] } {
  return core.readInventory(sources, { playbookDir });
}

/** Load and validate everything; the run may start only when no diagnostic is an error. */
export function loadRun(req: LoadRequest, playbookDir: string): LoadedRun {
  const { inventory, diagnostics } = core.readInventory(req.inventorySources, { playbookDir });
  const out: LoadedRun = { inventory, diagnostics: [...diagnostics] };
  const readPlaybook = loaderApi.readPlaybook;
  const loadPlaybook = loaderApi.loadPlaybook;
  try {
    if (readPlaybook) {
      const r = readPlaybook(req.playbookFile, { extraVars: req.extraVars, registry: req.registry }) as { playbook?: Playbook; diagnostics: Diagnostic[] };
      out.playbook = r.playbook;
      out.diagnostics.push(...r.diagnostics);
    } else if (loadPlaybook) {
      out.playbook = loadPlaybook(req.playbookFile, { extraVars: req.extraVars, registry: req.registry }) as Playbook;
    } else {
      out.diagnostics.push({ severity: 'error', message: 'this build has no playbook loader (core: loadPlaybook missing)' });
    }
  } catch (err) {
    out.diagnostics.push(...diagnosticsOf(err));
  }
  const validateRun = loaderApi.validateRun;
  if (out.playbook && inventory && validateRun && !out.diagnostics.some((d) => d.severity === 'error')) {
    try {
      const found = validateRun({
        playbook: out.playbook,
        inventory,
        registry: req.registry,
        extraVars: req.extraVars,
        limit: req.limit,
      }) as Diagnostic[] | { diagnostics: Diagnostic[] } | undefined;
      out.diagnostics.push(...(Array.isArray(found) ? found : (found?.diagnostics ?? [])));
    } catch (err) {
      out.diagnostics.push(...diagnosticsOf(err));
    }
  }
  return out;
}
