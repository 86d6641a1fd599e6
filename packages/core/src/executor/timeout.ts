/**
 * The `timeout` keyword (task, block, play; the nearest wins): a module call that has not finished
 * after that many seconds fails with Ansible's message, as ansible-playbook 2.14 words it, and a
 * result holding only `changed: false`, `failed: true` and `msg`. As in Ansible the limit is per
 * attempt and per loop item, 0 means none, and a call stopped this way is not retried by `until`, nor
 * judged by changed_when / failed_when. `pause` keeps its own time (Ansible's pause sets its own alarm).
 *
 * Ansible stops waiting on the controller and leaves the module's process on the host to finish on its
 * own; this provisioner's modules are several steps driven from the controller, so the call is also
 * stopped there: the command running on the host is killed at the deadline (timeout(1) on the host)
 * and no further step starts.
 */
import type { ModuleResult } from '../contract/module.js';
import type { Remote, RunOptions } from '../contract/remote.js';

/** Ansible's words (lib/ansible/executor/task_executor.py), `action` as the task writes its module. */
export function timeoutMessage(action: string, seconds: number): string {
  return `The ${action} action failed to execute in the expected time frame (${seconds}) and was terminated`;
}

/** Results of calls stopped by `timeout`: `until` does not retry them. */
const timedOut = new WeakSet<object>();

export function isTimedOut(result: ModuleResult): boolean {
  return timedOut.has(result);
}

export function timeoutResult(action: string, seconds: number): ModuleResult {
  const result: ModuleResult = { changed: false, failed: true, msg: timeoutMessage(action, seconds) };
  timedOut.add(result);
  return result;
}

/** Thrown by a step a module starts after its task's deadline. */
export class TaskTimeoutError extends Error {}

/** A deadline for one module call. */
export interface Deadline {
  /** The host as the module sees it: each command gets at most the time left; none starts after it. */
  remote(inner: Remote): Remote;
  /** The call's result, or undefined when the deadline came first. */
  race<T>(work: Promise<T>): Promise<T | undefined>;
}

export function deadline(seconds: number, now: () => number = Date.now): Deadline {
  const at = now() + seconds * 1000;
  let expired = false;
  const left = (): number => {
    const ms = at - now();
    if (expired || ms <= 0) throw new TaskTimeoutError(`the task's timeout (${seconds}) has passed`);
    return ms;
  };
  return {
    remote: (inner) => ({
      hostName: inner.hostName,
      run: (command, options?: RunOptions) => {
        const ms = left();
        const own = options?.timeoutMs;
        return inner.run(command, { ...options, timeoutMs: own !== undefined && own > 0 ? Math.min(own, ms) : ms });
      },
      writeFile: (path, content, attrs) => (left(), inner.writeFile(path, content, attrs)),
      putFile: (local, path, attrs) => (left(), inner.putFile(local, path, attrs)),
      readFile: (path, options) => (left(), inner.readFile(path, options)),
    }),
    race: async <T>(work: Promise<T>): Promise<T | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          expired = true;
          resolve(undefined);
        }, Math.max(0, at - now()));
      });
      // A step refused at the deadline (the timer not yet fired), or a result the module made of that
      // refusal, is the deadline coming first too.
      const done = work.then(
        (value) => (now() >= at ? undefined : { value }),
        (err: unknown) => {
          if (err instanceof TaskTimeoutError || now() >= at) return undefined;
          throw err;
        },
      );
      try {
        const winner = await Promise.race([done, late]);
        if (winner) return winner.value;
        // The call goes on until its current step ends: what it does or throws then is dropped.
        work.catch(() => undefined);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
