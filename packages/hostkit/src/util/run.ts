/**
 * Commands as the host sees them: a plan's argv commands joined with `&&` (each argv quoted) for one
 * round trip, a wrapper for scripts whose children outlive them, and the error a failed one raises.
 * Running plans is apply.ts's job (applySteps).
 */
import { shellJoin, type ModuleContext, type RunResult } from '@haweb/core';

export interface PlannedCommand {
  argv: string[];
}

export function planScript(commands: readonly PlannedCommand[]): string {
  return commands.map((c) => shellJoin(c.argv)).join(' && ');
}

export class CommandFailed extends Error {
  constructor(
    readonly script: string,
    readonly result: RunResult,
  ) {
    super(`${describe(script)} failed (rc=${result.code}): ${(result.stderr || result.stdout).trim() || 'no output'}`);
    this.name = 'CommandFailed';
  }
}

function describe(script: string): string {
  return script.length > 200 ? `${script.slice(0, 200)}…` : script;
}

/**
 * Wrap a script whose children may outlive it (init scripts starting daemons): their output goes to a
 * temp file, not to the SSH channel, so a daemon that keeps its stdout open cannot hold the channel.
 */
export function detachedScript(script: string): string {
  return [
    'out=$(mktemp) || exit 1',
    `( ${script} ) >"$out" 2>&1 </dev/null`,
    'rc=$?',
    'cat "$out"; rm -f "$out"',
    'exit $rc',
  ].join('\n');
}

/** Run one argv command and return its result whatever the exit code (a probe, not a change). */
export function runArgv(ctx: ModuleContext, argv: string[], options: { cwd?: string; stdin?: string } = {}): Promise<RunResult> {
  return ctx.remote.run({ argv }, { become: ctx.become, ...options });
}
