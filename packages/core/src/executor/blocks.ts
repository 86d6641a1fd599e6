import type { Block, DynamicInclude, TaskItem, Vars } from '../model.js';
import { allConditionsHold } from './conditions.js';
import type { ItemOutcome, TaskRef } from './events.js';
import { itemLabel, loopItems, loopVars } from './loops.js';
import { tagsSelect } from './tags.js';
import { renderValue } from './vars.js';
import { childScope, type PlayRun, type Scope } from './state.js';
import { runTask } from './task.js';
import { templateRenderer } from './lookups.js';

/** A task list, item by item, on the hosts that are still live before each item. */
export async function runItems(run: PlayRun, items: readonly TaskItem[], hosts: readonly string[], scope: Scope): Promise<void> {
  for (const item of items) {
    const live = run.live(hosts);
    if (live.length === 0) return;
    if (item.kind === 'block') await runBlock(run, item, live, scope);
    else await runTask(run, item, live, scope);
  }
}

/**
 * block, then rescue for the hosts that failed in it, then always for every host still reachable.
 * A rescued failure counts as rescued, not failed (Ansible's recap); a failure that always did not
 * rescue leaves the host failed afterwards.
 */
async function runBlock(run: PlayRun, block: Block, hosts: string[], scope: Scope): Promise<void> {
  const { rt } = run;
  const inner = childScope(scope, block);
  // include_role public: from now on the play's tasks see the role's defaults and vars.
  if (block.exports) run.exportRole?.(block.exports);
  if (block.include) await runDynamicInclude(run, block, block.include, hosts, scope);
  else await run.runItems(block.block, hosts, inner);
  const failedInBlock = hosts.filter((h) => rt.state(h).failed && !rt.state(h).unreachable);
  if (block.rescue.length > 0 && failedInBlock.length > 0) {
    for (const h of failedInBlock) {
      const s = rt.state(h);
      s.failed = false;
      // Ansible's rescue sees the failure: ansible_failed_result (the failed task's result)
      if (s.failedResult) s.hostFacts.ansible_failed_result = s.failedResult;
    }
    await run.runItems(block.rescue, failedInBlock, inner);
    for (const h of failedInBlock) {
      const s = rt.state(h);
      if (!s.failed && !s.unreachable) {
        s.stats.rescued++;
        s.stats.failed = Math.max(0, s.stats.failed - 1);
      }
    }
  }
  if (block.always.length > 0) {
    const stillFailed = new Set(hosts.filter((h) => rt.state(h).failed && !rt.state(h).unreachable));
    for (const h of stillFailed) rt.state(h).failed = false;
    const alwaysHosts = hosts.filter((h) => !rt.state(h).unreachable && !rt.state(h).ended);
    await run.runItems(block.always, alwaysHosts, inner);
    for (const h of stillFailed) rt.state(h).failed = true;
  }
}

/**
 * `include_tasks`, as Ansible's linear strategy runs it: the include's conditions are evaluated per
 * host, its file name rendered per host, each file read once, and the hosts that include the same file
 * run its tasks together, one file after the other (in the order the hosts first named them). With a
 * loop (loop, with_*, loop_control), each item is an include of its own: conditions and the file name
 * are evaluated per item, the item's loop variables become variables of the included tasks, and hosts
 * share a run of the file only when they include it with the same item (Ansible's IncludedFile). The
 * include's own tags select the include, not the included tasks (`apply:` gives keywords to those).
 */
