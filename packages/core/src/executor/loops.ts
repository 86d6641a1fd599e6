import type { ModuleResult } from '../contract/module.js';
import type { Task, Vars } from '../model.js';
import type { ItemOutcome } from './events.js';
import type { Outcome } from './state.js';
import type { Templater } from './types.js';
import { renderValue } from './vars.js';
import { LOOKUPS, templateRenderer, type LookupContext } from './lookups.js';

export function itemLabel(item: unknown): string {
  if (typeof item === 'string') return item;
  try {
    return JSON.stringify(item);
  } catch {
    return String(item);
  }
}

function tryParseList(text: string): unknown {
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v)) return v;
  } catch {
    // Not JSON: reported by the caller.
  }
  return text;
}

/**
 * The items a task loops over, rendered with the host's variables. `with_<lookup>` runs that lookup
 * on the rendered terms (a single term becomes a one-term list, as Ansible listifies them).
 */
export function loopItems(templater: Templater, task: Pick<Task, 'loop' | 'loopWith'>, vars: Vars, explain: (err: unknown) => Error, ctx?: LookupContext): unknown[] {
  let items: unknown;
  const keyword = task.loopWith ? `with_${task.loopWith}` : 'loop';
  try {
    items = renderValue(templater, task.loop, vars);
    if (task.loopWith) {
      const terms = Array.isArray(items) ? items : [items];
      const plugin = LOOKUPS[task.loopWith];
      items = plugin(terms, {}, ctx ?? { baseDir: process.cwd(), renderTemplate: templateRenderer(templater, vars) });
    }
  } catch (err) {
    throw new Error(`error in "${keyword}": ${explain(err).message}`);
  }
  if (typeof items === 'string') items = tryParseList(items);
  if (!Array.isArray(items)) throw new Error(`"loop" must be a list, got ${typeof items}: ${itemLabel(items)}`);
  return items;
}

/**
 * The variables one item adds: the loop variable, ansible_loop (Ansible's extended set with
 * `extended`: first, last, length, revindex, previtem, nextitem, allitems unless extended_allitems
 * is false) and the index_var.
 */
export function loopVars(task: Pick<Task, 'loopVar' | 'loopControl'>, item: unknown, index: number, items: readonly unknown[] = []): Vars {
  const lc = task.loopControl ?? {};
  let loop: Vars = { index: index + 1, index0: index };
  if (lc.extended) {
    const length = items.length;
    loop = { ...loop, first: index === 0, last: index + 1 === length, length, revindex: length - index, revindex0: length - index - 1 };
    if (lc.extendedAllItems !== false) loop.allitems = items;
    if (index + 1 < length) loop.nextitem = items[index + 1];
    if (index > 0) loop.previtem = items[index - 1];
    // The templater reads a loop-shaped object's previtem/nextitem from its items (never shown).
    Object.defineProperty(loop, '__items', { value: items, enumerable: false });
  }
  const out: Vars = { [task.loopVar]: item, ansible_loop_var: task.loopVar, ansible_loop: loop };
  if (lc.indexVar) Object.assign(out, { ansible_index_var: lc.indexVar, [lc.indexVar]: index });
  return out;
}

/** What Ansible adds to each item's registered result for index_var and extended. */
export function itemResultExtras(task: Task, extra: Vars): Vars {
  const lc = task.loopControl ?? {};
  const out: Vars = {};
  if (lc.indexVar) Object.assign(out, { [lc.indexVar]: extra[lc.indexVar], ansible_index_var: lc.indexVar });
  if (lc.extended) out.ansible_loop = extra.ansible_loop;
  return out;
}

/** A loop's result as Ansible registers it: `results`, one per item, and the task's overall status. */
export function loopOutcome(outcomes: ItemOutcome[], results: Record<string, unknown>[], count: number): Outcome {
  const anyFailed = outcomes.some((o) => o.status === 'failed');
  const anyChanged = outcomes.some((o) => o.status === 'changed');
  const allSkipped = outcomes.length > 0 && outcomes.every((o) => o.status === 'skipped');
  const result: ModuleResult = {
    changed: anyChanged,
    // As Ansible registers a loop: skipped always, failed only when true (never a key holding undefined,
    // which reached templates: `register | to_json` of any loop failed on it).
    ...(anyFailed ? { failed: true } : {}),
    skipped: allSkipped || count === 0,
    // Ansible's words (task_executor.py); an empty loop has no msg but a skipped_reason.
    ...(count === 0 ? { skipped_reason: 'No items in the list' } : { msg: anyFailed ? 'One or more items failed' : allSkipped ? 'All items skipped' : 'All items completed' }),
    results,
  };
  // Facts set by items (set_fact in a loop) apply in order.
  const facts: Vars = {};
  for (const r of results) if (r.facts && typeof r.facts === 'object') Object.assign(facts, r.facts);
  if (Object.keys(facts).length > 0) result.facts = facts;
  if (results.some((r) => r.facts_cacheable === true)) result.facts_cacheable = true;
  const diff = outcomes.flatMap((o) => o.diff ?? []);
  if (diff.length > 0) result.diff = diff;
  return {
    status: anyFailed ? 'failed' : allSkipped || count === 0 ? 'skipped' : anyChanged ? 'changed' : 'ok',
    msg: result.msg ?? (count === 0 ? 'No items in the list' : undefined),
    result,
    items: outcomes,
  };
}
