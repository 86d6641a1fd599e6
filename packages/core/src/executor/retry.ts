/**
 * `until` / `retries` / `delay`, as ansible-playbook 2.14 runs them: with `until`, a task makes up to
 * retries + 1 attempts (retries defaults to 3, delay to 5 seconds; retries <= 0 means one attempt),
 * each result carrying `attempts`, the registered name bound to it while `until` is evaluated. When
 * no attempt satisfies `until`, the last result is failed and its `attempts` is the configured
 * number of retries (Ansible's count, one less than the attempts made). Without `until`, `retries`
 * and `delay` do nothing (2.14).
 */
import type { ModuleResult } from '../contract/module.js';
import type { Task, Vars } from '../model.js';
import { allConditionsHold } from './conditions.js';
import type { PlayRun } from './state.js';
import { renderValue } from './vars.js';
import { isTimedOut } from './timeout.js';

export interface RetryPlan {
  /** Attempts at most, the first one included. */
  attempts: number;
  delayMs: number;
}

/** A whole-number keyword (retries, delay, async, poll): a number, or a template rendered with the host's variables. */
export function renderCount(run: PlayRun, value: number | string | undefined, vars: Vars, keyword: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  let rendered: unknown;
  try {
    rendered = renderValue(run.rt.options.templater, value, vars);
  } catch (err) {
    throw new Error(`error in "${keyword}": ${(err as Error).message}`);
  }
  const n = Number(typeof rendered === 'string' ? rendered.trim() : rendered);
  if (!Number.isInteger(n)) throw new Error(`"${keyword}" must be a whole number, got ${JSON.stringify(rendered)}`);
  return n;
}

/** The task's retry plan on a host, or undefined when it has no `until`. */
export function retryPlan(run: PlayRun, task: Task, vars: Vars): RetryPlan | undefined {
  if (!task.until || task.until.length === 0) return undefined;
  const retries = renderCount(run, task.retries, vars, 'retries') ?? 3;
  const delay = renderCount(run, task.delay, vars, 'delay') ?? 5;
  return { attempts: retries <= 0 ? 1 : retries + 1, delayMs: (delay < 0 ? 1 : delay) * 1000 };
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` (given its number, 1-based) until the task's `until` holds or the plan runs out.
 * `onRetry` hears how many retries are left before each wait.
 */
export async function runWithRetries(
  run: PlayRun,
  task: Task,
  plan: RetryPlan,
  vars: Vars,
  attempt: (n: number) => Promise<ModuleResult>,
  onRetry: (left: number) => void,
): Promise<ModuleResult> {
  const sleep = run.rt.options.sleep ?? realSleep;
  let result: ModuleResult = { changed: false };
  for (let n = 1; n <= plan.attempts; n++) {
    result = await attempt(n);
    // A call its `timeout` stopped ends the task there, as in Ansible.
    if (plan.attempts === 1 || isTimedOut(result)) return result;
    const bound = task.register ? { ...vars, [task.register]: result } : vars;
    let done: boolean;
    try {
      done = allConditionsHold(run.rt.options.templater, task.until ?? [], bound).ok;
    } catch (err) {
      return { ...result, failed: true, msg: `error in "until": ${(err as Error).message}` };
    }
    if (done) return result;
    if (n < plan.attempts) {
      onRetry(plan.attempts - n);
      await sleep(plan.delayMs);
    }
  }
  return { ...result, attempts: plan.attempts - 1, failed: true };
}
