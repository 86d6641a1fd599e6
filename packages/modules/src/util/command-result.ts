/** Running a user's command and reporting it the way Ansible's command/shell modules do. */
import type { BackgroundOutcome, Command, ModuleContext, ModuleResult } from '@haweb/core';
import { pathExists } from '../facts/files.js';

export interface CommandGuards {
  creates?: string;
  removes?: string;
}

/** creates/removes: a reason not to run, or undefined to run. */
export async function guardSkipReason(ctx: ModuleContext, guards: CommandGuards): Promise<string | undefined> {
  return (await guardSkip(ctx, guards))?.stdout;
}

/** creates/removes as Ansible's command module reports them: the reason in stdout, a msg besides. */
async function guardSkip(ctx: ModuleContext, guards: CommandGuards): Promise<{ stdout: string; msg: string } | undefined> {
  const said = ctx.check ? 'Would' : 'Did';
  if (guards.creates !== undefined && (await ctx.fact(pathExists, { path: guards.creates }))) {
    return { stdout: `skipped, since ${guards.creates} exists`, msg: `${said} not run command since '${guards.creates}' exists` };
  }
  if (guards.removes !== undefined && !(await ctx.fact(pathExists, { path: guards.removes }))) {
    return { stdout: `skipped, since ${guards.removes} does not exist`, msg: `${said} not run command since '${guards.removes}' does not exist` };
  }
  return undefined;
}

function lines(text: string): string[] {
  const t = text.replace(/\n$/, '');
  return t === '' ? [] : t.split('\n');
}

export interface UserCommandOptions extends CommandGuards {
  chdir?: string;
  stdin?: string;
  stdinAddNewline?: boolean;
  stripEmptyEnds?: boolean;
}

/**
 * What running the user's command takes: the command with its directory and input, or the result
 * when it need not run (creates/removes) or cannot be known (check mode). Shared by the foreground
 * run and `async` (where the executor starts the command in the background).
 */
export async function prepareUserCommand(
  ctx: ModuleContext,
  command: Command,
  display: string,
  opts: UserCommandOptions,
): Promise<{ command: Command; cwd?: string; stdin?: string } | { result: ModuleResult }> {
  const skip = await guardSkip(ctx, opts);
  if (skip) return { result: { changed: false, msg: skip.msg, cmd: display, rc: 0, stdout: skip.stdout, stderr: '', stdout_lines: [skip.stdout], stderr_lines: [] } };
  if (ctx.check) {
    // Without creates/removes we cannot know what the command would do: say so, change nothing.
    if (opts.creates === undefined && opts.removes === undefined) {
      return { result: { changed: false, skipped: true, msg: 'command not run in check mode', cmd: display } };
    }
    return { result: { changed: true, msg: 'command would run', cmd: display } };
  }
  const stdin = opts.stdin === undefined ? undefined : opts.stdin + (opts.stdinAddNewline === false || opts.stdin.endsWith('\n') ? '' : '\n');
  return { command, cwd: opts.chdir, stdin };
}

/** Ansible's command/shell result from what the command did (pure: a background job's end uses it too). */
export function userCommandResult(display: string, opts: Pick<UserCommandOptions, 'stripEmptyEnds'>, outcome: BackgroundOutcome): ModuleResult {
  // Like Ansible, trailing newlines are dropped from stdout/stderr unless asked to keep them.
  const strip = opts.stripEmptyEnds !== false;
  const stdout = strip ? outcome.stdout.replace(/\n+$/, '') : outcome.stdout;
  const stderr = strip ? outcome.stderr.replace(/\n+$/, '') : outcome.stderr;
  const ms = Date.parse(outcome.end) - Date.parse(outcome.start);
  const result: ModuleResult = {
    changed: true,
    cmd: display,
    rc: outcome.rc,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: outcome.start,
    end: outcome.end,
    delta: `${(Number.isFinite(ms) ? ms / 1000 : 0).toFixed(3)}s`,
  };
  if (outcome.rc !== 0) {
    result.failed = true;
    result.msg = `non-zero return code ${outcome.rc}${stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : ''}`;
  }
  return result;
}

export async function runUserCommand(ctx: ModuleContext, command: Command, display: string, opts: UserCommandOptions): Promise<ModuleResult> {
  const prepared = await prepareUserCommand(ctx, command, display, opts);
  if ('result' in prepared) return prepared.result;
  const start = new Date();
  const r = await ctx.remote.run(prepared.command, {
    become: ctx.become,
    cwd: prepared.cwd,
    stdin: prepared.stdin,
    onOutput: (chunk) => {
      const last = chunk.trimEnd().split('\n').pop();
      if (last) ctx.progress(last.slice(0, 120));
    },
  });
  const end = new Date();
  return userCommandResult(display, opts, { rc: r.code, stdout: r.stdout, stderr: r.stderr, start: start.toISOString(), end: end.toISOString() });
}

/** The options of command and shell, from their arguments (the same names in both). */
export function commandOptions(args: {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean;
  strip_empty_ends?: boolean;
}): UserCommandOptions {
  return {
    chdir: args.chdir,
    creates: args.creates,
    removes: args.removes,
    stdin: args.stdin,
    stdinAddNewline: args.stdin_add_newline,
    stripEmptyEnds: args.strip_empty_ends,
  };
}
