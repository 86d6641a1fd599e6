/** Running a user's command and reporting it the way Ansible's command/shell modules do. */
import type { Command, ModuleContext, ModuleResult } from '@haweb/core';
import { pathExists } from '../facts/files.js';

export interface CommandGuards {
  creates?: string;
  removes?: string;
}

/** creates/removes: a reason not to run, or undefined to run. */
export async function guardSkipReason(ctx: ModuleContext, guards: CommandGuards): Promise<string | undefined> {
  if (guards.creates !== undefined && (await ctx.fact(pathExists, { path: guards.creates }))) {
    return `skipped, since ${guards.creates} exists`;
  }
  if (guards.removes !== undefined && !(await ctx.fact(pathExists, { path: guards.removes }))) {
    return `skipped, since ${guards.removes} does not exist`;
  }
  return undefined;
}

function lines(text: string): string[] {
  const t = text.replace(/\n$/, '');
  return t === '' ? [] : t.split('\n');
}

export async function runUserCommand(
  ctx: ModuleContext,
  command: Command,
  display: string,
  opts: CommandGuards & { chdir?: string; stdin?: string; stdinAddNewline?: boolean; stripEmptyEnds?: boolean },
): Promise<ModuleResult> {
  const skip = await guardSkipReason(ctx, opts);
  if (skip) return { changed: false, msg: skip, cmd: display, rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] };
  if (ctx.check) {
    // Without creates/removes we cannot know what the command would do: say so, change nothing.
    if (opts.creates === undefined && opts.removes === undefined) {
      return { changed: false, skipped: true, msg: 'command not run in check mode', cmd: display };
    }
    return { changed: true, msg: 'command would run', cmd: display };
  }
  const stdin = opts.stdin === undefined ? undefined : opts.stdin + (opts.stdinAddNewline === false || opts.stdin.endsWith('\n') ? '' : '\n');
  const start = new Date();
  const r = await ctx.remote.run(command, {
    become: ctx.become,
    cwd: opts.chdir,
    stdin,
    onOutput: (chunk) => {
      const last = chunk.trimEnd().split('\n').pop();
      if (last) ctx.progress(last.slice(0, 120));
    },
  });
  const end = new Date();
  // Like Ansible, trailing newlines are dropped from stdout/stderr unless asked to keep them.
  const strip = opts.stripEmptyEnds !== false;
  const stdout = strip ? r.stdout.replace(/\n+$/, '') : r.stdout;
  const stderr = strip ? r.stderr.replace(/\n+$/, '') : r.stderr;
  const result: ModuleResult = {
    changed: true,
    cmd: display,
    rc: r.code,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    start: start.toISOString(),
    end: end.toISOString(),
    delta: `${((end.getTime() - start.getTime()) / 1000).toFixed(3)}s`,
  };
  if (r.code !== 0) {
    result.failed = true;
    result.msg = `non-zero return code ${r.code}${stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : ''}`;
  }
  return result;
}