async function runDynamicInclude(run: PlayRun, block: Block, include: DynamicInclude, hosts: string[], scope: Scope): Promise<void> {
  const { rt } = run;
  const { templater } = rt.options;
  const own = childScope(scope, block);
  if (!tagsSelect(own.tags, rt.tags)) return;
  const action = include.action ?? 'include_tasks';
  const ref: TaskRef = { name: block.name ?? action, module: action, pos: block.pos, role: block.role?.name, kind: 'task' };
  const groups = new Map<string, { file: string; extra: Vars; hosts: string[] }>();
  const failed = (host: string, msg: string) => {
    const s = rt.state(host);
    s.failed = true;
    s.stats.failed++;
    rt.emit({ type: 'host-result', task: ref, host, status: 'failed', msg, result: { changed: false, failed: true, msg }, durationMs: 0 });
  };
  const skipped = (host: string, msg: string) => {
    rt.state(host).stats.skipped++;
    rt.emit({ type: 'host-result', task: ref, host, status: 'skipped', msg, result: { changed: false, skipped: true, skip_reason: msg }, durationMs: 0 });
  };
  rt.emit({ type: 'task-start', task: ref, hosts });
  // The include's own role (a dependency's, too): role_path and the role's defaults, so that a lookup in
  // its file name (first_found) searches that role's folder, as Ansible renders an include in its role.
  const inRole = { role: block.role, vars: {} };
  for (const host of hosts) {
    const { vars } = run.hostVars(host, own, inRole);
    // One include per item (one, without a loop): its file and the variables it adds.
    const includes: { file?: string; extra: Vars; item?: unknown; skip?: string }[] = [];
    try {
      if (!include.loop) {
        const cond = allConditionsHold(templater, own.when, vars);
        if (!cond.ok) {
          skipped(host, `conditional result was false: ${cond.failedOn}`);
          continue;
        }
        includes.push({ file: String(renderValue(templater, include.file, vars)), extra: {} });
      } else {
        const loop = include.loop;
        const items = loopItems(templater, loop, vars, (err) => err as Error, {
          baseDir: run.play.baseDir,
          roleDir: block.role?.path,
          renderTemplate: templateRenderer(templater, vars),
        });
        for (const [index, item] of items.entries()) {
          const extra = loopVars(loop, item, index, items);
          // The include's vars may use the item: resolve them again per item.
          const itemVars = Object.keys(own.vars).length > 0 ? run.hostVars(host, own, inRole, extra).vars : { ...vars, ...extra };
          const cond = allConditionsHold(templater, own.when, itemVars);
          if (!cond.ok) includes.push({ extra, item, skip: `conditional result was false: ${cond.failedOn}` });
          else includes.push({ file: String(renderValue(templater, include.file, itemVars)), extra, item });
        }
      }
    } catch (err) {
      failed(host, `include "${include.file}" (${block.pos.file}:${block.pos.line}) on ${host}: ${(err as Error).message}`);
      continue;
    }
    for (const inc of includes) {
      if (inc.file === undefined) continue;
      const key = `${inc.file}\0${groupKey(inc.extra)}`;
      const group = groups.get(key) ?? { file: inc.file, extra: inc.extra, hosts: [] };
      group.hosts.push(host);
      groups.set(key, group);
    }
    if (!include.loop) {
      // The include itself is an ok result on each host, as Ansible counts it (include_tasks when its file
      // is loaded; an include_role's result is not counted: linear.py builds its blocks without a count).
      const file = includes[0].file!;
      if (action === 'include_tasks') rt.state(host).stats.ok++;
      rt.emit({ type: 'host-result', task: ref, host, status: 'ok', msg: `included: ${file}`, result: { changed: false, include: file }, durationMs: 0 });
      continue;
    }
    const items: ItemOutcome[] = includes.map((inc) => {
      const result = inc.skip !== undefined ? { changed: false, skipped: true, skip_reason: inc.skip } : { changed: false, include: inc.file };
      const full = { ...result, [include.loop!.loopVar]: inc.item, ansible_loop_var: include.loop!.loopVar };
      return { label: itemLabel(inc.item), status: inc.skip !== undefined ? 'skipped' : 'ok', msg: inc.skip ?? `included: ${inc.file}`, result: full };
    });
    const anyIncluded = includes.some((inc) => inc.file !== undefined);
    if (!anyIncluded) {
      skipped(host, includes.length === 0 ? 'no items' : 'all items skipped');
      continue;
    }
    if (action === 'include_tasks') rt.state(host).stats.ok++;
    const msg = `included: ${[...new Set(includes.flatMap((inc) => (inc.file !== undefined ? [inc.file] : [])))].join(', ')}`;
    rt.emit({ type: 'host-result', task: ref, host, status: 'ok', msg, items, result: { changed: false, results: items.map((i) => i.result) }, durationMs: 0 });
  }
  // The include's keywords other than tags and when apply to what it includes, as with a block.
  const inner: Scope = { ...own, when: scope.when, tags: scope.tags };
  const loaded = new Map<string, ReturnType<DynamicInclude['load']>>();
  for (const { file, extra, hosts: group } of groups.values()) {
    const live = run.live(group);
    if (live.length === 0) continue;
    if (!loaded.has(file)) loaded.set(file, include.load(file));
    const { items, errors } = loaded.get(file)!;
    if (errors.length > 0) {
      for (const h of live) failed(h, `include "${file}" (${block.pos.file}:${block.pos.line}): ${errors.join('; ')}`);
      continue;
    }
    const body: TaskItem[] = include.apply ? [{ ...include.apply, block: items, role: block.role }] : items;
    // An item's loop variables are variables of the included tasks (above the include's own vars).
    await run.runItems(body, live, Object.keys(extra).length > 0 ? { ...inner, vars: { ...inner.vars, ...extra } } : inner);
  }
}

let unshared = 0;

/** Two includes of one file share a run only with the same item variables (Ansible compares them). */
function groupKey(extra: Vars): string {
  try {
    return JSON.stringify(extra);
  } catch {
    // Not serialisable (a cycle): never shared.
    return `unshared-${++unshared}`;
  }
}
