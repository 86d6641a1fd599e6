/** Boolean keywords (check_mode, diff, no_log, ignore_errors, become): literal or templated per host. */
import type { Flag, Vars } from '../model.js';
import { asBoolean } from './conditions.js';
import type { PlayRun, Scope, TaskFlags } from './state.js';
import { renderValue } from './vars.js';
import { resolveWhoRuns, variableReader } from './become.js';
import type { RunAsKeywords } from '../model.js';

/** A keyword's value on one host; undefined when nothing set it. A template that fails names the keyword. */
export function renderFlag(run: PlayRun, value: Flag | undefined, vars: Vars, keyword: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  let rendered: unknown;
  try {
    rendered = renderValue(run.rt.options.templater, value, vars);
  } catch (err) {
    throw new Error(`error in "${keyword}": ${(err as Error).message}`);
  }
  return asBoolean(rendered);
}

/**
 * The keywords of a task on a host. `scope` is the task's own scope, so each keyword is the nearest
 * one written (task, then its blocks, then the play); unset ones follow the command line (--check,
 * --diff). Who runs it (become and its settings, the login user) follows Ansible's rule: a connection
 * variable that is set (ansible_become, ansible_become_user, ansible_user...) wins over the keyword.
 */
export function taskFlags(run: PlayRun, scope: Scope, vars: Vars): TaskFlags {
  const { templater } = run.rt.options;
  const render = (value: unknown, what: string): unknown => {
    try {
      return renderValue(templater, value, vars);
    } catch (err) {
      throw new Error(`error in "${what}": ${(err as Error).message}`);
    }
  };
  const runAs: RunAsKeywords = {};
  for (const [k, v] of Object.entries(scope.runAs ?? {})) {
    if (v !== undefined) runAs[k as keyof RunAsKeywords] = String(render(v, k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
  }
  const who = resolveWhoRuns({
    keyword: renderFlag(run, scope.become, vars, 'become') ?? run.play.become,
    runAs,
    configured: run.rt.options.becomeDefaults,
    read: variableReader(vars, (v) => render(v, 'become variables')),
    cliPassword: run.rt.options.becomePassword,
  });
  // The password is a secret wherever it came from: never in output, errors or the report.
  if (who.as.password !== undefined) run.rt.masker.add(who.as.password);
  return {
    check: renderFlag(run, scope.checkMode, vars, 'check_mode') ?? run.rt.check,
    diff: renderFlag(run, scope.diff, vars, 'diff') ?? run.rt.diff,
    noLog: renderFlag(run, scope.noLog, vars, 'no_log') ?? false,
    ignoreErrors: renderFlag(run, scope.ignoreErrors, vars, 'ignore_errors') ?? false,
    become: who.become,
    becomeAs: who.as,
    ...(who.remoteUser !== undefined ? { remoteUser: who.remoteUser } : {}),
    anyErrorsFatal: renderFlag(run, scope.anyErrorsFatal, vars, 'any_errors_fatal') ?? false,
    delegateFacts: renderFlag(run, scope.delegateFacts, vars, 'delegate_facts') ?? false,
    environment: scope.environment,
    moduleDefaults: scope.moduleDefaults,
    connection: scope.connection,
    ...(scope.timeout !== undefined ? { timeout: scope.timeout } : {}),
  };
}

/**
 * When a task failed before its keywords could be rendered: a no_log that is a template counts as
 * set (a secret must not leak because its guard could not be evaluated); ignore_errors only when
 * written literally.
 */
export function unrenderedFlags(scope: Scope): Pick<TaskFlags, 'noLog' | 'ignoreErrors' | 'anyErrorsFatal'> {
  return {
    noLog: scope.noLog === true || typeof scope.noLog === 'string',
    ignoreErrors: scope.ignoreErrors === true,
    anyErrorsFatal: scope.anyErrorsFatal === true,
  };
}
