/**
 * defineModule plus one rule for every built-in module: an error while talking to the host (a fact
 * that cannot be read, a command that fails, a file that cannot be written) becomes a failed result
 * with its message, so a bad input fails the task cleanly. Lost connections stay exceptions: the
 * executor reports those hosts as unreachable. Modules that declare Ansible's SELinux file arguments
 * get them applied here, once for all (util/file-common.ts).
 */
import { defineModule, schemaKeys, UnreachableError, type ModuleContext, type ModuleDefinition, type ModuleResult } from '@haweb/core';
import { applySeContext } from './file-common.js';
import { declaredAliases, expandHome, needsHome, pathOptions } from './schema.js';
import type { z } from 'zod';

export function defineHostModule<S extends z.ZodType>(module: ModuleDefinition<S>): ModuleDefinition<S> {
  const run = module.run;
  // Modules with Ansible's common file arguments (fileCommonArgs) get their SELinux context set last.
  const fileCommon = schemaKeys(module.args).includes('setype');
  // file is the one module among them whose follow defaults to true (Ansible's spec).
  const followByDefault = module.name === 'file';
  // Ansible's `type: path` options are expanded in the module, as the user it runs as (the become
  // user's home for ~): the same here, with one round trip only when a path asks for it.
  const paths = pathOptions(module.args);
  return defineModule({
    ...module,
    argAliases: module.argAliases ?? declaredAliases(module.args),
    async run(args, ctx): Promise<ModuleResult> {
      try {
        const expanded = paths.length ? await expandPaths(args, paths, ctx) : args;
        const res = await run(expanded, ctx);
        return fileCommon ? await applySeContext(expanded as Record<string, unknown>, ctx, res, followByDefault) : res;
      } catch (err) {
        if (err instanceof UnreachableError || (err as Error)?.name === 'UnreachableError') throw err;
        return { changed: false, failed: true, msg: err instanceof Error ? err.message : String(err) };
      }
    },
  });
}

async function expandPaths<A>(args: A, paths: readonly string[], ctx: ModuleContext): Promise<A> {
  const a = args as Record<string, unknown>;
  const wanted = paths.filter((k) => needsHome(a[k]));
  if (wanted.length === 0) return args;
  const home = (await ctx.remote.run({ argv: ['sh', '-c', 'printf %s "$HOME"'] }, { become: ctx.become })).stdout;
  return { ...a, ...Object.fromEntries(wanted.map((k) => [k, expandHome(a[k] as string, home)])) } as A;
}
