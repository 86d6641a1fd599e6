/** Running a user's command and reporting it the way Ansible's command/shell modules do. */
import { shellJoin, type BackgroundOutcome, type Command, type ModuleContext, type ModuleResult } from '@haweb/core';
import { directoryExists, globMatches, pathExists } from '@haweb/hostkit';

export interface CommandGuards {
  creates?: string;
  removes?: string;
  /** creates/removes are glob patterns (command/shell, as Python's glob.glob), not plain paths (script). */
  glob?: boolean;
}

/** creates/removes: a reason not to run, or undefined to run. */
export async function guardSkipReason(ctx: ModuleContext, guards: CommandGuards): Promise<string | undefined> {
  return (await guardSkip(ctx, guards))?.stdout;
}

/** creates/removes as Ansible's command module reports them: the reason in stdout, a msg besides. */
async function guardSkip(ctx: ModuleContext, guards: CommandGuards): Promise<{ stdout: string; msg: string } | undefined> {
  const said = ctx.check ? 'Would' : 'Did';
  const exists = (path: string) => (guards.glob ? ctx.fact(globMatches, { pattern: path }) : ctx.fact(pathExists, { path }));
  if (guards.creates !== undefined && (await exists(guards.creates))) {
    return { stdout: `skipped, since ${guards.creates} exists`, msg: `${said} not run command since '${guards.creates}' exists` };
  }
  if (guards.removes !== undefined && !(await exists(guards.removes))) {
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
  display: CommandDisplay,
  opts: UserCommandOptions,
): Promise<{ command: Command; cwd?: string; stdin?: string } | { result: ModuleResult }> {
  const skip = await guardSkip(ctx, { ...opts, glob: true });
  if (skip) return { result: { changed: false, msg: skip.msg, cmd: display, rc: 0, stdout: skip.stdout, stderr: '', stdout_lines: [skip.stdout], stderr_lines: [] } };
  if (ctx.check) {
    // Ansible's partial check mode: without creates/removes, nothing can be known; skipped, unchanged.
    const msg = 'Command would have run if not in check mode';
    if (opts.creates === undefined && opts.removes === undefined) {
      return { result: { changed: false, skipped: true, msg, cmd: display, rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] } };
    }
    return { result: { changed: true, msg, cmd: display, rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] } };
  }
  return { command: opts.chdir === undefined ? command : physicalDirectory(command), cwd: opts.chdir, stdin: stdinFor(opts) };
}

/**
 * In `chdir`, the command sees the directory's physical path in $PWD (links resolved), as after
 * Python's os.chdir in Ansible's module: the transport's `cd` keeps the logical path, `cd -P .` then
 * resolves it.
 */
export function physicalDirectory(command: Command): Command {
  const body = 'script' in command ? command.script : `exec ${shellJoin(command.argv)}`;
  return { script: `cd -P . || exit 1\n${body}` };
}

/**
 * What the command reads: Ansible's run_command adds a newline to non-empty data unless
 * stdin_add_newline is off (even when the text already ends with one).
 */
export function stdinFor(opts: Pick<UserCommandOptions, 'stdin' | 'stdinAddNewline'>): string | undefined {
  if (opts.stdin === undefined) return undefined;
  return opts.stdin !== '' && opts.stdinAddNewline !== false ? `${opts.stdin}\n` : opts.stdin;
}

/** How the result names the command: command's argv list (as Ansible splits it), shell's script text. */
export type CommandDisplay = string | string[];

/** Ansible's strip_empty_ends: every trailing \r and \n goes. */
export function stripEmptyEnds(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}

/** Ansible's command/shell result from what the command did (pure: a background job's end uses it too). */
export function userCommandResult(display: CommandDisplay, opts: Pick<UserCommandOptions, 'stripEmptyEnds'>, outcome: BackgroundOutcome): ModuleResult {
  // Like Ansible, trailing line ends are dropped from stdout/stderr unless asked to keep them.
  const strip = opts.stripEmptyEnds !== false;
  const stdout = strip ? stripEmptyEnds(outcome.stdout) : outcome.stdout;
  const stderr = strip ? stripEmptyEnds(outcome.stderr) : outcome.stderr;
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

export async function runUserCommand(ctx: ModuleContext, command: Command, display: CommandDisplay, opts: UserCommandOptions): Promise<ModuleResult> {
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
  if (r.code !== 0 && prepared.cwd !== undefined && !(await ctx.fact(directoryExists, { path: prepared.cwd }))) {
    // The `cd` before the command failed: Ansible's command module says so, and runs nothing.
    return { changed: false, failed: true, rc: null, cmd: display, stdout: '', stderr: '', msg: `Unable to change directory before execution: [Errno 2] No such file or directory: '${prepared.cwd}'` };
  }
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
