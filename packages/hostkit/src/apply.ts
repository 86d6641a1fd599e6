/**
 * The one apply step: a plan is a list of steps (pure data, made by the kit's plan functions and the
 * modules' planners from facts); apply runs them in order, or in check mode only says what it would
 * do, and reports the diff. Built-in modules and installers alike never hand-write check mode.
 */
import { posix } from 'node:path';
import { shellJoin, shellQuote, type FileDiff, type ModuleContext, type ModuleResult, type RunResult } from '@haweb/core';
import { fileDiff } from './util/result.js';
import { CommandFailed, detachedScript, type PlannedCommand } from './util/run.js';
import { replaceValidated } from './validated-file.js';

export type Step =
  /** A command, as argv (never concatenated shell). */
  | ({ kind: 'run'; argv: string[] } & CommandStepOptions)
  /** A shell script the kit wrote (pipes, redirections, bounded wait loops). */
  | ({ kind: 'script'; script: string } & CommandStepOptions)
  /** A whole file, written atomically by the Remote (temp file + rename). */
  | FileStep
  /** A file from the controller (an archive to extract), copied as it is. */
  | PutStep;

/**
 * What a command step may carry beside its command. Most plans need only `why`; the rest serve long
 * installer steps (a source build streams its output for progress and learns how many objects it
 * will compile from a probe between two steps) while check mode and diff stay apply's alone.
 */
export interface CommandStepOptions {
  why: string;
  detach?: boolean;
  /** This round trip's limit (default: apply's timeoutMs; 0: none). */
  timeoutMs?: number;
  /** Told through ctx.progress just before the step runs. */
  progress?: string;
  /** Called just before the step runs (after `progress`): a streamed step's own progress starts here. */
  before?: () => void;
  /** A streamed step: its output as it arrives (stdout and stderr chunks). */
  onOutput?: (chunk: string) => void;
  /** Given the step's result once it ran (a probe's answer, read by a later step's `when`). */
  onResult?: (result: RunResult) => void;
  /** A non-zero exit does not stop the plan (a probe whose answer only refines what follows). */
  mayFail?: boolean;
  /**
   * Bytes for the command's standard input: what must not appear on a command line or in a log
   * (a database password and the statements that carry it).
   */
  stdin?: string;
  /** Decided when its turn comes (from an earlier step's result): false skips the step. */
  when?: () => boolean;
}

export interface PutStep {
  kind: 'put';
  local: string;
  path: string;
  mode: string;
  why: string;
  /** Makes the local file just before it is sent (packing an archive); never called in check mode. */
  prepare?: () => Promise<void>;
  /** Told through ctx.progress just before the upload (after `prepare`). */
  progress?: string;
  /** Decided when its turn comes: false skips the upload. */
  when?: () => boolean;
}

export interface FileStep {
  kind: 'file';
  path: string;
  content: string | Buffer;
  /** Octal ("0644"); absent: a replaced file keeps its mode, a new one gets the Remote's default. */
  mode?: string;
  owner?: string;
  group?: string;
  why: string;
  /** Make the parent folder first (default); false: a missing folder fails the write, as Ansible's copy does. */
  parents?: boolean;
  /**
   * Validate before replacing: the content goes to `candidate` (next to path) first, `command` runs
   * with every `%s` replaced by the candidate's quoted path, and only a zero exit renames it over path.
   */
  validate?: { command: string; candidate: string };
}

export class HostPlanError extends Error {}

/** A step as one line of text: what tests assert and what logs show. */
export function stepText(step: Step): string {
  switch (step.kind) {
    case 'run':
      return shellJoin(step.argv);
    case 'script':
      return step.script;
    case 'file':
      return `write ${step.path}${step.mode ? ` ${step.mode}` : ''}`;
    case 'put':
      return `put ${step.local} ${step.path} ${step.mode}`;
  }
}

/** argv commands of a planner as run steps, all for one reason. */
export function runSteps(commands: readonly { argv: string[] }[], why: string, options: { detach?: boolean } = {}): Step[] {
  return commands.map((c) => ({ kind: 'run', argv: c.argv, why, ...(options.detach ? { detach: true } : {}) }));
}

/** How a step failed: apply's failed result says it (or the caller's `failure` wording does). */
export interface StepFailure {
  step: Step;
  /** The command line (or joined commands) that failed. */
  text: string;
  result: RunResult;
  /** The file step's validation refused the candidate (the old file is kept). */
  refused?: boolean;
}

