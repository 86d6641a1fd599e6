/**
 * Running planned commands on the host. A plan is a list of argv commands; they are sent in ONE round
 * trip, joined with `&&` (each argv quoted), so a converge costs one extra round trip, not one per step.
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

/** Run the plan; throws CommandFailed naming the command line and its error output. */
export async function runPlan(
  ctx: ModuleContext,
  commands: readonly PlannedCommand[],
  options: { detach?: boolean } = {},
): Promise<RunResult | undefined> {
  if (commands.length === 0) return undefined;
  const script = planScript(commands);
  const result = await ctx.remote.run({ script: options.detach ? detachedScript(script) : script }, { become: ctx.become });
  if (result.code !== 0) throw new CommandFailed(script, result);
  return result;
}

/** Run one argv command and return its result whatever the exit code. */
export function runArgv(ctx: ModuleContext, argv: string[], options: { cwd?: string; stdin?: string } = {}): Promise<RunResult> {
  return ctx.remote.run({ argv }, { become: ctx.become, ...options });
}
