/**
 * `meta:` actions. They act on the executor (its handlers, its hosts, the play) rather than on a host,
 * so the executor owns their list: validation and the meta module's argument spec read it from here.
 */
import type { Task, Vars } from '../model.js';
import { conditionHolds } from './conditions.js';
import type { TaskRef } from './events.js';
import type { PlayRun, Scope } from './state.js';

/** What one action does; `hosts` are the live hosts the task reached. */
type MetaBehaviour = (run: PlayRun, hosts: readonly string[], task: Task, scope: Scope) => void | Promise<void>;

const BEHAVIOURS = {
  // Under the free strategy a host that reaches the meta flushes its own handlers only.
  flush_handlers: (run, hosts) => run.flushHandlers(run.strategy === 'free' ? hosts : run.batch),
  // The inventory is read once per run and connections are per run: nothing to do.
  noop: () => {},
  refresh_inventory: () => {},
  reset_connection: () => {},
  end_play: (run) => {
    run.endPlay = true;
  },
  end_batch: (run) => {
    run.endPlay = true;
  },
  clear_facts: (run, hosts) => {
    // The fact cache's entry goes too (Ansible's clear_facts deletes the host from its fact cache).
    for (const h of hosts) {
      const s = run.rt.state(h);
      s.facts = {};
      s.cachedFacts = {};
      run.rt.options.factCache?.delete(h);
    }
  },
  clear_host_errors: (run) => {
    for (const h of run.batch) {
      const st = run.rt.state(h);
      if (!st.unreachable) st.failed = false;
    }
  },
  // The only action that honours `when` per host; the others act on the play.
  end_host: (run, hosts, task, scope) => {
    for (const h of hosts) {
      const { vars } = run.hostVars(h, scope, task);
      if (scope.when.every((c) => conditionHolds(run.rt.options.templater, c, vars))) run.rt.state(h).ended = true;
    }
  },
} satisfies Record<string, MetaBehaviour>;

export type MetaAction = keyof typeof BEHAVIOURS;

/** Every action `meta:` accepts. */
export const META_ACTIONS = Object.keys(BEHAVIOURS) as MetaAction[];

export function isMeta(module: string): boolean {
  return module === 'meta' || module === 'ansible.builtin.meta' || module === 'ansible.legacy.meta';
}

export function isMetaAction(action: string): action is MetaAction {
  return Object.hasOwn(BEHAVIOURS, action);
}

/** The action a meta task names: `meta: flush_handlers`, or `meta: {action: ...}` / free form. */
export function metaAction(task: Task): string {
  if (typeof task.args === 'string') return task.args.trim();
  const a = task.args as Vars;
  return String(a.action ?? a.free_form ?? a._raw_params ?? Object.keys(a)[0] ?? '').trim();
}

export async function runMeta(run: PlayRun, task: Task, ref: TaskRef, hosts: readonly string[], scope: Scope): Promise<void> {
  const action = metaAction(task);
  if (!isMetaAction(action)) {
    run.rt.emit({ type: 'warning', message: `meta: ${action} is not supported; ignored`, task: ref });
    return;
  }
  await BEHAVIOURS[action](run, hosts, task, scope);
}