export interface ApplyOptions {
  /** Current content of the files the plan writes, for their diffs (absent: a new file). */
  before?: Readonly<Record<string, string | undefined>>;
  /**
   * The diffs to report, when the caller computed them (state changes, large or binary files); they
   * are reported whatever ctx.diff says, as the modules always did. Without it, file steps give theirs
   * when ctx.diff is on.
   */
  diff?: readonly FileDiff[];
  /** The result's message once applied (default: the steps' reasons); in check mode `would <msg>`. */
  msg?: string;
  /** The check-mode message, when `would <msg>` does not read right. */
  checkMsg?: string;
  /** Keys every result carries beside changed/msg/diff (the module's declared return values). */
  result?: Record<string, unknown>;
  /**
   * Consecutive run steps go to the host in one round trip, joined with `&&` (each argv quoted), so
   * a module's converge costs one round trip, not one per command.
   */
  together?: boolean;
  /** The failed result's message; default: the step's reason, its command line, exit code and output. */
  failure?: (failure: StepFailure) => string;
  /** Per round trip; default 120 s; 0: no limit (package installs, builds). */
  timeoutMs?: number;
}

/** One round trip: a single step, or (together) consecutive run steps with the same detach. */
type Batch = { steps: Step[]; text: string };

function batches(steps: readonly Step[], together: boolean): Batch[] {
  const out: Batch[] = [];
  for (const step of steps) {
    const last = out[out.length - 1];
    // A step with its own timeout or hooks is its own round trip.
    const joinable = (s: Step) => together && s.kind === 'run' && !hasHooks(s);
    if (last && joinable(step) && joinable(last.steps[0]) && !!(last.steps[0] as { detach?: boolean }).detach === !!(step as { detach?: boolean }).detach) {
      last.steps.push(step);
      last.text = `${last.text} && ${stepText(step)}`;
    } else {
      out.push({ steps: [step], text: stepText(step) });
    }
  }
  return out;
}

function hasHooks(s: Step & { kind: 'run' | 'script' }): boolean {
  return (
    s.timeoutMs !== undefined ||
    s.progress !== undefined ||
    s.before !== undefined ||
    s.onOutput !== undefined ||
    s.onResult !== undefined ||
    s.mayFail !== undefined ||
    s.when !== undefined ||
    s.stdin !== undefined
  );
}

function tail(res: RunResult): string {
  return `${res.stdout}${res.stderr}`.trim().split('\n').slice(-5).join(' | ');
}

/** The default failed message: the step's reason, its command line, exit code and the tail of its output. */
export function stepFailureMessage(f: StepFailure): string {
  if (f.refused) return `${f.step.why}: validation refused ${f.step.kind === 'file' ? f.step.path : f.text} (exit ${f.result.code})${tail(f.result) ? `: ${tail(f.result)}` : ''}`;
  const output = tail(f.result);
  return `${f.step.why}: ${f.text}: exit ${f.result.code}${output ? `: ${output}` : ''}`;
}

/** Write one file step; a failure comes back as the RunResult that says why. */
async function writeFileStep(ctx: ModuleContext, step: FileStep): Promise<{ failed?: RunResult; refused?: boolean }> {
  if (step.parents !== false) {
    const dir = posix.dirname(step.path);
    // dirname of an absolute path: it cannot be read as an option, so no `--` (the logs stay as they were).
    const mk = await ctx.remote.run({ argv: ['mkdir', '-p', dir] }, { become: ctx.become });
    if (mk.code !== 0) return { failed: mk };
  }
  const attrs = {
    ...(step.mode !== undefined ? { mode: step.mode } : {}),
    ...(step.owner !== undefined ? { owner: step.owner } : {}),
    ...(step.group !== undefined ? { group: step.group } : {}),
  };
  if (!step.validate) {
    await ctx.remote.writeFile(step.path, step.content, { ...attrs, become: ctx.become });
    return {};
  }
  const command = step.validate.command;
  const outcome = await replaceValidated(ctx, {
    path: step.path,
    candidate: step.validate.candidate,
    content: step.content,
    attrs,
    validateScript: (candidate) => command.split('%s').join(shellQuote(candidate)),
  });
  if (outcome.refused) return { failed: outcome.refused, refused: true };
  if (outcome.moveFailed) return { failed: outcome.moveFailed };
  return {};
}

/**
 * Run the steps (or, in check mode, report them). Stops at the first failing step and names it, with
 * the tail of its output; a plan with no step changes nothing (plans only emit needed steps).
 */
