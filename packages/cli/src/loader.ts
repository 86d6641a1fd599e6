/**
 * The CLI's view of the loader (packages/core inventory/, playbook/, validate/): load the inventory
 * and playbook, validate the whole run, and return every diagnostic. Nothing here touches a host.
 */
import { prepareRun, readInventory, type Diagnostic, type Inventory, type ModuleRegistry, type Playbook } from '@haweb/core';

export interface LoadRequest {
  playbookFile: string;
  inventorySources: string[];
  registry: ModuleRegistry;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}

export interface LoadedRun {
  playbook?: Playbook;
  inventory?: Inventory;
  diagnostics: Diagnostic[];
}

export function loadInventoryOnly(sources: string[], playbookDir?: string): { inventory?: Inventory; diagnostics: Diagnostic[] } {
  return readInventory(sources, { playbookDir });
}

/** Load and validate everything; the run may start only when no diagnostic is an error. */
export function loadRun(req: LoadRequest): LoadedRun {
  const r = prepareRun({
    playbook: req.playbookFile,
    inventory: req.inventorySources,
    registry: req.registry,
    limit: req.limit,
    tags: req.tags,
    skipTags: req.skipTags,
  });
  return { playbook: r.playbook, inventory: r.inventory, diagnostics: r.diagnostics };
}
