/**
 * defineModule plus one rule for every built-in module: an error while talking to the host (a fact
 * that cannot be read, a command that fails, a file that cannot be written) becomes a failed result
 * with its message, so a bad input fails the task cleanly. Lost connections stay exceptions: the
 * executor reports those hosts as unreachable.
 */
import { defineModule, UnreachableError, type ModuleDefinition, type ModuleResult } from '@haweb/core';
import type { z } from 'zod';

export function defineHostModule<S extends z.ZodType>(module: ModuleDefinition<S>): ModuleDefinition<S> {
  const run = module.run;
  return defineModule({
    ...module,
    async run(args, ctx): Promise<ModuleResult> {
      try {
        return await run(args, ctx);
      } catch (err) {
        if (err instanceof UnreachableError || (err as Error)?.name === 'UnreachableError') throw err;
        return { changed: false, failed: true, msg: err instanceof Error ? err.message : String(err) };
      }
    },
  });
}