export async function applySteps(ctx: ModuleContext, steps: readonly Step[], options: ApplyOptions = {}): Promise<ModuleResult> {
  const extra = options.result ?? {};
  if (steps.length === 0) return { changed: false, ...(options.msg !== undefined ? { msg: options.msg } : {}), ...extra };
  const msg = options.msg ?? steps.map((s) => s.why).join('; ');
  const diff: readonly FileDiff[] =
    options.diff ??
    (ctx.diff
      ? steps.flatMap((s) =>
          s.kind === 'file' ? [fileDiff(s.path, options.before?.[s.path], typeof s.content === 'string' ? s.content : s.content.toString('utf8'))] : [],
        )
      : []);
  const withDiff = diff.length > 0 ? { diff: [...diff] } : {};
  if (ctx.check) return { changed: true, msg: options.checkMsg ?? `would${options.msg !== undefined ? ' ' : ': '}${msg}`, ...withDiff, ...extra };
  const timeoutMs = options.timeoutMs === 0 ? undefined : options.timeoutMs ?? 120_000;
  let done = 0;
  for (const batch of batches(steps, options.together ?? false)) {
    const step = batch.steps[0];
    let failed: RunResult | undefined;
    let refused = false;
    if (step.kind === 'file') {
      ({ failed, refused = false } = await writeFileStep(ctx, step));
    } else if (step.kind === 'put') {
      if (step.when && !step.when()) continue;
      if (step.prepare) await step.prepare();
      if (step.progress !== undefined) ctx.progress(step.progress);
      await ctx.remote.putFile(step.local, step.path, { mode: step.mode, become: ctx.become });
    } else {
      if (step.when && !step.when()) continue;
      if (step.progress !== undefined) ctx.progress(step.progress);
      step.before?.();
      const detach = step.detach ?? false;
      const command = detach ? { script: detachedScript(batch.text) } : batch.steps.length === 1 && step.kind === 'run' ? { argv: step.argv } : { script: batch.text };
      const limit = step.timeoutMs !== undefined ? (step.timeoutMs === 0 ? undefined : step.timeoutMs) : timeoutMs;
      const onOutput = step.onOutput;
      const res = await ctx.remote.run(command, {
        become: ctx.become,
        ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
        ...(limit !== undefined ? { timeoutMs: limit } : {}),
        ...(onOutput ? { onOutput: (chunk: string) => onOutput(chunk) } : {}),
      });
      step.onResult?.(res);
      if (res.code !== 0 && !step.mayFail) failed = res;
    }
    if (failed) {
      const failure: StepFailure = { step, text: batch.text, result: failed, ...(refused ? { refused } : {}) };
      const output = { rc: failed.code, ...(refused ? { stdout: failed.stdout, stderr: failed.stderr } : {}) };
      return { changed: done > 0, failed: true, msg: (options.failure ?? stepFailureMessage)(failure), ...withDiff, ...extra, ...output };
    }
    done += batch.steps.length;
  }
  return { changed: true, msg, ...withDiff, ...extra };
}

/** The message a failed plan of commands gives (the modules' wording since their first version). */
export function commandFailedMessage(f: StepFailure): string {
  return new CommandFailed(f.text, f.result).message;
}

/**
 * A planner's argv commands in one round trip, for one reason (`msg`): the built-in modules' common
 * case. In check mode the result says `would <msg>` unless checkMsg says otherwise.
 */
export function applyCommands(
  ctx: ModuleContext,
  commands: readonly PlannedCommand[],
  options: Omit<ApplyOptions, 'together' | 'msg'> & { msg: string; detach?: boolean },
): Promise<ModuleResult> {
  const { detach, ...rest } = options;
  return applySteps(ctx, runSteps(commands, options.msg, { detach }), { together: true, timeoutMs: 0, failure: commandFailedMessage, ...rest });
}

/**
 * The planned commands in one round trip, failing with CommandFailed: the old entry point, kept for
 * module files written against it. It goes through applySteps, so it too does nothing in check mode.
 * New code calls applySteps with `together: true` and gets a failed result instead of an exception.
 */
export async function runPlan(ctx: ModuleContext, commands: readonly PlannedCommand[], options: { detach?: boolean } = {}): Promise<void> {
  let failure: StepFailure | undefined;
  const res = await applySteps(ctx, runSteps(commands, 'run the plan', options), {
    together: true,
    timeoutMs: 0,
    failure: (f) => {
      failure = f;
      return '';
    },
  });
  if (res.failed && failure) throw new CommandFailed(failure.text, failure.result);
}
